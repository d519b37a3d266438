/**
 * Issue 22: the organisers edit a room's statements (docs/statements.md). Before the choice opens
 * every screen follows; after, a rewording is logged and the facilitators see it; a chosen
 * statement cannot be removed. Real server, real sockets, a restart.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import type { FacilitatorView, OrganiserDocument, ParticipantSession, ProjectionView, RoomView } from '../../src/lib/views';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

async function newEvent() {
	const e = (await server.api('POST', '/api/events', { title: 'Énoncés', themes: [{ title: 'Salle', statements: ['Ca va', 'Equipe', 'Troisième'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const doc = (): Promise<OrganiserDocument> => server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken).then((r) => r.body);
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const ids = (await doc()).rooms[0]!.statements.map((s) => s.id) as [string, string, string];
	return { e, roomId, doc, organiser, ids };
}

async function phoneIn(e: { joinCode: string }, roomId: string): Promise<Socket> {
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Awa', roomId })).body;
	return connectClient(server.url, { role: 'participant', token: joined.token });
}

it('before the choice opens, rewording, adding, removing and reordering shows on the projection, phones and facilitators, unlogged', async () => {
	const { e, roomId, doc, organiser, ids } = await newEvent();
	const projectionToken = new URL(e.rooms[0].projectionUrl).hash.slice(1);
	const projection = await connectClient(server.url, { role: 'projection', roomId, token: projectionToken });
	await nextEvent<ProjectionView>(projection, 'projection');
	const facilitator = await connectClient(server.url, { role: 'facilitator', roomId, token: e.organiserToken });
	await nextEvent<FacilitatorView>(facilitator, 'facilitator');
	const phone = await phoneIn(e, roomId);

	const ack = await request(organiser, 'organiser:editStatements', {
		roomId,
		statements: [{ id: ids[1], text: 'Équipe' }, { id: ids[0], text: 'Ça va' }, { text: 'Un nouvel énoncé' }]
	});
	expect(ack.ok).toBe(true);
	const newIds = (ack as { data: { statementIds: string[] } }).data.statementIds;
	expect(newIds.slice(0, 2)).toEqual([ids[1], ids[0]]);

	const wanted = ['Équipe', 'Ça va', 'Un nouvel énoncé'];
	const shown = (r: RoomView | { statements: { text: string }[] }) => r.statements.map((s) => s.text);
	await nextEvent<RoomView>(projection, 'projectionRoom', (r) => shown(r).join('|') === wanted.join('|'));
	await nextEvent(phone, 'room', (r: RoomView) => shown(r).join('|') === wanted.join('|'));
	const fac = await nextEvent<FacilitatorView>(facilitator, 'facilitator', (v) => shown(v.room).join('|') === wanted.join('|'));
	expect(fac.statementEdits).toEqual([]);
	expect((await doc()).rooms[0]!.statements.map((s) => s.id)).toEqual(newIds);
	for (const s of [projection, facilitator, phone, organiser]) s.disconnect();
});

it('after the choice opens, a rewording is logged, shown to the facilitators and to the group; translations are kept, to be reviewed', async () => {
	const { e, roomId, doc, organiser, ids } = await newEvent();
	await request(organiser, 'organiser:translate', { language: 'en', statements: [{ statementId: ids[0], text: 'All right' }] });
	const phone = await phoneIn(e, roomId);
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	expect((await request(phone, 'group:pick', { statementId: ids[0] })).ok).toBe(true);
	const facilitator = await connectClient(server.url, { role: 'facilitator', roomId, token: e.organiserToken });
	await nextEvent<FacilitatorView>(facilitator, 'facilitator');

	const before = Date.now();
	const ack = await request(organiser, 'organiser:editStatements', {
		roomId,
		statements: [{ id: ids[0], text: 'Ça va ?' }, { id: ids[1], text: 'Equipe' }, { id: ids[2], text: 'Troisième' }]
	});
	expect(ack.ok).toBe(true);
	const fac = await nextEvent<FacilitatorView>(facilitator, 'facilitator', (v) => v.statementEdits.length > 0);
	expect(fac.statementEdits).toEqual([{ statementId: ids[0], at: expect.any(Number), before: 'Ca va', after: 'Ça va ?' }]);
	expect(fac.statementEdits[0]!.at).toBeGreaterThanOrEqual(before);
	const session = await nextEvent<ParticipantSession>(phone, 'session', (s) => s.group?.statementText === 'Ça va ?');
	expect(session.group?.statementTranslations).toEqual({ en: 'All right' });
	const statement = (await doc()).rooms[0]!.statements[0]!;
	expect(statement).toMatchObject({ text: 'Ça va ?', translations: { en: 'All right' }, translationToReview: true });

	// Translating it again clears the mark.
	await request(organiser, 'organiser:translate', { language: 'en', statements: [{ statementId: ids[0], text: 'Is it all right?' }] });
	expect((await doc()).rooms[0]!.statements[0]!.translationToReview).toBeUndefined();

	// The log survives a restart.
	facilitator.disconnect();
	phone.disconnect();
	organiser.disconnect();
	await server.restart();
	const again = await connectClient(server.url, { role: 'facilitator', roomId, token: e.organiserToken });
	expect((await nextEvent<FacilitatorView>(again, 'facilitator')).statementEdits).toHaveLength(1);
	again.disconnect();
});

it('refuses to remove a chosen statement, an unknown or repeated id, an empty list, or a facilitator, and changes nothing', async () => {
	const { e, roomId, doc, organiser, ids } = await newEvent();
	const other = await newEvent();
	const phone = await phoneIn(e, roomId);
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	await request(phone, 'group:pick', { statementId: ids[1] });
	const before = await doc();

	const removeChosen = await request(organiser, 'organiser:editStatements', { roomId, statements: [{ id: ids[0], text: 'Ca va' }] });
	expect(removeChosen).toMatchObject({ ok: false, code: 'statementChosen', params: { text: 'Equipe' } });
	expect((removeChosen as { error: string }).error).toBe('impossible de retirer « Equipe » : un groupe l’a déjà choisi');
	expect(await request(organiser, 'organiser:editStatements', { roomId, statements: [{ id: other.ids[0], text: 'x' }] })).toMatchObject({
		ok: false,
		code: 'statementUnknown'
	});
	expect(
		await request(organiser, 'organiser:editStatements', { roomId, statements: [{ id: ids[1], text: 'a' }, { id: ids[1], text: 'b' }] })
	).toMatchObject({ ok: false, code: 'statementTwice' });
	expect(await request(organiser, 'organiser:editStatements', { roomId, statements: [] })).toMatchObject({ ok: false, code: 'invalid' });
	expect(await request(organiser, 'organiser:editStatements', { roomId: other.roomId, statements: [{ text: 'x' }] })).toMatchObject({
		ok: false,
		code: 'notYourRoom'
	});
	const facilitator = await connectClient(server.url, { role: 'facilitator', roomId, token: e.organiserToken });
	expect(await request(facilitator, 'organiser:editStatements', { roomId, statements: [{ text: 'x' }] })).toMatchObject({
		ok: false,
		code: 'forbiddenForRole'
	});
	expect((await doc()).rooms).toEqual(before.rooms);
	for (const s of [phone, facilitator, organiser, other.organiser]) s.disconnect();
});
