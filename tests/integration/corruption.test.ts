/** A corrupt or truncated row does not stop the server: it is set aside and reported, the rest loads. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

it('sets aside unreadable rows and starts with the rest', async () => {
	const body = { title: 'Intacte', themes: [{ title: 'T', statements: ['a'] }] };
	const good = (await server.api('POST', '/api/events', body)).body;
	const bad = (await server.api('POST', '/api/events', { ...body, title: 'Abîmée' })).body;
	const p1 = (await server.api('POST', `/api/join/${good.joinCode}`, { displayName: 'Un', categories: ['habitant'] })).body;
	await server.api('POST', `/api/join/${good.joinCode}`, { displayName: 'Deux', categories: ['medecin'] });
	await server.stop('SIGKILL');

	const db = new Database(join(server.dataDir, 'palabre.sqlite'));
	db.prepare(`UPDATE events SET settings = '{"stageQuestions": ["tronq' WHERE id = ?`).run(bad.id);
	db.prepare(`UPDATE participants SET categories = '["habit' WHERE id = ?`).run(p1.session.me.id);
	db.prepare(`UPDATE rooms SET stages = '{' WHERE event_id = ?`).run(good.id);
	db.prepare(`UPDATE statements SET translations = '{"en": "trunc' WHERE room_id = ?`).run(good.rooms[0].id);
	db.close();

	await server.spawn();
	expect(server.output).toContain('Donnée illisible mise de côté (table quarantine) : events.settings illisible');
	expect(server.output).toContain('participants.categories illisible');
	const doc = await server.api('GET', `/api/events/${good.id}`, undefined, good.organiserToken);
	expect(doc.status).toBe(200);
	// The person stays, without the categories that could not be read.
	expect(doc.body.participants).toMatchObject({ total: 2, byFamily: { sante: 1, nsp: 1 } });
	expect(doc.body.rooms[0].stage).toEqual({ index: 0, status: 'waiting' });
	// The statement stays, untranslated.
	expect(doc.body.rooms[0].statements[0]).toMatchObject({ text: 'a', translations: {} });
	// The damaged event keeps its rooms and statements, with the method's default settings.
	const damaged = await server.api('GET', `/api/events/${bad.id}`, undefined, bad.organiserToken);
	expect(damaged.status).toBe(200);
	expect(damaged.body.settings.maxGroupSize).toBe(6);
	expect(damaged.body.rooms[0].statements[0].text).toBe('a');
	expect(server.output).toContain('statements.translations illisible');
	expect(server.countRows('quarantine')).toBe(4);
});

it('sets aside valid JSON of the wrong shape in every kind of cell, and write-up updates that do not decode', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Formes', themes: [{ title: 'T', statements: ['a'] }] })).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Une', categories: ['habitant'], roomId })).body;
	const member = await connectClient(server.url, { role: 'participant', token: joined.token });
	const { data } = (await request(member, 'group:pick', { statementId })) as { data: { groupId: string } };
	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	await request(member, 'group:setRapporteur', { stage: 2, on: true });
	await writeItems(server.url, joined.token, data.groupId, 2, ['Ce qui reste lisible']);
	member.disconnect();
	organiser.disconnect();
	const quarantined = server.countRows('quarantine');
	await server.stop('SIGKILL');

	const db = new Database(join(server.dataDir, 'palabre.sqlite'));
	db.prepare(`UPDATE events SET settings = '{"stageQuestions": 5}' WHERE id = ?`).run(e.id);
	db.prepare(`UPDATE participants SET categories = '["__proto__"]' WHERE id = ?`).run(joined.session.me.id);
	db.prepare(`UPDATE statements SET translations = '{"en": 1}' WHERE room_id = ?`).run(roomId);
	db.prepare(`UPDATE rooms SET stages = '{"room": {"index": 2, "status": "nonsense"}, "overrides": {}}' WHERE id = ?`).run(roomId);
	db.prepare(`INSERT INTO boards (event_id, state, version) VALUES (?, '{"items": 1}', 1)`).run(e.id);
	db.prepare(`INSERT INTO evaluations (group_id, data, updated_at) VALUES (?, '{"everyoneSpoke": "beaucoup"}', 0)`).run(data.groupId);
	db.prepare(`INSERT INTO speaking_taps (group_id, tap_id, stage, at, tap) VALUES (?, 'z', 1, 0, '{"kind": "boom"}')`).run(data.groupId);
	db.prepare(`INSERT INTO ydoc_updates (doc, seq, data) VALUES (?, 999, ?)`).run(`group.${data.groupId}`, Buffer.from([0, 255, 19, 7]));
	db.close();

	await server.spawn();
	for (const cell of ['events.settings', 'participants.categories', 'statements.translations', 'rooms.stages', 'boards.state', 'evaluations.data', 'speaking_taps.tap']) {
		expect(server.output).toContain(`${cell} de forme inattendue`);
	}
	expect(server.output).toContain(`ydoc_updates illisible (group.${data.groupId}, seq 999)`);
	expect(server.countRows('quarantine')).toBe(quarantined + 8);

	// The rest loads: the event with default settings, the person without categories, the stages
	// from the start, no evaluation, an empty board, and the write-up's readable rows.
	const doc = await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken);
	expect(doc.status).toBe(200);
	expect(doc.body.settings.stageQuestions).toHaveLength(3);
	expect(doc.body.participants).toMatchObject({ total: 1, byFamily: { nsp: 1 } });
	expect(doc.body.rooms[0].stage).toEqual({ index: 0, status: 'waiting' });
	expect(doc.body.rooms[0].statements[0].translations).toEqual({});
	expect(doc.body.board.items).toEqual([]);
	const group = doc.body.rooms[0].statements[0].groups[0];
	expect(group.evaluation).toBeNull();
	expect(group.writeup.stages[1].items.map((i: { text: string }) => i.text)).toEqual(['Ce qui reste lisible']);
	const again = await connectClient(server.url, { role: 'participant', token: joined.token });
	const session = await nextEvent<{ me: { categories: string[]; groupId: string } }>(again, 'session');
	expect(session.me).toMatchObject({ categories: [], groupId: data.groupId });
	again.disconnect();
});
