/**
 * Archives are checked in full before anything is stored (issue 15): one strict schema, ids that
 * hold together, sizes capped, write-ups decoded and of the write-up's shape. Each refusal is a 400
 * naming the field, stores nothing, and leaves the server serving every other event.
 */
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

let server: TestServer;
/** A real archive: two rooms, a group with a write-up, a rapporteur, taps, an evaluation, a board item. */
let base: any;

beforeAll(async () => {
	server = await TestServer.start();
	const e = (await server.api('POST', '/api/events', { title: 'Source', themes: [{ title: 'Salle A', statements: ['A1', 'A2'] }, { title: 'Salle B', statements: ['B1'] }] })).body;
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
	await request(member, 'speaking:taps', { taps: [{ id: 'a', stage: 2, tap: { kind: 'speak', participantId: joined.session.me.id, at: Date.now() - 5000 } }] });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	expect(await request(member, 'group:evaluate', { everyoneSpoke: 4, feltHeard: 3, worked: 'Tout', didNotWork: '' })).toMatchObject({ ok: true });
	base = (await server.api('GET', `/api/events/${e.id}/actes?format=json`, undefined, e.organiserToken)).body;
	member.disconnect();
	organiser.disconnect();
	expect(base.groups[0].writeup.length).toBeGreaterThan(0);
	expect(base.board.items).toHaveLength(1);
	expect(base.groups[0].evaluation).not.toBeNull();
});
afterAll(async () => server?.dispose());

const TABLES = ['events', 'rooms', 'statements', 'participants', 'groups', 'evaluations', 'rapporteurs', 'speaking_taps', 'boards', 'ydoc_updates', 'room_links'];
const counts = () => Object.fromEntries(TABLES.map((t) => [t, server.countRows(t)]));

/** A copy of the archive, changed by `change`. */
function variant(change: (a: any) => void): any {
	const a = structuredClone(base);
	change(a);
	return a;
}

/** A Yjs state holding what the write-up's readers do not expect. */
function poisonedWriteup(poison: (doc: Y.Doc) => void): string {
	const doc = new Y.Doc();
	poison(doc);
	return Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
}

async function expectRefused(body: unknown, field: RegExp) {
	const before = counts();
	const res = await server.api('POST', '/api/events/import', body);
	expect(res.status, JSON.stringify(res.body)).toBe(400);
	expect(res.body.error).toMatch(field);
	expect(counts()).toEqual(before);
}

describe('the three poisoned archives of the issue', () => {
	it('are refused with 400 naming the field; an unrelated event still joins and chooses its room', async () => {
		await expectRefused(
			variant((a) => (a.groups[0].writeup = poisonedWriteup((doc) => doc.getMap('items').set('x', 42)))),
			/^archive: groups\[0\]\.writeup: items\.x/
		);
		await expectRefused(
			variant((a) => (a.rooms[0].stages = 1)),
			/^archive: rooms\[0\]\.stages: /
		);
		await expectRefused(
			variant((a) => (a.participants[0].categories = ['__proto__'])),
			/^archive: participants\[0\]\.categories\[0\]: /
		);

		const other = (await server.api('POST', '/api/events', { title: 'Ailleurs', themes: [{ title: 'Salle', statements: ['x'] }] })).body;
		const joined = await server.api('POST', `/api/join/${other.joinCode}`, { displayName: 'Après', categories: ['patient'] });
		expect(joined.status).toBe(201);
		const phone = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		expect(await request(phone, 'participant:chooseRoom', { roomId: other.rooms[0].id })).toMatchObject({ ok: true });
		phone.disconnect();
		expect((await server.api('GET', '/api/health')).status).toBe(200);
		expect(server.child?.exitCode).toBeNull();
	});
});

