/**
 * A full disk (issue 15): every write is refused with 503 « stockage plein » and changes nothing;
 * reads go on. Simulated with STORE_MAX_PAGES (test-only, server/store/sqlite.ts), which caps the
 * store's pages at what it holds when the server opens it: SQLite then fails writes that need
 * more with SQLITE_FULL, as on a full disk.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

const TABLES = ['events', 'rooms', 'statements', 'participants', 'groups', 'boards', 'ydoc_updates', 'room_links'];
const counts = () => Object.fromEntries(TABLES.map((t) => [t, server.countRows(t)]));

it('answers 503 « stockage plein » to every write, changes nothing, and keeps serving reads', async () => {
	const themes = [{ title: 'Salle', statements: ['Un énoncé'] }];
	const e = (await server.api('POST', '/api/events', { title: 'Plein', themes })).body;
	const archive = (await server.api('GET', `/api/events/${e.id}/actes?format=json`, undefined, e.organiserToken)).body;
	await server.stop();
	await server.spawn({ STORE_MAX_PAGES: '1' });

	// The pages there may still have room for a few rows: join until the store is full.
	let refused: { status: number; body: any } | undefined;
	for (let i = 0; i < 2_000 && !refused; i++) {
		const res = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `Personne ${i}`, categories: [] });
		if (res.status !== 201) refused = res;
	}
	expect(refused?.status).toBe(503);
	expect(refused?.body.error).toMatch(/^stockage plein/);

	const before = counts();
	const join = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Encore', categories: [] });
	expect(join).toMatchObject({ status: 503, body: { error: expect.stringMatching(/^stockage plein/) } });
	const big = { title: 'Nouvelle', themes: Array.from({ length: 12 }, (_, i) => ({ title: `Salle ${i}`, statements: Array.from({ length: 60 }, (_, j) => `${'x'.repeat(400)} ${i}.${j}`) })) };
	expect((await server.api('POST', '/api/events', big)).status).toBe(503);
	// Rows bigger than the room left in any page, so that the import needs pages of its own.
	archive.rooms[0].statements = Array.from({ length: 60 }, (_, j) => ({ id: `s${j}`, text: `${'y'.repeat(400)} ${j}` }));
	expect((await server.api('POST', '/api/events/import', archive)).status).toBe(503);
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const added = await request(organiser, 'room:addPerson', { roomId: e.rooms[0].id, displayName: 'Ajoutée', categories: [] });
	expect(added).toMatchObject({ ok: false, error: expect.stringMatching(/^stockage plein/) });
	expect(counts()).toEqual(before);

	// Reads go on: the organiser's document, the join page's event, a phone's session.
	expect((await nextEvent<{ id: string }>(organiser, 'organiser')).id).toBe(e.id);
	organiser.disconnect();
	expect((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).status).toBe(200);
	expect((await server.api('GET', `/api/join/${e.joinCode}`)).status).toBe(200);
	expect(server.child?.exitCode).toBeNull();

	// Room again: writes go through.
	await server.stop();
	await server.spawn({});
	expect((await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Après', categories: [] })).status).toBe(201);
});
