import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { z } from 'zod';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Category } from '../../src/lib/domain/categories';
import * as protocol from '../../src/lib/protocol';
import type { Language, RoomPhase } from '../../src/lib/protocol';
import { hashToken } from '../tokens';
import { startCheckpointer } from './checkpointer';
import { WalSync } from './walSync';
import { writeTransaction } from './writeTransaction';
import { MIGRATIONS } from './migrations';
import { sqliteYDocPersistence, type YDocPersistence } from './ydocs';
import {
	DEFAULT_MAX_GROUP_SIZE,
	DEFAULT_STAGE_MINUTES,
	DEFAULT_STAGE_NAMES,
	DEFAULT_STAGE_QUESTIONS,
	DEFAULT_WRITING_WARNING_MINUTES
} from '../../src/lib/domain/eventSettings';
import { emptyBoard, type Board } from '../../src/lib/domain/board';
import type { Tap } from '../../src/lib/domain/speaking';
import { docName } from '../../src/lib/writeup';
import { initialRoomStages, type RoomStages } from '../../src/lib/domain/stages';
import type { Translations } from '../../src/lib/domain/translations';
import type {
	Evaluation,
	EventRecord,
	EventSettings,
	GroupRecord,
	NewEvent,
	ParticipantRecord,
	RoomLinkHashes,
	RoomRecord,
	StatementEdit,
	StatementRecord,
	Store,
	VerbatimRecord,
	WorkshopRecord,
	WriteupAccessEntry
} from './store';

export const DB_FILE = 'palabre.sqlite';

type Row = Record<string, unknown>;

function toEvent(r: Row): EventRecord {
	return {
		id: r.id as string,
		title: r.title as string,
		date: (r.date as string | null) ?? null,
		endDate: (r.end_date as string | null) ?? null,
		place: (r.place as string | null) ?? null,
		language: r.language as Language,
		joinCode: r.join_code as string,
		organiserTokenHash: r.organiser_token_hash as string,
		settings: withDefaults(JSON.parse(r.settings as string)),
		createdAt: r.created_at as number
	};
}

/** Settings saved by an older version lack the newer fields. */
function withDefaults(saved: Partial<EventSettings> & Pick<EventSettings, 'stageQuestions' | 'stageMinutes' | 'maxGroupSize'>): EventSettings {
	return { stageNames: [...DEFAULT_STAGE_NAMES], writingWarningMinutes: DEFAULT_WRITING_WARNING_MINUTES, ...saved };
}

function toRoom(r: Row): RoomRecord {
	return {
		id: r.id as string,
		eventId: r.event_id as string,
		position: r.position as number,
		title: r.title as string,
		phase: r.phase as RoomPhase,
		presenting: r.presenting as number,
		stages: r.stages ? (JSON.parse(r.stages as string) as RoomStages) : initialRoomStages()
	};
}

function toGroup(r: Row): GroupRecord {
	return {
		id: r.id as string,
		roomId: r.room_id as string,
		statementId: r.statement_id as string,
		number: r.number as number,
		label: (r.label as string | null) ?? null,
		createdAt: r.created_at as number
	};
}

function toStatement(r: Row): StatementRecord {
	return {
		id: r.id as string,
		roomId: r.room_id as string,
		position: r.position as number,
		text: r.text as string,
		translations: JSON.parse(r.translations as string) as Translations,
		sourceVerbatimId: (r.source_verbatim_id as string | null) ?? null,
		...(r.translation_review === 1 ? { translationToReview: true } : {})
	};
}

function toWorkshop(r: Row): WorkshopRecord {
	return {
		id: r.id as string,
		eventId: r.event_id as string,
		position: r.position as number,
		title: r.title as string,
		captureHash: r.capture_hash as string
	};
}

function toVerbatim(r: Row): VerbatimRecord {
	return {
		id: r.id as string,
		eventId: r.event_id as string,
		workshopId: (r.workshop_id as string | null) ?? null,
		roomId: (r.room_id as string | null) ?? null,
		text: r.text as string,
		lively: r.lively === 1,
		category: (r.category as Category | null) ?? null,
		at: r.at as number,
		receivedAt: r.received_at as number,
		starred: r.starred === 1,
		reworded: (r.reworded as string | null) ?? null,
		mergedInto: (r.merged_into as string | null) ?? null,
		statementId: (r.statement_id as string | null) ?? null
	};
}

