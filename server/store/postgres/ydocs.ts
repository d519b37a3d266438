/**
 * The write-ups (Yjs docs) in PostgreSQL: the same rows as in SQLite (server/store/ydocs.ts),
 * `ydoc_updates(doc, seq, data)`, written by the Yjs process with one statement per batch.
 * Calls are asynchronous: server/realtime/yjs.ts broadcasts and acknowledges a batch only once
 * its promise has resolved, that is after PostgreSQL's COMMIT (docs/postgres-yjs.md).
 *
 * The Yjs process knows each loaded doc's last seq and numbers the next rows itself, so a batch
 * is one INSERT whatever the number of docs. A write may carry fences ({eventId, epoch}, the
 * event's lease, docs/postgres-yjs.md): it then stores nothing unless every lease still has that
 * epoch, checked FOR SHARE in the same statement, so a takeover's epoch bump waits for it and
 * every later write of the stale owner fails.
 */
import pg from 'pg';

/** The table, as in the other stores' migrations; created here too so the Yjs process needs no other schema. */
export const YDOC_SCHEMA = `CREATE TABLE IF NOT EXISTS ydoc_updates (
	doc text NOT NULL,
	seq bigint NOT NULL,
	data bytea NOT NULL,
	PRIMARY KEY (doc, seq)
)`;

/**
 * Creates the table if it is missing. Several processes start at once (the main process and its
 * Yjs processes): two concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's
 * catalog, so they take turns under a transaction-scoped advisory lock.
 */
