/**
 * Rate limits and caps on a server with low limits: creations and joins, connections per
 * participant and per address, slow headers, the board's text cap.
 */
import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requestFrom } from '../helpers/addresses';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

const CAP = 100;
let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start({ JOIN_LIMIT: '3', CREATE_LIMIT: '2', CONNECTIONS_PER_PARTICIPANT: '2', CONNECTIONS_PER_ADDRESS: String(CAP) });
});
afterAll(async () => server?.dispose());

const body = { title: 'Limites', themes: [{ title: 'T', statements: ['s'] }] };

it('refuses loops of creations and joins with 429, storing nothing', async () => {
	// From an address of its own: the other tests create events too.
	const create = () => requestFrom(`${server.url}/api/events`, { from: '127.0.0.9', method: 'POST', body });
	const first = await create();
	expect(first.status).toBe(201);
	expect((await create()).status).toBe(201);
	const events = server.countRows('events');
	const refused = await create();
	expect(refused.status).toBe(429);
	expect(refused.json.error).toMatch(/trop de créations/);
	expect(server.countRows('events')).toBe(events);

	// JOIN_LIMIT is per room of the event: this one-room event takes 3 at once.
	const join = () => server.api('POST', `/api/join/${first.json.joinCode}`, { displayName: 'X' });
	const joined = [];
	for (let i = 0; i < 4; i++) joined.push(await join());
	expect(joined.map((j) => j.status)).toEqual([201, 201, 201, 429]);
	expect(server.countRows('participants')).toBe(3);

	// Two connections of one participant are fine; a third replaces the oldest, so a phone whose
	// dead connections have not timed out yet is never locked out.
	const auth = { role: 'participant' as const, token: joined[0]?.body.token as string };
	const a = await connectClient(server.url, auth);
	const b = await connectClient(server.url, auth);
	const aGone = new Promise<string>((resolve) => a.once('gone', resolve));
	const c = await connectClient(server.url, auth);
	expect(await aGone).toBe('replaced');
	await expect.poll(() => a.connected).toBe(false);
	expect(b.connected).toBe(true);
	expect(c.connected).toBe(true);
	b.disconnect();
	c.disconnect();
});

/** An idle TCP connection from `localAddress` (all of 127/8 is loopback); resolves once open. */
function idleSocket(localAddress: string): Promise<TcpSocket & { closedAt?: number }> {
	return new Promise((resolve, reject) => {
		const s: TcpSocket & { closedAt?: number } = tcpConnect({ host: '127.0.0.1', port: server.port, localAddress }, () => resolve(s));
		s.on('error', reject);
		s.on('close', () => (s.closedAt = Date.now()));
	});
}

it('caps open connections per address: the excess is closed at once, other addresses are served', async () => {
	const sockets = await Promise.all(Array.from({ length: CAP + 50 }, () => idleSocket('127.0.0.3')));
	// The server closes what is over the cap as soon as it is accepted.
	await expect.poll(() => sockets.filter((s) => s.closedAt).length, { timeout: 3_000 }).toBeGreaterThanOrEqual(50);
	const open = sockets.filter((s) => !s.closedAt).length;
	expect(open).toBeLessThanOrEqual(CAP);
	// Another address is served meanwhile: the API, and a socket.io connection.
	const e = (await server.api('POST', '/api/events', body)).body;
	const other = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	expect(other.connected).toBe(true);
	other.disconnect();
	for (const s of sockets) s.destroy();
});

it('caps socket.io sessions per address (long-polling ones hold no connection of their own)', async () => {
	// From an address of its own: these sessions last until their heartbeat times out.
	const handshake = () => requestFrom(`${server.url}/socket.io/?EIO=4&transport=polling`, { from: '127.0.0.5' });
	const sessions = [];
	for (let i = 0; i < CAP; i++) sessions.push(await handshake());
	expect(sessions.every((s) => s.status === 200)).toBe(true);
	const refused = await handshake();
	expect(refused.status).toBe(403);
	expect(refused.text).toMatch(/trop de connexions/);
});

it('closes a connection whose headers trickle in within a few seconds', async () => {
	const s = await idleSocket('127.0.0.4');
	const start = Date.now();
	s.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
	// One header byte a second, as a slow-loris client does.
	const drip = setInterval(() => s.closedAt || s.write('X'), 1_000);
	await expect.poll(() => s.closedAt, { timeout: 15_000, interval: 100 }).toBeDefined();
	clearInterval(drip);
	const closedAfter = (s.closedAt as number) - start;
	expect(closedAfter).toBeGreaterThanOrEqual(4_000);
	expect(closedAfter).toBeLessThan(10_000);
});

it('caps a board item at 2,000 characters, from a write-up too (a 9,000-character item, which a write-up holds, is refused)', async () => {
	const e = (await server.api('POST', '/api/events', body)).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Nadia', roomId })).body;
	const member = await connectClient(server.url, { role: 'participant', token: joined.token });
	const { data } = (await request(member, 'group:pick', { statementId })) as { data: { groupId: string } };
	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	await request(member, 'group:setRapporteur', { stage: 2, on: true });
	const [huge, fine] = await writeItems(server.url, joined.token, data.groupId, 2, ['a'.repeat(9_000), 'b'.repeat(2_000)]);

	const refused = await request(member, 'board:send', { itemId: huge });
	expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/9000 caractères ; au tableau, 2000 au plus/) });
	const byOrganiser = await request(organiser, 'board:send', { groupId: data.groupId, itemId: huge });
	expect(byOrganiser.ok).toBe(false);
	expect((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.board.items).toEqual([]);

	// 2,000 characters pass; every board text operation is held to the same cap.
	const sent = (await request(member, 'board:send', { itemId: fine })) as { ok: true; data: { boardItemId: string } };
	expect(sent.ok).toBe(true);
	const itemId = sent.data.boardItemId;
	for (const op of [
		{ kind: 'reword', itemId, text: 'c'.repeat(2_001) },
		{ kind: 'addDirect', itemId: 'direct', text: 'c'.repeat(2_001), at: 1 },
		{ kind: 'merge', itemIds: [itemId, 'x'], into: itemId, text: 'c'.repeat(2_001) },
		{ kind: 'markClarify', itemId, reason: 'c'.repeat(501) },
		{ kind: 'addHeading', heading: 'c'.repeat(201) }
	]) {
		const answer = await request(organiser, 'board:op', { op });
		expect(answer, op.kind).toMatchObject({ ok: false, error: expect.stringMatching(/Too big|too_big|trop/i) });
	}
	const board = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.board;
	expect(board.items.map((i: { text: string }) => i.text.length)).toEqual([2_000]);
	member.disconnect();
	organiser.disconnect();
});
