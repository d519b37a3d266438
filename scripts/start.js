// `npm start`: builds when the build is missing or older than the sources, then serves.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const entry = join(root, 'build', 'palabre.js');

function newest(dir) {
	let t = 0;
	for (const name of readdirSync(dir, { withFileTypes: true })) {
		const p = join(dir, name.name);
		t = Math.max(t, name.isDirectory() ? newest(p) : statSync(p).mtimeMs);
	}
	return t;
}

export function buildIsStale() {
	if (!existsSync(entry) || !existsSync(join(root, 'build', 'yjs-host.js'))) return true;
	const built = statSync(entry).mtimeMs;
	const sources = Math.max(
		newest(join(root, 'src')),
		newest(join(root, 'server')),
		newest(join(root, 'static')),
		...['package.json', 'svelte.config.js', 'vite.config.ts'].map((f) => statSync(join(root, f)).mtimeMs)
	);
	return sources > built;
}

export function buildIfNeeded() {
	if (!buildIsStale()) return;
	console.log('Construction de Palabre (première fois ou sources modifiées)…');
	const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
	if (r.status !== 0) process.exit(r.status ?? 1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
	buildIfNeeded();
	const r = spawnSync(process.execPath, [entry], { cwd: root, stdio: 'inherit' });
	process.exit(r.status ?? 0);
}
