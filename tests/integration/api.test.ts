import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer } from '../helpers/server';

const body = {
	title: 'Gros Débat de test',
	themes: [
		{ title: 'Thème A', statements: ['Énoncé 1', 'Énoncé 2'] },
		{ title: 'Thème B', statements: ['Énoncé 3'] }
	]
};

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());


describe('POST /api/events', () => {
	it('creates an event with defaults and links', async () => {
		const res = await server.api('POST', '/api/events', body);
		expect(res.status).toBe(201);
		const e = res.body;
		expect(e.joinCode).toMatch(/^[ACDEFGHJKMNPQRTWXY3469]{6}$/);
		expect(e.joinUrl).toBe(`${server.url}/j/${e.joinCode}`);
		expect(e.organiserToken.length).toBeGreaterThanOrEqual(22);
		expect(e.organiserUrl).toBe(`${server.url}/o/${e.id}#${e.organiserToken}`);
		expect(e.rooms.map((r: { title: string }) => r.title)).toEqual(['Thème A', 'Thème B']);
		for (const r of e.rooms) expect(r.projectionUrl).toMatch(new RegExp(`^${server.url}/p/${r.id}\\?e=${e.id}#.{32}$`));

		const doc = await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken);
		expect(doc.status).toBe(200);
		expect(doc.body.settings).toEqual({
			stageQuestions: [
				'Quel est le problème / la question posée ?',
				'« Baguette magique » : quel serait l’idéal ?',
				'Et maintenant, concrètement, que peut-on faire ?'
			],
			stageNames: ['Le problème', 'Baguette magique', 'Concrètement'],
			stageMinutes: [30, 30, 30],
			maxGroupSize: 6,
			writingWarningMinutes: 5,
			// The timekeeper's pad asks « toujours X ? » after 3 minutes without a tap (issue 21).
			longTurnSeconds: 180,
			// The method's wording, ready for phones in English (issue 11).
			translations: {
				en: {
					stageQuestions: ['What is the problem / the question raised?', '« Magic wand »: what would be ideal?', 'And now, concretely, what can we do?'],
					stageNames: ['The problem', 'Magic wand', 'Concretely']
				}
			}
		});
		expect(doc.body.rooms[0].statements.map((s: { text: string }) => s.text)).toEqual(['Énoncé 1', 'Énoncé 2']);
		expect(doc.body.rooms[0].statements[0].id).toBeTruthy();
		expect(doc.body.participants).toEqual({ total: 0, byFamily: {}, unassigned: 0 });
	});

	it('takes the optional settings', async () => {
		const res = await server.api('POST', '/api/events', { ...body, stageMinutes: [1, 2, 3], maxGroupSize: 4, language: 'en' });
		expect(res.status).toBe(201);
		const doc = await server.api('GET', `/api/events/${res.body.id}`, undefined, res.body.organiserToken);
		expect(doc.body.settings.stageMinutes).toEqual([1, 2, 3]);
		expect(doc.body.settings.maxGroupSize).toBe(4);
		expect(doc.body.language).toBe('en');
		expect(doc.body.settings.stageQuestions[0]).toBe('What is the problem / the question raised?');
	});

	const bad: [string, unknown, RegExp][] = [
		['missing title', { themes: body.themes }, /title/],
		['empty title', { ...body, title: '  ' }, /title/],
		['no themes', { ...body, themes: [] }, /themes/],
		['theme without statements', { ...body, themes: [{ title: 'A', statements: [] }] }, /themes\.0\.statements/],
		['statement not a string', { ...body, themes: [{ title: 'A', statements: ['ok', 3] }] }, /themes\.0\.statements\.1/],
		['statement too long', { ...body, themes: [{ title: 'A', statements: ['x'.repeat(501)] }] }, /themes\.0\.statements\.0/],
		['stageMinutes not three', { ...body, stageMinutes: [30, 30] }, /stageMinutes/],
		['stageMinutes zero', { ...body, stageMinutes: [0, 30, 30] }, /stageMinutes\.0/],
		['maxGroupSize too big', { ...body, maxGroupSize: 100 }, /maxGroupSize/],
		['maxGroupSize not integer', { ...body, maxGroupSize: 5.5 }, /maxGroupSize/],
		['unknown language', { ...body, language: 'de' }, /language/],
		['unknown field', { ...body, admin: true }, /admin|body/],
		['not an object', [1, 2], /body/]
	];
	it.each(bad)('rejects %s with 400 naming the field, storing nothing', async (_name, payload, field) => {
		const before = server.countRows('events');
		const res = await server.api('POST', '/api/events', payload);
		expect(res.status).toBe(400);
		expect(res.body.error).toMatch(field);
		expect(server.countRows('events')).toBe(before);
	});

	it('rejects invalid JSON with 400', async () => {
		const before = server.countRows('events');
		const res = await server.api('POST', '/api/events', '{"title": ');
		expect(res.status).toBe(400);
		expect(server.countRows('events')).toBe(before);
		expect(res.body.error).toMatch(/JSON/);
	});

	it('rejects a body over 1 MB with 413', async () => {
		const huge = { ...body, title: 'x'.repeat(1_100_000) };
		const before = server.countRows('events');
		const res = await server.api('POST', '/api/events', huge);
		expect(res.status).toBe(413);
		expect(server.countRows('events')).toBe(before);
	});
});

