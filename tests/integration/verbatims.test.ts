/**
 * Issue 22, items 1 and 2 (docs/verbatims.md), against the real server over real sockets and HTTP:
 * workshops and their capture links, captures resent as an offline queue would (concurrently
 * too), refusals that store nothing, and the evening's choice — star, reword, merge, a statement
 * made of a verbatim on every screen of its room, the actes that say where it came from, and
 * capture links renewed with the others.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import type { CaptureView, OrganiserDocument, PhoneRoomView } from '../../src/lib/views';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

interface Created {
	id: string;
	organiserToken: string;
	joinCode: string;
	rooms: { id: string }[];
}

async function newEvent() {
	const e: Created = (
		await server.api('POST', '/api/events', {
			title: 'Gros Débat',
			date: '2026-12-03',
			endDate: '2026-12-04',
			themes: [
				{ title: 'Quelle place pour les usagers ?', statements: ['Participer, c’est décider'] },
				{ title: 'Quelles attentes vis-à-vis de la médiation ?', statements: ['La médiation crée du lien'] }
			]
		})
	).body;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const doc = (): Promise<OrganiserDocument> => server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken).then((r) => r.body);
	return { e, organiser, doc };
}

/** A workshop's capture link as the console shows it: its path for the API and its token. */
async function workshop(organiser: Socket, title: string) {
	const ack = await request(organiser, 'workshop:add', { title });
	expect(ack.ok).toBe(true);
	const { id, captureUrl } = (ack as { data: { id: string; captureUrl: string } }).data;
	const url = new URL(captureUrl);
	expect(url.pathname).toBe(`/v/${id}`);
	return { id, api: `/api/capture/${id}`, token: url.hash.slice(1) };
}

let n = 0;
const verbatim = (text: string, extra: Record<string, unknown> = {}) => ({
	id: `noted-${String(++n).padStart(6, '0')}`,
	text,
	workshopId: null,
	roomId: null,
	lively: false,
	category: null,
	at: Date.now() - 60_000,
	...extra
});

it('a facilitator captures with the workshop’s link; a queue resent, even twice at once, is stored once', async () => {
	const { e, organiser } = await newEvent();
	const a = await workshop(organiser, 'Atelier A — maisons de santé');
	const b = await workshop(organiser, 'Atelier B — quartiers');

	const view = await server.api('GET', a.api, undefined, a.token);
	expect(view.status).toBe(200);
	expect(view.body as CaptureView).toEqual({
		event: { title: 'Gros Débat', language: 'fr' },
		workshop: { id: a.id, title: 'Atelier A — maisons de santé' },
		workshops: [
			{ id: a.id, title: 'Atelier A — maisons de santé' },
			{ id: b.id, title: 'Atelier B — quartiers' }
		],
		rooms: [
			{ id: e.rooms[0]!.id, title: 'Quelle place pour les usagers ?' },
			{ id: e.rooms[1]!.id, title: 'Quelles attentes vis-à-vis de la médiation ?' }
		]
	});
	// No token, another workshop's token, a made-up workshop: the same refusal.
	for (const [path, token] of [[a.api, undefined], [a.api, b.token], ['/api/capture/nowhere', a.token]] as const) {
		const refused = await server.api('GET', path, undefined, token);
		expect(refused.status).toBe(403);
		expect(refused.body.code).toBe('badCaptureLink');
	}

	const queue = [
		verbatim('On nous demande notre avis après avoir décidé', { workshopId: a.id, roomId: e.rooms[0]!.id, lively: true, category: 'habitant' }),
		verbatim('Les médiatrices font le lien avec les médecins', { workshopId: a.id, roomId: e.rooms[1]!.id, category: 'mediation' }),
		verbatim('Sans traduction, pas de participation', { workshopId: null })
	];
	const first = await server.api('POST', a.api, { verbatims: queue.slice(0, 2) }, a.token);
	expect(first).toEqual({ status: 200, body: { stored: [queue[0]!.id, queue[1]!.id], added: 2 } });
	// The phone got no answer and sends its whole queue again, twice at once.
	const again = await Promise.all([1, 2].map(() => server.api('POST', a.api, { verbatims: queue }, a.token)));
	expect(again.map((r) => r.status)).toEqual([200, 200]);
	expect(again.map((r) => r.body.added).sort()).toEqual([0, 1]);
	expect(server.countRowsWhere('verbatims', 'event_id = ?', e.id)).toBe(3);

	// The organisers see them, with their time and workshop.
	const doc = await nextEvent<OrganiserDocument>(organiser, 'organiser', (d) => d.verbatims?.verbatims.length === 3);
	expect(doc.verbatims!.verbatims.map((v) => [v.text, v.workshopId, v.lively, v.category])).toEqual(queue.map((v) => [v.text, v.workshopId, v.lively, v.category]));
	expect(doc.verbatims!.verbatims.every((v) => Math.abs(v.at - queue[0]!.at) < 1000)).toBe(true);
	expect(doc.verbatims!.workshops.map((w) => w.captureUrl)).toEqual([`${server.url}/v/${a.id}#${a.token}`, `${server.url}/v/${b.id}#${b.token}`]);
	organiser.disconnect();
});

