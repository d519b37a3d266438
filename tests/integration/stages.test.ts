/** Issue 4 over the real protocol: the facilitator drives the stages, the server keeps time. */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { storedDoc, waitFor, yjsClient } from '../helpers/yjsClients';
import { addItem, docName, readWriteup } from '../../src/lib/writeup';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

interface Stage {
	index: number;
	status: string;
	endsAt?: number;
	remainingMs?: number;
}

it('runs stages, per-group overrides, evaluation, and survives a restart', async () => {
	const e = (
		await server.api('POST', '/api/events', {
			title: 'Étapes',
			themes: [{ title: 'Salle', statements: ['A', 'B'] }],
			stageMinutes: [1, 2, 3]
		})
	).body;
	const roomId = e.rooms[0].id;
	const doc = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const statements = (await doc()).rooms[0].statements as { id: string }[];
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const cmd = (command: unknown) => request(organiser, 'stage:control', { roomId, command });

	expect((await request(organiser, 'room:setPhase', { roomId, phase: 'choice' })).ok).toBe(true);
	const members: Socket[] = [];
	for (const [i, s] of statements.entries()) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `M${i}`, roomId });
		const socket = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		expect((await request(socket, 'group:pick', { statementId: s.id })).ok).toBe(true);
		members.push(socket);
	}
	const [g1, g2] = (await doc()).rooms[0].statements.map((s: { groups: { id: string }[] }) => s.groups[0]?.id) as [string, string];

	// Invalid transitions are refused with a clear message and change nothing.
	expect(await cmd({ action: 'pause' })).toMatchObject({ ok: false, error: expect.stringMatching(/pause/) });
	expect(await cmd({ action: 'warp' })).toMatchObject({ ok: false });
	expect(await cmd({ action: 'adjust', minutes: 1000 })).toMatchObject({ ok: false });
	expect((await doc()).rooms[0].stage).toEqual({ index: 0, status: 'waiting' });

	const t0 = Date.now();
	expect(await cmd({ action: 'start' })).toEqual({ ok: true, data: null });
	let room = (await doc()).rooms[0];
	expect(room.phase).toBe('groups');
	expect(room.stage.index).toBe(1);
	expect(room.stage.status).toBe('running');
	expect(room.stage.endsAt).toBeGreaterThanOrEqual(t0 + 60_000);
	expect(room.stage.endsAt).toBeLessThanOrEqual(Date.now() + 60_000);
	// Choice is closed once the stages run.
	expect((await request(members[0] as Socket, 'group:pick', { statementId: statements[1]?.id })).ok).toBe(false);

	expect((await cmd({ action: 'pause' })).ok).toBe(true);
	room = (await doc()).rooms[0];
	expect(room.stage.status).toBe('paused');
	expect(room.stage.remainingMs).toBeGreaterThan(55_000);
	expect(room.stage.remainingMs).toBeLessThanOrEqual(60_000);
	const paused = room.stage.remainingMs as number;
	expect((await cmd({ action: 'adjust', minutes: 2 })).ok).toBe(true);
	expect((await doc()).rooms[0].stage.remainingMs).toBe(paused + 120_000);
	const beforeResume = Date.now();
	expect((await cmd({ action: 'resume' })).ok).toBe(true);
	room = (await doc()).rooms[0];
	expect(room.stage.endsAt).toBeGreaterThanOrEqual(beforeResume + paused + 120_000);

	// One group held, the other advanced on its own.
	expect((await cmd({ action: 'hold', groupId: g1 })).ok).toBe(true);
	expect((await cmd({ action: 'advanceGroup', groupId: g2 })).ok).toBe(true);
	expect((await cmd({ action: 'hold', groupId: 'nope' })).ok).toBe(false);
	room = (await doc()).rooms[0];
	const stageOf = (r: { statements: { groups: { id: string; stage: Stage }[] }[] }, id: string) =>
		r.statements.flatMap((s) => s.groups).find((g) => g.id === id)?.stage as Stage;
	expect(stageOf(room, g1).status).toBe('paused');
	expect(stageOf(room, g2)).toMatchObject({ index: 2, status: 'running' });
	expect(room.stage.index).toBe(1);

	// Members see their group's stage live in the room view.
	const seen = await nextEvent<{ statements: { groups: { id: string; stage: Stage }[] }[] }>(
		members[1] as Socket,
		'room',
		(r) => stageOf(r, g2)?.index === 2
	);
	expect(stageOf(seen, g2).status).toBe('running');

	// A restart keeps the running stage exactly: same endsAt, not reset.
	const before = (await doc()).rooms[0];
	for (const s of [...members, organiser]) s.disconnect();
	await server.restart('SIGKILL');
	const after = (await doc()).rooms[0];
	expect(after.stage).toEqual(before.stage);
	expect(stageOf(after, g2)).toEqual(stageOf(before, g2));

	// Through stage 3 to the evaluation, which a member fills in.
	const org2 = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	for (let i = 0; i < 3; i++) expect((await request(org2, 'stage:control', { roomId, command: { action: 'next' } })).ok).toBe(true);
	expect((await doc()).rooms[0].stage).toEqual({ index: 4, status: 'running' });
	const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Tard', roomId });
	const late = await connectClient(server.url, { role: 'participant', token: joined.body.token });
	expect(await request(late, 'group:evaluate', { everyoneSpoke: 3, feltHeard: 4, worked: 'x', didNotWork: '' })).toMatchObject({ ok: false,
		error: 'vous n’êtes dans aucun groupe'
	});
	late.disconnect();
	org2.disconnect();
});