/** A verbatim's row, for the statements that bind by name. */
function verbatimRow(v: VerbatimRecord) {
	return { ...v, lively: v.lively ? 1 : 0, starred: v.starred ? 1 : 0 };
}

function toParticipant(r: Row): ParticipantRecord {
	return {
		id: r.id as string,
		eventId: r.event_id as string,
		tokenHash: r.token_hash as string,
		displayName: r.display_name as string,
		categories: JSON.parse(r.categories as string) as Category[],
		roomId: (r.room_id as string | null) ?? null,
		groupId: (r.group_id as string | null) ?? null,
		addedByFacilitator: r.added_by_facilitator === 1,
		createdAt: r.created_at as number
	};
}

/** Applies pending migrations; returns the schema version now in force. */
export function migrate(db: Database.Database): number {
	const current = db.pragma('user_version', { simple: true }) as number;
	// For the migration that hashes the links stored in plain text before.
	db.function('sha256_hex', { deterministic: true }, (token: unknown) => hashToken(String(token)));
	for (let v = current; v < MIGRATIONS.length; v++) {
		writeTransaction(db, () => {
			db.exec(MIGRATIONS[v] as string);
			db.pragma(`user_version = ${v + 1}`);
		})();
	}
	return MIGRATIONS.length;
}

/**
 * JSON columns, the schema of what they hold, and what to do with a row whose cell is unreadable
 * or of the wrong shape: reset the cell to a safe value (the event keeps its rooms and people, a
 * person their place) or drop a row that stands alone. Either way the raw row is kept in
 * `quarantine` for a human to recover.
 */
const JSON_COLUMNS: { table: string; column: string; schema: z.ZodType; repair: { reset: string | null } | 'delete' }[] = [
	{
		table: 'events',
		column: 'settings',
		// Settings saved by an older version lack the newer fields (withDefaults).
		schema: protocol.EventSettings.partial({ stageNames: true, writingWarningMinutes: true }),
		repair: {
			reset: JSON.stringify({
				stageQuestions: DEFAULT_STAGE_QUESTIONS,
				stageNames: DEFAULT_STAGE_NAMES,
				stageMinutes: DEFAULT_STAGE_MINUTES,
				maxGroupSize: DEFAULT_MAX_GROUP_SIZE,
				writingWarningMinutes: DEFAULT_WRITING_WARNING_MINUTES
			})
		}
	},
	{ table: 'participants', column: 'categories', schema: z.array(protocol.CategoryId).max(protocol.LIMITS.categoriesPerPerson), repair: { reset: '[]' } },
	{ table: 'statements', column: 'translations', schema: protocol.Translations, repair: { reset: '{}' } },
	{ table: 'rooms', column: 'stages', schema: protocol.RoomStages, repair: { reset: null } },
	{ table: 'boards', column: 'state', schema: protocol.Board, repair: 'delete' },
	{ table: 'evaluations', column: 'data', schema: protocol.EvaluationBody, repair: 'delete' },
	{ table: 'speaking_taps', column: 'tap', schema: protocol.Tap, repair: 'delete' },
	{ table: 'room_stage_log', column: 'stages', schema: protocol.RoomStages, repair: 'delete' }
];

export interface SetAside {
	table: string;
	reason: string;
}

/** Why a JSON cell cannot be used as it is, or null when it can. */
function cellError(raw: string, schema: z.ZodType): string | null {
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch {
		return 'illisible';
	}
	const parsed = schema.safeParse(value);
	return parsed.success ? null : `de forme inattendue (${protocol.describeZodError(parsed.error)})`;
}

/**
 * A corrupt or truncated row must not stop the server: each row whose JSON is unreadable or not of
 * its schema, and each write-up update that does not decode, is copied to `quarantine` with the
 * reason and removed (or its cell reset), and the rest loads.
 */
