/**
 * The proxy configuration shipped in docs/deploy/haproxy.cfg: HAProxy accepts it as shipped (and
 * with TLS on), and, started on loopback in front of two tiny nodes, it sends every request and
 * WebSocket of one event to the same node and spreads the rest. HAProxy missing is a failure,
 * never a skip (.ci/run installs it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from '../helpers/launcher';
import { freePort } from '../helpers/server';

const CONFIG = join(ROOT, 'docs', 'deploy', 'haproxy.cfg');
const dir = mkdtempSync(join(tmpdir(), 'palabre-haproxy-'));

/** Runs a command (asynchronously: the tiny nodes below must keep answering HAProxy's health checks). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; output: string }> {
	return new Promise((resolve, reject) =>
		execFile(command, args, { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
			const code = (err as { code?: unknown } | null)?.code;
			if (typeof code === 'string') return reject(new Error(`${command} cannot run (${code}): apt-get install ${command}`));
			resolve({ status: typeof code === 'number' ? code : 0, output: stdout + stderr });
		})
	);
}

const haproxyCheck = (env: NodeJS.ProcessEnv = {}) => run('haproxy', ['-c', '-f', CONFIG], env);

test('haproxy -c accepts the shipped configuration, as it is and with TLS on', async () => {
	const plain = await haproxyCheck();
	expect(plain.output).toContain('Configuration file is valid');
	expect(plain.output).not.toContain('WARNING');
	expect(plain.status).toBe(0);

	const pem = join(dir, 'palabre.pem');
	const cert = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=palabre.test']);
	expect(cert.status).toBe(0);
	writeFileSync(pem, readFileSync(join(dir, 'cert.pem'), 'utf8') + readFileSync(join(dir, 'key.pem'), 'utf8'));
	expect((await haproxyCheck({ PALABRE_TLS_CERT: pem })).status).toBe(0);
	// The TLS lines are read when the variable is set: a missing certificate is an error.
	expect((await haproxyCheck({ PALABRE_TLS_CERT: join(dir, 'missing.pem') })).status).not.toBe(0);
});

/** A tiny node: says who it is over HTTP and WebSocket, and what it received. */
async function tinyNode(name: string) {
	const server = http.createServer((req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ name, forwardedFor: req.headers['x-forwarded-for'] ?? null, forwardedMark: req.headers['x-palabre-forwarded'] ?? null }));
	});
	const wss = new WebSocketServer({ server });
	wss.on('connection', (ws) => ws.send(name));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { name, server, port: (server.address() as AddressInfo).port };
}

let proxy: ChildProcess;
let proxyOutput = '';
let entry: string;
let nodes: Awaited<ReturnType<typeof tinyNode>>[];

beforeAll(async () => {
	nodes = await Promise.all([tinyNode('n1'), tinyNode('n2')]);
	const port = await freePort();
	entry = `http://127.0.0.1:${port}`;
	// The shipped file with this machine's addresses: its global section (system user, chroot,
	// runtime socket) gives way to a pidfile, its bind to loopback, its servers to the tiny nodes.
	const shipped = readFileSync(CONFIG, 'utf8');
	const servers = nodes.map((n) => `    server ${n.name} 127.0.0.1:${n.port} check`).join('\n');
	const config = shipped
		.replace(/^global\n(?: .*\n|\n)*?(?=defaults)/m, `global\n    pidfile ${join(dir, 'haproxy.pid')}\n\n`)
		.replace(/^ {4}bind :80$/m, `    bind 127.0.0.1:${port}`)
		.replace(/(^ {4}server .*\n)+/m, `${servers}\n`);
	expect(config).not.toContain('10.0.0.');
	const file = join(dir, 'loopback.cfg');
	writeFileSync(file, config);
	proxy = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
	proxy.stdout!.on('data', (d) => (proxyOutput += d));
	proxy.stderr!.on('data', (d) => (proxyOutput += d));
	proxy.once('error', (err) => (proxyOutput += `haproxy cannot run: ${err.message}`));
	// Both nodes up in HAProxy's eyes (health checks every second, rise 2): keyless requests reach both.
	for (const until = Date.now() + 20_000; ; ) {
		const up = await Promise.all(Array.from({ length: 6 }, () => whoServes('/').catch(() => '')));
		if (new Set(up).size === 2 && !up.includes('')) break;
		if (Date.now() > until) throw new Error(`HAProxy did not reach both nodes:\n${proxyOutput}`);
		await new Promise((r) => setTimeout(r, 200));
	}
});

