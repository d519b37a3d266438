/** A corrupt or truncated row does not stop the server: it is set aside and reported, the rest loads. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestServer } from '../helpers/server';

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
