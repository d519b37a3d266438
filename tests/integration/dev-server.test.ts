/** `npm run dev` attaches the same API and socket.io servers to Vite's dev server. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent } from '../helpers/clients';
import { freePort } from '../helpers/server';

let child: ChildProcess;
let url: string;
const dataDir = mkdtempSync(join(tmpdir(), 'palabre-dev-'));

beforeAll(async () => {
	const port = await freePort();
	url = `http://127.0.0.1:${port}`;
	child = spawn('npx', ['vite', 'dev', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
		env: { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: url },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true
	});
	let output = '';
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`vite dev did not start:\n${output}`)), 40_000);
		const on = (d: Buffer) => {
			output += d;
			if (output.includes(`${port}`) && /ready|Local/.test(output)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout?.on('data', on);
		child.stderr?.on('data', on);
	});
});

afterAll(() => {
	// The whole process group: npx, vite and anything it spawned.
	if (child?.pid) process.kill(-child.pid, 'SIGKILL');
	rmSync(dataDir, { recursive: true, force: true });
});

it('serves the API and the control plane in development', async () => {
	const created = await fetch(`${url}/api/events`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ title: 'Dev', themes: [{ title: 'T', statements: ['s'] }] })
	});
	expect(created.status).toBe(201);
	const e = await created.json();
	expect(e.joinUrl).toBe(`${url}/j/${e.joinCode}`);
	const socket = connectClient(url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const s = await socket;
	const doc = await nextEvent<{ title: string }>(s, 'organiser');
	expect(doc.title).toBe('Dev');
	s.disconnect();
	const page = await fetch(`${url}/new`);
	expect(page.status).toBe(200);
});

it('checks an imported archive in its worker thread in development too (TypeScript through tsx)', async () => {
	const post = (path: string, body: unknown, token?: string) =>
		fetch(`${url}${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
			body: JSON.stringify(body)
		});
	const e = await (await post('/api/events', { title: 'Archive dev', themes: [{ title: 'T', statements: ['s'] }] })).json();
	const archive = await (await fetch(`${url}/api/events/${e.id}/actes?format=json`, { headers: { authorization: `Bearer ${e.organiserToken}` } })).json();
	const imported = await post('/api/events/import', archive);
	expect(imported.status).toBe(201);
	const refused = await post('/api/events/import', { ...archive, rooms: [{ ...archive.rooms[0], stages: 1 }] });
	expect(refused.status).toBe(400);
	expect((await refused.json()).error).toMatch(/^archive: rooms\[0\]\.stages: /);
});
