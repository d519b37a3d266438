/**
 * Starting and stopping Palabre as people and service managers do: `node scripts/start.js` (the
 * launcher, with a build already there) or `npm start`, stopped by Ctrl-C (SIGINT), a service
 * manager (SIGTERM) or killed outright. Nothing may stay running or serving afterwards, and a
 * loopback HOST gives links that answer on this machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent } from '../helpers/clients';
import { answers, descendants, launch, readTerminalQr, ROOT, type Launched } from '../helpers/launcher';
import { freePort, processGone } from '../helpers/server';
import { buildIsStale } from '../../scripts/start.js';

const running: Launched[] = [];
async function started(...args: Parameters<typeof launch>) {
	const l = await launch(...args);
	running.push(l);
	await l.ready();
	return l;
}

beforeAll(() => {
	// The launcher would build into build/, under the other tests' feet.
	if (buildIsStale()) throw new Error('the build is older than the sources: run `npm run build` first');
});

afterEach(async () => {
	for (const l of running.splice(0)) await l.dispose();
});

async function createEvent(l: Launched) {
	const res = await fetch(`${l.url}/api/events`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ title: 'Arrêt propre', themes: [{ title: 'Salle', statements: ['Un énoncé'] }] })
	});
	expect(res.status).toBe(201);
	return (await res.json()) as { id: string; organiserToken: string; joinUrl: string; organiserUrl: string };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	it(`${signal} to the launcher: phones are told it restarts, then the server and its Yjs process stop within 5 s`, async () => {
		const l = await started();
		// The launcher runs the server itself, and the server its Yjs process: two processes.
		expect(l.processes).toHaveLength(2);
		const e = await createEvent(l);
		const organiser = await connectClient(l.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
		const notice = nextEvent(organiser, 'restarting');
		const disconnected = new Promise<string>((resolve) => organiser.once('disconnect', (reason) => resolve(reason)));
		const t0 = Date.now();
		process.kill(l.child.pid as number, signal);
		await notice;
		// A transport close, which socket.io-client answers by reconnecting (not a server's « go away »).
		expect(await disconnected).toBe('transport close');
		organiser.close();
		expect(await l.exited).toEqual({ code: 0, signal: null });
		await l.allGone(5_000);
		expect(Date.now() - t0).toBeLessThan(5_000);
		expect(await answers(l.port)).toBe(false);
		expect(l.output).toMatch(/Palabre est arrêté/);
	});
}

it('SIGKILL of the launcher leaves nothing serving', async () => {
	const l = await started();
	expect(await answers(l.port)).toBe(true);
	process.kill(l.child.pid as number, 'SIGKILL');
	await l.allGone(5_000);
	expect(await answers(l.port)).toBe(false);
});

it('SIGTERM to `npm start` (npm passes it to its shell only) stops everything within 5 s', async () => {
	const l = await started({ command: ['npm', 'start', '--silent'] });
	// npm, its shell, the launcher and the Yjs process.
	expect(l.processes.length).toBeGreaterThanOrEqual(3);
	process.kill(l.child.pid as number, 'SIGTERM');
	await l.allGone(5_000);
	expect(await answers(l.port)).toBe(false);
});

it('started in the background by a shell that then exits (nohup …&), keeps serving until told to stop', async () => {
	const port = await freePort();
	const dataDir = mkdtempSync(join(tmpdir(), 'palabre-launch-'));
	const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir };
	// Not under npm (`npm test` would pass its own lifecycle on).
	delete env.npm_lifecycle_event;
	const pid = Number(execFileSync('sh', ['-c', 'node scripts/start.js >/dev/null 2>&1 & echo $!'], { cwd: ROOT, env, encoding: 'utf8' }));
	const all = () => [pid, ...descendants(pid)];
	try {
		await expect.poll(() => answers(port), { timeout: 30_000 }).toBe(true);
		const started = all();
		expect(started).toHaveLength(2);
		// Its parent, the shell, is long gone; the launcher checks its parent twice a second.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(await answers(port)).toBe(true);
		process.kill(pid, 'SIGTERM');
		for (const p of started) await processGone(p, 5_000);
	} finally {
		for (const p of all()) {
			try {
				process.kill(p, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		rmSync(dataDir, { recursive: true, force: true });
	}
});

it('with HOST=127.0.0.1 and no PUBLIC_URL: says phones cannot reach it, and its links answer', async () => {
	const l = await started();
	const head = l.output.slice(l.output.indexOf('prêt'));
	expect(head).toContain(`${l.url}/new`);
	expect(head).toMatch(/HOST=127\.0\.0\.1.*les téléphones ne pourront pas/);
	// No QR code of an address phones cannot open.
	expect(head).not.toContain('▄');
	const e = await createEvent(l);
	expect(e.joinUrl).toMatch(new RegExp(`^${l.url}/j/`));
	for (const link of [e.joinUrl, e.organiserUrl.split('#')[0] as string]) {
		const page = await fetch(link);
		expect(page.status, link).toBe(200);
		expect(await page.text()).toContain('<html');
	}
});

it('prints a short start: at most 15 lines before « prêt », then the addresses, a QR code of the home page, the data, how to stop', async () => {
	// A PUBLIC_URL: phones can reach it, so the QR code is drawn (still listening on loopback only).
	const l = await started({ env: (port) => ({ PUBLIC_URL: `http://127.0.0.1:${port}/` }) });
	const lines = l.output.split('\n');
	const ready = lines.findIndex((line) => line.includes('prêt'));
	expect(ready).toBeGreaterThanOrEqual(0);
	expect(ready).toBeLessThanOrEqual(15);
	const block = lines.slice(ready).join('\n');
	expect(block).toMatch(new RegExp(`organisers +: ${l.url}/new `));
	expect(block).toMatch(new RegExp(`participants +: ${l.url}/ `));
	expect(readTerminalQr(block)).toBe(`${l.url}/`);
	expect(block).toContain(`${l.dataDir}/palabre.sqlite`);
	expect(block).toMatch(/Ctrl-C/);
	expect(block).not.toMatch(/ne pourront pas/);
});
