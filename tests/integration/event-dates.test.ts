/** An event's first and last day (issue 22): creation, old stores and archives, the actes' title page. */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIGRATIONS } from '../../server/store/migrations';
import { TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

const themes = [{ title: 'Salle', statements: ['Un énoncé'] }];

it('creates a two-day event and writes both days on the actes', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Rencontres', date: '2017-11-16', endDate: '2017-11-17', themes })).body;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	expect([doc.date, doc.endDate]).toEqual(['2017-11-16', '2017-11-17']);
	expect((await server.api('GET', `/api/join/${e.joinCode}`)).body.endDate).toBe('2017-11-17');
	const md = await fetch(`${server.url}/api/events/${e.id}/actes?format=md`, { headers: { authorization: `Bearer ${e.organiserToken}` } });
	expect(await md.text()).toContain('16 et 17 novembre 2017');

	const en = (await server.api('POST', '/api/events', { title: 'Meeting', language: 'en', date: '2017-11-16', endDate: '2017-11-17', themes })).body;
	const mdEn = await fetch(`${server.url}/api/events/${en.id}/actes?format=md`, { headers: { authorization: `Bearer ${en.organiserToken}` } });
	expect(await mdEn.text()).toContain('16–17 November 2017');

	// One day when no end is given.
	const one = (await server.api('POST', '/api/events', { title: 'Un jour', date: '2017-09-22', themes })).body;
	expect((await server.api('GET', `/api/events/${one.id}`, undefined, one.organiserToken)).body.endDate).toBe('2017-09-22');
});

it('refuses an end before the start, or without a start, and stores nothing', async () => {
	const events = server.countRows('events');
	const before = await server.api('POST', '/api/events', { title: 'À l’envers', date: '2017-11-17', endDate: '2017-11-16', themes });
	expect(before.status).toBe(400);
	expect(before.body.error).toBe('endDate: la date de fin précède la date de début');
	const alone = await server.api('POST', '/api/events', { title: 'Sans début', endDate: '2017-11-16', themes });
	expect(alone.status).toBe(400);
	expect(alone.body.error).toBe('endDate: date de fin sans date de début');
	expect(server.countRows('events')).toBe(events);
});

it('carries both days through the archive; an archive from before imports as one day', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Archive', date: '2017-11-16', endDate: '2017-11-17', themes })).body;
	const archive = (await server.api('GET', `/api/events/${e.id}/actes?format=json`, undefined, e.organiserToken)).body;
	expect(archive.event.endDate).toBe('2017-11-17');
	const copy = (await server.api('POST', '/api/events/import', archive)).body;
	expect((await server.api('GET', `/api/events/${copy.id}`, undefined, copy.organiserToken)).body.endDate).toBe('2017-11-17');

	const { endDate: _dropped, ...older } = archive.event;
	const old = (await server.api('POST', '/api/events/import', { ...archive, event: older })).body;
	const doc = (await server.api('GET', `/api/events/${old.id}`, undefined, old.organiserToken)).body;
	expect([doc.date, doc.endDate]).toEqual(['2017-11-16', '2017-11-16']);

	const events = server.countRows('events');
	const bad = await server.api('POST', '/api/events/import', { ...archive, event: { ...archive.event, endDate: '2017-11-15' } });
	expect(bad.status).toBe(400);
	expect(bad.body.error).toMatch(/endDate/);
	expect(server.countRows('events')).toBe(events);
});

it('reads events of a store made before end dates: they last their one day', async () => {
	await server.stop();
	for (const f of ['palabre.sqlite', 'palabre.sqlite-wal', 'palabre.sqlite-shm']) rmSync(join(server.dataDir, f), { force: true });
	const token = 'o'.repeat(32);
	const db = new Database(join(server.dataDir, 'palabre.sqlite'));
	// As the server registers it for the migration that hashes links.
	db.function('sha256_hex', { deterministic: true }, (t: unknown) => createHash('sha256').update(String(t)).digest('hex'));
	const version = MIGRATIONS.findIndex((sql) => sql.includes('ADD COLUMN end_date'));
	for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
	db.pragma(`user_version = ${version}`);
	const settings = JSON.stringify({ stageQuestions: ['a', 'b', 'c'], stageMinutes: [30, 30, 30], maxGroupSize: 6 });
	const insert = db.prepare(
		`INSERT INTO events (id, title, date, place, language, join_code, organiser_token_hash, settings, created_at) VALUES (?, ?, ?, NULL, 'fr', ?, ?, ?, 0)`
	);
	insert.run('avec-date', 'Daté', '2017-09-22', 'DAT123', createHash('sha256').update(token).digest('hex'), settings);
	insert.run('sans-date', 'Sans date', null, 'SAN123', createHash('sha256').update(token).digest('hex'), settings);
	db.close();
	await server.spawn();
	const dated = (await server.api('GET', '/api/events/avec-date', undefined, token)).body;
	expect([dated.date, dated.endDate]).toEqual(['2017-09-22', '2017-09-22']);
	const undated = (await server.api('GET', '/api/events/sans-date', undefined, token)).body;
	expect([undated.date, undated.endDate]).toEqual([null, null]);
});
