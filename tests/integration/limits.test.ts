/** Rate limits per address and the cap on connections per participant, on a server with low limits. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient } from '../helpers/clients';
import { TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start({ JOIN_LIMIT: '3', CREATE_LIMIT: '2', CONNECTIONS_PER_PARTICIPANT: '2' });
});
afterAll(async () => server?.dispose());

const body = { title: 'Limites', themes: [{ title: 'T', statements: ['s'] }] };

it('refuses loops of creations and joins from one address with 429, storing nothing', async () => {
	const first = await server.api('POST', '/api/events', body);
	expect(first.status).toBe(201);
	expect((await server.api('POST', '/api/events', body)).status).toBe(201);
	const events = server.countRows('events');
	const refused = await server.api('POST', '/api/events', body);
	expect(refused.status).toBe(429);
	expect(refused.body.error).toMatch(/trop de créations/);
	expect(server.countRows('events')).toBe(events);

	const join = () => server.api('POST', `/api/join/${first.body.joinCode}`, { displayName: 'X' });
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
	await new Promise((r) => setTimeout(r, 100));
	expect(a.connected).toBe(false);
	expect(b.connected).toBe(true);
	expect(c.connected).toBe(true);
	b.disconnect();
	c.disconnect();
});
