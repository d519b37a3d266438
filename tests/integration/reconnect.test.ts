/**
 * Reconnections pass the handshake's authorisation every time: socket.io's connection state
 * recovery, which skipped it (a facilitator cut off just before the links were renewed came back
 * in with the old link), is off, and with it the buffers it kept for every dropped connection.
 */
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SocketAuth } from '../../src/lib/protocol';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

const body = { title: 'Reconnexions', themes: [{ title: 'Salle', statements: ['A'] }] };

/** How many of each event each test client received. */
const received = new WeakMap<Socket, Map<string, number>>();

/** A client as the pages have one; `reconnection: false` so that the test decides when it comes back. */
function client(auth: SocketAuth): Socket {
	const s = io(server.url, { path: '/socket.io', auth, transports: ['websocket'], forceNew: true, reconnection: false });
	const counts = new Map<string, number>();
	received.set(s, counts);
	s.onAny((event: string) => counts.set(event, (counts.get(event) ?? 0) + 1));
	return s;
}

/** The next connection attempt's outcome: 'connected', or the refusal. */
const outcome = (s: Socket) =>
	new Promise<'connected' | (Error & { data?: unknown })>((resolve) => {
		s.once('connect', () => resolve('connected'));
		s.once('connect_error', (err) => resolve(err));
	});

/** The session id a server with connection state recovery gives each connection (socket.io-client keeps it privately). */
const offeredSession = (s: Socket) => (s as unknown as { _pid?: string })._pid;

/** Resolves once `s` has received `event` `n` times since its creation. */
function nth(s: Socket, event: string, n: number): Promise<void> {
	const counts = received.get(s) as Map<string, number>;
	return new Promise((resolve) => {
		const check = () => {
			if ((counts.get(event) ?? 0) < n) return;
			s.offAny(check);
			resolve();
		};
		s.onAny(check);
		check();
	});
}

/** The Wi-Fi drops: the transport closes under the socket, without a goodbye. */
async function dropTransport(s: Socket) {
	const gone = new Promise((resolve) => s.once('disconnect', resolve));
	s.io.engine.close();
	await gone;
}

it('refuses the old links of a facilitator and an organiser cut off just before the rotation', async () => {
	const e = (await server.api('POST', '/api/events', body)).body;
	const roomId = e.rooms[0].id as string;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const facilitatorToken = (doc.rooms[0].facilitatorUrl as string).split('#')[1] as string;

	const facilitator = client({ role: 'facilitator', roomId, token: facilitatorToken });
	const organiser = client({ role: 'organiser', eventId: e.id, token: e.organiserToken });
	// Each gets its snapshot, then an update broadcast to its channel (what a recovery resumes from).
	const updated = Promise.all([nth(facilitator, 'facilitator', 2), nth(organiser, 'organiser', 2)]);
	expect(await Promise.all([outcome(facilitator), outcome(organiser)])).toEqual(['connected', 'connected']);
	await Promise.all([nth(facilitator, 'facilitator', 1), nth(organiser, 'organiser', 1)]);
	expect((await request(organiser, 'room:setPhase', { roomId, phase: 'presentation' })).ok).toBe(true);
	await updated;
	// The server offered no session to resume (with recovery, it sends a session id on connect).
	for (const s of [facilitator, organiser]) expect(offeredSession(s)).toBeUndefined();
	await Promise.all([dropTransport(facilitator), dropTransport(organiser)]);

	expect((await server.api('POST', `/api/events/${e.id}/rotate`, undefined, e.organiserToken)).status).toBe(200);
	// Back within seconds (recovery kept sessions for 2 minutes): refused, and told why.
	for (const s of [facilitator, organiser]) {
		const back = outcome(s);
		s.connect();
		expect(await back).toMatchObject({ data: { gone: 'linksRotated' } });
		expect(s.connected).toBe(false);
		expect(s.recovered).toBeFalsy();
	}
	// The room has not been driven by them: a command with the old link has no socket to go through.
	expect(facilitator.emit('room:setPhase', { roomId, phase: 'choice' }).connected).toBe(false);
	const after = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).status;
	expect(after).toBe(403);

	// A link that never was valid is refused without that reason.
	const stranger = client({ role: 'facilitator', roomId: (await server.api('POST', '/api/events', body)).body.rooms[0].id, token: 'x'.repeat(32) });
	const refused = await outcome(stranger);
	expect(refused).not.toBe('connected');
	// Told why by code, but not that links were renewed: it never held one.
	expect((refused as { data?: unknown }).data).toEqual({ code: 'badFacilitationLink', error: 'lien d’animation invalide' });
	for (const s of [facilitator, organiser, stranger]) s.close();
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

it('keeps nothing of 1,500 dropped connections (no recovery buffers)', { timeout: 120_000 }, async () => {
	const e = (await server.api('POST', '/api/events', body)).body;
	const roomId = e.rooms[0].id as string;
	const tokens = [];
	for (let i = 0; i < 30; i++) tokens.push((await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `P${i}`, roomId })).body.token as string);
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const pid = server.child?.pid as number;

	/** Each of 30 phones drops and comes back 50 times, while the board changes (messages a recovery would keep). */
	const cycle = async (token: string) => {
		for (let i = 0; i < 50; i++) {
			const s = client({ role: 'participant', token });
			const connected = outcome(s);
			const session = new Promise((resolve) => s.once('session', resolve));
			expect(await connected).toBe('connected');
			await session;
			expect(s.recovered).toBeFalsy();
			expect(offeredSession(s)).toBeUndefined();
			await dropTransport(s);
			s.close();
		}
	};
	// A board item reworded five times a second: a message to every connection of the event each time.
	expect((await request(organiser, 'board:op', { op: { kind: 'addDirect', itemId: 'b', text: 'début', at: Date.now() } })).ok).toBe(true);
	let item = 0;
	const changes = setInterval(() => {
		item++;
		request(organiser, 'board:op', { op: { kind: 'reword', itemId: 'b', text: `${item} `.repeat(300).slice(0, 1_000) } }).catch(() => {});
	}, 200);
	const warm = rssMb(pid);
	await cycle(tokens[0] as string);
	const before = rssMb(pid);
	const started = Date.now();
	await Promise.all(tokens.slice(1).map(cycle));
	console.log(`1 450 reconnexions en ${Date.now() - started} ms`);
	clearInterval(changes);
	const after = rssMb(pid);
	console.log(`RSS du serveur : ${warm.toFixed(0)} Mo au départ, ${before.toFixed(0)} Mo après 50 reconnexions, ${after.toFixed(0)} Mo après 1 500 (${item} changements du tableau pendant ce temps)`);
	// Garbage not yet collected moves RSS by tens of MB; the recovery buffers grew it by 125 MB.
	expect(after - before).toBeLessThan(60);
	expect((await server.api('GET', '/api/health')).status).toBe(200);
	organiser.disconnect();
});
