/** The JSON archive: export → import → export gives the same document apart from ids (docs/api.md). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

/** Ids become their order of first appearance, so two archives compare by content. */
function withoutIds(archive: unknown): unknown {
	const seen = new Map<string, string>();
	const text = JSON.stringify(archive, (key, value) => (key === 'exportedAt' ? undefined : value));
	return JSON.parse(
		text.replace(/"([\w-]{12})"|group\.([\w-]{12})/g, (m, id: string | undefined, gid: string | undefined) => {
			const raw = (id ?? gid) as string;
			if (!seen.has(raw)) seen.set(raw, `#${seen.size}`);
			return id ? `"${seen.get(raw)}"` : `group.${seen.get(raw)}`;
		})
	);
}

it('round-trips a whole event: people, groups, stages, write-ups, taps, evaluation, board', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Archive', themes: [{ title: 'Salle', statements: ['A', 'B'] }] })).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Nadia', categories: ['habitant'], roomId })).body;
	const member = await connectClient(server.url, { role: 'participant', token: joined.token });
	const { data } = (await request(member, 'group:pick', { statementId })) as { data: { groupId: string } };
	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	await request(member, 'group:setRapporteur', { stage: 2, on: true });
	const [itemId] = await writeItems(server.url, joined.token, data.groupId, 2, ['Une maison de santé ouverte le soir']);
	await request(member, 'board:send', { itemId });
	const now = Date.now();
	await request(member, 'speaking:taps', { taps: [{ id: 'a', stage: 2, tap: { kind: 'speak', participantId: joined.session.me.id, at: now - 5000 } }, { id: 'b', stage: 2, tap: { kind: 'silence', at: now - 1000 } }] });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	await request(member, 'group:evaluate', { everyoneSpoke: 4, feltHeard: 4, worked: 'Tout', didNotWork: '' });
	// The day-1 verbatims (docs/verbatims.md): one merged into another, one reworded into a statement.
	const workshop = (await request(organiser, 'workshop:add', { title: 'Bourse 1' })) as { data: { id: string; captureUrl: string } };
	const capture = new URL(workshop.data.captureUrl);
	const noted = (id: string, text: string) => ({ id, text, workshopId: workshop.data.id, roomId, lively: true, category: 'sante', at: now - 60_000 });
	await server.api('POST', capture.pathname.replace('/v/', '/api/capture/'), { verbatims: [noted('verbatim-001', 'Ca va ?'), noted('verbatim-002', 'Ça va.')] }, capture.hash.slice(1));
	await request(organiser, 'verbatim:merge', { verbatimIds: ['verbatim-002'], into: 'verbatim-001' });
	await request(organiser, 'verbatim:edit', { verbatimId: 'verbatim-001', reworded: 'Ça va ?', starred: true });
	expect(await request(organiser, 'verbatim:toStatement', { verbatimId: 'verbatim-001', roomId })).toMatchObject({ ok: true });
	// Wishes given when registering; statement B translated, then reworded once the choice was open (logged).
	const registered = await server.api('POST', `/api/register/${e.joinCode}`, { displayName: 'Samia', wishes: [roomId] });
	expect(registered.status).toBe(201);
	const listed = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements as { id: string; text: string }[];
	expect((await request(organiser, 'organiser:translate', { language: 'en', statements: [{ statementId: listed[1]?.id, text: 'B in English' }] })).ok).toBe(true);
	const reworded = listed.map((s) => ({ id: s.id, text: s.text === 'B' ? 'B, mieux dit' : s.text }));
	expect((await request(organiser, 'organiser:editStatements', { roomId, statements: reworded })).ok).toBe(true);

	const first = await server.api('GET', `/api/events/${e.id}/actes?format=json`, undefined, e.organiserToken);
	expect(first.status).toBe(200);
	expect(first.body.participants[0].displayName).toBe('Participant·e 1');
	expect(JSON.stringify(first.body)).not.toContain('Nadia');
	const withNames = await server.api('GET', `/api/events/${e.id}/actes?format=json&names=1`, undefined, e.organiserToken);
	expect(withNames.body.participants[0].displayName).toBe('Nadia');

	const imported = await server.api('POST', '/api/events/import', first.body);
	expect(imported.status).toBe(201);
	expect(imported.body.id).not.toBe(e.id);
	const second = await server.api('GET', `/api/events/${imported.body.id}/actes?format=json`, undefined, imported.body.organiserToken);
	expect(withoutIds(second.body)).toEqual(withoutIds(first.body));

	// The imported event reads the same through the organiser's API.
	const a = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const b = (await server.api('GET', `/api/events/${imported.body.id}`, undefined, imported.body.organiserToken)).body;
	const group = (d: typeof a) => d.rooms[0].statements[0].groups[0];
	expect(group(b).writeup).toEqual(group(a).writeup);
	expect(group(b).speaking).toEqual(group(a).speaking);
	expect(group(b).evaluation).toEqual(group(a).evaluation);
	expect(b.board.items.map((i: { text: string; sourcesLabel: string }) => [i.text, i.sourcesLabel])).toEqual(
		a.board.items.map((i: { text: string; sourcesLabel: string }) => [i.text, i.sourcesLabel])
	);
	expect(b.board.items[0].sources[0].statementId).toBe(b.rooms[0].statements[0].id);
	expect(second.body.verbatims).toHaveLength(2);
	expect(first.body.rooms[0].statementEdits).toEqual([{ statementId: listed[1]?.id, at: expect.any(Number), by: 'organiser', before: 'B', after: 'B, mieux dit' }]);
	expect(first.body.rooms[0].statements[1]).toMatchObject({ text: 'B, mieux dit', translationToReview: true });
	expect(first.body.participants.find((p: { wishes?: string[] }) => p.wishes)?.wishes).toEqual([roomId]);
	expect(second.body.workshops).toEqual([{ id: expect.any(String), title: 'Bourse 1' }]);
	const made = b.rooms[0].statements[2];
	expect(made.text).toBe('Ça va ?');
	expect(b.verbatims.verbatims.find((v: { statementId: string | null }) => v.statementId === made.id)).toMatchObject({ text: 'Ca va ?', reworded: 'Ça va ?' });

	// A broken archive is refused and stores nothing.
	const events = server.countRows('events');
	const bad = await server.api('POST', '/api/events/import', { ...first.body, version: 99 });
	expect(bad.status).toBe(400);
	expect(bad.body.error).toMatch(/archive: version/);
	expect(server.countRows('events')).toBe(events);
	member.disconnect();
	organiser.disconnect();
});

it('exports the actes in every format from the API, with the organiser token only', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Actes « 2026 »', themes: [{ title: 'Salle', statements: ['Un énoncé'] }] })).body;
	const types: Record<string, RegExp> = {
		md: /^text\/markdown/,
		html: /^text\/html/,
		docx: /officedocument\.wordprocessingml/,
		pdf: /^application\/pdf/,
		json: /^application\/json/
	};
	for (const [format, type] of Object.entries(types)) {
		const res = await fetch(`${server.url}/api/events/${e.id}/actes?format=${format}`, { headers: { authorization: `Bearer ${e.organiserToken}` } });
		expect(res.status, format).toBe(200);
		expect(res.headers.get('content-type')).toMatch(type);
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect(bytes.length).toBeGreaterThan(100);
	}
	expect((await server.api('GET', `/api/events/${e.id}/actes?format=odt`, undefined, e.organiserToken)).status).toBe(400);
	expect((await server.api('GET', `/api/events/${e.id}/actes?format=pdf`)).status).toBe(401);
});
