/**
 * Who hears what, end to end over real sockets: groupmates' phones follow every seat change, the
 * projection gets one room view per pick, and the facilitation messages no other test sends
 * (merge, group label, notice, support) reach exactly their audience.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ParticipantSession, PublicBoard, RoomView, SpeakingGroupView } from '../../src/lib/views';
import { connectClient, nextEvent, received, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';

let server: TestServer;
const sockets: Socket[] = [];
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => {
	for (const s of sockets) s.disconnect();
	await server?.dispose();
});

interface Created {
	id: string;
	joinCode: string;
	organiserToken: string;
	rooms: { id: string; projectionUrl: string }[];
}

async function event(maxGroupSize = 6) {
	const e = (
		await server.api('POST', '/api/events', {
			title: 'Qui entend quoi',
			maxGroupSize,
			themes: [{ title: 'Salle', statements: ['Premier énoncé', 'Deuxième énoncé'] }]
		})
	).body as Created;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const room = e.rooms[0] as Created['rooms'][number];
	const statements = (doc.rooms[0].statements as { id: string }[]).map((s) => s.id);
	const organiser = await track(connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken }));
	const projection = await track(connectClient(server.url, { role: 'projection', roomId: room.id, token: room.projectionUrl.split('#')[1] as string }));
	expect(await request(organiser, 'room:setPhase', { roomId: room.id, phase: 'choice' })).toEqual({ ok: true, data: null });
	return { e, roomId: room.id, statements, organiser, projection };
}

async function track(connecting: Promise<Socket>) {
	const s = await connecting;
	sockets.push(s);
	return s;
}

/** A phone that joined the room, with every session it received. */
async function phone(e: Created, roomId: string, displayName: string) {
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName, categories: ['habitant'], roomId })).body;
	const socket = await track(connectClient(server.url, { role: 'participant', token: joined.token }));
	const sessions: ParticipantSession[] = [];
	socket.on('session', (s: ParticipantSession) => sessions.push(s));
	return { id: joined.session.me.id as string, socket, last: () => sessions.at(-1) };
}