it('bad captures are refused and store nothing', async () => {
	const { e, organiser } = await newEvent();
	const a = await workshop(organiser, 'Atelier');
	const other = await newEvent();
	const before = server.countRows('verbatims');
	const cases: [unknown, string][] = [
		[{ verbatims: [verbatim('Bien', { roomId: other.e.rooms[0]!.id })] }, 'fieldUnknownRoom'],
		[{ verbatims: [verbatim('Bien', { workshopId: 'ailleurs-123' })] }, 'unknownWorkshop'],
		[{ verbatims: [verbatim('Bien', { category: 'Nadia' })] }, 'invalid'],
		[{ verbatims: [verbatim('Bien'), { ...verbatim('court'), id: 'x' }] }, 'invalid'],
		[{ verbatims: [verbatim('   ')] }, 'invalid'],
		[{ verbatims: [] }, 'invalid'],
		[{ verbatims: [verbatim('Bien', { name: 'Nadia' })] }, 'invalid']
	];
	for (const [body, code] of cases) {
		const res = await server.api('POST', a.api, body, a.token);
		expect([res.status, res.body.code]).toEqual([400, code]);
	}
	expect(server.countRows('verbatims')).toBe(before);
	// Only organisers choose statements; a facilitator's socket cannot.
	const facilitator = await connectClient(server.url, { role: 'facilitator', roomId: e.rooms[0]!.id, token: e.organiserToken });
	expect(await request(facilitator, 'workshop:add', { title: 'Non' })).toMatchObject({ ok: false, code: 'forbiddenForRole' });
	facilitator.disconnect();
	organiser.disconnect();
	other.organiser.disconnect();
});

