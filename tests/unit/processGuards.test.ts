/** The process-level handlers, in a child process of their own (they act on the whole process). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const guards = join(import.meta.dirname, '..', '..', 'server', 'processGuards.ts');

/** Runs `body` after installing the guards; resolves with the exit code and what was logged. */
function run(body: string) {
	const script = `import { installProcessGuards } from ${JSON.stringify(guards)};\ninstallProcessGuards();\n${body}`;
	const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
	return { code: r.status, output: r.stdout + r.stderr };
}

it('logs an error outside any event and an unhandled rejection, and keeps serving', { timeout: 30_000 }, () => {
	const r = run(`
		setTimeout(() => { throw new Error('boom'); }, 0);
		Promise.reject(new Error('rejet'));
		setTimeout(() => { console.log('toujours là'); process.exit(0); }, 200);
	`);
	expect(r.output).toContain('Erreur non rattrapée');
	expect(r.output).toContain('boom');
	expect(r.output).toContain('Promesse rejetée sans traitement');
	expect(r.output).toContain('toujours là');
	expect(r.code).toBe(0);
});

it('stops when going on would be unsafe: an unreadable store, a loop of errors', { timeout: 30_000 }, () => {
	const store = run(`setTimeout(() => { throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }); }, 0);
		setTimeout(() => process.exit(0), 500);`);
	expect(store.code).toBe(1);
	expect(store.output).toContain('la base de données est illisible');
	const loop = run(`for (let i = 0; i < 40; i++) setTimeout(() => { throw new Error('encore'); }, 0);
		setTimeout(() => process.exit(0), 500);`);
	expect(loop.code).toBe(1);
	expect(loop.output).toContain('erreurs non rattrapées en une minute');
});
