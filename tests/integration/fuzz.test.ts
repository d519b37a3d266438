/**
 * Fuzzing the control plane and the HTTP API of the real server with random and boundary inputs
 * (fast-check, seeded): the server keeps answering, and rejected input leaves the store unchanged.
 */
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClientMessages, type ClientMessageName } from '../../src/lib/protocol';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';

const TABLES = ['events', 'rooms', 'statements', 'participants', 'groups', 'evaluations', 'rapporteurs', 'speaking_taps', 'boards', 'ydoc_updates'];

let server: TestServer;
let sockets: Socket[] = [];
let e: { id: string; joinCode: string; organiserToken: string; rooms: { id: string }[] };

beforeAll(async () => {
	server = await TestServer.start();
	e = (await server.api('POST', '/api/events', { title: 'Fuzz', themes: [{ title: 'T', statements: ['a', 'b'] }] })).body;
	const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'P', roomId: e.rooms[0]?.id });
	sockets = [
		await connectClient(server.url, { role: 'participant', token: joined.body.token }),
		await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken })
	];
});
afterAll(async () => {
	for (const s of sockets) s.disconnect();
	await server?.dispose();
});

const snapshot = () => Object.fromEntries(TABLES.map((t) => [t, server.countRows(t)]));

/** Anything JSON can carry, with the boundary values that break naive code. */
const nasty = fc.oneof(
	fc.anything({ maxDepth: 3, withNullPrototype: true }),
	fc.constantFrom('', ' ', '\u0000', '__proto__', 'constructor', 'x'.repeat(10_000), -1, 0, 1e308, Number.NaN, null, [], {}, true),
	fc.record({ roomId: fc.string(), statementId: fc.string(), participantId: fc.string(), groupId: fc.string(), itemId: fc.string() }, { requiredKeys: [] })
);

it('socket messages: every name, random payloads — refused cleanly, store unchanged', async () => {
	const names = Object.keys(ClientMessages) as ClientMessageName[];
	const before = snapshot();
	await fc.assert(
		fc.asyncProperty(fc.constantFrom(...names), nasty, fc.nat(1), async (name, payload, who) => {
			const socket = sockets[who] as Socket;
			const ack = await request(socket, name, payload);
			expect(typeof ack.ok).toBe('boolean');
			if (ack.ok === false) expect(typeof ack.error).toBe('string');
		}),
		{ numRuns: 300, seed: 20170922 }
	);
	// A few payloads may be valid by chance (e.g. a phase change); none adds or removes rows.
	expect(snapshot()).toEqual(before);
	expect((await server.api('GET', '/api/health')).status).toBe(200);
});

it('a message over the 64 KB cap drops that connection only; the server goes on', async () => {
	const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Q', roomId: e.rooms[0]?.id });
	const socket = await connectClient(server.url, { role: 'participant', token: joined.body.token });
	const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
	socket.emit('group:pick', { statementId: 'x'.repeat(70_000) });
	expect(await closed).toBe('transport close');
	expect((await request(sockets[1] as Socket, 'room:setPhase', { roomId: e.rooms[0]?.id, phase: 'nope' })).ok).toBe(false);
});

it('HTTP: random bodies, paths and methods — the right error, nothing stored', async () => {
	const before = snapshot();
	const paths = ['/api/events', `/api/events/${e.id}`, `/api/join/${e.joinCode}`, '/api/join/ZZZZZZ', '/api/session', `/api/events/${e.id}/speaking.csv`, '/api/nope'];
	await fc.assert(
		fc.asyncProperty(
			fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
			fc.constantFrom(...paths),
			fc.oneof(nasty.map((v) => JSON.stringify(v) ?? 'null'), fc.string({ maxLength: 200 })),
			fc.constantFrom(undefined, 'x', 'a.b', `${e.organiserToken}x`),
			async (method, path, body, token) => {
				const res = await fetch(server.url + path, {
					method,
					headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
					body: method === 'GET' || method === 'DELETE' ? undefined : body
				});
				expect(res.status).toBeLessThan(500);
				await res.arrayBuffer();
			}
		),
		{ numRuns: 300, seed: 2017 }
	);
	const after = snapshot();
	// Only a valid join can add a participant; every other request stored nothing.
	expect({ ...after, participants: before.participants }).toEqual(before);
	expect((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).status).toBe(200);
});
