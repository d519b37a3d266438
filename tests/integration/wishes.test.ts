/**
 * Issue 22: people register before the event with ranked wishes; the organiser publishes a room
 * assignment in one go; a registered phone is the same identity on the day. Real server, HTTP and
 * sockets.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import type { OrganiserDocument, ParticipantSession, PersonView } from '../../src/lib/views';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

async function newEvent() {
	const themes = ['Usagers', 'Pratiques', 'Médiation'].map((title) => ({ title, statements: [`${title} : un énoncé`] }));
	const e = (await server.api('POST', '/api/events', { title: 'Vœux', themes })).body;
	const rooms = e.rooms.map((r: { id: string }) => r.id) as [string, string, string];
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	return { e, rooms, organiser };
}

it('a person registers with ranked wishes; the organiser sees them; the registration link is in the document', async () => {
	const { e, rooms, organiser } = await newEvent();
	await nextEvent(organiser, 'people');
	const res = await server.api('POST', `/api/register/${e.joinCode}`, { displayName: 'Awa', categories: ['habitant'], wishes: [rooms[2], rooms[0]] });
	expect(res.status).toBe(201);
	expect(res.body.session.me).toMatchObject({ displayName: 'Awa', roomId: null, groupId: null });
	const people = await nextEvent<PersonView[]>(organiser, 'people', (list) => list.length === 1);
	expect(people[0]).toMatchObject({ displayName: 'Awa', families: ['habitant'], roomId: null, wishes: [rooms[2], rooms[0]] });
	const doc: OrganiserDocument = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	expect(doc.registerUrl).toBe(`${server.url}/r/${e.joinCode}`);
	organiser.disconnect();
});

it('refuses an unknown room, a room ranked twice, a missing pseudonym or an unknown code, and stores nobody', async () => {
	const { e, rooms, organiser } = await newEvent();
	const other = await newEvent();
	const bad = [
		{ displayName: 'A', wishes: [other.rooms[0]] },
		{ displayName: 'A', wishes: [rooms[0], rooms[0]] },
		{ displayName: ' ', wishes: [] },
		{ displayName: 'A', wishes: [], roomId: rooms[0] }
	];
	for (const body of bad) expect((await server.api('POST', `/api/register/${e.joinCode}`, body)).status).toBe(400);
	expect((await server.api('POST', '/api/register/ZZZZZZ', { displayName: 'A', wishes: [] })).status).toBe(404);
	const doc: OrganiserDocument = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	expect(doc.participants.total).toBe(0);
	organiser.disconnect();
	other.organiser.disconnect();
});

it('publishing an assignment moves everyone listed at once; the registered phone finds its room; it may still change', async () => {
	const { e, rooms, organiser } = await newEvent();
	const registered = await Promise.all(
		['Awa', 'Bruno', 'Chloé'].map(async (displayName, i) => {
			const res = await server.api('POST', `/api/register/${e.joinCode}`, { displayName, wishes: [rooms[i % 3]] });
			return res.body as { token: string; session: ParticipantSession };
		})
	);
	const phone = await connectClient(server.url, { role: 'participant', token: registered[0]!.token });
	expect((await nextEvent<ParticipantSession>(phone, 'session')).me.roomId).toBeNull();

	const assignments = registered.map((r, i) => ({ participantId: r.session.me.id, roomId: rooms[(i + 1) % 3] }));
	const ack = await request(organiser, 'organiser:publishAssignment', { assignments });
	expect(ack).toEqual({ ok: true, data: { moved: 3 } });
	const session = await nextEvent<ParticipantSession>(phone, 'session', (s) => s.me.roomId !== null);
	expect(session.me.roomId).toBe(rooms[1]);
	await nextEvent(phone, 'room');
	const people = await nextEvent<PersonView[]>(organiser, 'people', (list) => list.length === 3 && list.every((p) => p.roomId));
	expect(people.map((p) => p.roomId)).toEqual([rooms[1], rooms[2], rooms[0]]);

	// Published again as is: nobody moves. The person may still choose another room.
	expect(await request(organiser, 'organiser:publishAssignment', { assignments })).toEqual({ ok: true, data: { moved: 0 } });
	expect((await request(phone, 'participant:chooseRoom', { roomId: rooms[0] })).ok).toBe(true);
	phone.disconnect();
	organiser.disconnect();
});

it('refuses an assignment naming an unknown person or room, or a person twice, and moves nobody', async () => {
	const { e, rooms, organiser } = await newEvent();
	const other = await newEvent();
	const a = (await server.api('POST', `/api/register/${e.joinCode}`, { displayName: 'Awa', wishes: [] })).body.session.me.id as string;
	const stranger = (await server.api('POST', `/api/register/${other.e.joinCode}`, { displayName: 'Zoé', wishes: [] })).body.session.me.id as string;
	const cases = [
		[{ participantId: a, roomId: rooms[0] }, { participantId: stranger, roomId: rooms[1] }],
		[{ participantId: a, roomId: other.rooms[0] }],
		[{ participantId: a, roomId: rooms[0] }, { participantId: a, roomId: rooms[1] }]
	];
	for (const assignments of cases) expect((await request(organiser, 'organiser:publishAssignment', { assignments })).ok).toBe(false);
	const phone = await connectClient(server.url, { role: 'participant', token: (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'B' })).body.token });
	expect(await request(phone, 'organiser:publishAssignment', { assignments: cases[1] })).toMatchObject({ ok: false, code: 'forbiddenForRole' });
	const doc: OrganiserDocument = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	expect(doc.participants.unassigned).toBe(2);
	for (const s of [phone, organiser, other.organiser]) s.disconnect();
});