describe('GET /api/events/:id', () => {
	let id: string;
	let token: string;
	beforeAll(async () => {
		const res = await server.api('POST', '/api/events', body);
		({ id, organiserToken: token } = res.body);
	});

	it('401 without a token', async () => {
		expect((await server.api('GET', `/api/events/${id}`)).status).toBe(401);
	});
	it('403 with a wrong token', async () => {
		expect((await server.api('GET', `/api/events/${id}`, undefined, 'x'.repeat(32))).status).toBe(403);
	});
	it("403 with another event's token", async () => {
		const other = await server.api('POST', '/api/events', body);
		expect((await server.api('GET', `/api/events/${id}`, undefined, other.body.organiserToken)).status).toBe(403);
	});
	it('404 for an unknown event', async () => {
		expect((await server.api('GET', `/api/events/nope`, undefined, token)).status).toBe(404);
	});
	it('404 for an unknown API path, 405 for a wrong method', async () => {
		expect((await server.api('GET', '/api/nothing')).status).toBe(404);
		expect((await server.api('DELETE', '/api/events')).status).toBe(405);
	});
});

describe('joining', () => {
	let event: any;
	beforeAll(async () => {
		event = (await server.api('POST', '/api/events', body)).body;
	});

	it('gives public event info by join code, forgiving case and look-alikes', async () => {
		const res = await server.api('GET', `/api/join/${event.joinCode.toLowerCase()}`);
		expect(res.status).toBe(200);
		expect(res.body.title).toBe(body.title);
		expect(res.body.rooms).toHaveLength(2);
		expect(JSON.stringify(res.body)).not.toMatch(/token/i);
		expect((await server.api('GET', '/api/join/ZZZZZZ')).status).toBe(404);
	});

	it('creates a participant, resumable with their token', async () => {
		const res = await server.api('POST', `/api/join/${event.joinCode}`, {
			displayName: 'Samia',
			categories: ['habitant', 'infirmier'],
			roomId: event.rooms[0].id
		});
		expect(res.status).toBe(201);
		expect(res.body.session.me).toMatchObject({ displayName: 'Samia', categories: ['habitant', 'infirmier'], roomId: event.rooms[0].id });
		const resumed = await server.api('GET', '/api/session', undefined, res.body.token);
		expect(resumed.status).toBe(200);
		expect(resumed.body.me.id).toBe(res.body.session.me.id);
		expect((await server.api('GET', '/api/session', undefined, 'abc.def')).status).toBe(403);

		const doc = await server.api('GET', `/api/events/${event.id}`, undefined, event.organiserToken);
		expect(doc.body.rooms[0].participants).toEqual({ total: 1, byFamily: { habitant: 1, sante: 1 } });
		expect(JSON.stringify(doc.body)).not.toContain('Samia');
	});

	it.each([
		['no name', { categories: [] }, /displayName/],
		['name too long', { displayName: 'x'.repeat(41) }, /displayName/],
		['unknown category', { displayName: 'A', categories: ['pirate'] }, /categories\.0/],
		['unknown room', { displayName: 'A', roomId: 'nope' }, /roomId/]
	])('rejects a join with %s, storing nothing', async (_n, payload, field) => {
		const before = (await server.api('GET', `/api/events/${event.id}`, undefined, event.organiserToken)).body.participants.total;
		const res = await server.api('POST', `/api/join/${event.joinCode}`, payload);
		expect(res.status).toBe(400);
		expect(res.body.error).toMatch(field);
		const after = (await server.api('GET', `/api/events/${event.id}`, undefined, event.organiserToken)).body.participants.total;
		expect(after).toBe(before);
	});
});

