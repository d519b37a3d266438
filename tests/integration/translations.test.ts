/**
 * Issue 11: organisers translate statements and stage questions; a phone set to the other language
 * sees them. Real server, real sockets, restarts and the JSON archive.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import type { OrganiserDocument, ParticipantSession, RoomView } from '../../src/lib/views';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

const STAGES = {
	questions: ['What is the problem?', '', 'What can we do, concretely?'] as [string, string, string],
	names: ['Problem', 'Ideal', ''] as [string, string, string]
};

async function newEvent(statements = ['On parle de tout', 'La santé, c’est aussi le logement']) {
	const e = (await server.api('POST', '/api/events', { title: 'Traductions', themes: [{ title: 'Salle', statements }] })).body;
	const doc = (): Promise<OrganiserDocument> => server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken).then((r) => r.body);
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	return { e, doc, organiser, statementIds: (await doc()).rooms[0]!.statements.map((s) => s.id) };
}

async function participantIn(e: { joinCode: string; rooms: { id: string }[] }): Promise<Socket> {
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Eddie', roomId: e.rooms[0]!.id })).body;
	return connectClient(server.url, { role: 'participant', token: joined.token });
}

it('a new event comes with the method’s stage questions and names in the other language', async () => {
	const { doc, organiser } = await newEvent();
	expect((await doc()).settings.translations).toEqual({
		en: {
			stageQuestions: ['What is the problem / the question raised?', '« Magic wand »: what would be ideal?', 'And now, concretely, what can we do?'],
			stageNames: ['The problem', 'Magic wand', 'Concretely']
		}
	});
	organiser.disconnect();
});

it('the organiser translates a statement and the stages; phones receive them, a group its statement’s', async () => {
	const { e, doc, organiser, statementIds } = await newEvent();
	const [first, second] = statementIds as [string, string];
	const phone = await participantIn(e);
	await request(organiser, 'room:setPhase', { roomId: e.rooms[0].id, phase: 'choice' });
	expect((await request(phone, 'group:pick', { statementId: first })).ok).toBe(true);

	const ack = await request(organiser, 'organiser:translate', {
		language: 'en',
		statements: [{ statementId: first, text: '  We talk about everything  ' }],
		stages: STAGES
	});
	expect(ack).toEqual({ ok: true, data: null });

	const room = await nextEvent<RoomView>(phone, 'room', (r) => r.statements[0]?.translations.en !== undefined);
	expect(room.statements.map((s) => s.translations)).toEqual([{ en: 'We talk about everything' }, {}]);
	expect(room.stages.translations.en).toEqual({ stageQuestions: STAGES.questions, stageNames: STAGES.names });
	// The originals stay as they were: the projection and the actes use them.
	expect(room.statements[0]?.text).toBe('On parle de tout');
	const session = await nextEvent<ParticipantSession>(phone, 'session', (s) => s.group?.statementTranslations.en !== undefined);
	expect(session.group?.statementTranslations).toEqual({ en: 'We talk about everything' });
	const organiserDoc = await nextEvent<OrganiserDocument>(organiser, 'organiser', (d) => d.rooms[0]?.statements[0]?.translations.en !== undefined);
	expect(organiserDoc.settings.translations?.en?.stageQuestions).toEqual(STAGES.questions);

	// An empty text removes a translation; the other statements are left alone.
	await request(organiser, 'organiser:translate', { language: 'en', statements: [{ statementId: second, text: 'Health is housing too' }] });
	await request(organiser, 'organiser:translate', { language: 'en', statements: [{ statementId: first, text: ' ' }] });
	expect((await doc()).rooms[0]?.statements.map((s) => s.translations)).toEqual([{}, { en: 'Health is housing too' }]);
	phone.disconnect();
	organiser.disconnect();
});

it('refuses the event’s own language, a statement of another event, or a text too long, and changes nothing', async () => {
	const { doc, organiser, statementIds } = await newEvent();
	const other = await newEvent(['Ailleurs']);
	const before = await doc();
	const statement = { statementId: statementIds[0], text: 'Translated' };

	const ownLanguage = await request(organiser, 'organiser:translate', { language: 'fr', statements: [statement], stages: STAGES });
	expect(ownLanguage).toMatchObject({ ok: false, error: expect.stringMatching(/^language : .*autre langue que celle de l’événement/) });

	// One good statement and one of another event: neither is saved.
	const foreign = await request(organiser, 'organiser:translate', {
		language: 'en',
		statements: [statement, { statementId: other.statementIds[0], text: 'Elsewhere' }],
		stages: STAGES
	});
	expect(foreign).toMatchObject({ ok: false, error: expect.stringMatching(/^statementId : énoncé inconnu/) });
	const unknown = await request(organiser, 'organiser:translate', { language: 'en', statements: [statement, { statementId: 'nope', text: 'x' }] });
	expect(unknown.ok).toBe(false);

	const tooLong = await request(organiser, 'organiser:translate', { language: 'en', statements: [{ ...statement, text: 'x'.repeat(501) }] });
	expect(tooLong).toMatchObject({ ok: false, error: expect.stringMatching(/^statements\.0\.text/) });
	const notThree = await request(organiser, 'organiser:translate', { language: 'en', stages: { questions: ['a', 'b'], names: ['', '', ''] } });
	expect(notThree).toMatchObject({ ok: false, error: expect.stringMatching(/^stages\.questions/) });

	expect(await doc()).toEqual(before);
	expect((await other.doc()).rooms[0]?.statements[0]?.translations).toEqual({});
	organiser.disconnect();
	other.organiser.disconnect();
});

it('only the organisers may translate', async () => {
	const { e, doc, organiser, statementIds } = await newEvent();
	const msg = { language: 'en', statements: [{ statementId: statementIds[0], text: 'Hijacked' }] };
	const facilitatorUrl = new URL((await doc()).rooms[0]!.facilitatorUrl);
	const facilitator = await connectClient(server.url, { role: 'facilitator', roomId: e.rooms[0].id, token: facilitatorUrl.hash.slice(1) });
	const phone = await participantIn(e);
	for (const socket of [facilitator, phone]) {
		expect(await request(socket, 'organiser:translate', msg)).toMatchObject({ ok: false, error: 'action non permise pour ce rôle' });
	}
	expect((await doc()).rooms[0]?.statements[0]?.translations).toEqual({});
	for (const socket of [facilitator, phone, organiser]) socket.disconnect();
});

it('keeps the translations through a restart and an archive export → import', async () => {
	const { e, doc, organiser, statementIds } = await newEvent();
	await request(organiser, 'organiser:translate', { language: 'en', statements: [{ statementId: statementIds[1], text: 'Health is housing too' }], stages: STAGES });
	organiser.disconnect();
	const saved = await doc();

	await server.restart();
	const after = await doc();
	expect(after.rooms[0]?.statements.map((s) => s.translations)).toEqual([{}, { en: 'Health is housing too' }]);
	expect(after.settings).toEqual(saved.settings);

	const archive = (await server.api('GET', `/api/events/${e.id}/actes?format=json`, undefined, e.organiserToken)).body;
	expect(archive.rooms[0].statements[1].translations).toEqual({ en: 'Health is housing too' });
	const imported = (await server.api('POST', '/api/events/import', archive)).body;
	const copy = (await server.api('GET', `/api/events/${imported.id}`, undefined, imported.organiserToken)).body as OrganiserDocument;
	expect(copy.rooms[0]?.statements.map((s) => s.translations)).toEqual([{}, { en: 'Health is housing too' }]);
	expect(copy.settings.translations).toEqual(saved.settings.translations);

	// An archive written before translations existed still imports, untranslated.
	for (const s of archive.rooms[0].statements) delete s.translations;
	delete archive.event.settings.translations;
	const older = (await server.api('POST', '/api/events/import', archive)).body;
	const olderDoc = (await server.api('GET', `/api/events/${older.id}`, undefined, older.organiserToken)).body as OrganiserDocument;
	expect(olderDoc.rooms[0]?.statements.map((s) => s.translations)).toEqual([{}, {}]);
	expect(olderDoc.settings.translations).toBeUndefined();
});
