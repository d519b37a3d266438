/**
 * Forwarding between nodes (server/cluster/forward.ts): two real HTTP servers on loopback, each
 * owning one event; a request, a WebSocket and a socket.io client sent to the wrong one reach the
 * right one, with their bytes intact both ways.
 */
import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketServer } from 'socket.io';
import { io as connectSocket } from 'socket.io-client';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventOfUrl, FORWARDED, forwarder, mountForwarder, type Forwarder } from '../../server/cluster/forward';

interface Node {
	name: string;
	url: string;
	server: http.Server;
	forward: Forwarder;
	unreachable: string[];
}

const owners = new Map<string, string>(); // event → node name
const nodes = new Map<string, Node>();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A node: serves its own events (an echo, a WebSocket echo, socket.io), forwards the others. */
async function startNode(name: string): Promise<Node> {
	const unreachable: string[] = [];
	const forward = forwarder((eventId) => (owners.get(eventId) === name ? 'me' : (nodes.get(owners.get(eventId) ?? '')?.url ?? 'http://127.0.0.1:9')), {
		onUnreachable: (eventId) => unreachable.push(eventId)
	});
	const serve = (req: IncomingMessage, res: http.ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			res.writeHead(200, {
				'content-type': 'application/octet-stream',
				'x-served-by': name,
				'x-forwarded': String(req.headers[FORWARDED] ?? ''),
				'x-received-sha': sha(body),
				'set-cookie': ['a=1', 'b=2']
			});
			res.end(body);
		});
	};
	// Attached as Palabre attaches them (server/app.ts): the pages, socket.io, another WebSocket
	// endpoint; then the forwarder in front of them all.
	const server = http.createServer(serve);
	const sockets = new SocketServer(server, { path: '/socket.io', destroyUpgrade: false });
	sockets.on('connection', (s) => s.on('echo', (data: Buffer, ack: (r: unknown) => void) => ack({ by: name, data })));
	const wss = new WebSocketServer({ noServer: true });
	server.on('upgrade', (req, socket, head) => {
		if (req.url?.startsWith('/socket.io/')) return;
		wss.handleUpgrade(req, socket, head, (ws) => {
			ws.send(`hello from ${name}`);
			ws.on('message', (data, binary) => ws.send(data, { binary }));
		});
	});
	mountForwarder(server, forward);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const node = { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, forward, unreachable };
	nodes.set(name, node);
	return node;
}

let a: Node;
let b: Node;
beforeAll(async () => {
	[a, b] = await Promise.all([startNode('a'), startNode('b')]);
	owners.set('ev-a', 'a').set('ev-b', 'b');
});
afterAll(async () => {
	for (const n of nodes.values()) {
		n.forward.close();
		n.server.closeAllConnections();
		await new Promise((r) => n.server.close(r));
	}
});

test('the event of a URL: its e parameter, or its /api/events/<id> path', () => {
	expect(eventOfUrl('/socket.io/?EIO=4&transport=polling&e=ev-1')).toBe('ev-1');
	expect(eventOfUrl('/yjs/palabre-writeup-g1?ticket=t&e=ev-1')).toBe('ev-1');
	expect(eventOfUrl('/api/events/ev-1/actes?format=docx')).toBe('ev-1');
	expect(eventOfUrl('/api/events/ev-1')).toBe('ev-1');
	expect(eventOfUrl('/api/events/import')).toBeNull();
	expect(eventOfUrl('/api/events')).toBeNull();
	expect(eventOfUrl('/j/ABCD')).toBeNull();
	expect(eventOfUrl('/p/room1?e=')).toBeNull();
	expect(eventOfUrl('/p/room1?e=../../x')).toBeNull();
	expect(eventOfUrl(undefined)).toBeNull();
});