describe('persistence', () => {
	it('keeps events, statements and participants across a restart', async () => {
		const e = (await server.api('POST', '/api/events', body)).body;
		await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Léa', categories: ['medecin'], roomId: e.rooms[1].id });
		const before = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
		await server.restart('SIGKILL');
		const after = await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken);
		expect(after.status).toBe(200);
		expect(after.body).toEqual(before);
		expect(after.body.rooms[1].participants.total).toBe(1);
	});
});

describe('DELETE /api/events/:id', () => {
	it('removes the event and everything in it; the event then answers 404', async () => {
		const e = (await server.api('POST', '/api/events', body)).body;
		await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Léa', roomId: e.rooms[0].id });
		expect((await server.api('DELETE', `/api/events/${e.id}`)).status).toBe(401);
		expect((await server.api('DELETE', `/api/events/${e.id}`, undefined, 'x'.repeat(32))).status).toBe(403);
		const before = { events: server.countRows('events'), participants: server.countRows('participants') };
		expect((await server.api('DELETE', `/api/events/${e.id}`, undefined, e.organiserToken)).status).toBe(204);
		expect((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).status).toBe(404);
		expect((await server.api('GET', `/api/join/${e.joinCode}`)).status).toBe(404);
		expect(server.countRows('events')).toBe(before.events - 1);
		expect(server.countRows('participants')).toBe(before.participants - 1);
		expect((await server.api('DELETE', `/api/events/${e.id}`, undefined, e.organiserToken)).status).toBe(404);
	});
});

describe('POST /api/events/:id/rotate', () => {
	it('gives new links; the old organiser, projection and facilitation links stop working', async () => {
		const e = (await server.api('POST', '/api/events', body)).body;
		const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
		expect((await server.api('POST', `/api/events/${e.id}/rotate`, undefined, 'x'.repeat(32))).status).toBe(403);
		const rotated = await server.api('POST', `/api/events/${e.id}/rotate`, undefined, e.organiserToken);
		expect(rotated.status).toBe(200);
		expect(rotated.body.organiserToken).not.toBe(e.organiserToken);
		expect((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).status).toBe(403);
		const fresh = await server.api('GET', `/api/events/${e.id}`, undefined, rotated.body.organiserToken);
		expect(fresh.status).toBe(200);
		expect(fresh.body.rooms[0].projectionUrl).not.toBe(doc.rooms[0].projectionUrl);
		expect(fresh.body.rooms[0].facilitatorUrl).not.toBe(doc.rooms[0].facilitatorUrl);
		const old = new URL(doc.rooms[0].projectionUrl).hash.slice(1);
		const { connectClient } = await import('../helpers/clients');
		await expect(connectClient(server.url, { role: 'projection', roomId: e.rooms[0].id, token: old })).rejects.toThrow();
		const now = new URL(fresh.body.rooms[0].projectionUrl).hash.slice(1);
		const s = await connectClient(server.url, { role: 'projection', roomId: e.rooms[0].id, token: now });
		s.disconnect();
	});
});

