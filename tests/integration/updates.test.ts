/**
 * Who receives what, over real sockets: the projection sees a group's write-up progress at once
 * (a small `progress` message) and, while timekeepers tap, its full room view at most once a
 * second, the organisers' document at most every 5 seconds; a phone's room view carries no
 * figures and is not sent again when nothing it shows changed; a timekeeper's tap refreshes the group's speaking view only; of a group's speaking
 * time the projection gets only its balance.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OrganiserDocument, PhoneRoomView, ProgressUpdate, RoomView, SpeakingGroupView } from '../../src/lib/views';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

/** Counts the events a socket receives from now on. */
function counter(socket: Socket, event: string) {
	let n = 0;
	socket.on(event, () => n++);
	return () => n;
}

it('sends progress at once, full views at a bounded rate, and phones only what changed for them', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Envois', themes: [{ title: 'Salle', statements: ['A', 'B'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const projection = await connectClient(server.url, {
		role: 'projection',
		roomId,
		token: new URL(e.rooms[0].projectionUrl).hash.slice(1)
	});
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const members: { socket: Socket; token: string; id: string }[] = [];
	for (const name of ['Awa', 'Bruno', 'Chloé']) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: name, roomId, categories: ['habitant'] });
		const socket = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		expect((await request(socket, 'group:pick', { statementId })).ok).toBe(true);
		members.push({ socket, token: joined.body.token, id: joined.body.session.me.id });
	}
	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);
	const [awa, bruno] = members as [(typeof members)[0], (typeof members)[0]];
	const groupId = (await nextEvent<{ group: { id: string } | null }>(awa.socket, 'session', (s) => s.group !== null)).group?.id as string;

	// The phone's room view: seats and stages, no write-up counts, no speaking figures.
	const phoneView = await nextEvent<PhoneRoomView>(bruno.socket, 'room', (r) => r.stages.room.index === 1);
	const seats: object | undefined = phoneView.statements[0]?.groups[0];
	expect(seats).toMatchObject({ memberCount: 3 });
	expect(seats).not.toHaveProperty('progress');
	expect(seats).not.toHaveProperty('speaking');
	expect(phoneView).not.toHaveProperty('speaking');
	expect(phoneView).not.toHaveProperty('headcount');

	// A write-up item: the projection's count arrives as a `progress` message.
	await writeItems(server.url, awa.token, groupId, 1, ['Les horaires ne vont pas']);
	const update = await nextEvent<ProgressUpdate[]>(projection, 'progress', (u) => u.some((g) => g.groupId === groupId && g.progress[0] === 1));
	expect(update).toEqual([{ groupId, progress: [1, 0, 0] }]);

	// A burst of taps: the group's phones get the new speaking view; phones get no session and no
	// room view (nothing they show changed); the projection at most one full view a second.
	await new Promise((r) => setTimeout(r, 1_200));
	const sessions = counter(bruno.socket, 'session');
	const phoneRooms = counter(bruno.socket, 'room');
	const projectionRooms = counter(projection, 'projectionRoom');
	const organiserDocs = counter(organiser, 'organiser');
	const started = Date.now();
	const at = Date.now();
	for (let i = 0; i < 20; i++) {
		const who = members[i % 3] as (typeof members)[0];
		const ack = await request(members[2]?.socket as Socket, 'speaking:taps', {
			taps: [{ id: `t${i}`, stage: 1, tap: { kind: 'speak', participantId: who.id, at: at + i * 10 } }]
		});
		expect(ack.ok).toBe(true);
	}
	const speaking = await nextEvent<SpeakingGroupView>(bruno.socket, 'speaking', (v) => v.open.some((o) => o.id === (members[19 % 3] as (typeof members)[0]).id));
	expect(speaking.members.map((m) => m.displayName).sort()).toEqual(['Awa', 'Bruno', 'Chloé']);
	const projected = await nextEvent<RoomView>(projection, 'projectionRoom', (r) => (r.speaking.totalMs ?? 0) > 0);
	expect(projected.speaking.rows.find((r) => r.family === 'habitant')?.memberShare).toBe(1);
	// The full view agrees with the progress sent before.
	expect(projected.statements[0]?.groups[0]?.progress).toEqual([1, 0, 0]);
	// Of a group, the projection gets the balance of speaking time, never its shares by category.
	expect(projected.statements[0]?.groups[0]?.balance).toEqual(expect.any(Number));
	expect(projected.statements[0]?.groups[0]).not.toHaveProperty('speaking');
	await new Promise((r) => setTimeout(r, 1_200));
	const seconds = (Date.now() - started) / 1000;
	expect(sessions()).toBe(0);
	expect(phoneRooms()).toBe(0);
	expect(projectionRooms()).toBeGreaterThan(0);
	expect(projectionRooms()).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
	// The organisers' whole document, for figures only, at most every 5 seconds; they do arrive.
	expect(organiserDocs()).toBeLessThanOrEqual(Math.ceil(seconds / 5) + 1);
	const consoleDoc = await nextEvent<OrganiserDocument>(organiser, 'organiser', (d) => (d.rooms[0]?.statements[0]?.groups[0]?.speaking.totalMs ?? 0) > 0);
	expect(consoleDoc.rooms[0]?.statements[0]?.groups[0]?.speaking.rows.find((r) => r.family === 'habitant')?.memberShare).toBe(1);

	for (const m of members) m.socket.disconnect();
	projection.disconnect();
	organiser.disconnect();
});
