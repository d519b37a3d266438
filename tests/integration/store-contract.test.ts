/**
 * The store contract: the same cases against the SQLite store and the PostgreSQL store (the
 * in-memory mirror committed to PostgreSQL, server/store/postgres/mirror.ts). Each PostgreSQL case
 * gets a fresh database on one throwaway cluster; "reopened" means a new process's view: the
 * store is closed and opened again from its files or its database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_GROUP_SIZE, DEFAULT_STAGE_MINUTES, DEFAULT_STAGE_NAMES, DEFAULT_STAGE_QUESTIONS, DEFAULT_WRITING_WARNING_MINUTES } from '../../src/lib/domain/eventSettings';
import { emptyBoard } from '../../src/lib/domain/board';
import { initialRoomStages } from '../../src/lib/domain/stages';
import { PG_MIGRATIONS } from '../../server/store/postgres/migrations';
import { openPostgresStore } from '../../server/store/postgres/mirror';
import { openSqliteStore } from '../../server/store/sqlite';
import type { NewEvent, Store } from '../../server/store/store';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';

let cluster: PostgresCluster;
const dirs: string[] = [];
beforeAll(async () => {
	cluster = await startPostgres();
});
afterAll(async () => {
	await cluster.stop();
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Opened {
	store: Store;
	/** Closes the store (after its last commit) and opens it again from what it stored. */
	reopen(): Promise<Store>;
	url?: string;
}

const KINDS: { name: string; open(): Promise<Opened> }[] = [
	{
		name: 'SQLite',
		async open() {
			const dir = mkdtempSync(join(tmpdir(), 'palabre-contract-'));
			dirs.push(dir);
			const opened: Opened = {
				store: openSqliteStore(dir),
				async reopen() {
					await opened.store.close();
					opened.store = openSqliteStore(dir);
					return opened.store;
				}
			};
			return opened;
		}
	},
	{
		name: 'PostgreSQL',
		async open() {
			const dir = mkdtempSync(join(tmpdir(), 'palabre-contract-'));
			dirs.push(dir);
			const url = await cluster.createDatabase();
			const opened: Opened = {
				url,
				store: await openPostgresStore(url, dir),
				async reopen() {
					await opened.store.committed();
					await opened.store.close();
					opened.store = await openPostgresStore(url, dir);
					return opened.store;
				}
			};
			return opened;
		}
	}
];

let ids = 0;
const id = (prefix: string) => `${prefix}${++ids}`;

function newEvent(title = 'Gros Débat'): NewEvent {
	const eventId = id('ev');
	const roomId = id('room');
	return {
		event: {
			id: eventId,
			title,
			date: '2026-12-02',
			endDate: '2026-12-02',
			place: 'Chambéry',
			language: 'fr',
			joinCode: id('CODE'),
			organiserTokenHash: `hash-${eventId}`,
			settings: {
				stageQuestions: [...DEFAULT_STAGE_QUESTIONS],
				stageNames: [...DEFAULT_STAGE_NAMES],
				stageMinutes: [...DEFAULT_STAGE_MINUTES],
				maxGroupSize: DEFAULT_MAX_GROUP_SIZE,
				writingWarningMinutes: DEFAULT_WRITING_WARNING_MINUTES
			},
			createdAt: 1_764_000_000_000
		},
		rooms: [
			{
				id: roomId,
				eventId,
				position: 0,
				title: 'Salle 1',
				links: { facilitation: `f-${roomId}`, projection: `p-${roomId}` },
				statements: [0, 1].map((k) => ({ id: id('st'), roomId, position: k, text: `Affirmation ${k} « é »`, translations: { en: `Statement ${k}` } }))
			}
		]
	};
}

/** Everything the store says about an event, through its own reads (what the views are built from). */
function dump(store: Store, eventId: string) {
	const rooms = store.listRooms(eventId);
	return {
		event: store.getEvent(eventId),
		board: store.getBoard(eventId),
		people: store.listParticipants(eventId),
		wishes: [...store.listWishes(eventId)],
		workshops: store.listWorkshops(eventId),
		verbatims: store.listVerbatims(eventId),
		rooms: rooms.map((room) => {
			const groups = store.listGroups(room.id);
			return {
				room,
				statements: store.listStatements(room.id),
				statementEdits: store.listStatementEdits(room.id),
				seats: store.listRoomSeats(room.id),
				stageLog: store.listStageLog(room.id),
				links: [store.roomLinkHashes(room.id, 'facilitation'), store.roomLinkHashes(room.id, 'projection')],
				evaluations: store.listEvaluations(room.id),
				groups: groups.map((g) => ({
					g,
					members: store.listGroupMembers(g.id).map((p) => p.id),
					taps: store.listTaps(g.id),
					rapporteurs: store.listRapporteurs(g.id),
					access: store.listWriteupAccess(g.id)
				}))
			};
		})
	};
}