test('an HTTP request sent to the wrong node is answered by the owner, bytes intact both ways', async () => {
	const body = randomBytes(1_500_000);
	for (const path of ['/api/events/ev-b/upload', '/anything?e=ev-b']) {
		const res = await fetch(`${a.url}${path}`, { method: 'POST', body, headers: { 'x-forwarded-for': '203.0.113.7' } });
		expect(res.status).toBe(200);
		expect(res.headers.get('x-served-by')).toBe('b');
		expect(res.headers.get('x-forwarded')).toBe('1');
		expect(res.headers.get('x-received-sha')).toBe(sha(body));
		expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
		expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(sha(body));
	}
	// Its own event, and a request without one, are served where they land.
	for (const path of ['/api/events/ev-a/upload', '/index.html']) {
		const res = await fetch(`${a.url}${path}`, { method: 'POST', body: 'x' });
		expect(res.headers.get('x-served-by')).toBe('a');
		expect(res.headers.get('x-forwarded')).toBe('');
	}
});

test('a forwarded request is never forwarded again: served by its owner, else « retry »', async () => {
	const mine = await fetch(`${a.url}/api/events/ev-a/x`, { method: 'POST', body: 'x', headers: { [FORWARDED]: '1' } });
	expect(mine.headers.get('x-served-by')).toBe('a');
	const other = await fetch(`${a.url}/api/events/ev-b/x`, { method: 'POST', body: 'x', headers: { [FORWARDED]: '1' } });
	expect(other.status).toBe(503);
	expect(other.headers.get('retry-after')).toBe('1');
	const ws = new WebSocket(`${a.url.replace('http', 'ws')}/yjs/doc?e=ev-b`, { headers: { [FORWARDED]: '1' } });
	const status = await new Promise<number | undefined>((resolve) => {
		ws.once('unexpected-response', (_req, r) => resolve(r.statusCode));
		ws.once('error', () => resolve(undefined));
	});
	expect(status).toBe(503);
});

test('a WebSocket opened on the wrong node talks to the owner, bytes intact both ways', async () => {
	const ws = new WebSocket(`${a.url.replace('http', 'ws')}/yjs/palabre-writeup-g1?ticket=t&e=ev-b`);
	const received: (string | Buffer)[] = [];
	ws.on('message', (data, binary) => received.push(binary ? (data as Buffer) : data.toString()));
	await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
	const sent = [randomBytes(10), randomBytes(300_000), Buffer.alloc(0), randomBytes(65_536)];
	for (const m of sent) ws.send(m);
	await expect.poll(() => received.length).toBe(sent.length + 1);
	expect(received[0]).toBe('hello from b');
	expect(received.slice(1).map((m) => sha(m as Buffer))).toEqual(sent.map(sha));
	ws.close();
	await new Promise((resolve) => ws.once('close', resolve));
});

test('socket.io on the wrong node works through the owner, by WebSocket and by long polling', async () => {
	for (const transports of [['websocket'], ['polling']]) {
		const socket = connectSocket(a.url, { path: '/socket.io', query: { e: 'ev-b' }, transports, reconnection: false });
		try {
			await new Promise((resolve, reject) => socket.once('connect', () => resolve(undefined)).once('connect_error', reject));
			const data = randomBytes(100_000);
			const answer = (await socket.timeout(10_000).emitWithAck('echo', data)) as { by: string; data: Buffer };
			expect(answer.by).toBe('b');
			expect(sha(Buffer.from(answer.data))).toBe(sha(data));
		} finally {
			socket.close();
		}
	}
});

test('an owner out of reach: the client is told to retry, the caller is told to look again', async () => {
	owners.set('ev-gone', 'nowhere');
	const res = await fetch(`${a.url}/api/events/ev-gone/x`, { method: 'POST', body: 'x' });
	expect(res.status).toBe(503);
	expect(res.headers.get('retry-after')).toBe('1');
	expect((await res.json()).code).toBe('eventMoving');
	const ws = new WebSocket(`${a.url.replace('http', 'ws')}/yjs/doc?e=ev-gone`);
	const status = await new Promise<number | undefined>((resolve) => {
		ws.once('unexpected-response', (_req, r) => resolve(r.statusCode));
		ws.once('error', () => resolve(undefined));
	});
	expect(status).toBe(503);
	expect(a.unreachable).toEqual(['ev-gone', 'ev-gone']);
});