it('a group evaluation is stored and summarised for the organisers', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Éval', themes: [{ title: 'Salle', statements: ['A'] }] })).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Awa', categories: ['habitant'], roomId });
	const member = await connectClient(server.url, { role: 'participant', token: joined.body.token });
	await request(member, 'group:pick', { statementId });
	const evaluation = { everyoneSpoke: 4, feltHeard: 3, worked: 'On s’est écouté', didNotWork: 'Trop court' };
	expect(await request(member, 'group:evaluate', evaluation)).toMatchObject({ ok: false, error: 'l’évaluation n’est pas encore ouverte' });
	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	for (let i = 0; i < 3; i++) await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	expect(await request(member, 'group:evaluate', { ...evaluation, feltHeard: 9 })).toMatchObject({ ok: false });
	expect(await request(member, 'group:evaluate', evaluation)).toEqual({ ok: true, data: null });
	const room = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0];
	expect(room.statements[0].groups[0].evaluation).toEqual(evaluation);
	expect(room.evaluation).toMatchObject({ groups: 1, everyoneSpoke: 4, feltHeard: 3, worked: ['On s’est écouté'], didNotWork: ['Trop court'] });
	member.disconnect();
	organiser.disconnect();
});

it('one evaluation per group: two members sending different fields at once keep both answers, and every phone sees them', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Éval partagée', themes: [{ title: 'Salle', statements: ['A'] }] })).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const members: Socket[] = [];
	const ids: string[] = [];
	for (const displayName of ['Awa', 'Bruno']) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName, categories: ['habitant'], roomId });
		const member = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		expect((await request(member, 'group:pick', { statementId })).ok).toBe(true);
		members.push(member);
		ids.push(joined.body.session.me.id);
	}
	const [awa, bruno] = members as [Socket, Socket];
	const [awaId] = ids as [string, string];
	// Bruno's phone follows its group (and hears the group's channel) once its session says so.
	await nextEvent<{ group: { members: unknown[] } | null }>(bruno, 'session', (s) => s.group?.members.length === 2);
	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	// « en cours » only while the evaluation is open.
	expect(await request(awa, 'group:evaluating', { on: true })).toMatchObject({ ok: false, code: 'evaluationNotOpen' });
	for (let i = 0; i < 3; i++) await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });

	// Awa starts filling the form: Bruno's phone hears it at once, for a while; then she is done.
	type Filling = { groupId: string; filling: { participantId: string; until: number }[] };
	const before = Date.now();
	const heard = nextEvent<Filling>(bruno, 'evaluationFilling', (f) => f.filling.length === 1);
	expect(await request(awa, 'group:evaluating', { on: true })).toEqual({ ok: true, data: null });
	const filling = (await heard).filling[0];
	expect(filling?.participantId).toBe(awaId);
	expect(filling?.until).toBeGreaterThanOrEqual(before + 30_000);
	expect(await request(awa, 'group:evaluating', { on: 'yes' })).toMatchObject({ ok: false });
	const done = nextEvent<Filling>(bruno, 'evaluationFilling', (f) => f.filling.length === 0);
	expect(await request(awa, 'group:evaluating', { on: false })).toEqual({ ok: true, data: null });
	await done;

	interface Session {
		group: { id: string; evaluation: unknown } | null;
	}
	const both = { everyoneSpoke: 3, feltHeard: 'declined', worked: 'On s’est écouté', didNotWork: 'Trop court' };
	const sees = (s: Socket, evaluation: unknown) =>
		nextEvent<Session>(s, 'session', (v) => JSON.stringify(v.group?.evaluation) === JSON.stringify(evaluation));
	const seen = [sees(awa, both), sees(bruno, both)];
	// Each sends only the fields they changed, at the same time.
	const answers = await Promise.all([
		request(awa, 'group:evaluate', { everyoneSpoke: 3, worked: 'On s’est écouté' }),
		request(bruno, 'group:evaluate', { feltHeard: 'declined', didNotWork: 'Trop court' })
	]);
	expect(answers).toEqual([
		{ ok: true, data: null },
		{ ok: true, data: null }
	]);
	await Promise.all(seen);
	const stored = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0];
	let room = await stored();
	expect(room.statements[0].groups[0].evaluation).toEqual(both);
	expect(room.evaluation).toMatchObject({ groups: 1, everyoneSpoke: 3, feltHeard: null, declined: { everyoneSpoke: 0, feltHeard: 1 } });

	// A scale is cleared; bad input changes nothing.
	expect(await request(bruno, 'group:evaluate', {})).toMatchObject({ ok: false });
	expect(await request(bruno, 'group:evaluate', { feltHeard: 5 })).toMatchObject({ ok: false });
	expect(await request(bruno, 'group:evaluate', { worked: 'x', by: 'Bruno' })).toMatchObject({ ok: false });
	const cleared = { ...both, everyoneSpoke: null };
	const awaSeesCleared = sees(awa, cleared);
	expect(await request(bruno, 'group:evaluate', { everyoneSpoke: null })).toEqual({ ok: true, data: null });
	await awaSeesCleared;
	room = await stored();
	expect(room.statements[0].groups[0].evaluation).toEqual(cleared);

	// Editable until the end: once the stages are over, the answers stay as they are.
	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'next' } })).ok).toBe(true);
	expect(await request(awa, 'group:evaluate', { everyoneSpoke: 4 })).toMatchObject({ ok: false, code: 'evaluationClosed' });
	expect((await stored()).statements[0].groups[0].evaluation).toEqual(cleared);
	for (const s of [...members, organiser]) s.disconnect();
});

