/**
 * Facilitation and projection links are stored hashed like every other token (issue 15): derived
 * from the organiser's token, so the console can still show them; links of stores made before
 * keep working until the next rotation, which cuts every old link.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIGRATIONS } from '../../server/store/migrations';
import { connectClient } from '../helpers/clients';
import { TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const fragment = (url: string) => new URL(url).hash.slice(1);

/** Every text and blob cell of every table, as one string per row. */
function everyCell(): string[] {
	const db = new Database(join(server.dataDir, 'palabre.sqlite'), { readonly: true });
	try {
		const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
		return tables.flatMap((t) => (db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).map((row) => Object.values(row).map(String).join(' ')));
	} finally {
		db.close();
	}
}

async function opens(role: 'projection' | 'facilitator', roomId: string, token: string): Promise<boolean> {
	try {
		(await connectClient(server.url, { role, roomId, token })).disconnect();
		return true;
	} catch {
		return false;
	}
}

it('stores no token in plain text, and the console still shows working links', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Jetons', themes: [{ title: 'Salle', statements: ['a'] }, { title: 'Autre', statements: ['b'] }] })).body;
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Lou', categories: [] })).body;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const rotated = (await server.api('POST', `/api/events/${e.id}/rotate`, undefined, e.organiserToken)).body;
	const secrets = [
		e.organiserToken,
		rotated.organiserToken,
		joined.token,
		...doc.rooms.flatMap((r: { projectionUrl: string; facilitatorUrl: string }) => [fragment(r.projectionUrl), fragment(r.facilitatorUrl)]),
		...rotated.rooms.flatMap((r: { projectionUrl: string; facilitatorUrl: string }) => [fragment(r.projectionUrl), fragment(r.facilitatorUrl)])
	];
	expect(new Set(secrets).size).toBe(secrets.length);
	for (const s of secrets) expect(s).toMatch(/^[\w-]{32}|^[\w-]+\.[\w-]{32}$/);
	const cells = everyCell();
	expect(cells.length).toBeGreaterThan(5);
	for (const s of secrets) expect(cells.some((c) => c.includes(s))).toBe(false);

	// The links the console shows after the rotation open their rooms, and only their own.
	const now = (await server.api('GET', `/api/events/${e.id}`, undefined, rotated.organiserToken)).body;
	expect(now.rooms.map((r: { facilitatorUrl: string }) => r.facilitatorUrl)).toEqual(rotated.rooms.map((r: { facilitatorUrl: string }) => r.facilitatorUrl));
	const [a, b] = now.rooms;
	expect(await opens('facilitator', a.id, fragment(a.facilitatorUrl))).toBe(true);
	expect(await opens('projection', a.id, fragment(a.projectionUrl))).toBe(true);
	expect(await opens('facilitator', b.id, fragment(a.facilitatorUrl))).toBe(false);
	expect(await opens('facilitator', a.id, fragment(a.projectionUrl))).toBe(false);
	expect(await opens('facilitator', a.id, fragment(doc.rooms[0].facilitatorUrl))).toBe(false);
});

it('hashes the links of a store made before, which keep working until the next rotation', async () => {
	await server.stop();
	for (const f of ['palabre.sqlite', 'palabre.sqlite-wal', 'palabre.sqlite-shm']) rmSync(join(server.dataDir, f), { force: true });
	// A store at the version before links were hashed, as that version left it.
	const organiserToken = 'o'.repeat(32);
	const plain = { projection: 'p'.repeat(16) + 'P'.repeat(16), facilitation: 'f'.repeat(16) + 'F'.repeat(16) };
	const db = new Database(join(server.dataDir, 'palabre.sqlite'));
	const hashed = MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE room_links'));
	for (const sql of MIGRATIONS.slice(0, hashed)) db.exec(sql);
	db.pragma(`user_version = ${hashed}`);
	db.prepare(
		`INSERT INTO events (id, title, date, place, language, join_code, organiser_token_hash, settings, created_at)
		 VALUES ('ancien-evt', 'Ancien', NULL, NULL, 'fr', 'ANC123', ?, ?, 0)`
	).run(sha256(organiserToken), JSON.stringify({ stageQuestions: ['a', 'b', 'c'], stageMinutes: [30, 30, 30], maxGroupSize: 6 }));
	db.prepare(
		`INSERT INTO rooms (id, event_id, position, title, projection_token, facilitator_token) VALUES ('ancienne', 'ancien-evt', 0, 'Salle', ?, ?)`
	).run(plain.projection, plain.facilitation);
	db.prepare(`INSERT INTO statements (id, room_id, position, text) VALUES ('enonce', 'ancienne', 0, 'Un énoncé')`).run();
	// A room's row set aside by that version carried the plain tokens too.
	db.prepare(`INSERT INTO quarantine (table_name, row_data, reason, at) VALUES ('rooms', ?, 'rooms.stages illisible', 0)`).run(
		JSON.stringify({ id: 'ancienne', projection_token: plain.projection, facilitator_token: plain.facilitation, stages: '{' })
	);
	db.close();
	await server.spawn();

	for (const s of [plain.projection, plain.facilitation]) expect(everyCell().some((c) => c.includes(s))).toBe(false);
	expect(await opens('projection', 'ancienne', plain.projection)).toBe(true);
	expect(await opens('facilitator', 'ancienne', plain.facilitation)).toBe(true);

	// The console shows derived links, which work beside the old ones.
	const doc = (await server.api('GET', '/api/events/ancien-evt', undefined, organiserToken)).body;
	const shown = { projection: fragment(doc.rooms[0].projectionUrl), facilitation: fragment(doc.rooms[0].facilitatorUrl) };
	expect(shown.facilitation).not.toBe(plain.facilitation);
	expect(await opens('facilitator', 'ancienne', shown.facilitation)).toBe(true);
	expect(await opens('projection', 'ancienne', shown.projection)).toBe(true);
	expect(await opens('facilitator', 'ancienne', plain.facilitation)).toBe(true);

	// A rotation cuts them all: the old links, the derived ones, the old organiser token.
	const rotated = (await server.api('POST', '/api/events/ancien-evt/rotate', undefined, organiserToken)).body;
	for (const [role, token] of [
		['projection', plain.projection],
		['facilitator', plain.facilitation],
		['projection', shown.projection],
		['facilitator', shown.facilitation]
	] as const) {
		expect(await opens(role, 'ancienne', token), `${role} ${token}`).toBe(false);
	}
	expect((await server.api('GET', '/api/events/ancien-evt', undefined, organiserToken)).status).toBe(403);
	expect(await opens('facilitator', 'ancienne', fragment(rotated.rooms[0].facilitatorUrl))).toBe(true);
	expect(server.countRowsWhere('room_links', 'legacy = 1')).toBe(0);
});