describe('every part of the archive is checked', () => {
	const cases: [string, (a: any) => void, RegExp][] = [
		['a stage state « nonsense »', (a) => (a.rooms[0].stages.room.status = 'nonsense'), /^archive: rooms\[0\]\.stages\.room\.status: /],
		['a stage override for a group of another room', (a) => (a.rooms[1].stages.overrides = { [a.groups[0].id]: { index: 1, status: 'waiting' } }), /^archive: rooms\[1\]\.stages\.overrides\.[\w-]+: groupe inconnu/],
		['an evaluation out of range', (a) => (a.groups[0].evaluation.everyoneSpoke = 9), /^archive: groups\[0\]\.evaluation\.everyoneSpoke: /],
		['an evaluation of another shape', (a) => (a.groups[0].evaluation = { anything: true }), /^archive: groups\[0\]\.evaluation/],
		['a board that is not one', (a) => (a.board = 'x'), /^archive: board: /],
		['a board item without text', (a) => (a.board.items[0].text = 42), /^archive: board\.items\[0\]\.text: /],
		['a board item sourced from an unknown group', (a) => (a.board.items[0].sources[0].groupId = 'inconnu'), /^archive: board\.items\[0\]\.sources\[0\]\.groupId: groupe inconnu/],
		['a board support from an unknown person', (a) => (a.board.items[0].support = ['inconnu']), /^archive: board\.items\[0\]\.support\[0\]: personne inconnue/],
		['a tap of an unknown kind', (a) => (a.groups[0].taps[0].tap = { kind: 'boom', at: 1 }), /^archive: groups\[0\]\.taps\[0\]\.tap/],
		['a tap for an unknown person', (a) => (a.groups[0].taps[0].tap.participantId = 'inconnu'), /^archive: groups\[0\]\.taps\[0\]\.tap\.participantId: personne inconnue/],
		['a translation into an unknown language', (a) => (a.rooms[0].statements[0].translations = { de: 'Aussage' }), /^archive: rooms\[0\]\.statements\[0\]\.translations/],
		['a category nobody offers', (a) => (a.participants[0].categories = ['constructor']), /^archive: participants\[0\]\.categories\[0\]: /],
		['a person seated in another room’s group', (a) => (a.participants[0].roomId = a.rooms[1].id), /^archive: participants\[0\]\.groupId: groupe d’une autre salle/],
		['a person in an unknown group', (a) => (a.participants[0].groupId = 'inconnu'), /^archive: participants\[0\]\.groupId: groupe inconnu/],
		['a group on an unknown statement', (a) => (a.groups[0].statementId = 'inconnu'), /^archive: groups\[0\]\.statementId: énoncé inconnu/],
		['a rapporteur nobody knows', (a) => (a.groups[0].rapporteurs[0].participantId = 'inconnu'), /^archive: groups\[0\]\.rapporteurs\[0\]\.participantId: personne inconnue/],
		['a person twice', (a) => a.participants.push(a.participants[0]), /^archive: participants\[1\]\.id: identifiant en double/],
		['a room and a statement with one id', (a) => (a.rooms[1].id = a.rooms[0].statements[0].id), /^archive: rooms\[1\]\.id: identifiant en double/],
		['two groups with one number on a statement', (a) => a.groups.push({ ...a.groups[0], id: 'autre-groupe', writeup: '' }), /^archive: groups\[1\]\.number: numéro en double/],
		['negative minutes', (a) => (a.event.settings.stageMinutes[0] = -5), /^archive: event\.settings\.stageMinutes\[0\]: /],
		['a negative time', (a) => (a.participants[0].createdAt = -1), /^archive: participants\[0\]\.createdAt: /],
		['a field nobody knows', (a) => (a.event.extra = 1), /^archive: event: /],
		['13 rooms', (a) => (a.rooms = Array.from({ length: 13 }, (_, i) => ({ ...a.rooms[1], id: `salle-${i}`, statements: [] }))), /^archive: rooms: /],
		['10,001 people', (a) => (a.participants = Array.from({ length: 10_001 }, (_, i) => ({ ...a.participants[0], id: `p${i}`, roomId: null, groupId: null }))), /^archive: participants: /],
		['61 statements in a room', (a) => (a.rooms[1].statements = Array.from({ length: 61 }, (_, i) => ({ id: `s${i}`, text: 'x' }))), /^archive: rooms\[1\]\.statements: /],
		['20,001 taps in a group', (a) => (a.groups[0].taps = Array.from({ length: 20_001 }, (_, i) => ({ id: `t${i}`, stage: 1, tap: { kind: 'silence', at: i } }))), /^archive: groups\[0\]\.taps: /],
		['5,001 board items', (a) => (a.board.items = Array.from({ length: 5_001 }, (_, i) => ({ ...a.board.items[0], id: `b${i}`, order: i, sources: [] }))), /^archive: board\.items: /],
		['a write-up state over 2 MB', (a) => (a.groups[0].writeup = Buffer.alloc(2_100_000, 1).toString('base64')), /^archive: groups\[0\]\.writeup: /],
		['a write-up that is not Yjs', (a) => (a.groups[0].writeup = Buffer.from('pas du Yjs du tout').toString('base64')), /^archive: groups\[0\]\.writeup: état Yjs illisible/],
		['a write-up with a root of its own', (a) => (a.groups[0].writeup = poisonedWriteup((doc) => doc.getMap('autre').set('k', 1))), /^archive: groups\[0\]\.writeup: autre: racine inconnue/],
		['a write-up cut short', (a) => (a.groups[0].writeup = Buffer.from(Buffer.from(a.groups[0].writeup, 'base64').subarray(0, 20)).toString('base64')), /^archive: groups\[0\]\.writeup: /],
		['a body that is not JSON', () => undefined, /^archive: JSON invalide/]
	];
	for (const [what, change, field] of cases) {
		it(`refuses ${what}`, async () => {
			await expectRefused(what === 'a body that is not JSON' ? '{"format": "palabre-archive",' : variant(change), field);
		});
	}

	it('refuses a board merge record keyed by a name of Object.prototype', async () => {
		await expectRefused(
			variant((a) => (a.board.mergedInto = { constructor: a.board.items[0].id })),
			/^archive: board\.mergedInto\.constructor: /
		);
	});

	it('still imports the archive it was given', async () => {
		const res = await server.api('POST', '/api/events/import', base);
		expect(res.status).toBe(201);
		const doc = (await server.api('GET', `/api/events/${res.body.id}`, undefined, res.body.organiserToken)).body;
		expect(doc.rooms[0].statements[0].groups[0].writeup.stages[1].items[0].text).toBe('Une maison de santé ouverte le soir');
	});
});