/** An event with people seated, taps, a board, a stage log: most tables have rows. */
function fill(store: Store) {
	const e = newEvent();
	store.createEvent(e);
	const room = e.rooms[0] as NewEvent['rooms'][number];
	const statement = room.statements[0] as NewEvent['rooms'][number]['statements'][number];
	const group = { id: id('g'), roomId: room.id, statementId: statement.id, number: 1, label: null, createdAt: 1 };
	const people = [0, 1, 2].map((k) => ({
		id: id('p'),
		eventId: e.event.id,
		tokenHash: `t${k}`,
		displayName: `Personne ${k}`,
		categories: [],
		roomId: room.id,
		groupId: null,
		addedByFacilitator: k === 2,
		createdAt: 10 + k
	}));
	store.transaction(() => {
		for (const p of people) store.createParticipant(p);
		store.insertGroup(group);
		for (const p of people) store.setParticipantGroup(p.id, group.id);
	});
	const stages = initialRoomStages();
	store.setRoomStages(room.id, stages);
	store.addStageLog(room.id, 100, stages);
	store.addStageLog(room.id, 100, stages);
	store.setRapporteur(group.id, 0, (people[1] as { id: string }).id, true);
	store.setRapporteur(group.id, 0, (people[0] as { id: string }).id, true);
	// Two taps at the same time: their order is the order they were stored in.
	store.addTaps(group.id, [
		{ id: 'a', stage: 0, tap: { kind: 'speak', participantId: (people[0] as { id: string }).id, at: 500 } },
		{ id: 'b', stage: 0, tap: { kind: 'silence', at: 500 } }
	]);
	store.addWriteupAccess(group.id, { at: 600, open: true, by: 'organiser' });
	store.saveEvaluation(group.id, { everyoneSpoke: 3, feltHeard: 'declined', worked: 'L’écoute', didNotWork: '' });
	store.saveBoard(e.event.id, { ...emptyBoard(), headings: ['Titre « un »'] }, 1);
	store.setGroupLabel(group.id, 'Les « tables »');
	// The day before: a workshop, verbatims (one merged, one made a statement), wishes, a reworded statement.
	const workshop = { id: id('w'), eventId: e.event.id, position: 0, title: 'Bourse « 1 »', captureHash: `c-${e.event.id}` };
	store.addWorkshop(workshop);
	const noted = (k: number) => ({
		id: id('v'),
		eventId: e.event.id,
		workshopId: workshop.id,
		roomId: room.id,
		text: `Verbatim ${k} « é »`,
		lively: k === 0,
		category: null,
		at: 50 + k,
		receivedAt: 60,
		starred: false,
		reworded: null,
		mergedInto: null,
		statementId: null
	});
	const [v0, v1] = [noted(0), noted(1)];
	expect(store.addVerbatims([v0, v1, v0])).toBe(2);
	const made = { id: id('st'), roomId: room.id, position: 2, text: 'Verbatim 0, reformulé', translations: {}, sourceVerbatimId: v0.id };
	store.appendStatement(made);
	store.updateVerbatims([
		{ ...v0, starred: true, reworded: made.text, statementId: made.id },
		{ ...v1, mergedInto: v0.id }
	]);
	store.setWishes((people[0] as { id: string }).id, [room.id]);
	store.saveStatements(room.id, [{ ...statement, text: 'Affirmation corrigée', translationToReview: true }], []);
	store.addStatementEdit({ statementId: statement.id, roomId: room.id, at: 700, by: 'organiser', before: statement.text, after: 'Affirmation corrigée' });
	return { e, room, group, people };
}