export async function ensureYDocSchema(pool: pg.Pool): Promise<void> {
	const client = await pool.connect();
	try {
		await client.query('BEGIN');
		await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('palabre:ydoc_updates', 0))`);
		await client.query(YDOC_SCHEMA);
		await client.query('COMMIT');
	} catch (err) {
		await client.query('ROLLBACK').catch(() => {});
		throw err;
	} finally {
		client.release();
	}
}

/** The lease a write must still hold: the event's owner at this epoch (table event_leases). */
export interface Fence {
	eventId: string;
	epoch: number;
}

/** A write refused because a lease moved on (or another process wrote the same rows): this process no longer owns the docs. */
export class FenceError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FenceError';
	}
}

export interface YDocRow {
	doc: string;
	seq: number;
	data: Uint8Array;
}

/** The Yjs process's asynchronous persistence (PostgreSQL); `async` tells it from the synchronous one. */
export interface AsyncYDocPersistence {
	readonly async: true;
	/** The doc's stored updates, oldest first, and the seq of the last (0 if none). */
	load(doc: string): Promise<{ updates: Uint8Array[]; lastSeq: number }>;
	/** Stores the rows, numbered by the caller, in one statement: all or none. */
	appendBatch(rows: YDocRow[], fences?: Fence[]): Promise<void>;
	/** Replaces the doc's rows up to `lastSeq` by one merged row that keeps `lastSeq`, atomically. */
	compact(doc: string, lastSeq: number, merged: Uint8Array, fences?: Fence[]): Promise<void>;
	deleteDoc(doc: string): Promise<void>;
	close(): Promise<void>;
}

/** Distinct fences, as the arrays the statements take. */
function fenceArrays(fences: Fence[] = []): { ids: string[]; epochs: string[] } {
	const seen = new Map<string, Fence>();
	for (const f of fences) seen.set(`${f.eventId}\n${f.epoch}`, f);
	return { ids: [...seen.values()].map((f) => f.eventId), epochs: [...seen.values()].map((f) => String(f.epoch)) };
}

/**
 * The leases a write needs ($1 event ids, $2 epochs), locked FOR SHARE, and the condition that
 * all were found. A write without fences skips event_leases entirely (it may not exist).
 */
const FENCE_CTE = `fence AS (
	SELECT 1 FROM event_leases l JOIN unnest($1::text[], $2::bigint[]) AS f(event_id, epoch)
	  ON l.event_id = f.event_id AND l.epoch = f.epoch
	FOR SHARE OF l
)`;
const FENCED = `(SELECT count(*) FROM fence) = cardinality($1::text[])`;

/** The statement with its fence (params from $3) or without (params from $1). */
function fenced(fences: Fence[] | undefined, build: (p: (n: number) => string, ok: string) => string, params: unknown[]) {
	if (!fences?.length) return { sql: build((n) => `$${n}`, 'true'), params };
	const { ids, epochs } = fenceArrays(fences);
	return { sql: `WITH ${FENCE_CTE} ${build((n) => `$${n + 2}`, FENCED).replace(/^WITH /, ', ')}`, params: [ids, epochs, ...params] };
}

const UNIQUE_VIOLATION = '23505';

export function postgresYDocPersistence(pool: pg.Pool): AsyncYDocPersistence {
	return {
		async: true,
		async load(doc) {
			const { rows } = await pool.query<{ seq: string; data: Buffer }>('SELECT seq, data FROM ydoc_updates WHERE doc = $1 ORDER BY seq', [doc]);
			return { updates: rows.map((r) => new Uint8Array(r.data)), lastSeq: rows.length ? Number(rows[rows.length - 1]?.seq) : 0 };
		},
		async appendBatch(rows, fences) {
			if (rows.length === 0) return;
			const { sql, params } = fenced(
				fences,
				(p, ok) =>
					`WITH batch AS (SELECT * FROM unnest(${p(1)}::text[], ${p(2)}::bigint[], ${p(3)}::bytea[]) AS b(doc, seq, data))
					 INSERT INTO ydoc_updates (doc, seq, data) SELECT doc, seq, data FROM batch WHERE ${ok}`,
				[rows.map((r) => r.doc), rows.map((r) => String(r.seq)), rows.map((r) => Buffer.from(r.data))]
			);
			let inserted: number;
			try {
				inserted = (await pool.query(sql, params)).rowCount ?? 0;
			} catch (err) {
				// A row already there: another process wrote this doc, so this one's seqs are stale.
				if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new FenceError(`ydoc_updates: seq already taken (${(err as Error).message})`);
				throw err;
			}
			if (inserted !== rows.length) throw new FenceError(`ydoc_updates: lease lost (${fenceArrays(fences).ids.join(', ')})`);
		},
		async compact(doc, lastSeq, merged, fences) {
			// Older rows deleted and the last one rewritten: two rows apart, so one statement, no conflict.
			const { sql, params } = fenced(
				fences,
				(p, ok) =>
					`WITH gone AS (DELETE FROM ydoc_updates WHERE doc = ${p(1)} AND seq < ${p(2)} AND ${ok})
					 UPDATE ydoc_updates SET data = ${p(3)} WHERE doc = ${p(1)} AND seq = ${p(2)} AND ${ok}`,
				[doc, String(lastSeq), Buffer.from(merged)]
			);
			const result = await pool.query(sql, params);
			if (result.rowCount !== 1) throw new FenceError(`ydoc_updates: cannot compact ${doc} at seq ${lastSeq} (lease lost or row gone)`);
		},
		async deleteDoc(doc) {
			await pool.query('DELETE FROM ydoc_updates WHERE doc = $1', [doc]);
		},
		close: () => pool.end()
	};
}

/**
 * Stores the write-ups of an imported event (new docs: seq 1 each) in one statement, on a
 * connection of its own (the import's worker thread).
 */
export async function insertNewDocs(databaseUrl: string, docs: { doc: string; data: Uint8Array }[]): Promise<void> {
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		await client.query('INSERT INTO ydoc_updates (doc, seq, data) SELECT doc, 1, data FROM unnest($1::text[], $2::bytea[]) AS d(doc, data)', [
			docs.map((d) => d.doc),
			docs.map((d) => Buffer.from(d.data))
		]);
	} finally {
		await client.end();
	}
}

/** A pool for the write-ups; `max` small: one batch is in flight at a time, loads run beside it. */
export function openPostgresYDocs(databaseUrl: string, max = 4): { pool: pg.Pool; ydocs: AsyncYDocPersistence } {
	const pool = new pg.Pool({ connectionString: databaseUrl, max });
	// An idle client's error (the server restarted) must not kill the process: the next query reconnects.
	pool.on('error', (err) => console.error('yjs: postgres', err.message));
	return { pool, ydocs: postgresYDocPersistence(pool) };
}