describe('security headers', () => {
	it('pages carry a strict CSP without inline script, and every response nosniff and no referrer', async () => {
		const page = await fetch(`${server.url}/new`);
		const csp = page.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/frame-ancestors 'none'/);
		expect(csp).toMatch(/script-src 'self' 'sha256-/);
		expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
		expect(csp).toMatch(/object-src 'none'/);
		for (const res of [page, await fetch(`${server.url}/api/health`)]) {
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
			expect(res.headers.get('referrer-policy')).toBe('no-referrer');
			expect(res.headers.get('x-frame-options')).toBe('DENY');
		}
	});
});

describe('DELETE /api/events/:id/participants/:pid', () => {
	it("removes one person's data, taps and reactions included, and nothing else", async () => {
		const { connectClient, request } = await import('../helpers/clients');
		const { writeItems } = await import('../helpers/writeupClient');
		const e = (await server.api('POST', '/api/events', body)).body;
		const roomId = e.rooms[0].id;
		const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
		await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
		const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
		const people = [];
		for (const name of ['Reste', 'Part']) {
			const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: name, categories: ['habitant'], roomId })).body;
			const socket = await connectClient(server.url, { role: 'participant', token: joined.token });
			const ack = (await request(socket, 'group:pick', { statementId })) as { data: { groupId: string } };
			people.push({ id: joined.session.me.id as string, token: joined.token as string, socket, groupId: ack.data.groupId });
		}
		const [stay, leave] = people as [(typeof people)[0], (typeof people)[0]];
		await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
		await writeItems(server.url, stay.token, stay.groupId, 1, ['Un constat']);
		const now = Date.now();
		await request(leave.socket, 'speaking:taps', { taps: [{ id: 't1', stage: 1, tap: { kind: 'speak', participantId: leave.id, at: now - 2000 } }, { id: 't2', stage: 1, tap: { kind: 'silence', at: now - 1000 } }] });
		expect(server.countRows('speaking_taps')).toBeGreaterThanOrEqual(2);
		const gone = new Promise((resolve) => leave.socket.once('disconnect', resolve));
		const reason = new Promise((resolve) => leave.socket.once('gone', resolve));
		const taps = server.countRows('speaking_taps');

		expect((await server.api('DELETE', `/api/events/${e.id}/participants/${leave.id}`, undefined, 'x'.repeat(32))).status).toBe(403);
		expect((await server.api('DELETE', `/api/events/${e.id}/participants/${leave.id}`, undefined, e.organiserToken)).status).toBe(204);
		await gone;
		expect(await reason).toBe('erased');
		expect(server.countRows('speaking_taps')).toBe(taps - 1);
		const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
		expect(doc.participants.total).toBe(1);
		expect(doc.rooms[0].statements[0].groups[0].writeup.stages[0].items.map((i: { text: string }) => i.text)).toEqual(['Un constat']);
		expect((await server.api('GET', '/api/session', undefined, leave.token)).status).toBe(403);
		expect((await server.api('DELETE', `/api/events/${e.id}/participants/${leave.id}`, undefined, e.organiserToken)).status).toBe(404);
		stay.socket.disconnect();
		organiser.disconnect();
	});
});

describe('retention period', () => {
	it('deletes events older than RETENTION_DAYS at start', async () => {
		const e = (await server.api('POST', '/api/events', body)).body;
		await server.stop('SIGTERM');
		server.write('UPDATE events SET created_at = ? WHERE id = ?', Date.now() - 40 * 24 * 3600_000, e.id);
		const others = server.countRows('events') - 1;
		await server.spawn({ RETENTION_DAYS: '30' });
		expect(server.output).toContain('1 événement(s) effacé(s) : plus de 30 jours');
		expect((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).status).toBe(404);
		expect(server.countRows('events')).toBe(others);
		await server.restart();
	});
});
