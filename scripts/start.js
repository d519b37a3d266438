// `npm start`: builds quietly when the build is missing or older than the sources (the full
// output goes to a log file, shown on failure), then runs the server in this very process, so a
// signal to this process is a signal to the server: nothing to forward, nothing left behind.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'build', 'palabre.js');

/** @param {string} dir */
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

/**
 * The build log: in the data directory, which outlives builds (`build/` is emptied by each one).
 * Relative DATA_DIR is read from the project's root, as the server does.
 */
function buildLogPath() {
	return join(resolve(root, process.env.DATA_DIR ?? 'data'), 'build.log');
}

/**
 * `npm run build` with its output in `log` only: one line here before, one after. Resolves with
 * the exit code; a signal to this process while building stops the build too.
 */
function buildQuietly(log = buildLogPath()) {
	mkdirSync(join(log, '..'), { recursive: true });
	const started = Date.now();
	console.log('Construction de Palabre, environ une minute (première fois ou sources modifiées)… / Building Palabre…');
	const out = createWriteStream(log);
	// NO_COLOR: a log read in an editor, without escape codes. Detached: a process group of its
	// own, so a stop reaches npm, its shell and vite alike (npm's shell would not pass it on).
	const child = spawn('npm', ['run', 'build'], {
		cwd: root,
		env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true
	});
	child.stdout.pipe(out, { end: false });
	child.stderr.pipe(out, { end: false });
	/** @param {NodeJS.Signals} signal */
	const stop = (signal) => child.pid && process.kill(-child.pid, signal);
	process.on('SIGINT', stop).on('SIGTERM', stop);
	return new Promise((resolveCode) => {
		child.on('close', (code, signal) => {
			process.off('SIGINT', stop).off('SIGTERM', stop);
			out.end(() => {
				if (code === 0) {
					console.log(`Construit en ${Math.round((Date.now() - started) / 1000)} s. / Built. (journal / log : ${log})`);
				} else if (signal) {
					console.error(`Construction interrompue (${signal}). / Build stopped.`);
				} else {
					process.stderr.write(readFileSync(log, 'utf8'));
					console.error(`La construction a échoué ; journal complet / build failed, full log: ${log}`);
				}
				resolveCode(code ?? 1);
			});
		});
	});
}

export async function buildIfNeeded() {
	if (!buildIsStale()) return;
	const code = await buildQuietly();
	if (code !== 0) process.exit(code);
}

/**
 * npm runs us through `sh -c`, and on SIGTERM kills that shell only (npm 11): we would be left
 * running. So under npm, when our parent goes, we stop as if told to. Not otherwise: started
 * with `nohup node scripts/start.js &`, the shell that started us may go, and we stay.
 */
function stopWithParent() {
	if (!process.env.npm_lifecycle_event) return;
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
	}, 500).unref();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	stopWithParent();
	await buildIfNeeded();
	// The server reads DATA_DIR and its files relative to the project, whoever started us from where.
	process.chdir(root);
	await import(pathToFileURL(entry).href);
}
