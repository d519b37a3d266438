/**
 * The main process's durability (server/store/walSync.ts): a « saved » waits for a sync of the WAL
 * that began after its commit; commits made while a sync runs share the next one; a failed sync
 * is said, and the next call tries again.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WalSync } from '../../server/store/walSync';

const dirs: string[] = [];
function walFile(): string {
	const dir = mkdtempSync(join(tmpdir(), 'palabre-wal-'));
	dirs.push(dir);
	const file = join(dir, 'palabre.sqlite-wal');
	writeFileSync(file, 'frames');
	return file;
}
afterEach(() => {
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('WalSync', () => {
	it('does not sync when nothing was written since the last sync', async () => {
		let changes = 5;
		const wal = new WalSync(walFile(), () => changes);
		await wal.durable();
		expect(wal.syncs).toBe(0);
		changes++;
		await wal.durable();
		await wal.durable();
		expect(wal.syncs).toBe(1);
		expect(wal.covered).toBe(6);
		await wal.close();
	});

	it('lets the commits made while a sync runs share the next one', async () => {
		let changes = 0;
		const wal = new WalSync(walFile(), () => changes);
		const waits: Promise<void>[] = [];
		for (let i = 0; i < 50; i++) {
			changes++;
			waits.push(wal.durable());
		}
		await Promise.all(waits);
		// The first commit's sync, then one for the 49 made while it ran.
		expect(wal.syncs).toBeLessThanOrEqual(2);
		expect(wal.covered).toBe(50);
		await wal.close();
	});

	it('never says durable before a sync that began after the commit (property)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.record({ write: fc.nat(3), wait: fc.boolean(), pause: fc.boolean() }), { minLength: 1, maxLength: 30 }), async (steps) => {
				let changes = 0;
				const wal = new WalSync(walFile(), () => changes);
				const checks: Promise<void>[] = [];
				for (const step of steps) {
					changes += step.write;
					if (step.wait) {
						const upTo = changes;
						checks.push(wal.durable().then(() => expect(wal.covered).toBeGreaterThanOrEqual(upTo)));
					}
					if (step.pause) await new Promise((r) => setImmediate(r));
				}
				await Promise.all(checks);
				await wal.durable();
				expect(wal.covered).toBe(changes);
				// Never more syncs than calls that had something to sync.
				expect(wal.syncs).toBeLessThanOrEqual(steps.filter((s) => s.wait).length + 1);
				await wal.close();
			}),
			{ numRuns: 40 }
		);
	});

	it('rejects when the WAL cannot be synced, and tries again on the next call', async () => {
		const file = walFile();
		let changes = 0;
		const wal = new WalSync(`${file}.missing`, () => changes);
		changes++;
		await expect(wal.durable()).rejects.toThrow(/ENOENT/);
		expect(wal.covered).toBe(0);
		writeFileSync(`${file}.missing`, 'frames');
		await wal.durable();
		expect(wal.covered).toBe(1);
		await wal.close();
	});
});