for (const kind of KINDS) {
	describe(`store contract: ${kind.name}`, () => {
		it('creates an event and reads it back, by id and by join code', async () => {
			const { store } = await kind.open();
			const e = newEvent('Débat d’hiver');
			store.createEvent(e);
			await store.committed();
			expect(store.getEvent(e.event.id)).toEqual(e.event);
			expect(store.getEventByJoinCode(e.event.joinCode)?.id).toBe(e.event.id);
			expect(store.listRooms(e.event.id).map((r) => r.title)).toEqual(['Salle 1']);
			expect(store.listStatements(e.rooms[0]?.id as string).map((s) => s.translations)).toEqual([{ en: 'Statement 0' }, { en: 'Statement 1' }]);
			expect(() => store.createEvent({ ...newEvent(), event: { ...newEvent().event, joinCode: e.event.joinCode } })).toThrow();
			await store.close();
		});

		it('reads the seats and groups of some statements only, in the same order as the whole room', async () => {
			const { store } = await kind.open();
			const { room, group, people } = fill(store);
			const other = (room.statements[1] as { id: string }).id;
			const second = { id: id('g'), roomId: room.id, statementId: other, number: 1, label: null, createdAt: 2 };
			const last = people[2] as { id: string };
			store.transaction(() => {
				store.insertGroup(second);
				store.setParticipantGroup(last.id, second.id);
			});
			expect(store.listRoomSeats(room.id, [group.statementId])).toEqual(store.listRoomSeats(room.id).filter((s) => s.groupId === group.id));
			expect(store.listRoomSeats(room.id, [other])).toEqual([{ participantId: last.id, groupId: second.id }]);
			expect(store.listRoomSeats(room.id, [other, group.statementId]).map((s) => s.participantId)).toEqual(people.map((p) => p.id));
			expect(store.listRoomSeats(room.id, [])).toEqual([]);
			expect(store.listGroups(room.id, [other])).toEqual([second]);
			expect(store.listGroups(room.id, [group.statementId, other])).toEqual(store.listGroups(room.id));
			// Another room's statement: nothing of this room.
			expect(store.listRoomSeats(id('room'), [group.statementId])).toEqual([]);
			await store.close();
		});

		it('seats people, stores taps once, keeps board versions', async () => {
			const { store } = await kind.open();
			const { e, room, group, people } = fill(store);
			expect(store.listRoomSeats(room.id).map((s) => s.groupId)).toEqual([group.id, group.id, group.id]);
			expect(store.listGroupMembers(group.id).map((p) => p.id)).toEqual(people.map((p) => p.id));
			expect(store.addTaps(group.id, [{ id: 'a', stage: 0, tap: { kind: 'silence', at: 1 } }, { id: 'c', stage: 0, tap: { kind: 'confirm', at: 700 } }])).toBe(1);
			expect(store.listTaps(group.id).map((t) => t.id)).toEqual(['a', 'b', 'c']);
			expect(store.getBoard(e.event.id).version).toBe(1);
			store.saveBoard(e.event.id, emptyBoard(), 2);
			expect(store.getBoard(e.event.id)).toEqual({ board: emptyBoard(), version: 2 });
			await store.committed();
			await store.close();
		});

		it('a transaction lands whole or not at all', async () => {
			const { store } = await kind.open();
			const { e, group, people } = fill(store);
			expect(() =>
				store.transaction(() => {
					store.setParticipantGroup((people[0] as { id: string }).id, null);
					store.saveBoard(e.event.id, emptyBoard(), 9);
					throw new Error('refusé');
				})
			).toThrow('refusé');
			await store.committed();
			expect(store.listGroupMembers(group.id)).toHaveLength(3);
			expect(store.getBoard(e.event.id).version).toBe(1);
			await store.close();
		});

		it('reopened, it reads exactly what it read before (rows, order, JSON, deletions)', async () => {
			const opened = await kind.open();
			const a = fill(opened.store);
			const b = fill(opened.store);
			opened.store.deleteParticipant((b.people[2] as { id: string }).id);
			opened.store.rotateTokens(b.e.event.id, 'new-hash', [{ id: b.room.id, links: { facilitation: 'f2', projection: 'p2' } }]);
			opened.store.deleteGroup(a.group.id);
			const before = [dump(opened.store, a.e.event.id), dump(opened.store, b.e.event.id)];
			const store = await opened.reopen();
			expect([dump(store, a.e.event.id), dump(store, b.e.event.id)]).toEqual(before);
			expect(before[0]?.people.every((p) => p.groupId === null)).toBe(true);
			expect([before[0]?.verbatims.length, before[0]?.wishes.length, before[0]?.rooms[0]?.statementEdits.length]).toEqual([2, 1, 1]);
			expect(before[0]?.rooms[0]?.statements.map((st) => [st.text, st.translationToReview ?? false, st.sourceVerbatimId ?? null])).toEqual([
				['Affirmation corrigée', true, null],
				['Affirmation 1 « é »', false, null],
				['Verbatim 0, reformulé', false, before[0]?.verbatims[0]?.id]
			]);
			store.deleteEvent(a.e.event.id);
			const after = await opened.reopen();
			expect(after.getEvent(a.e.event.id)).toBeUndefined();
			expect(dump(after, b.e.event.id)).toEqual(before[1]);
			after.close();
		});
	});
}