afterAll(async () => {
	proxy?.kill('SIGTERM');
	for (const n of nodes ?? []) {
		n.server.closeAllConnections();
		await new Promise((r) => n.server.close(r));
	}
	rmSync(dir, { recursive: true, force: true });
});

async function whoServes(path: string, headers: Record<string, string> = {}): Promise<string> {
	const res = await fetch(`${entry}${path}`, { headers, signal: AbortSignal.timeout(5_000) }).catch((err) => {
		throw new Error(`${err.message}\n${proxyOutput}`);
	});
	if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}\n${proxyOutput}`);
	return ((await res.json()) as { name: string }).name;
}

function wsServes(path: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(`${entry.replace('http', 'ws')}${path}`);
		ws.once('message', (data) => {
			resolve(data.toString());
			ws.close();
		});
		ws.once('error', reject);
	});
}

test("every request and WebSocket of an event reaches the same node; events spread over both", async () => {
	const chosen = new Map<string, string>();
	for (let i = 0; i < 24; i++) {
		const e = `ev${i}x${(i * 7919).toString(36)}`;
		const served = [
			await whoServes(`/socket.io/?EIO=4&transport=polling&e=${e}`),
			await whoServes(`/api/yjs-tickets/palabre-writeup-g1?e=${e}`),
			await whoServes(`/api/join/ABCDEF?e=${e}`),
			await whoServes(`/api/events/${e}/actes?format=docx`),
			await whoServes(`/api/events/${e}`),
			await wsServes(`/yjs/palabre-writeup-g1?ticket=t&e=${e}`),
			await wsServes(`/socket.io/?EIO=4&transport=websocket&e=${e}`)
		];
		expect(new Set(served).size, `${e}: ${served.join(' ')}\n${proxyOutput}`).toBe(1);
		chosen.set(e, served[0]!);
		// Asked again, the same.
		expect(await whoServes(`/p/room?e=${e}`)).toBe(served[0]);
	}
	expect(new Set(chosen.values())).toEqual(new Set(['n1', 'n2']));
});

test('requests without a routing key are spread; the forwarded mark is the nodes\' own', async () => {
	const served = await Promise.all(Array.from({ length: 8 }, () => whoServes('/j/ABCDEF')));
	expect(new Set(served)).toEqual(new Set(['n1', 'n2']));
	const res = await fetch(`${entry}/api/events/e1`, { headers: { 'x-palabre-forwarded': '1', 'x-forwarded-for': '198.51.100.9' } });
	const body = (await res.json()) as { forwardedFor: string; forwardedMark: string | null };
	expect(body.forwardedMark).toBeNull();
	expect(body.forwardedFor).toBe('198.51.100.9, 127.0.0.1');
});

test("a node gone: its events go to the other one (which would forward them to their new owner)", async () => {
	const e = Array.from({ length: 50 }, (_, i) => `gone${i}`);
	const owners = await Promise.all(e.map((id) => whoServes(`/x?e=${id}`)));
	const onN2 = e.filter((_, i) => owners[i] === 'n2');
	expect(onN2.length).toBeGreaterThan(0);
	const n2 = nodes[1]!;
	n2.server.closeAllConnections();
	await new Promise((r) => n2.server.close(r));
	await expect.poll(async () => new Set(await Promise.all(onN2.map((id) => whoServes(`/x?e=${id}`).catch(() => 'error')))), { timeout: 15_000 }).toEqual(new Set(['n1']));
	// Events already on n1 never moved.
	for (const id of e.filter((_, i) => owners[i] === 'n1')) expect(await whoServes(`/x?e=${id}`)).toBe('n1');
});
