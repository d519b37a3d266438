/**
 * Phones that connect or reconnect together (a room arriving, a failover) share their room's
 * view: it is built once per change of the room, not once per socket. Builds are counted, not
 * timed: with PALABRE_TRACE=views the server prints a line for each (server/trace.ts).
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PhoneRoomView } from '../../src/lib/views';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';

let server: TestServer;
const sockets: Socket[] = [];
beforeAll(async () => {
	server = await TestServer.start({ PALABRE_TRACE: 'views' });
});
afterAll(async () => {
	for (const s of sockets) s.disconnect();
	await server?.dispose();
});

const PHONES = 24;
/** The room views built so far for this room. */
const builds = (roomId: string) => server.output.split('\n').filter((line) => line === `trace views room ${roomId}`).length;

it('builds a room’s view once for a burst of phones connecting, once again after each change, and shares it', async () => {
	const e = (
		await server.api('POST', '/api/events', { title: 'Tous ensemble', themes: [{ title: 'Salle', statements: ['Premier énoncé', 'Deuxième énoncé'] }] })
	).body as { id: string; joinCode: string; organiserToken: string; rooms: { id: string }[] };
	const roomId = e.rooms[0]?.id as string;
	const tokens: string[] = [];
	for (let i = 0; i < PHONES; i++) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `Personne ${i}`, categories: ['habitant'], roomId });
		tokens.push(joined.body.token as string);
	}
	// The joins were changes; nothing changes from here until the organiser moves the room on.
	const connectAll = async () => {
		const phones = await Promise.all(tokens.map((token) => connectClient(server.url, { role: 'participant', token })));
		sockets.push(...phones);
		return phones;
	};
	const roomViews = (phones: Socket[], test: (v: PhoneRoomView) => boolean = () => true) =>
		Promise.all(phones.map((s) => nextEvent<PhoneRoomView>(s, 'room', test)));

	let phones = await connectAll();
	const first = await roomViews(phones);
	expect(first.map((v) => v.id)).toEqual(tokens.map(() => roomId));
	expect(builds(roomId)).toBe(1);

	// Everyone reconnects at once, as after a failover: the same view serves them all.
	for (const s of phones) s.disconnect();
	phones = await connectAll();
	expect(await roomViews(phones)).toEqual(first);
	expect(builds(roomId)).toBe(1);

	// A change: one new view, for the phones that were there and for those reconnecting after it.
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	sockets.push(organiser);
	expect(await request(organiser, 'room:setPhase', { roomId, phase: 'choice' })).toEqual({ ok: true, data: null });
	await roomViews(phones, (v) => v.phase === 'choice');
	for (const s of phones) s.disconnect();
	phones = await connectAll();
	for (const v of await roomViews(phones)) expect(v.phase).toBe('choice');
	expect(builds(roomId)).toBe(2);
});
