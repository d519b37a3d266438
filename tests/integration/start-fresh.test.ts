/**
 * `npm start` on a fresh clone: it builds first, and says so in a line or two (the build's own
 * output goes to data/build.log), so that « prêt » comes within about 15 lines. A real build of
 * a copy of the project (about a minute of CPU): the only test that builds.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { launch, ROOT, type Launched } from '../helpers/launcher';

const clone = mkdtempSync(join(tmpdir(), 'palabre-clone-'));
let launched: Launched | undefined;

afterAll(async () => {
	await launched?.dispose();
	rmSync(clone, { recursive: true, force: true });
});

/** What a clone of this working tree holds (committed or not, ignored files left out), and the installed packages. */
function cloneProject() {
	const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
	for (const file of files.filter(Boolean)) {
		if (!existsSync(join(ROOT, file))) continue;
		mkdirSync(dirname(join(clone, file)), { recursive: true });
		copyFileSync(join(ROOT, file), join(clone, file));
	}
	symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
}

it('builds quietly, then prints « prêt » within 15 lines', { timeout: 420_000 }, async () => {
	cloneProject();
	// The default data directory, ./data, as on a fresh clone.
	launched = await launch({ cwd: clone, env: () => ({ DATA_DIR: undefined }) });
	await launched.ready(400_000);
	const lines = launched.output.split('\n');
	const ready = lines.findIndex((line) => line.includes('prêt'));
	expect(ready, launched.output).toBeGreaterThan(0);
	expect(ready, launched.output).toBeLessThanOrEqual(15);
	const before = lines.slice(0, ready).join('\n');
	expect(before).toMatch(/Construction de Palabre/);
	expect(before).not.toMatch(/PLUGIN_TIMINGS|empty chunk|npm run preview|vite/i);
	// The build's whole output is kept, where the start says.
	const log = join(clone, 'data', 'build.log');
	expect(before).toContain(log);
	expect(readFileSync(log, 'utf8')).toMatch(/built in/);
	expect(existsSync(join(clone, 'build', 'palabre.js'))).toBe(true);

	process.kill(launched.child.pid as number, 'SIGTERM');
	expect(await launched.exited).toEqual({ code: 0, signal: null });
});
