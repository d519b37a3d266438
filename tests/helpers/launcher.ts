/**
 * Runs Palabre the way people do — `node scripts/start.js` or `npm start` — on loopback, with
 * its own port and data directory, and follows every process it starts (to prove none is left).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { freePort, processGone } from './server';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Every process below `pid` (children of children…), read from /proc. */
export function descendants(pid: number): number[] {
	let children: number[] = [];
	try {
		children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
	} catch {
		return [];
	}
	return children.flatMap((c) => [c, ...descendants(c)]);
}

/** True while something answers HTTP on the port. */
export async function answers(port: number): Promise<boolean> {
	try {
		await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) });
		return true;
	} catch {
		return false;
	}
}

export class Launched {
	output = '';
	/** The launcher and every process below it, once ready. */
	processes: number[] = [];
	readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

	constructor(
		readonly child: ChildProcess,
		readonly port: number,
		readonly dataDir: string
	) {
		child.stdout?.on('data', (d) => (this.output += d));
		child.stderr?.on('data', (d) => (this.output += d));
		this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	}

	get url() {
		return `http://127.0.0.1:${this.port}`;
	}

	/** Resolves once the whole start-up block is printed; rejects if the launcher exits first. */
	async ready(ms = 30_000): Promise<void> {
		const until = Date.now() + ms;
		while (!/prêt[\s\S]*Arrêter/.test(this.output)) {
			if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`launcher exited:\n${this.output}`);
			if (Date.now() > until) throw new Error(`not ready after ${ms} ms:\n${this.output}`);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		this.processes = [this.child.pid as number, ...descendants(this.child.pid as number)];
	}

	/** Resolves once the launcher and all it started are gone (within `ms`). */
	async allGone(ms: number): Promise<void> {
		for (const pid of this.processes) await processGone(pid, ms);
	}

	/** For afterEach: nothing of a failed test survives it. */
	async dispose() {
		for (const pid of [...this.processes, ...descendants(this.child.pid as number)]) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		rmSync(this.dataDir, { recursive: true, force: true });
	}
}

/**
 * Starts `command` (default `node scripts/start.js`) in `cwd` with HOST=127.0.0.1 and no
 * PUBLIC_URL; `env` (given the port) adds to or overrides that.
 */
export async function launch(
	opts: { command?: string[]; cwd?: string; env?: (port: number) => Record<string, string | undefined> } = {}
): Promise<Launched> {
	const port = await freePort();
	const dataDir = mkdtempSync(join(tmpdir(), 'palabre-launch-'));
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PUBLIC_URL: undefined,
		PORT: String(port),
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		...opts.env?.(port)
	};
	for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
	const [cmd, ...args] = opts.command ?? [process.execPath, 'scripts/start.js'];
	const child = spawn(cmd as string, args, { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
	return new Launched(child, port, dataDir);
}

/**
 * Reads back the QR code drawn in the terminal (qrcode's `small` style: each character is two
 * modules, upper and lower half, dark where the glyph is drawn) and returns what it encodes.
 */
export function readTerminalQr(text: string): string | undefined {
	const halves: Record<string, [boolean, boolean]> = { ' ': [false, false], '▀': [true, false], '▄': [false, true], '█': [true, true] };
	// Black on white (30 on 47); the bottom margin is drawn white on the terminal's own background (37): light.
	const rows = text
		.split('\n')
		.filter((line) => line.includes('\x1b[30m') && !line.includes('\x1b[37m'))
		// Without the banner's indent only: a row's leading spaces are light modules.
		.map((line) => line.replace(/\x1b\[\d+m/g, '').replace(/^ {2}/, ''));
	const drawn = rows.filter((r) => r.length > 0 && [...r].every((c) => c in halves));
	const modules = drawn.flatMap((r) => [[...r].map((c) => halves[c]?.[0] ?? false), [...r].map((c) => halves[c]?.[1] ?? false)]);
	const scale = 8;
	const margin = 4;
	const width = ((modules[0]?.length ?? 0) + 2 * margin) * scale;
	const height = (modules.length + 2 * margin) * scale;
	const pixels = new Uint8ClampedArray(width * height * 4).fill(255);
	modules.forEach((row, y) =>
		row.forEach((dark, x) => {
			if (!dark) return;
			for (let dy = 0; dy < scale; dy++)
				for (let dx = 0; dx < scale; dx++) {
					const i = (((y + margin) * scale + dy) * width + (x + margin) * scale + dx) * 4;
					pixels.fill(0, i, i + 3);
				}
		})
	);
	return jsQR(pixels, width, height)?.data;
}
