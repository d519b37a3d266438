/**
 * One event's failure stays that event's (server/realtime/control.ts, server/http/api.ts): a room
 * whose stored stages are of the wrong shape makes every view of that room throw; its clients are
 * told (`fault`), its organiser document answers a clear 500 (the actes, which do not read the
 * stages, still come out), the error is logged with its event's id, and a
 * second event's phones keep working on the same process, which stays up.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Fault } from '../../src/lib/protocol';
import type { PhoneRoomView } from '../../src/lib/views';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

const body = (title: string) => ({ title, themes: [{ title: 'Salle', statements: ['A', 'B'] }] });

/** An event in its choice phase, with `n` phones connected in its room. */
async function eventWithPhones(title: string, n: number) {
	const e = (await server.api('POST', '/api/events', body(title))).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	expect((await request(organiser, 'room:setPhase', { roomId, phase: 'choice' })).ok).toBe(true);
	const statements = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements.map((s: { id: string }) => s.id) as string[];
	const phones: Socket[] = [];
	for (let i = 0; i < n; i++) {
		const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `${title} ${i}`, roomId })).body;
		phones.push(await connectClient(server.url, { role: 'participant', token: joined.token }));
	}
	return { e, roomId, organiser, statements, phones };
}

it('keeps serving a second event, and the process, while every view of one event throws', async () => {
	const poisoned = await eventWithPhones('Empoisonné', 1);
	const healthy = await eventWithPhones('Sain', 2);
	const [victim] = poisoned.phones as [Socket];
	// A group: its effective stage is read from the room's stages by every view of the room.
	expect((await request(victim, 'group:pick', { statementId: poisoned.statements[0] })).ok).toBe(true);

	// A stored value of the wrong shape (as a bad archive or a bug could leave): the room's stages.
	// Written live: the realtime layer, not the start-up checks, is under test here.
	const db = new Database(join(server.dataDir, 'palabre.sqlite'));
	db.pragma('busy_timeout = 5000');
	db.prepare(`UPDATE rooms SET stages = '1' WHERE id = ?`).run(poisoned.roomId);
	db.close();

	// A change in the poisoned room: its views (the flush and the throttled lanes) throw.
	const faulted = nextEvent<Fault>(victim, 'fault');
	expect((await server.api('POST', `/api/join/${poisoned.e.joinCode}`, { displayName: 'Arrivée', roomId: poisoned.roomId })).status).toBe(201);
	expect((await faulted).eventId).toBe(poisoned.e.id);

	// A phone of the poisoned event connecting now gets what can be built, a `fault` for the rest,
	// and stays connected.
	const late = (await server.api('POST', `/api/join/${poisoned.e.joinCode}`, { displayName: 'Tardive', roomId: poisoned.roomId })).body;
	const latePhone = await connectClient(server.url, { role: 'participant', token: late.token });
	expect((await nextEvent<Fault>(latePhone, 'fault')).eventId).toBe(poisoned.e.id);
	expect(latePhone.connected).toBe(true);

	// Its actions that need the broken stages answer a clear error.
	const support = await request(victim, 'board:support', { itemId: 'x', on: true });
	expect(support).toMatchObject({ ok: false, error: expect.stringMatching(/erreur interne/) });
	// Its organiser document too (500 naming nothing secret), logged with the event's id…
	const doc = await server.api('GET', `/api/events/${poisoned.e.id}`, undefined, poisoned.e.organiserToken);
	expect(doc.status).toBe(500);
	expect(doc.body).toMatchObject({ code: 'internalRequest', error: expect.stringMatching(/erreur interne : cette demande n’a pas pu être servie/) });
	// …while the actes, built from the records they need (not the room's stages), still come out.
	const actes = await server.api('GET', `/api/events/${poisoned.e.id}/actes?format=md`, undefined, poisoned.e.organiserToken);
	expect(actes.status).toBe(200);
	expect(server.output).toContain(`Erreur sur l’événement ${poisoned.e.id}`);
	expect(server.output).toContain(`Erreur interne (événement ${poisoned.e.id})`);

	// Meanwhile, the other event: its phones pick, are answered at once and see their room move.
	const [a, b] = healthy.phones as [Socket, Socket];
	for (const [phone, statementId] of [
		[a, healthy.statements[0]],
		[b, healthy.statements[1]]
	] as const) {
		const started = Date.now();
		expect((await request(phone, 'group:pick', { statementId })).ok).toBe(true);
		expect(Date.now() - started).toBeLessThan(2_000);
	}
	const seated = (v: PhoneRoomView) => v.statements.reduce((n, s) => n + s.groups.reduce((m, g) => m + g.memberCount, 0), 0) === 2;
	await nextEvent<PhoneRoomView>(a, 'room', seated);
	await nextEvent<PhoneRoomView>(b, 'room', seated);
	expect((await server.api('GET', `/api/events/${healthy.e.id}/actes?format=md`, undefined, healthy.e.organiserToken)).status).toBe(200);
	// And again after the failures: the shared lanes still run.
	expect((await request(a, 'group:leave', {})).ok).toBe(true);
	await nextEvent<PhoneRoomView>(b, 'room', (v) => !seated(v));

	// The process never stopped.
	expect(server.child?.exitCode).toBeNull();
	expect((await server.api('GET', '/api/health')).status).toBe(200);
	for (const s of [...poisoned.phones, ...healthy.phones, latePhone, poisoned.organiser, healthy.organiser]) s.disconnect();
});
