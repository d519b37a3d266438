/**
 * The two servers under test, each a child process on loopback: Palabre's production build
 * with its embedded store in a temporary DATA_DIR, and the reference Yjs server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { freePort } from '../tests/helpers/freePort';

export { freePort };

export const ROOT = join(import.meta.dirname, '..');
const PALABRE = join(ROOT, 'build', 'palabre.js');
const BASELINE_SRC = join(ROOT, 'bench', 'baseline-server.ts');
// Inside the project, so the bundle's bare imports resolve from node_modules.
const BASELINE_OUT = join(ROOT, 'bench', '.build', 'baseline-server.js');

export class ServerProcess {
	output = '';

	private constructor(
		readonly name: string,
		readonly child: ChildProcess,
		readonly port: number,
		readonly dataDir: string | null
	) {
		child.stdout?.on('data', (d) => (this.output += d));
		child.stderr?.on('data', (d) => (this.output += d));
	}

	get url() {
		return `http://127.0.0.1:${this.port}`;
	}

	get pid(): number {
		return this.child.pid as number;
	}

	/** Palabre as deployed: `node build/palabre.js`, default limits, loopback only. */
	static async palabre(opts: { cpuProfDir?: string; env?: Record<string, string> } = {}): Promise<ServerProcess> {
		if (!existsSync(PALABRE)) throw new Error(`${PALABRE} is missing: run npm run build (npm run bench does it)`);
		const port = await freePort();
		const dataDir = mkdtempSync(join(tmpdir(), 'palabre-bench-'));
		const flags = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
		const child = spawn(process.execPath, [...flags, PALABRE], {
			// The rush packs a morning's arrivals into a few seconds: the event's join budget
			// (JOIN_LIMIT per room a minute) is raised so that it measures the server, not the limit.
			env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`, JOIN_LIMIT: '2000', ...opts.env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const server = new ServerProcess('palabre', child, port, dataDir);
		await server.ready('Palabre est prêt');
		return server;
	}

	static async baseline(): Promise<ServerProcess> {
		mkdirSync(join(ROOT, 'bench', '.build'), { recursive: true });
		await build({
			entryPoints: [BASELINE_SRC],
			bundle: true,
			platform: 'node',
			format: 'esm',
			target: 'node20',
			packages: 'external',
			outfile: BASELINE_OUT,
			logLevel: 'warning'
		});
		const port = await freePort();
		const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
		// In memory, as the issue asks: no LevelDB persistence.
		delete env.YPERSISTENCE;
		const child = spawn(process.execPath, [BASELINE_OUT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		const server = new ServerProcess('baseline', child, port, null);
		await server.ready('baseline ready');
		return server;
	}

	private ready(marker: string): Promise<void> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`${this.name} did not start:\n${this.output}`)), 30_000);
			const check = () => {
				if (!this.output.includes(marker)) return;
				clearTimeout(timer);
				this.child.stdout?.off('data', check);
				resolve();
			};
			this.child.stdout?.on('data', check);
			this.child.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`${this.name} exited (${code}):\n${this.output}`));
			});
		});
	}

	/** palabre.sqlite and its write-ahead log, in bytes, as they are now. */
	storeBytes(): { sqlite: number; wal: number } {
		const size = (f: string) => {
			try {
				return statSync(join(this.dataDir as string, f)).size;
			} catch {
				return 0;
			}
		};
		return { sqlite: size('palabre.sqlite'), wal: size('palabre.sqlite-wal') };
	}

	/** SIGTERM (a clean stop, which also writes a --cpu-prof profile), then removes the data. */
	async stop() {
		const child = this.child;
		if (child.exitCode === null && child.signalCode === null) {
			await new Promise<void>((resolve) => {
				const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
				child.once('exit', () => {
					clearTimeout(timer);
					resolve();
				});
				child.kill('SIGTERM');
			});
		}
		if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
	}
}
