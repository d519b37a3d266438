/**
 * `npm ci` — what CI (.ci/run), Dockerfiles and deployments run — installs exactly the lock file
 * and refuses one that does not hold every package package.json needs, optional platform
 * packages included. Its dry run checks that without installing anything.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'palabre-lock-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `npm ci --dry-run` in `dir`: its exit code and what it printed. */
function ciDryRun(dir: string): Promise<{ code: number; output: string }> {
	return new Promise((resolve) => {
		execFile(
			'npm',
			['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'],
			{ cwd: dir, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 },
			(err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) || 1 : 0, output: stdout + stderr })
		);
	});
}

it('accepts the lock file as committed', { timeout: 150_000 }, async () => {
	const { code, output } = await ciDryRun(root);
	expect(output).not.toMatch(/Missing:|in sync/);
	expect(code).toBe(0);
});

it('refuses a lock file that lacks an optional platform package (the check can fail)', { timeout: 150_000 }, async () => {
	copyFileSync(join(root, 'package.json'), join(scratch, 'package.json'));
	const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
	const dropped = Object.keys(lock.packages).find((p) => p.startsWith('node_modules/@rollup/rollup-'));
	expect(dropped).toBeDefined();
	delete lock.packages[dropped as string];
	writeFileSync(join(scratch, 'package-lock.json'), JSON.stringify(lock, null, 2));
	const { code, output } = await ciDryRun(scratch);
	expect(code).not.toBe(0);
	expect(output).toContain(`Missing: ${(dropped as string).replace('node_modules/', '')}@`);
});