const members = (s: ParticipantSession | undefined) => (s?.group?.members ?? []).map((m) => m.id).sort();
const counting = (socket: Socket, name: string) => {
	let n = 0;
	socket.on(name, () => n++);
	return () => n;
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

it('tells every groupmate who sits with them, and sends the projection one room view per pick', async () => {
	const { e, roomId, statements, projection } = await event();
	const people = [await phone(e, roomId, 'Awa'), await phone(e, roomId, 'Bruno'), await phone(e, roomId, 'Chloé')];
	const views = counting(projection, 'projectionRoom');
	await settle();
	for (const [k, p] of people.entries()) {
		const before = views();
		expect(await request(p.socket, 'group:pick', { statementId: statements[0] })).toMatchObject({ ok: true });
		await nextEvent<RoomView>(projection, 'projectionRoom', (r) => r.statements[0]?.groups[0]?.memberCount === k + 1);
		await settle();
		expect(views() - before, `views after pick ${k + 1}`).toBe(1);
	}
	const all = people.map((p) => p.id).sort();
	for (const p of people) await expect.poll(() => members(p.last())).toEqual(all);

	// An erased person leaves the others' lists at once.
	const [awa, bruno, chloe] = people as [(typeof people)[number], (typeof people)[number], (typeof people)[number]];
	expect((await server.api('DELETE', `/api/events/${e.id}/participants/${bruno.id}`, undefined, e.organiserToken)).status).toBe(204);
	for (const p of [awa, chloe]) await expect.poll(() => members(p.last())).toEqual([awa.id, chloe.id].sort());
});

it('gives a person moved mid-stage the pad of their new group with their session, even a second before the groups’ lane runs, and both groups their new lists', async () => {
	const { e, roomId, statements, organiser } = await event();
	const [awa, bruno, chloe] = [await phone(e, roomId, 'Awa'), await phone(e, roomId, 'Bruno'), await phone(e, roomId, 'Chloé')];
	for (const [p, statementId] of [
		[awa, statements[0]],
		[bruno, statements[0]],
		[chloe, statements[1]]
	] as const) {
		expect(await request(p.socket, 'group:pick', { statementId })).toMatchObject({ ok: true });
	}
	expect(await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).toMatchObject({ ok: true });
	const pad = (socket: Socket) => (received(socket).get('speaking') ?? []) as SpeakingGroupView[];
	const padMembers = (v: SpeakingGroupView | undefined) => (v?.members ?? []).map((m) => m.id).sort();
	await expect.poll(() => padMembers(pad(awa.socket).at(-1))).toEqual([awa.id, bruno.id].sort());
	// Her seat as her session says (on a loaded machine it can come after the pad above).
	await expect.poll(() => chloe.last()?.group?.id).toBeDefined();
	const chloeGroup = chloe.last()?.group?.id as string;
	// Someone is seated just before: the groups' lane has just run, its next run is a second away.
	const added = await request(organiser, 'room:addPerson', { roomId, displayName: 'Dan', categories: ['habitant'], statementId: statements[0] });
	if (!added.ok) throw new Error(added.error);
	const dan = { id: (added.data as { participantId: string }).participantId };
	await expect.poll(() => padMembers(pad(awa.socket).at(-1))).toEqual([awa.id, bruno.id, dan.id].sort());

	// Awa's messages in the order they arrive, from the move on.
	const after: [string, unknown][] = [];
	awa.socket.onAny((name: string, payload: unknown) => after.push([name, payload]));
	const move = await request(organiser, 'room:move', { roomId, participantId: awa.id, groupId: chloeGroup });
	expect(move, JSON.stringify(move)).toMatchObject({ ok: true });
	const moved = [awa.id, chloe.id].sort();
	await expect.poll(() => padMembers(pad(awa.socket).at(-1))).toEqual(moved);
	// Her new pad comes with the session that seats her with Chloé, as the very next message:
	// her phone never shows her former group's pad under her new group.
	const seated = after.findIndex(([name, v]) => name === 'session' && (v as ParticipantSession).group?.id === chloeGroup);
	expect(seated).toBeGreaterThanOrEqual(0);
	expect(after[seated + 1]?.[0]).toBe('speaking');
	expect(padMembers(after[seated + 1]?.[1] as SpeakingGroupView)).toEqual(moved);
	await expect.poll(() => padMembers(pad(chloe.socket).at(-1))).toEqual(moved);
	await expect.poll(() => padMembers(pad(bruno.socket).at(-1))).toEqual([bruno.id, dan.id].sort());
	for (const p of [awa, chloe]) await expect.poll(() => members(p.last())).toEqual(moved);
	await expect.poll(() => members(bruno.last())).toEqual([bruno.id, dan.id].sort());
});

it('merges two groups, labels one, sends it a notice and lets its members support a recommendation', async () => {
	const { e, roomId, statements, organiser, projection } = await event(4);
	const five = [];
	for (const name of ['Dina', 'Émile', 'Fatou', 'Gaël', 'Hugo']) {
		const p = await phone(e, roomId, name);
		expect(await request(p.socket, 'group:pick', { statementId: statements[0] })).toMatchObject({ ok: true });
		five.push(p);
	}
	const elsewhere = await phone(e, roomId, 'Inès');
	expect(await request(elsewhere.socket, 'group:pick', { statementId: statements[1] })).toMatchObject({ ok: true });
	const groupsOf = (r: RoomView) => r.statements[0]?.groups ?? [];
	const split = await nextEvent<RoomView>(projection, 'projectionRoom', (r) => groupsOf(r).length === 2 && groupsOf(r).every((g) => g.memberCount >= 2));
	// Four places: one of the five leaves, then the two groups fit in one.
	const leaving = five.shift() as (typeof five)[number];
	expect((await server.api('DELETE', `/api/events/${e.id}/participants/${leaving.id}`, undefined, e.organiserToken)).status).toBe(204);
	const [a, b] = groupsOf(split).map((g) => g.id) as [string, string];
	expect(await request(organiser, 'room:merge', { roomId, groupA: a, groupB: b })).toEqual({ ok: true, data: null });
	const four = five.map((p) => p.id).sort();
	for (const p of five) await expect.poll(() => members(p.last())).toEqual(four);
	const merged = await nextEvent<RoomView>(projection, 'projectionRoom', (r) => groupsOf(r).length === 1);
	const groupId = groupsOf(merged)[0]?.id as string;

	expect(await request(organiser, 'room:setGroupLabel', { roomId, groupId, label: 'Habitant·e·s : quartier nord' })).toEqual({ ok: true, data: null });
	await nextEvent<RoomView>(projection, 'projectionRoom', (r) => groupsOf(r)[0]?.label === 'Habitant·e·s : quartier nord');

	const notices = five.map((p) => nextEvent<{ text: string }>(p.socket, 'notice'));
	const stray = counting(elsewhere.socket, 'notice');
	expect(await request(organiser, 'room:notifyGroup', { roomId, groupId, text: 'Encore cinq minutes' })).toEqual({ ok: true, data: null });
	for (const n of await Promise.all(notices)) expect(n.text).toBe('Encore cinq minutes');
	await settle();
	expect(stray()).toBe(0);

	// Support opens once the stages are over.
	const itemId = 'reco-1';
	expect(await request(organiser, 'board:op', { op: { kind: 'addDirect', itemId, text: 'Un lieu d’accueil ouvert le soir', at: Date.now() } })).toMatchObject({ ok: true });
	const member = five[0] as (typeof five)[number];
	expect(await request(member.socket, 'board:support', { itemId, on: true })).toMatchObject({ ok: false, code: 'supportNotOpen' });
	expect(await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).toMatchObject({ ok: true });
	expect(await request(organiser, 'stage:control', { roomId, command: { action: 'finish' } })).toMatchObject({ ok: true });
	expect(await request(member.socket, 'board:support', { itemId, on: true })).toEqual({ ok: true, data: { mySupports: [itemId] } });
	const board = await nextEvent<PublicBoard>(elsewhere.socket, 'board', (b) => b.items[0]?.support === 1);
	expect(JSON.stringify(board)).not.toContain(member.id);
});
