/**
 * Versioned schema. Each entry runs once, in order, inside a transaction; the
 * applied version is kept in SQLite's user_version. Never edit a shipped entry: append.
 */
export const MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE events (
		id TEXT PRIMARY KEY,
		title TEXT NOT NULL,
		date TEXT,
		place TEXT,
		language TEXT NOT NULL,
		join_code TEXT NOT NULL UNIQUE,
		organiser_token_hash TEXT NOT NULL,
		settings TEXT NOT NULL,
		created_at INTEGER NOT NULL
	);
	CREATE TABLE rooms (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		title TEXT NOT NULL,
		projection_token TEXT NOT NULL,
		facilitator_token TEXT NOT NULL
	);
	CREATE INDEX rooms_event ON rooms(event_id, position);
	CREATE TABLE statements (
		id TEXT PRIMARY KEY,
		room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		text TEXT NOT NULL
	);
	CREATE INDEX statements_room ON statements(room_id, position);
	CREATE TABLE participants (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		token_hash TEXT NOT NULL,
		display_name TEXT NOT NULL,
		categories TEXT NOT NULL,
		room_id TEXT REFERENCES rooms(id) ON DELETE SET NULL,
		added_by_facilitator INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL
	);
	CREATE INDEX participants_event ON participants(event_id);
	CREATE INDEX participants_room ON participants(room_id);
	`,
	`
	-- Subgroups around statements (issue 3). A person is in at most one group: a column, not a table.
	CREATE TABLE groups (
		id TEXT PRIMARY KEY,
		room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		statement_id TEXT NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
		number INTEGER NOT NULL,
		label TEXT,
		created_at INTEGER NOT NULL,
		UNIQUE (statement_id, number)
	);
	CREATE INDEX groups_room ON groups(room_id);
	ALTER TABLE participants ADD COLUMN group_id TEXT REFERENCES groups(id) ON DELETE SET NULL;
	CREATE INDEX participants_group ON participants(group_id);
	ALTER TABLE rooms ADD COLUMN phase TEXT NOT NULL DEFAULT 'welcome';
	ALTER TABLE rooms ADD COLUMN presenting INTEGER NOT NULL DEFAULT 0;
	`,
	`
	-- Stages of each room (issue 4): the stage machine's state as JSON (src/lib/domain/stages.ts),
	-- and the groups' evaluations of the meeting.
	ALTER TABLE rooms ADD COLUMN stages TEXT;
	CREATE TABLE evaluations (
		group_id TEXT PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
		data TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	);
	`,
	`
	-- Shared write-ups (Yjs, server/realtime/yjs.ts): every accepted update is a row, in order;
	-- now and then a doc's rows are replaced by one merged update that keeps the last seq.
	CREATE TABLE ydoc_updates (
		doc TEXT NOT NULL,
		seq INTEGER NOT NULL,
		data BLOB NOT NULL,
		PRIMARY KEY (doc, seq)
	);
	`,
	`
	-- Who holds the pen for each stage of a group (issue 5); several may, and it may rotate.
	CREATE TABLE rapporteurs (
		group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		stage INTEGER NOT NULL,
		participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
		PRIMARY KEY (group_id, stage, participant_id)
	);
	`,
	`
	-- Speaking time (issue 6): the timekeeper's taps, as sent (with their original times); the
	-- intervals and totals are derived from them (src/lib/domain/speaking.ts), undo included.
	-- The client's tap id makes a resent offline queue harmless.
	CREATE TABLE speaking_taps (
		group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		tap_id TEXT NOT NULL,
		stage INTEGER NOT NULL,
		at INTEGER NOT NULL,
		tap TEXT NOT NULL,
		PRIMARY KEY (group_id, tap_id)
	);
	`,
	`
	-- The board of préconisations (issue 7), one per event, server-authoritative: its state as
	-- JSON (src/lib/domain/board.ts), rewritten after every operation.
	CREATE TABLE boards (
		event_id TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
		state TEXT NOT NULL,
		version INTEGER NOT NULL
	);
	`,
	`
	-- Rows found unreadable at start are moved here, with the reason, so the rest still loads.
	CREATE TABLE quarantine (
		id INTEGER PRIMARY KEY,
		table_name TEXT NOT NULL,
		row_data TEXT NOT NULL,
		reason TEXT NOT NULL,
		at INTEGER NOT NULL
	);
	`,
	`
	-- Organisers' translations of each statement (issue 11), as JSON: { "en": "…" }.
	ALTER TABLE statements ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
	`,
	`
	-- Every stage state a room went through, with its time (issue 21): speaking time counts only
	-- while a group's stage runs, and a late tap is placed in the stage of its own time.
	CREATE TABLE room_stage_log (
		room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		at INTEGER NOT NULL,
		stages TEXT NOT NULL
	);
	CREATE INDEX room_stage_log_room ON room_stage_log (room_id, at);
	`,
	`
	-- Facilitation and projection links stored hashed, like the organiser's and participants' tokens
	-- (issue 15). A room's links are derived from the organiser's token (server/tokens.ts), so the
	-- console can show them again and a rotation changes them all. Links made before this version
	-- are kept, hashed, as 'legacy' until the event's next rotation, so they keep working.
	-- sha256_hex is registered by migrate() (sqlite.ts).
	CREATE TABLE room_links (
		room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		role TEXT NOT NULL CHECK (role IN ('facilitation', 'projection')),
		token_hash TEXT NOT NULL,
		legacy INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (room_id, role, token_hash)
	);
	INSERT INTO room_links (room_id, role, token_hash, legacy) SELECT id, 'projection', sha256_hex(projection_token), 1 FROM rooms;
	INSERT INTO room_links (room_id, role, token_hash, legacy) SELECT id, 'facilitation', sha256_hex(facilitator_token), 1 FROM rooms;
	ALTER TABLE rooms DROP COLUMN projection_token;
	ALTER TABLE rooms DROP COLUMN facilitator_token;
	-- Rooms' rows set aside earlier carried the plain tokens.
	UPDATE quarantine SET row_data = json_remove(row_data, '$.projection_token', '$.facilitator_token')
	WHERE table_name = 'rooms' AND json_valid(row_data);
	`,
	`
	-- An event lasts from its date to its end date (issue 22); events made before had one day.
	ALTER TABLE events ADD COLUMN end_date TEXT;
	UPDATE events SET end_date = date;
	`,
	`
	-- A group's write-up closes with its stages (server/writeups.ts); a facilitator or organiser
	-- may reopen it, or close it again: every such decision, with its time and who made it.
	CREATE TABLE writeup_access_log (
		group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		at INTEGER NOT NULL,
		open INTEGER NOT NULL,
		by TEXT NOT NULL
	);
	CREATE INDEX writeup_access_log_group ON writeup_access_log (group_id, at);
	`,
	`
	-- Verbatims of the day-1 workshops (issue 22, docs/verbatims.md). A workshop's capture link is
	-- derived from the organiser's token like the rooms' links: only its hash is kept. A verbatim's
	-- id is made by the phone (a resent offline queue stores it once); merged ones point at the one
	-- kept; a statement made from one points back at it.
	CREATE TABLE workshops (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		title TEXT NOT NULL,
		capture_hash TEXT NOT NULL
	);
	CREATE INDEX workshops_event ON workshops (event_id, position);
	CREATE TABLE verbatims (
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		id TEXT NOT NULL,
		workshop_id TEXT REFERENCES workshops(id) ON DELETE SET NULL,
		room_id TEXT REFERENCES rooms(id) ON DELETE SET NULL,
		text TEXT NOT NULL,
		lively INTEGER NOT NULL DEFAULT 0,
		category TEXT,
		at INTEGER NOT NULL,
		received_at INTEGER NOT NULL,
		starred INTEGER NOT NULL DEFAULT 0,
		reworded TEXT,
		merged_into TEXT,
		statement_id TEXT,
		PRIMARY KEY (event_id, id)
	);
	CREATE INDEX verbatims_event ON verbatims (event_id, at);
	ALTER TABLE statements ADD COLUMN source_verbatim_id TEXT;
	`,
	`
	-- Statements editable after creation (issue 22, docs/statements.md): an edited statement keeps
	-- its translations, marked to be reviewed; a rewording once the room's choice has opened is
	-- logged with its time, who made it and both wordings, and shown to the room's facilitators.
	ALTER TABLE statements ADD COLUMN translation_review INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE statement_edits (
		statement_id TEXT NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
		room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		at INTEGER NOT NULL,
		by TEXT NOT NULL,
		before TEXT NOT NULL,
		after TEXT NOT NULL
	);
	CREATE INDEX statement_edits_room ON statement_edits (room_id, at);
	-- Wishes given when registering before the event (issue 22, docs/room-assignment.md): the rooms
	-- a person ranked, most wanted first.
	CREATE TABLE room_wishes (
		participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
		rank INTEGER NOT NULL,
		room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
		PRIMARY KEY (participant_id, rank)
	);
	`
];