describe('PostgreSQL store', () => {
	const open = async () => {
		const dir = mkdtempSync(join(tmpdir(), 'palabre-contract-'));
		dirs.push(dir);
		const url = await cluster.createDatabase();
		return { url, store: await openPostgresStore(url, dir) };
	};
	const sql = async (url: string, text: string, values: unknown[] = []) => {
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			return (await client.query(text, values)).rows;
		} finally {
			await client.end();
		}
	};

	it('has committed every change once committed() resolves, byte for byte', async () => {
		const { url, store } = await open();
		const { e, group } = fill(store);
		await store.committed();
		const [event] = await sql(url, 'SELECT settings, organiser_token_hash FROM events WHERE id = $1', [e.event.id]);
		expect(event).toEqual({ settings: JSON.stringify(e.event.settings), organiser_token_hash: e.event.organiserTokenHash });
		expect(await sql(url, 'SELECT tap_id FROM speaking_taps WHERE group_id = $1 ORDER BY ord', [group.id])).toEqual([{ tap_id: 'a' }, { tap_id: 'b' }]);
		expect((await sql(url, 'SELECT count(*)::int AS n FROM participants WHERE group_id = $1', [group.id]))[0]).toEqual({ n: 3 });
		await store.close();
	});

	it('a commit PostgreSQL refuses is answered notSaved, and the memory is reloaded from PostgreSQL', async () => {
		const { url, store } = await open();
		const { e } = fill(store);
		await store.committed();
		// A rule only PostgreSQL knows: the memory accepts the write, the commit fails.
		await sql(url, `ALTER TABLE events ADD CONSTRAINT no_boom CHECK (title <> 'boom')`);
		let reloads = 0;
		store.onReloaded(() => reloads++);
		const boom = newEvent('boom');
		store.createEvent(boom);
		store.saveBoard(e.event.id, emptyBoard(), 7);
		expect(store.getEvent(boom.event.id)?.title).toBe('boom');
		await expect(store.committed()).rejects.toMatchObject({ status: 503, code: 'notSaved' });
		await expect.poll(() => reloads).toBe(1);
		// Memory equals PostgreSQL again: neither the refused event nor the board written after it.
		expect(store.getEvent(boom.event.id)).toBeUndefined();
		expect(store.getBoard(e.event.id).version).toBe(1);
		expect(store.stats.failures).toBe(1);
		// And writes are served again.
		store.saveBoard(e.event.id, emptyBoard(), 8);
		await store.committed();
		expect(await sql(url, 'SELECT version FROM boards WHERE event_id = $1', [e.event.id])).toEqual([{ version: 8 }]);
		await store.close();
	});

	it('refuses every write while it reloads, and serves reads', async () => {
		const { url, store } = await open();
		const { e } = fill(store);
		await store.committed();
		await sql(url, `ALTER TABLE boards ADD CONSTRAINT no_nine CHECK (version <> 9)`);
		let reloaded = false;
		store.onReloaded(() => (reloaded = true));
		// The reload reads the quarantine first: held back by this lock until the checks below are done.
		const blocker = new pg.Client({ connectionString: url });
		await blocker.connect();
		await blocker.query('BEGIN');
		await blocker.query('LOCK TABLE quarantine IN ACCESS EXCLUSIVE MODE');
		store.saveBoard(e.event.id, emptyBoard(), 9);
		await expect(store.committed()).rejects.toMatchObject({ code: 'notSaved' });
		expect(() => store.saveBoard(e.event.id, emptyBoard(), 10)).toThrow(expect.objectContaining({ code: 'notSaved' }));
		expect(() => store.transaction(() => store.setGroupLabel('unknown', 'x'))).not.toThrow();
		expect(store.getEvent(e.event.id)?.id).toBe(e.event.id);
		expect(reloaded).toBe(false);
		await blocker.query('COMMIT');
		await blocker.end();
		await expect.poll(() => reloaded).toBe(true);
		expect(store.getBoard(e.event.id).version).toBe(1);
		await store.close();
	});

	it('several nodes starting together migrate once', async () => {
		const url = await cluster.createDatabase();
		const stores = await Promise.all([0, 1, 2].map(() => openPostgresStore(url, mkdtempSync(join(tmpdir(), 'palabre-contract-')))));
		expect(await sql(url, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(PG_MIGRATIONS.map((_, k) => ({ version: k + 1 })));
		for (const s of stores) s.close();
	});

	it('a bad DATABASE_URL fails with a clear error', async () => {
		const dead = `postgres://postgres@127.0.0.1:${cluster.port}/no_such_database`;
		await expect(openPostgresStore(dead, mkdtempSync(join(tmpdir(), 'palabre-contract-')))).rejects.toThrow(/no_such_database/);
	});
});