export function setAsideCorruptRows(db: Database.Database): SetAside[] {
	const report: SetAside[] = [];
	const quick = db.pragma('quick_check', { simple: true });
	if (quick !== 'ok') report.push({ table: '*', reason: `quick_check: ${String(quick)}` });
	const keep = db.prepare(`INSERT INTO quarantine (table_name, row_data, reason, at) VALUES (?, ?, ?, ?)`);
	const setAside = (table: string, row: Row, reason: string, repair: () => void) => {
		writeTransaction(db, () => {
			keep.run(table, JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)), reason, Date.now());
			repair();
		})();
		report.push({ table, reason });
	};
	for (const { table, column, schema, repair } of JSON_COLUMNS) {
		// Collected first: the rows are changed as they are set aside.
		const bad: { row: Row; error: string }[] = [];
		for (const row of db.prepare(`SELECT rowid AS _rowid, * FROM ${table} WHERE ${column} IS NOT NULL`).iterate() as IterableIterator<Row>) {
			const error = typeof row[column] === 'string' ? cellError(row[column], schema) : 'illisible';
			if (error) bad.push({ row, error });
		}
		for (const { row, error } of bad) {
			setAside(table, row, `${table}.${column} ${error}`, () => {
				if (repair === 'delete') db.prepare(`DELETE FROM ${table} WHERE rowid = ?`).run(row._rowid);
				else db.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`).run(repair.reset, row._rowid);
			});
		}
	}
	// Each update of a write-up must decode on its own (it may depend on the rows before it).
	const badUpdates: Row[] = [];
	for (const row of db.prepare(`SELECT rowid AS _rowid, doc, seq, data FROM ydoc_updates`).iterate() as IterableIterator<Row>) {
		try {
			if (!(row.data instanceof Uint8Array)) throw new Error('not bytes');
			Y.decodeUpdate(row.data);
		} catch {
			badUpdates.push(row);
		}
	}
	for (const row of badUpdates) {
		setAside('ydoc_updates', row, `ydoc_updates illisible (${String(row.doc)}, seq ${String(row.seq)})`, () =>
			db.prepare(`DELETE FROM ydoc_updates WHERE rowid = ?`).run(row._rowid)
		);
	}
	return report;
}

/**
 * How hard a connection's commit waits for the disk. NORMAL in WAL mode survives a crash of the
 * process but may lose the last commits on a power cut; FULL syncs the WAL in every commit, so an
 * acknowledged change survives that too, but holds the committing thread for the sync. Both
 * processes commit with NORMAL and, before anyone is told, wait for a sync of the WAL made off
 * their event loop (./walSync.ts: the main process's `committed()`, the Yjs process's `durable`):
 * FULL's guarantee without its stall. Measured by `npm run bench` (README, « Performance »).
 */
export const SYNCHRONOUS = 'NORMAL';

/** A connection's WAL syncs: `durable()` resolves once its commits so far survive a power cut. */
function walSyncOf(db: Database.Database, dataDir: string): WalSync {
	const changes = db.prepare('SELECT total_changes()').pluck();
	return new WalSync(join(dataDir, `${DB_FILE}-wal`), () => changes.get() as number);
}

/** What a person reads when a write fails for want of disk (also in the i18n dictionaries: common.storageFull). */
export const STORAGE_FULL = 'stockage plein : le serveur ne peut plus rien enregistrer ; rien de ce qui était enregistré n’est perdu';

/**
 * A write refused by the disk (full, or failing): the transaction is rolled back, so nothing
 * changed, and reads still work. Callers answer 503 with STORAGE_FULL.
 */
export function isStorageFull(err: unknown): boolean {
	const code = err instanceof Database.SqliteError ? err.code : '';
	return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR');
}

/**
 * Test-only (documented in docs/security.md): STORE_MAX_PAGES caps the store's pages on every
 * connection once it is open, which simulates a full disk without root-only mounts. SQLite keeps
 * the cap at no less than the pages already there.
 */
function capPagesForTests(db: Database.Database) {
	const max = Number(process.env.STORE_MAX_PAGES);
	if (Number.isInteger(max) && max > 0) db.pragma(`max_page_count = ${max}`);
}

/** A connection to the store's one file, in WAL mode: several processes may hold one. */
function openDatabase(dataDir: string): Database.Database {
	mkdirSync(dataDir, { recursive: true });
	const db = new Database(join(dataDir, DB_FILE));
	db.pragma('journal_mode = WAL');
	db.pragma(`synchronous = ${SYNCHRONOUS}`);
	db.pragma('foreign_keys = ON');
	// The other process's write transaction is short: wait for it rather than fail.
	db.pragma('busy_timeout = 5000');
	// Not in a commit: the main process's checkpointer does it on a thread of its own (checkpointer.ts).
	db.pragma('wal_autocheckpoint = 0');
	return db;
}

/**
 * The write-ups' rows only, for the Yjs process (server/realtime/yjsHost.ts), on the same file
 * as the main process's store, which has migrated it.
 */
export function openYDocStore(dataDir: string): { ydocs: YDocPersistence; durable(): Promise<void>; close(): void } {
	const db = openDatabase(dataDir);
	capPagesForTests(db);
	const wal = walSyncOf(db, dataDir);
	return {
		ydocs: sqliteYDocPersistence(db),
		durable: () => wal.durable(),
		close: () => {
			void wal.close();
			db.close();
		}
	};
}

/** Opens (or creates) the store in dataDir, in WAL mode, migrated to the latest schema. */
export function openSqliteStore(dataDir: string): Store {
	const db = openDatabase(dataDir);
	migrate(db);
	const setAside = setAsideCorruptRows(db);
	capPagesForTests(db);
	const checkpointer = startCheckpointer(join(dataDir, DB_FILE), SYNCHRONOUS);
	const wal = walSyncOf(db, dataDir);
	return sqliteStoreOn(db, {
		dataDir,
		setAside,
		ydocs: sqliteYDocPersistence(db),
		committed: () => wal.durable(),
		close: () => {
			// The worker's connection closes as it ends; the last one to close folds the WAL back in (and syncs it).
			void checkpointer.stop();
			void wal.close();
			db.close();
		}
	});
}

/**
 * The store's operations on an open, migrated database: the file above, or the in-memory mirror
 * of PostgreSQL (./postgres/mirror.ts). Every write is committed when the call returns; `committed()`
 * resolves once it is durable (synced to disk, or committed by PostgreSQL).
 */
export function sqliteStoreOn(
	db: Database.Database,
	{
		dataDir,
		setAside,
		ydocs,
		committed = () => Promise.resolve(),
		close
	}: { dataDir: string; setAside: SetAside[]; ydocs: YDocPersistence; committed?: () => Promise<void>; close(): void }
): Store {
	const q = {
		insertEvent: db.prepare(
			`INSERT INTO events (id, title, date, end_date, place, language, join_code, organiser_token_hash, settings, created_at)
			 VALUES (@id, @title, @date, @endDate, @place, @language, @joinCode, @organiserTokenHash, @settings, @createdAt)`
		),
		insertRoom: db.prepare(`INSERT INTO rooms (id, event_id, position, title) VALUES (@id, @eventId, @position, @title)`),
		addRoomLink: db.prepare(`INSERT OR IGNORE INTO room_links (room_id, role, token_hash) VALUES (?, ?, ?)`),
		deleteRoomLinks: db.prepare(`DELETE FROM room_links WHERE room_id = ? AND room_id IN (SELECT id FROM rooms WHERE event_id = ?)`),
		roomLinkHashes: db.prepare(`SELECT token_hash FROM room_links WHERE room_id = ? AND role = ?`).pluck(),
		roomsWithoutLinks: db
			.prepare(
				`SELECT id FROM rooms r WHERE event_id = ? AND NOT EXISTS (SELECT 1 FROM room_links l WHERE l.room_id = r.id AND l.legacy = 0)
				 ORDER BY position`
			)
			.pluck(),
		insertStatement: db.prepare(
			`INSERT INTO statements (id, room_id, position, text, translations, source_verbatim_id, translation_review)
			 VALUES (@id, @roomId, @position, @text, @translations, @sourceVerbatimId, @review)`
		),
		setStatementTranslations: db.prepare(`UPDATE statements SET translations = ?, translation_review = 0 WHERE id = ?`),
		saveStatement: db.prepare(
			`INSERT INTO statements (id, room_id, position, text, translations, translation_review)
			 VALUES (@id, @roomId, @position, @text, @translations, @review)
			 ON CONFLICT (id) DO UPDATE SET position = excluded.position, text = excluded.text,
			 translations = excluded.translations, translation_review = excluded.translation_review`
		),
		deleteStatement: db.prepare(`DELETE FROM statements WHERE id = ? AND room_id = ?`),
		addStatementEdit: db.prepare(
			`INSERT INTO statement_edits (statement_id, room_id, at, by, before, after) VALUES (@statementId, @roomId, @at, @by, @before, @after)`
		),
		listStatementEdits: db.prepare(
			`SELECT statement_id AS statementId, room_id AS roomId, at, by, before, after FROM statement_edits WHERE room_id = ? ORDER BY at, rowid`
		),
		deleteWishes: db.prepare(`DELETE FROM room_wishes WHERE participant_id = ?`),
		addWish: db.prepare(`INSERT INTO room_wishes (participant_id, rank, room_id) VALUES (?, ?, ?)`),
		listWishes: db.prepare(
			`SELECT w.participant_id, w.room_id FROM room_wishes w JOIN participants p ON p.id = w.participant_id
			 WHERE p.event_id = ? ORDER BY w.participant_id, w.rank`
		),
		setEventSettings: db.prepare(`UPDATE events SET settings = ? WHERE id = ?`),
		getEvent: db.prepare(`SELECT * FROM events WHERE id = ?`),
		deleteEvent: db.prepare(`DELETE FROM events WHERE id = ?`),
		deleteParticipant: db.prepare(`DELETE FROM participants WHERE id = ?`),
		deleteTapsOf: db.prepare(`DELETE FROM speaking_taps WHERE json_extract(tap, '$.participantId') = ?`),
		eventsBefore: db.prepare(`SELECT id FROM events WHERE created_at < ?`),
		setOrganiserToken: db.prepare(`UPDATE events SET organiser_token_hash = ? WHERE id = ?`),
		eventGroupIds: db.prepare(`SELECT g.id FROM groups g JOIN rooms r ON r.id = g.room_id WHERE r.event_id = ?`),
		getEventByCode: db.prepare(`SELECT * FROM events WHERE join_code = ?`),
		listRooms: db.prepare(`SELECT * FROM rooms WHERE event_id = ? ORDER BY position`),
		getRoom: db.prepare(`SELECT * FROM rooms WHERE id = ?`),
		listStatements: db.prepare(`SELECT * FROM statements WHERE room_id = ? ORDER BY position`),
		insertParticipant: db.prepare(
			`INSERT INTO participants (id, event_id, token_hash, display_name, categories, room_id, group_id, added_by_facilitator, created_at)
			 VALUES (@id, @eventId, @tokenHash, @displayName, @categories, @roomId, @groupId, @addedByFacilitator, @createdAt)`
		),
		getParticipant: db.prepare(`SELECT * FROM participants WHERE id = ?`),
		listParticipants: db.prepare(`SELECT * FROM participants WHERE event_id = ? ORDER BY created_at, id`),
		listRoomParticipants: db.prepare(`SELECT * FROM participants WHERE room_id = ? ORDER BY created_at, id`),
		listGroupMembers: db.prepare(`SELECT * FROM participants WHERE group_id = ? ORDER BY created_at, id`),
		listRoomSeats: db.prepare(
			`SELECT id AS participantId, group_id AS groupId FROM participants WHERE room_id = ? AND group_id IS NOT NULL ORDER BY created_at, id`
		),
		// The statements as a JSON array: one prepared statement whatever their number.
		listStatementSeats: db.prepare(
			`SELECT p.id AS participantId, p.group_id AS groupId FROM groups g JOIN participants p ON p.group_id = g.id
			 WHERE g.room_id = ? AND g.statement_id IN (SELECT value FROM json_each(?)) ORDER BY p.created_at, p.id`
		),
		setParticipantRoom: db.prepare(`UPDATE participants SET room_id = ? WHERE id = ?`),
		setParticipantGroup: db.prepare(`UPDATE participants SET group_id = ? WHERE id = ?`),
		setRoomPhase: db.prepare(`UPDATE rooms SET phase = ?, presenting = ? WHERE id = ?`),
		setRoomStages: db.prepare(`UPDATE rooms SET stages = ? WHERE id = ?`),
		addRapporteur: db.prepare(`INSERT OR IGNORE INTO rapporteurs (group_id, stage, participant_id) VALUES (?, ?, ?)`),
		removeRapporteur: db.prepare(`DELETE FROM rapporteurs WHERE group_id = ? AND stage = ? AND participant_id = ?`),
		getBoard: db.prepare(`SELECT state, version FROM boards WHERE event_id = ?`),
		saveBoard: db.prepare(
			`INSERT INTO boards (event_id, state, version) VALUES (?, ?, ?)
			 ON CONFLICT (event_id) DO UPDATE SET state = excluded.state, version = excluded.version`
		),
		addTap: db.prepare(`INSERT OR IGNORE INTO speaking_taps (group_id, tap_id, stage, at, tap) VALUES (?, ?, ?, ?, ?)`),
		listTaps: db.prepare(`SELECT tap_id, stage, tap FROM speaking_taps WHERE group_id = ? ORDER BY at, rowid`),
		addStageLog: db.prepare(`INSERT INTO room_stage_log (room_id, at, stages) VALUES (?, ?, ?)`),
		listStageLog: db.prepare(`SELECT at, stages FROM room_stage_log WHERE room_id = ? ORDER BY at, rowid`),
		addWriteupAccess: db.prepare(`INSERT INTO writeup_access_log (group_id, at, open, by) VALUES (?, ?, ?, ?)`),
		listWriteupAccess: db.prepare(`SELECT at, open, by FROM writeup_access_log WHERE group_id = ? ORDER BY at, rowid`),
		listRapporteurs: db.prepare(`SELECT stage, participant_id FROM rapporteurs WHERE group_id = ? ORDER BY stage, rowid`),
		saveEvaluation: db.prepare(
			`INSERT INTO evaluations (group_id, data, updated_at) VALUES (?, ?, ?)
			 ON CONFLICT (group_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`
		),
		listEvaluations: db.prepare(
			`SELECT e.group_id, e.data FROM evaluations e JOIN groups g ON g.id = e.group_id WHERE g.room_id = ? ORDER BY g.statement_id, g.number`
		),
		listGroups: db.prepare(`SELECT * FROM groups WHERE room_id = ? ORDER BY statement_id, number`),
		listStatementGroups: db.prepare(
			`SELECT * FROM groups WHERE room_id = ? AND statement_id IN (SELECT value FROM json_each(?)) ORDER BY statement_id, number`
		),
		getGroup: db.prepare(`SELECT * FROM groups WHERE id = ?`),
		insertGroup: db.prepare(
			`INSERT INTO groups (id, room_id, statement_id, number, label, created_at)
			 VALUES (@id, @roomId, @statementId, @number, @label, @createdAt)`
		),
		deleteGroup: db.prepare(`DELETE FROM groups WHERE id = ?`),
		setGroupLabel: db.prepare(`UPDATE groups SET label = ? WHERE id = ?`),
		insertWorkshop: db.prepare(
			`INSERT INTO workshops (id, event_id, position, title, capture_hash) VALUES (@id, @eventId, @position, @title, @captureHash)`
		),
		listWorkshops: db.prepare(`SELECT * FROM workshops WHERE event_id = ? ORDER BY position`),
		getWorkshop: db.prepare(`SELECT * FROM workshops WHERE id = ?`),
		setWorkshopHash: db.prepare(`UPDATE workshops SET capture_hash = ? WHERE id = ?`),
		insertVerbatim: db.prepare(
			`INSERT OR IGNORE INTO verbatims (event_id, id, workshop_id, room_id, text, lively, category, at, received_at, starred, reworded, merged_into, statement_id)
			 VALUES (@eventId, @id, @workshopId, @roomId, @text, @lively, @category, @at, @receivedAt, @starred, @reworded, @mergedInto, @statementId)`
		),
		listVerbatims: db.prepare(`SELECT * FROM verbatims WHERE event_id = ? ORDER BY at, rowid`),
		updateVerbatim: db.prepare(
			`UPDATE verbatims SET room_id = @roomId, starred = @starred, reworded = @reworded, merged_into = @mergedInto, statement_id = @statementId
			 WHERE event_id = @eventId AND id = @id`
		),
		appendStatement: db.prepare(
			`INSERT INTO statements (id, room_id, position, text, translations, source_verbatim_id)
			 VALUES (@id, @roomId, (SELECT COALESCE(MAX(position) + 1, 0) FROM statements WHERE room_id = @roomId), @text, @translations, @sourceVerbatimId)`
		)
	};

	const addLinks = (roomId: string, links: RoomLinkHashes) => {
		q.addRoomLink.run(roomId, 'facilitation', links.facilitation);
		q.addRoomLink.run(roomId, 'projection', links.projection);
	};
	return {
		dataDir,
		setAside,
		transaction: (fn) => writeTransaction(db, fn)(),
		committed,
		ydocs,
		createEvent({ event, rooms }: NewEvent) {
			writeTransaction(db, () => {
				q.insertEvent.run({ ...event, settings: JSON.stringify(event.settings) });
				for (const room of rooms) {
					q.insertRoom.run({ id: room.id, eventId: room.eventId, position: room.position, title: room.title });
					addLinks(room.id, room.links);
					for (const s of room.statements) q.insertStatement.run({
						...s,
						translations: JSON.stringify(s.translations),
						sourceVerbatimId: s.sourceVerbatimId ?? null,
						review: s.translationToReview ? 1 : 0
					});
				}
			})();
		},
		rotateTokens(eventId, organiserTokenHash, rooms) {
			writeTransaction(db, () => {
				q.setOrganiserToken.run(organiserTokenHash, eventId);
				for (const r of rooms) {
					// The legacy links go too: a rotation cuts every link given before it.
					q.deleteRoomLinks.run(r.id, eventId);
					addLinks(r.id, r.links);
				}
			})();
		},
		roomLinkHashes: (roomId, role) => q.roomLinkHashes.all(roomId, role) as string[],
		roomsWithoutLinks: (eventId) => q.roomsWithoutLinks.all(eventId) as string[],
		addRoomLinks(rooms) {
			writeTransaction(db, () => {
				for (const r of rooms) addLinks(r.id, r.links);
			})();
		},
		deleteParticipant(id) {
			writeTransaction(db, () => {
				q.deleteTapsOf.run(id);
				q.deleteParticipant.run(id);
			})();
		},
		listEventsCreatedBefore: (at) => (q.eventsBefore.all(at) as { id: string }[]).map((r) => r.id),
		deleteEvent(id) {
			writeTransaction(db, () => {
				// Write-ups are keyed by doc name, not by foreign key: removed by hand.
				for (const { id: groupId } of q.eventGroupIds.all(id) as { id: string }[]) ydocs.deleteDoc(docName(groupId));
				q.deleteEvent.run(id);
			})();
		},
		getEvent: (id) => {
			const r = q.getEvent.get(id) as Row | undefined;
			return r && toEvent(r);
		},
		getEventByJoinCode: (code) => {
			const r = q.getEventByCode.get(code) as Row | undefined;
			return r && toEvent(r);
		},
		listRooms: (eventId) => (q.listRooms.all(eventId) as Row[]).map(toRoom),
		getRoom: (id) => {
			const r = q.getRoom.get(id) as Row | undefined;
			return r && toRoom(r);
		},
		listStatements: (roomId) => (q.listStatements.all(roomId) as Row[]).map(toStatement),
		setStatementTranslations: (id, translations) => void q.setStatementTranslations.run(JSON.stringify(translations), id),
		saveStatements(roomId, statements, removed) {
			writeTransaction(db, () => {
				for (const id of removed) q.deleteStatement.run(id, roomId);
				for (const s of statements) {
					q.saveStatement.run({ ...s, roomId, translations: JSON.stringify(s.translations), review: s.translationToReview ? 1 : 0 });
				}
			})();
		},
		addStatementEdit: (edit) => void q.addStatementEdit.run(edit),
		listStatementEdits: (roomId) => q.listStatementEdits.all(roomId) as StatementEdit[],
		setWishes(participantId, roomIds) {
			writeTransaction(db, () => {
				q.deleteWishes.run(participantId);
				roomIds.forEach((roomId, rank) => q.addWish.run(participantId, rank, roomId));
			})();
		},
		listWishes(eventId) {
			const wishes = new Map<string, string[]>();
			for (const r of q.listWishes.all(eventId) as Row[]) {
				const id = r.participant_id as string;
				wishes.set(id, [...(wishes.get(id) ?? []), r.room_id as string]);
			}
			return wishes;
		},
		saveEventSettings: (eventId, settings) => void q.setEventSettings.run(JSON.stringify(settings), eventId),
		createParticipant: (p) =>
			void q.insertParticipant.run({
				...p,
				categories: JSON.stringify(p.categories),
				addedByFacilitator: p.addedByFacilitator ? 1 : 0
			}),
		getParticipant: (id) => {
			const r = q.getParticipant.get(id) as Row | undefined;
			return r && toParticipant(r);
		},
		listParticipants: (eventId) => (q.listParticipants.all(eventId) as Row[]).map(toParticipant),
		listRoomParticipants: (roomId) => (q.listRoomParticipants.all(roomId) as Row[]).map(toParticipant),
		listGroupMembers: (groupId) => (q.listGroupMembers.all(groupId) as Row[]).map(toParticipant),
		listRoomSeats: (roomId, statementIds) =>
			(statementIds ? q.listStatementSeats.all(roomId, JSON.stringify(statementIds)) : q.listRoomSeats.all(roomId)) as {
				participantId: string;
				groupId: string;
			}[],
		setParticipantRoom: (id, roomId) => void q.setParticipantRoom.run(roomId, id),
		setParticipantGroup: (id, groupId) => void q.setParticipantGroup.run(groupId, id),
		setRoomPhase: (roomId, phase, presenting) => void q.setRoomPhase.run(phase, presenting, roomId),
		setRoomStages: (roomId, stages) => void q.setRoomStages.run(JSON.stringify(stages), roomId),
		setRapporteur: (groupId, stage, participantId, on) =>
			void (on ? q.addRapporteur : q.removeRapporteur).run(groupId, stage, participantId),
		getBoard: (eventId) => {
			const r = q.getBoard.get(eventId) as Row | undefined;
			return r ? { board: JSON.parse(r.state as string) as Board, version: r.version as number } : { board: emptyBoard(), version: 0 };
		},
		saveBoard: (eventId, board, version) => void q.saveBoard.run(eventId, JSON.stringify(board), version),
		addTaps: (groupId, taps) =>
			writeTransaction(db, () => taps.reduce((n, t) => n + q.addTap.run(groupId, t.id, t.stage, t.tap.at, JSON.stringify(t.tap)).changes, 0))(),
		listTaps: (groupId) =>
			(q.listTaps.all(groupId) as Row[]).map((r) => ({ id: r.tap_id as string, stage: r.stage as number, tap: JSON.parse(r.tap as string) as Tap })),
		addStageLog: (roomId, at, stages) => void q.addStageLog.run(roomId, at, JSON.stringify(stages)),
		listStageLog: (roomId) => (q.listStageLog.all(roomId) as Row[]).map((r) => ({ at: r.at as number, stages: JSON.parse(r.stages as string) as RoomStages })),
		addWriteupAccess: (groupId, { at, open, by }) => void q.addWriteupAccess.run(groupId, at, open ? 1 : 0, by),
		listWriteupAccess: (groupId) =>
			(q.listWriteupAccess.all(groupId) as Row[]).map((r) => ({ at: r.at as number, open: r.open === 1, by: r.by as WriteupAccessEntry['by'] })),
		listRapporteurs: (groupId) =>
			(q.listRapporteurs.all(groupId) as Row[]).map((r) => ({ stage: r.stage as number, participantId: r.participant_id as string })),
		saveEvaluation: (groupId, evaluation) => void q.saveEvaluation.run(groupId, JSON.stringify(evaluation), Date.now()),
		listEvaluations: (roomId) =>
			(q.listEvaluations.all(roomId) as Row[]).map((r) => ({
				groupId: r.group_id as string,
				evaluation: JSON.parse(r.data as string) as Evaluation
			})),
		listGroups: (roomId, statementIds) =>
			((statementIds ? q.listStatementGroups.all(roomId, JSON.stringify(statementIds)) : q.listGroups.all(roomId)) as Row[]).map(toGroup),
		getGroup: (id) => {
			const r = q.getGroup.get(id) as Row | undefined;
			return r && toGroup(r);
		},
		insertGroup: (g) => void q.insertGroup.run(g),
		deleteGroup: (id) => void q.deleteGroup.run(id),
		setGroupLabel: (id, label) => void q.setGroupLabel.run(label, id),
		addWorkshop: (w) => void q.insertWorkshop.run(w),
		listWorkshops: (eventId) => (q.listWorkshops.all(eventId) as Row[]).map(toWorkshop),
		getWorkshop: (id) => {
			const r = q.getWorkshop.get(id) as Row | undefined;
			return r && toWorkshop(r);
		},
		setWorkshopHashes: (workshops) =>
			writeTransaction(db, () => {
				for (const w of workshops) q.setWorkshopHash.run(w.captureHash, w.id);
			})(),
		addVerbatims: (verbatims) => writeTransaction(db, () => verbatims.reduce((n, v) => n + q.insertVerbatim.run(verbatimRow(v)).changes, 0))(),
		listVerbatims: (eventId) => (q.listVerbatims.all(eventId) as Row[]).map(toVerbatim),
		updateVerbatims: (verbatims) =>
			writeTransaction(db, () => {
				for (const v of verbatims) q.updateVerbatim.run(verbatimRow(v));
			})(),
		appendStatement: (s) =>
			void q.appendStatement.run({ id: s.id, roomId: s.roomId, text: s.text, translations: JSON.stringify(s.translations), sourceVerbatimId: s.sourceVerbatimId ?? null }),
		close
	};
}
