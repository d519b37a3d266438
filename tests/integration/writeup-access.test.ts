/** Who may open a group's write-up over the Yjs endpoint of the real server, decided at the upgrade. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

/** The HTTP status of an upgrade to /yjs/<doc>, or 101 when it was accepted. */
function upgrade(doc: string, token?: string): Promise<number> {
	return new Promise((resolve) => {
		const url = `${server.url.replace('http', 'ws')}/yjs/${encodeURIComponent(doc)}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
		const ws = new WebSocket(url);
		ws.on('open', () => {
			ws.close();
			resolve(101);
		});
		ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
		ws.on('error', () => resolve(-1));
	});
}

it('lets members write, facilitators and organisers read, and nobody else in', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Accès', themes: [{ title: 'Salle', statements: ['A', 'B'] }] })).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const doc = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const [a, b] = (await doc()).rooms[0].statements.map((s: { id: string }) => s.id);
	const tokens: string[] = [];
	for (const statementId of [a, b]) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'X', roomId });
		const s = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		expect((await request(s, 'group:pick', { statementId })).ok).toBe(true);
		s.disconnect();
		tokens.push(joined.body.token);
	}
	const room = (await doc()).rooms[0];
	const [g1, g2] = room.statements.map((s: { groups: { id: string }[] }) => s.groups[0]?.id);
	const facilitator = new URL(room.facilitatorUrl).hash.slice(1);
	const projection = new URL(e.rooms[0].projectionUrl).hash.slice(1);

	expect(await upgrade(`group.${g1}`, tokens[0])).toBe(101);
	expect(await upgrade(`group.${g1}`, facilitator)).toBe(101);
	expect(await upgrade(`group.${g1}`, e.organiserToken)).toBe(101);
	// A member of another group, the projection link, no token, a forged one, an unknown doc.
	expect(await upgrade(`group.${g1}`, tokens[1])).toBe(403);
	expect(await upgrade(`group.${g2}`, tokens[0])).toBe(403);
	expect(await upgrade(`group.${g1}`, projection)).toBe(403);
	expect(await upgrade(`group.${g1}`)).toBe(403);
	expect(await upgrade(`group.${g1}`, `${tokens[0]?.split('.')[0]}.forged`)).toBe(403);
	expect(await upgrade('group.nope', e.organiserToken)).toBe(403);
	expect(await upgrade(`room.${roomId}`, e.organiserToken)).toBe(403);
	// The server is still serving.
	expect((await server.api('GET', '/api/health')).status).toBe(200);
	organiser.disconnect();
});
