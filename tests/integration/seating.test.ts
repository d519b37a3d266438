/**
 * Issue 3: 300 real socket.io clients pick at the same instant in a room of 21 statements,
 * some change their minds; the server's seating must hold every rule, and survive a restart.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import template from '../../src/lib/templates/chambery-2017.json' with { type: 'json' };
import { connectClient, nextEvent, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import type { FacilitatorView } from '../../src/lib/views';

const statements = template.themes.flatMap((t) => t.statements.map((s) => s.text));
const CATEGORIES = [['habitant'], ['medecin'], ['mediation'], ['travailleur-social'], ['patient'], ['institution']];

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

async function createRoom() {
	const e = (await server.api('POST', '/api/events', { title: 'Rush', themes: [{ title: 'Salle unique', statements }] })).body;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	return { e, room: doc.rooms[0] as { id: string; statements: { id: string }[] } };
}

async function setPhase(e: { id: string; organiserToken: string }, roomId: string, phase: string) {
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const ack = await request(organiser, 'room:setPhase', { roomId, phase });
	organiser.disconnect();
	expect(ack).toEqual({ ok: true, data: null });
}

async function readGroups(e: { id: string; organiserToken: string }) {
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	return doc.rooms[0].statements as { id: string; groups: { id: string; number: number; memberCount: number; members: { categories: string[] }[]; label: string }[] }[];
}

describe('a rush of 300 picks', () => {
	it('keeps every rule and survives a restart', async () => {
		const rand = random(2017);
		const { e, room } = await createRoom();
		const N = 300;
		const people: { token: string; id: string }[] = [];
		for (let i = 0; i < N; i++) {
			const res = await server.api('POST', `/api/join/${e.joinCode}`, {
				displayName: `P${i}`,
				categories: CATEGORIES[i % CATEGORIES.length],
				roomId: room.id
			});
			expect(res.status).toBe(201);
			people.push({ token: res.body.token, id: res.body.session.me.id });
		}
		const sockets: Socket[] = [];
		for (let i = 0; i < N; i += 50) {
			sockets.push(...(await Promise.all(people.slice(i, i + 50).map((p) => connectClient(server.url, { role: 'participant', token: p.token })))));
		}

		// Before the choice is open, a pick is refused with a clear message.
		const early = await request(sockets[0] as Socket, 'group:pick', { statementId: room.statements[0]?.id });
		expect(early).toMatchObject({ ok: false, error: 'le choix des énoncés n’est pas ouvert' });
		await setPhase(e, room.id, 'choice');

		// Popular statements are chosen more often, so several groups form on them.
		const choose = () => room.statements[Math.floor(rand() ** 2 * room.statements.length)]?.id as string;
		const wanted = sockets.map(() => choose());
		const acks = await Promise.all(sockets.map((s, i) => request(s, 'group:pick', { statementId: wanted[i] })));
		for (const a of acks) expect(a.ok).toBe(true);

		// A third change their minds, all at once.
		const switchers = sockets.map((_, i) => i).filter(() => rand() < 0.33);
		for (const i of switchers) wanted[i] = choose();
		const second = await Promise.all(switchers.map((i) => request(sockets[i] as Socket, 'group:pick', { statementId: wanted[i] })));
		for (const a of second) expect(a.ok).toBe(true);

		const groups = await readGroups(e);
		const seated = groups.flatMap((s) => s.groups).reduce((n, g) => n + g.memberCount, 0);
		expect(seated).toBe(N);
		for (const s of groups) {
			const choosers = wanted.filter((w) => w === s.id).length;
			expect(s.groups.reduce((n, g) => n + g.memberCount, 0)).toBe(choosers);
			expect(s.groups.length).toBe(Math.ceil(choosers / 6));
			// Before the stages, a statement's groups differ by at most one: nobody alone beside a group with room.
			const sizes = s.groups.map((g) => g.memberCount);
			if (sizes.length) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
			for (const g of s.groups) {
				expect(g.memberCount).toBeGreaterThan(0);
				expect(g.memberCount).toBeLessThanOrEqual(6);
			}
			expect(new Set(s.groups.map((g) => g.number)).size).toBe(s.groups.length);
		}
		expect(groups.some((s) => s.groups.length >= 3)).toBe(true);

		// Every client is in exactly one group: the one its last ack named.
		for (const s of sockets) s.disconnect();
		await server.restart('SIGKILL');
		expect(await readGroups(e)).toEqual(groups);
	});
});

describe('seating rules over the protocol', () => {
	it('opens Groupe 2 for the seventh, merges, moves, and refuses bad input', async () => {
		const { e, room } = await createRoom();
		const [s1, s2] = room.statements.map((s) => s.id) as [string, string];
		await setPhase(e, room.id, 'choice');
		const sockets: Socket[] = [];
		for (let i = 0; i < 7; i++) {
			const res = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `P${i}`, categories: ['medecin'], roomId: room.id });
			sockets.push(await connectClient(server.url, { role: 'participant', token: res.body.token }));
		}
		const acks = [];
		for (const s of sockets) acks.push(await request(s, 'group:pick', { statementId: s1 }));
		expect(acks.map((a) => (a.ok ? (a.data as { number: number }).number : 0))).toEqual([1, 1, 1, 1, 1, 1, 2]);

		// Bad input changes nothing.
		const before = await readGroups(e);
		expect((await request(sockets[0] as Socket, 'group:pick', { statementId: 'nope' })).ok).toBe(false);
		expect((await request(sockets[0] as Socket, 'group:pick', { nope: 1 })).ok).toBe(false);
		expect((await request(sockets[0] as Socket, 'room:setPhase', { roomId: room.id, phase: 'groups' }))).toMatchObject({ ok: false,
			error: 'action non permise pour ce rôle'
		});
		expect(await readGroups(e)).toEqual(before);

		// Two leave Groupe 1: five choosers fit one group, so Groupe 2 is folded into Groupe 1.
		await request(sockets[0] as Socket, 'group:leave', {});
		await request(sockets[1] as Socket, 'group:pick', { statementId: s2 });
		const after = await readGroups(e);
		expect(after[0]?.groups.map((g) => [g.number, g.memberCount])).toEqual([[1, 5]]);
		expect(after[0]?.groups[0]?.label).toBeTruthy();

		// The facilitator link drives the room; a person without a phone is added and seated.
		const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
		const facilitatorToken = new URL(doc.rooms[0].facilitatorUrl).hash.slice(1);
		const facilitator = await connectClient(server.url, { role: 'facilitator', roomId: room.id, token: facilitatorToken });
		const added = await request(facilitator, 'room:addPerson', { roomId: room.id, displayName: 'Mme R.', categories: ['habitant'], statementId: s2 });
		expect(added.ok).toBe(true);
		const withAdded = await readGroups(e);
		expect(withAdded[1]?.groups[0]?.members.map((m) => m.categories)).toEqual([['medecin'], ['habitant']]);
		expect(JSON.stringify(withAdded)).not.toContain('Mme R.');
		// A facilitator link cannot drive another room, nor can a wrong token connect.
		await expect(connectClient(server.url, { role: 'facilitator', roomId: room.id, token: 'x'.repeat(32) })).rejects.toThrow();
		const locked = await request(facilitator, 'room:setPhase', { roomId: room.id, phase: 'groups' });
		expect(locked.ok).toBe(true);
		expect(await request(sockets[2] as Socket, 'group:pick', { statementId: s2 })).toMatchObject({ ok: false, error: 'le choix des énoncés n’est pas ouvert' });
		for (const s of [...sockets, facilitator]) s.disconnect();
	});
});

describe('rooms chosen by organisers', () => {
	it('an organiser assigns a room; a person who changes room leaves their group', async () => {
		const e = (
			await server.api('POST', '/api/events', { title: 'Salles', themes: [{ title: 'A', statements: ['a'] }, { title: 'B', statements: ['b'] }] })
		).body;
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Zoé', categories: ['habitant'] });
		const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
		const people = await nextEvent<{ id: string; displayName: string; roomId: string | null }[]>(organiser, 'people');
		expect(people.map((p) => [p.displayName, p.roomId])).toEqual([['Zoé', null]]);
		expect(await request(organiser, 'organiser:assignRoom', { participantId: joined.body.session.me.id, roomId: e.rooms[0].id })).toMatchObject({ ok: true });
		await request(organiser, 'room:setPhase', { roomId: e.rooms[0].id, phase: 'choice' });
		const zoe = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		const doc = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
		expect((await request(zoe, 'group:pick', { statementId: (await doc()).rooms[0].statements[0].id })).ok).toBe(true);
		expect((await doc()).rooms[0].statements[0].groups).toHaveLength(1);
		expect((await request(zoe, 'participant:chooseRoom', { roomId: e.rooms[1].id })).ok).toBe(true);
		const after = await doc();
		expect(after.rooms[0].statements[0].groups).toEqual([]);
		expect(after.rooms[1].participants.total).toBe(1);
		// Names reach organisers over their socket only, never the API document.
		expect(JSON.stringify(after)).not.toContain('Zoé');
		expect((await request(organiser, 'organiser:assignRoom', { participantId: 'nope', roomId: e.rooms[0].id })).ok).toBe(false);
		zoe.disconnect();
		organiser.disconnect();
	});
});

describe('groups that hold together', () => {
	async function seated(n: number, e: { joinCode: string }, roomId: string) {
		const sockets: Socket[] = [];
		for (let i = 0; i < n; i++) {
			const res = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `P${i}`, categories: [], roomId });
			sockets.push(await connectClient(server.url, { role: 'participant', token: res.body.token }));
		}
		return sockets;
	}
	const sizesOf = async (e: { id: string; organiserToken: string }) =>
		(await readGroups(e))[0]?.groups.map((g) => [g.number, g.memberCount]);

	it('7 then 13 people pick one statement and no one sits alone; the stages keep groups and their numbers', async () => {
		const { e, room } = await createRoom();
		const s1 = room.statements[0]?.id as string;
		await setPhase(e, room.id, 'choice');
		const sockets = await seated(13, e, room.id);
		for (const s of sockets.slice(0, 7)) expect((await request(s, 'group:pick', { statementId: s1 })).ok).toBe(true);
		expect(await sizesOf(e)).toEqual([
			[1, 4],
			[2, 3]
		]);
		for (const s of sockets.slice(7)) expect((await request(s, 'group:pick', { statementId: s1 })).ok).toBe(true);
		expect(await sizesOf(e)).toEqual([
			[1, 5],
			[2, 4],
			[3, 4]
		]);
		// Every phone was told where it sits now, moved or not.
		const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
		expect(doc.rooms[0].participants.total).toBe(13);

		const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
		expect(await request(organiser, 'stage:control', { roomId: room.id, command: { action: 'start' } })).toMatchObject({ ok: true });
		// During the stages « Accueil », the presentation or the choice would take the timer off the screen: refused.
		const before = await readGroups(e);
		for (const phase of ['welcome', 'presentation', 'choice']) {
			expect(await request(organiser, 'room:setPhase', { roomId: room.id, phase })).toMatchObject({ ok: false,
				error: 'impossible pendant les étapes : terminez-les d’abord'
			});
		}
		expect(await readGroups(e)).toEqual(before);
		for (const s of [...sockets, organiser]) s.disconnect();
	});

	it('during the stages a late 7th sits alone only beside full groups, and the facilitator balances in one tap', async () => {
		const { e, room } = await createRoom();
		const s1 = room.statements[0]?.id as string;
		await setPhase(e, room.id, 'choice');
		const sockets = await seated(6, e, room.id);
		for (const s of sockets) await request(s, 'group:pick', { statementId: s1 });
		const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
		const facilitatorToken = new URL(doc.rooms[0].facilitatorUrl).hash.slice(1);
		const facilitator = await connectClient(server.url, { role: 'facilitator', roomId: room.id, token: facilitatorToken });
		expect(await request(facilitator, 'stage:control', { roomId: room.id, command: { action: 'start' } })).toMatchObject({ ok: true });
		const views: FacilitatorView[] = [];
		facilitator.on('facilitator', (v: FacilitatorView) => views.push(v));
		expect(await request(facilitator, 'room:addPerson', { roomId: room.id, displayName: 'Mme R.', categories: ['habitant'], statementId: s1 })).toMatchObject({ ok: true });
		expect(await sizesOf(e)).toEqual([
			[1, 6],
			[2, 1]
		]);
		await expect.poll(() => views.at(-1)?.suggestions).toEqual([{ kind: 'rebalance', statementId: s1, sizes: [6, 1], after: [4, 3] }]);
		expect(await request(facilitator, 'room:rebalance', { roomId: room.id, statementId: s1 })).toMatchObject({ ok: true });
		expect(await sizesOf(e)).toEqual([
			[1, 4],
			[2, 3]
		]);
		await expect.poll(() => views.at(-1)?.suggestions).toEqual([]);
		// Bad input changes nothing.
		expect((await request(facilitator, 'room:rebalance', { roomId: room.id, statementId: 'nope' })).ok).toBe(false);
		expect(await sizesOf(e)).toEqual([
			[1, 4],
			[2, 3]
		]);
		for (const s of [...sockets, facilitator]) s.disconnect();
	});
});
