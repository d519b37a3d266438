/**
 * PostgreSQL's schema, versioned like SQLite's (../migrations.ts): each entry runs once, in order,
 * in a transaction, and the versions applied are rows of `schema_migrations`. Nodes starting
 * together migrate once: the whole run holds an advisory lock. Never edit a shipped entry: append.
 *
 * Version 1 is SQLite's schema at its version 13 (version 2: its 14 and 15), translated: INTEGER → bigint, BLOB → bytea,
 * TEXT → text. JSON stays text (jsonb would reorder keys), so a row reads byte for byte the same
 * from both stores. tests/unit/postgresSchema.test.ts checks that every SQLite table and column
 * has its twin here: a new SQLite migration needs one here too.
 *
 * Each table the mirror keeps (./mirror.ts) has one more column, `ord`, numbered by PostgreSQL in
 * the order rows arrive: loading a table `ORDER BY ord` gives the in-memory rows the order of
 * their rowids, which some lists sort by (taps, stage log, rapporteurs).
 */
import type pg from 'pg';
import { YDOC_SCHEMA } from './ydocs';

const ORD = 'ord bigint GENERATED ALWAYS AS IDENTITY';

export const PG_MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE events (
		id text PRIMARY KEY,
		title text NOT NULL,
		date text,
		end_date text,
		place text,
		language text NOT NULL,
		join_code text NOT NULL UNIQUE,
		organiser_token_hash text NOT NULL,
		settings text NOT NULL,
		created_at bigint NOT NULL,
		${ORD}
	);
	CREATE TABLE rooms (
		id text PRIMARY KEY,
		event_id text NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		position bigint NOT NULL,
		title text NOT NULL,
		phase text NOT NULL DEFAULT 'welcome',
		presenting bigint NOT NULL DEFAULT 0,
		stages text,
		${ORD}
	);
	CREATE INDEX rooms_event ON rooms(event_id, position);
	CREATE TABLE statements (
		id text PRIMARY KEY,
		room_id text NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		position bigint NOT NULL,
		text text NOT NULL,
		translations text NOT NULL DEFAULT '{}',
		${ORD}
	);
	CREATE INDEX statements_room ON statements(room_id, position);
	CREATE TABLE groups (
		id text PRIMARY KEY,
		room_id text NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		statement_id text NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
		number bigint NOT NULL,
		label text,
		created_at bigint NOT NULL,
		${ORD},
		UNIQUE (statement_id, number)
	);
	CREATE INDEX groups_room ON groups(room_id);
	CREATE TABLE participants (
		id text PRIMARY KEY,
		event_id text NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		token_hash text NOT NULL,
		display_name text NOT NULL,
		categories text NOT NULL,
		room_id text REFERENCES rooms(id) ON DELETE SET NULL,
		added_by_facilitator bigint NOT NULL DEFAULT 0,
		created_at bigint NOT NULL,
		group_id text REFERENCES groups(id) ON DELETE SET NULL,
		${ORD}
	);
	CREATE INDEX participants_event ON participants(event_id);
	CREATE INDEX participants_room ON participants(room_id);
	CREATE INDEX participants_group ON participants(group_id);
	CREATE TABLE evaluations (
		group_id text PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
		data text NOT NULL,
		updated_at bigint NOT NULL,
		${ORD}
	);
	${YDOC_SCHEMA};
	CREATE TABLE rapporteurs (
		group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		stage bigint NOT NULL,
		participant_id text NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
		${ORD},
		PRIMARY KEY (group_id, stage, participant_id)
	);
	CREATE TABLE speaking_taps (
		group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		tap_id text NOT NULL,
		stage bigint NOT NULL,
		at bigint NOT NULL,
		tap text NOT NULL,
		${ORD},
		PRIMARY KEY (group_id, tap_id)
	);
	CREATE TABLE boards (
		event_id text PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
		state text NOT NULL,
		version bigint NOT NULL,
		${ORD}
	);
	CREATE TABLE quarantine (
		id bigint PRIMARY KEY,
		table_name text NOT NULL,
		row_data text NOT NULL,
		reason text NOT NULL,
		at bigint NOT NULL,
		${ORD}
	);
	CREATE TABLE room_stage_log (
		room_id text NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		at bigint NOT NULL,
		stages text NOT NULL,
		${ORD}
	);
	CREATE INDEX room_stage_log_room ON room_stage_log (room_id, at);
	CREATE TABLE room_links (
		room_id text NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		role text NOT NULL CHECK (role IN ('facilitation', 'projection')),
		token_hash text NOT NULL,
		legacy bigint NOT NULL DEFAULT 0,
		${ORD},
		PRIMARY KEY (room_id, role, token_hash)
	);
	CREATE TABLE writeup_access_log (
		group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		at bigint NOT NULL,
		open bigint NOT NULL,
		by text NOT NULL,
		${ORD}
	);
	CREATE INDEX writeup_access_log_group ON writeup_access_log (group_id, at);
	`,
	`
	-- SQLite's versions 14 and 15 (../migrations.ts): the day-1 workshops and their verbatims,
	-- statements' sources and edits, the wishes given when registering (issue 22).
	CREATE TABLE workshops (
		id text PRIMARY KEY,
		event_id text NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		position bigint NOT NULL,
		title text NOT NULL,
		capture_hash text NOT NULL,
		${ORD}
	);
	CREATE INDEX workshops_event ON workshops (event_id, position);
	CREATE TABLE verbatims (
		event_id text NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		id text NOT NULL,
		workshop_id text REFERENCES workshops(id) ON DELETE SET NULL,
		room_id text REFERENCES rooms(id) ON DELETE SET NULL,
		text text NOT NULL,
		lively bigint NOT NULL DEFAULT 0,
		category text,
		at bigint NOT NULL,
		received_at bigint NOT NULL,
		starred bigint NOT NULL DEFAULT 0,
		reworded text,
		merged_into text,
		statement_id text,
		${ORD},
		PRIMARY KEY (event_id, id)
	);
	CREATE INDEX verbatims_event ON verbatims (event_id, at);
	ALTER TABLE statements ADD COLUMN source_verbatim_id text;
	ALTER TABLE statements ADD COLUMN translation_review bigint NOT NULL DEFAULT 0;
	CREATE TABLE statement_edits (
		statement_id text NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
		room_id text NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		at bigint NOT NULL,
		by text NOT NULL,
		before text NOT NULL,
		after text NOT NULL,
		${ORD}
	);
	CREATE INDEX statement_edits_room ON statement_edits (room_id, at);
	CREATE TABLE room_wishes (
		participant_id text NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
		rank bigint NOT NULL,
		room_id text NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		${ORD},
		PRIMARY KEY (participant_id, rank)
	);
	`
];

/** The advisory lock's key: every node that migrates takes it, so one migrates and the others wait. */
const MIGRATION_LOCK = 0x70616c61; // 'pala'

/** Applies the pending migrations; returns the schema version now in force. */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
	const client = await pool.connect();
	try {
		await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
		try {
			await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
			const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
			const current = rows[0]?.v ?? 0;
			if (current > PG_MIGRATIONS.length) {
				throw new Error(`La base PostgreSQL est au schéma ${current}, plus récent que celui de ce Palabre (${PG_MIGRATIONS.length}) : mettez Palabre à jour.`);
			}
			for (let v = current; v < PG_MIGRATIONS.length; v++) {
				await client.query('BEGIN');
				try {
					await client.query(PG_MIGRATIONS[v] as string);
					await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
					await client.query('COMMIT');
				} catch (err) {
					await client.query('ROLLBACK');
					throw err;
				}
			}
		} finally {
			await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
		}
	} finally {
		client.release();
	}
	return PG_MIGRATIONS.length;
}
