/**
 * The WAL is checkpointed by a worker thread, not inside commits (server/store/checkpointer.ts).
 * Two connections writing without pause, as the two processes do while people type, must not
 * make it grow for ever, and every row written stays readable.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DB_FILE, openSqliteStore, openYDocStore } from '../../server/store/sqlite';

const dir = mkdtempSync(join(tmpdir(), 'palabre-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('keeps the WAL bounded while writers never stop, and loses no row', async () => {
	const main = openSqliteStore(dir);
	const yjs = openYDocStore(dir);
	const update = new Uint8Array(16 * 1024).fill(7);
	const docs = 50;
	// About 16 MB of WAL pages a second for 5 s: three times what 1,000 people typing write.
	const rounds = 200;
	const perRound = 20;
	let largestWal = 0;
	try {
		// 4,000 commits of 16 kB (over 80 MB of WAL pages), from both connections in turn.
		for (let r = 0; r < rounds; r++) {
			for (let i = 0; i < perRound; i++) {
				const store = i % 2 ? yjs.ydocs : main.ydocs;
				store.appendAll([{ docName: `doc${(r * perRound + i) % docs}`, update }]);
			}
			largestWal = Math.max(largestWal, statSync(join(dir, `${DB_FILE}-wal`)).size);
			// The event loop turns, as the server's does between network reads.
			await sleep(20);
		}
		expect(largestWal).toBeGreaterThan(0);
		// 16 MB before the WAL starts over, plus what is written until the next check.
		expect(largestWal).toBeLessThan(40 * 1024 * 1024);
		let rows = 0;
		for (let d = 0; d < docs; d++) rows += main.ydocs.count(`doc${d}`);
		expect(rows).toBe(rounds * perRound);
	} finally {
		yjs.close();
		main.close();
	}
	// Every commit waits for the disk (synchronous = FULL): several milliseconds each on a busy machine.
}, 180_000);
