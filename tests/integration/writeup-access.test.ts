/**
 * Who may open a group's write-up over the Yjs endpoint of the real server, decided at the
 * upgrade, and how that access is withdrawn from connections already open: a member moved to
 * another group or deleted, links rotated.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { ticketedUrl } from '../helpers/yjsClients';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

/** The HTTP status of the upgrade to this /yjs/ URL, or 101 when it was accepted. */
function upgradeStatus(url: string): Promise<number> {
	return new Promise((resolve) => {
		const ws = new WebSocket(url);
		ws.on('open', () => {
			ws.close();
			resolve(101);
		});
		ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
		ws.on('error', () => resolve(-1));
	});
}

/** The HTTP status of the ticket or of the upgrade to /yjs/<doc> with it, or 101 when it was accepted. */
async function upgrade(doc: string, token?: string): Promise<number> {
	const url = await ticketedUrl(server, doc, token);
	return typeof url === 'number' ? url : upgradeStatus(url);
}

/**
 * An event of one room with statements A and B, open for choice, its organiser connected, and one
 * person seated per entry of `picks` (0: A, 1: B), in order.
 */
async function seated(title: string, picks: number[]) {
	const e = (await server.api('POST', '/api/events', { title, themes: [{ title: 'Salle', statements: ['A', 'B'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const event = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const statements = (await event()).rooms[0].statements.map((s: { id: string }) => s.id) as string[];
	const people: { id: string; token: string }[] = [];
	for (const k of picks) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'X', roomId });
		const s = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		expect((await request(s, 'group:pick', { statementId: statements[k] })).ok).toBe(true);
		s.disconnect();
		people.push({ id: joined.body.session.me.id, token: joined.body.token });
	}
	return { e, roomId, organiser, event, people };
}

it('lets members write, facilitators and organisers read, and nobody else in', async () => {
	const { e, roomId, organiser, event, people } = await seated('Accès', [0, 1]);
	const tokens = people.map((p) => p.token);
	const room = (await event()).rooms[0];
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
	expect(await upgrade(`group.${g1}`)).toBe(401);
	expect(await upgrade(`group.${g1}`, `${tokens[0]?.split('.')[0]}.forged`)).toBe(403);
	expect(await upgrade('group.nope', e.organiserToken)).toBe(403);
	expect(await upgrade(`room.${roomId}`, e.organiserToken)).toBe(403);
	// The server is still serving.
	expect((await server.api('GET', '/api/health')).status).toBe(200);
	organiser.disconnect();
});

it('gives the same tickets over the control connection, to the same people, each good once', async () => {
	const { e, organiser, event, people } = await seated('Accès par la connexion', [0, 1]);
	const room = (await event()).rooms[0];
	const [g1] = room.statements.map((s: { groups: { id: string }[] }) => s.groups[0]?.id);
	const facilitatorToken = new URL(room.facilitatorUrl).hash.slice(1);
	const projectionToken = new URL(e.rooms[0].projectionUrl).hash.slice(1);
	const member = await connectClient(server.url, { role: 'participant', token: people[0]?.token as string });
	const other = await connectClient(server.url, { role: 'participant', token: people[1]?.token as string });
	const facilitator = await connectClient(server.url, { role: 'facilitator', roomId: room.id, token: facilitatorToken });
	const projection = await connectClient(server.url, { role: 'projection', roomId: room.id, token: projectionToken });
	const doc = `group.${g1}`;
	/** 101 when the ticket asked over this connection opens the doc, else what refused it. */
	const over = async (socket: typeof member): Promise<number | string> => {
		const answer = await request(socket, 'writeup:ticket', { doc });
		if (!answer.ok) return answer.code;
		const ticket = (answer.data as { ticket: string }).ticket;
		const url = `${server.url.replace('http', 'ws')}/yjs/${doc}?ticket=${encodeURIComponent(ticket)}`;
		const first = await upgradeStatus(url);
		// One-time: the same ticket again is refused.
		expect(await upgradeStatus(url)).toBe(403);
		return first;
	};
	try {
		expect(await over(member)).toBe(101);
		expect(await over(facilitator)).toBe(101);
		expect(await over(organiser)).toBe(101);
		expect(await over(other)).toBe('badWriteupToken');
		expect(await over(projection)).toBe('forbiddenForRole');
		expect(await request(member, 'writeup:ticket', { doc: 'room.x' })).toMatchObject({ ok: false, code: 'invalid' });
	} finally {
		for (const s of [member, other, facilitator, projection, organiser]) s.disconnect();
	}
});

/** An open write-up connection: how it closed, once it does. */
async function opened(doc: string, token: string) {
	const url = await ticketedUrl(server, doc, token);
	if (typeof url === 'number') throw new Error(`no ticket for ${doc}: ${url}`);
	const ws = new WebSocket(url);
	ws.on('error', () => {});
	const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
	await new Promise((resolve, reject) => {
		ws.once('open', resolve);
		ws.once('unexpected-response', () => reject(new Error(`${doc} refused`)));
	});
	return { ws, closed };
}

/** A member's own reaction (to an item the server need not know: Yjs may bring it later). */
function update(participantId: string): Uint8Array {
	const doc = new Y.Doc();
	const mine = new Y.Map<string>();
	doc.getMap<Y.Map<string>>('reactions').set('x', mine);
	mine.set(participantId, 'agree');
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 0);
	syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(doc));
	return encoding.toUint8Array(encoder);
}

const rows = (doc: string) => server.countRowsWhere('ydoc_updates', 'doc = ?', doc);

it('closes write-up connections whose access was withdrawn; members keep theirs', async () => {
	const { e, roomId, organiser, event, people } = await seated('Retrait', [0, 0, 1]);
	const [moved, deleted, other] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
	const room = (await event()).rooms[0];
	const [g1, g2] = room.statements.map((s: { groups: { id: string }[] }) => `group.${s.groups[0]?.id}`) as [string, string];
	const facilitator = new URL(room.facilitatorUrl).hash.slice(1);

	// Moved to the other group: the old write-up closes, the new one opens and stays.
	const old = await opened(g1, moved.token);
	const staying = await opened(g2, other.token);
	const target = room.statements[1].groups[0].id as string;
	expect((await request(organiser, 'room:move', { roomId, participantId: moved.id, groupId: target })).ok).toBe(true);
	expect(await old.closed).toBe(4403);
	const now = await opened(g2, moved.token);

	expect(await upgrade(g1, moved.token)).toBe(403);

	// Deleted: their connection closes, and they cannot come back.
	const gone = await opened(g1, deleted.token);
	expect((await server.api('DELETE', `/api/events/${e.id}/participants/${deleted.id}`, undefined, e.organiserToken)).status).toBe(204);
	expect(await gone.closed).toBe(4403);
	expect(await upgrade(g1, deleted.token)).toBe(403);

	// Rotated links: the reader on the old facilitation link goes; members stay.
	const reader = await opened(g2, facilitator);
	expect((await server.api('POST', `/api/events/${e.id}/rotate`, undefined, e.organiserToken)).status).toBe(200);
	expect(await reader.closed).toBe(4403);
	expect(await upgrade(g2, facilitator)).toBe(403);
	for (const c of [staying, now]) expect(c.ws.readyState).toBe(WebSocket.OPEN);
	now.ws.send(update(moved.id));
	await expect.poll(() => rows(g2)).toBeGreaterThan(0);
	for (const c of [staying, now]) c.ws.close();
	organiser.disconnect();
});