it('the evening: star, reword, merge, statements in two rooms with their source, and the actes say so', async () => {
	const { e, organiser, doc } = await newEvent();
	const [r1, r2] = e.rooms.map((r) => r.id) as [string, string];
	const a = await workshop(organiser, 'Atelier A');
	const b = await workshop(organiser, 'Atelier B');
	const v1 = verbatim('Ca va, on nous écoute enfin ?', { workshopId: a.id, roomId: r1, lively: true });
	const v2 = verbatim('On nous écoute enfin', { workshopId: b.id, roomId: r1 });
	const v3 = verbatim('La médiatrice parle ma langue', { workshopId: b.id, roomId: r2, category: 'habitant' });
	const v4 = verbatim('Le médecin n’a pas le temps', { workshopId: a.id, roomId: r2 });
	await server.api('POST', a.api, { verbatims: [v1, v4] }, a.token);
	await server.api('POST', b.api, { verbatims: [v2, v3] }, b.token);

	// A phone in room 2 will see the statement appear.
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Awa', roomId: r2 })).body;
	const phone = await connectClient(server.url, { role: 'participant', token: joined.token });
	await nextEvent<PhoneRoomView>(phone, 'room');

	expect(await request(organiser, 'verbatim:edit', { verbatimId: v3.id, starred: true })).toEqual({ ok: true, data: null });
	expect(await request(organiser, 'verbatim:edit', { verbatimId: v1.id, reworded: 'Ça va, on nous écoute enfin ?' })).toMatchObject({ ok: true });
	expect(await request(organiser, 'verbatim:merge', { verbatimIds: [v2.id], into: v1.id })).toMatchObject({ ok: true });
	// A merged verbatim is acted on through the one that keeps it.
	expect(await request(organiser, 'verbatim:toStatement', { verbatimId: v2.id, roomId: r1 })).toMatchObject({ ok: false, code: 'verbatimMerged' });
	expect(await request(organiser, 'verbatim:edit', { verbatimId: v2.id, starred: true })).toMatchObject({ ok: false, code: 'verbatimMerged' });
	expect(await request(organiser, 'verbatim:edit', { verbatimId: 'inconnu', starred: true })).toMatchObject({ ok: false, code: 'unknownVerbatim' });

	const s1 = (await request(organiser, 'verbatim:toStatement', { verbatimId: v1.id, roomId: r1 })) as { ok: true; data: { statementId: string } };
	const s3 = (await request(organiser, 'verbatim:toStatement', { verbatimId: v3.id, roomId: r2 })) as { ok: true; data: { statementId: string } };
	const s4 = (await request(organiser, 'verbatim:toStatement', { verbatimId: v4.id, roomId: r2 })) as { ok: true; data: { statementId: string } };
	expect([s1.ok, s3.ok, s4.ok]).toEqual([true, true, true]);
	expect(await request(organiser, 'verbatim:toStatement', { verbatimId: v3.id, roomId: r1 })).toMatchObject({ ok: false, code: 'verbatimIsStatement' });
	expect(await request(organiser, 'verbatim:edit', { verbatimId: v3.id, reworded: 'Autre' })).toMatchObject({ ok: false, code: 'verbatimIsStatement' });
	expect(await request(organiser, 'verbatim:toStatement', { verbatimId: v4.id, roomId: 'ailleurs' })).toMatchObject({ ok: false, code: 'fieldUnknownRoom' });

	// Appended after the room's statements, in the new wording; the verbatim keeps its own.
	const d = await doc();
	expect(d.rooms[0]!.statements.map((s) => s.text)).toEqual(['Participer, c’est décider', 'Ça va, on nous écoute enfin ?']);
	expect(d.rooms[1]!.statements.map((s) => [s.id, s.text])).toEqual([
		[d.rooms[1]!.statements[0]!.id, 'La médiation crée du lien'],
		[s3.data.statementId, 'La médiatrice parle ma langue'],
		[s4.data.statementId, 'Le médecin n’a pas le temps']
	]);
	const kept = d.verbatims!.verbatims.find((v) => v.id === v1.id)!;
	expect(kept).toMatchObject({ text: 'Ca va, on nous écoute enfin ?', reworded: 'Ça va, on nous écoute enfin ?', statementId: s1.data.statementId });
	expect(d.verbatims!.verbatims.find((v) => v.id === v2.id)!.mergedInto).toBe(v1.id);
	expect(server.countRowsWhere('statements', 'source_verbatim_id = ?', v1.id)).toBe(1);
	// The phone in room 2 has the new statements.
	await nextEvent<PhoneRoomView>(phone, 'room', (r) => r.statements.some((s) => s.id === s4.data.statementId));

	const md = await fetch(`${server.url}/api/events/${e.id}/actes?format=md`, { headers: { authorization: `Bearer ${e.organiserToken}` } }).then((r) => r.text());
	expect(md).toContain('les animateur·rice·s ont noté 4 verbatims');
	expect(md).toContain('L’équipe d’organisation en a tiré 3 énoncés.');
	expect(md).toContain('Issu d’un verbatim de l’atelier « Atelier A » ; verbatim d’origine : «\u00a0Ca va, on nous écoute enfin ?\u00a0»');
	expect(md).toContain('Issu d’un verbatim de l’atelier « Atelier B »');
	phone.disconnect();
	organiser.disconnect();
});

it('renewing the event’s links renews the capture links: the old one stops working', async () => {
	const { e, organiser } = await newEvent();
	const a = await workshop(organiser, 'Atelier');
	const rotated = await server.api('POST', `/api/events/${e.id}/rotate`, undefined, e.organiserToken);
	expect(rotated.status).toBe(200);
	expect((await server.api('GET', a.api, undefined, a.token)).status).toBe(403);
	const now = await server.api('GET', `/api/events/${e.id}`, undefined, rotated.body.organiserToken);
	const fresh = new URL(now.body.verbatims.workshops[0].captureUrl).hash.slice(1);
	expect(fresh).not.toBe(a.token);
	expect((await server.api('POST', a.api, { verbatims: [verbatim('Après')] }, fresh)).body.added).toBe(1);
	organiser.disconnect();
});