it('the rapporteur keeps the pen from stage to stage until someone else takes it', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Plume', themes: [{ title: 'Salle', statements: ['A'] }] })).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const members: { socket: Socket; id: string; token: string }[] = [];
	for (const displayName of ['Awa', 'Bruno']) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName, roomId });
		const socket = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		expect((await request(socket, 'group:pick', { statementId })).ok).toBe(true);
		members.push({ socket, id: joined.body.session.me.id, token: joined.body.token });
	}
	const [awa, bruno] = members as [(typeof members)[number], (typeof members)[number]];
	const next = (action: string) => request(organiser, 'stage:control', { roomId, command: { action } });
	/** The pens every member's phone is told of, once they match. */
	const pensAre = (pens: string[][]) =>
		Promise.all(members.map((m) => nextEvent<{ group: { rapporteurs: string[][] } | null }>(m.socket, 'session', (s) => JSON.stringify(s.group?.rapporteurs) === JSON.stringify(pens))));

	expect((await next('start')).ok).toBe(true);
	let told = pensAre([[awa.id], [], []]);
	expect((await request(awa.socket, 'group:setRapporteur', { stage: 1, on: true })).ok).toBe(true);
	await told;

	// Stage 2: Awa still holds the pen, without taking it again, and the Yjs process lets her write.
	told = pensAre([[awa.id], [awa.id], []]);
	expect((await next('next')).ok).toBe(true);
	await told;
	const groupId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].groups[0].id as string;
	const writer = yjsClient(server, docName(groupId), awa.token);
	try {
		await waitFor('sync', () => writer.provider.synced);
		addItem(writer.doc, 2, { id: 'carried', createdAt: Date.now(), text: 'Écrit sans reprendre la plume' });
		await waitFor('saved', () => writer.state === 'saved');
		expect(readWriteup(storedDoc(server, docName(groupId))).stages[1]?.items.map((i) => i.text)).toEqual(['Écrit sans reprendre la plume']);
	} finally {
		writer.destroy();
	}

	// Bruno takes it: Awa passes it on, and stage 3 is Bruno's.
	told = pensAre([[awa.id], [bruno.id], []]);
	expect((await request(bruno.socket, 'group:setRapporteur', { stage: 2, on: true })).ok).toBe(true);
	await told;
	told = pensAre([[awa.id], [bruno.id], [bruno.id]]);
	expect((await next('next')).ok).toBe(true);
	await told;
	for (const s of [awa.socket, bruno.socket, organiser]) s.disconnect();
});
