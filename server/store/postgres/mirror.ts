/**
 * The store with DATABASE_URL: PostgreSQL holds the data; the process works on an in-memory SQLite
 * copy (the mirror), opened with SQLite's own migrations, on which today's store (../sqlite.ts)
 * runs unchanged: every rule keeps its synchronous, single-threaded atomicity.
 *
 * Every change to the mirror is captured by triggers (./capture.ts). When a call to the store
 * returns outside any transaction, its changes are queued, in order, for PostgreSQL; the queue
 * commits them in one transaction, and the changes queued meanwhile in the next one (group
 * commit). `committed()` resolves when everything written so far is committed: acknowledgements
 * and broadcasts wait for it (docs/postgres.md).
 *
 * A failed commit must not leave the memory ahead of the database: the writes not yet committed
 * are refused (`notSaved`, the client may retry), writes are refused until the mirror is reloaded
 * from PostgreSQL, then `onReloaded` tells the transports to send everyone fresh snapshots.
 *
 * On several nodes (`cluster`, docs/deploy/README.md) the mirror holds only the events this node
 * owns, loaded when it claims them (`loadEvents`) and dropped when it loses them (`dropEvents`),
 * and every commit starts with the fence of the events the node served when the changes were
 * made (`palabre_fence`, server/cluster/schema.ts): after a takeover, nothing of it commits.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { PalabreError } from '../../errors';
import { migrate, openSqliteStore, sqliteStoreOn } from '../sqlite';
import type { Store } from '../store';
import { FENCED_CODE } from '../../cluster/schema';
import { installCapture, mirroredTables, quoted, statementsFor, type Change, type TableInfo } from './capture';
import { migratePostgres } from './migrations';

export interface PostgresStore extends Store {
	/** Copies these events' rows from PostgreSQL into the mirror, replacing what it held of them. */
	loadEvents(ids: string[]): Promise<void>;
	/** Forgets these events (another node owns them now); nothing is written to PostgreSQL. */
	dropEvents(ids: string[]): void;
	/** Called after the mirror was reloaded from PostgreSQL (a commit failed): clients need fresh views. */
	onReloaded(fn: () => void): void;
	/** Commits so far and changes per commit, for the health figures and the benchmark. */
	readonly stats: { commits: number; changes: number; failures: number };
	/** The connections to PostgreSQL (the cluster's leases may share them). */
	readonly pool: pg.Pool;
}

/** A node of several (server/cluster/node.ts): what the mirror needs to know of its leases. */
export interface MirrorCluster {
	/** The events this node serves, with their epochs: the leases its commits must still hold. */
	fences(): ReadonlyMap<string, number>;
	/** A commit was refused because a lease moved on: this node no longer owns some of its events. */
	onFenced(): void;
}

// PostgreSQL's bigint arrives as a string by default; Palabre's integers fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

interface Batch {
	changes: Change[];
	/** `eventId\nepoch` → the lease, for every event served when a change of the batch was made. */
	fences: Map<string, [string, number]>;
	done: Promise<void>;
	settle(err?: unknown): void;
}

function newBatch(): Batch {
	let settle!: (err?: unknown) => void;
	const done = new Promise<void>((resolve, reject) => (settle = (err) => (err === undefined ? resolve() : reject(err))));
	// A batch nobody waits for must not crash the process when it fails (it is handled here).
	done.catch(() => {});
	return { changes: [], fences: new Map(), done, settle };
}

/** An in-memory database with SQLite's schema and the capture of changes. */
function openMirror(onTouched: () => void) {
	const db = new Database(':memory:');
	db.pragma('foreign_keys = ON');
	migrate(db);
	const tables = mirroredTables(db);
	const capture = installCapture(db, tables, onTouched);
	return { db, tables, capture };
}

/** Opens the PostgreSQL store: migrates PostgreSQL, loads every event into the mirror. */
export async function openPostgresStore(url: string, dataDir: string, cluster?: MirrorCluster): Promise<PostgresStore> {
	const pool = new pg.Pool({ connectionString: url, max: 4 });
	// An idle connection that drops is replaced on the next query; it must not crash the process.
	pool.on('error', (err) => console.error('PostgreSQL :', err.message));
	try {
		await migratePostgres(pool);
	} catch (err) {
		await pool.end();
		throw err;
	}
	// The write-ups are in PostgreSQL too: the Yjs processes write them and the main process reads
	// them through its copy (./ydocMirror.ts, docs/postgres-yjs.md). This file is the default the
	// store falls back on outside a server (tests of the store alone).
	const writeups = openSqliteStore(dataDir);

	let touched = false;
	const build = () => {
		const mirror = openMirror(() => (touched = true));
		const store = sqliteStoreOn(mirror.db, { dataDir, setAside: writeups.setAside, ydocs: writeups.ydocs, close: () => mirror.db.close() });
		return { ...mirror, store };
	};
	let current = build();
	const byName = new Map<string, TableInfo>(current.tables.map((t) => [t.name, t]));

	/** Fetches events' rows from PostgreSQL (every table, parents first) and writes them into a mirror. */
	async function fetchEvents(ids: string[]) {
		const client = await pool.connect();
		try {
			// One snapshot for all the tables.
			await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
			const rows: { table: TableInfo; rows: Record<string, unknown>[] }[] = [];
			for (const t of current.tables) {
				const sql = t.ofEvents ? `SELECT ${t.columns.map(quoted).join(', ')} FROM (${t.ofEvents}) AS x ORDER BY ord` : null;
				if (sql) rows.push({ table: t, rows: (await client.query(sql, [ids])).rows });
			}
			await client.query('COMMIT');
			return rows;
		} finally {
			client.release();
		}
	}
	/** Rows of no event (the quarantine): loaded whole at start. */
	async function fetchGlobal() {
		const out: { table: TableInfo; rows: Record<string, unknown>[] }[] = [];
		for (const t of current.tables.filter((t) => !t.ofEvents)) {
			out.push({ table: t, rows: (await pool.query(`SELECT ${t.columns.map(quoted).join(', ')} FROM ${quoted(t.name)} ORDER BY ord`)).rows });
		}
		return out;
	}
	/** Writes fetched rows into a mirror without capturing them (they come from PostgreSQL). */
	function write(into: typeof current, fetched: { table: TableInfo; rows: Record<string, unknown>[] }[], replacing: string[]) {
		into.db.transaction(() => {
			into.db.pragma('defer_foreign_keys = ON');
			const drop = into.db.prepare('DELETE FROM events WHERE id = ?');
			for (const id of replacing) drop.run(id);
			for (const { table, rows } of fetched) {
				const insert = into.db.prepare(`INSERT INTO ${quoted(table.name)} (${table.columns.map(quoted).join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`);
				for (const row of rows) insert.run(...table.columns.map((c) => row[c]));
			}
		})();
		into.capture.drain();
		touched = false;
	}
	/** The events the mirror holds: all of them, or on a node of several those it serves. */
	const allEventIds = async () =>
		cluster ? [...cluster.fences().keys()] : (await pool.query<{ id: string }>('SELECT id FROM events ORDER BY ord')).rows.map((r) => r.id);

	write(current, [...(await fetchGlobal()), ...(await fetchEvents(await allEventIds()))], []);

	// ---- the ordered write queue ----
	const stats = { commits: 0, changes: 0, failures: 0 };
	let inFlight: Batch | null = null;
	let next: Batch | null = null;
	/** Set from a failed commit until the mirror is reloaded: writes are refused meanwhile. */
	let failed = false;
	const reloaded: (() => void)[] = [];

	function enqueue(changes: Change[]) {
		next ??= newBatch();
		next.changes.push(...changes);
		for (const [id, epoch] of cluster?.fences() ?? []) next.fences.set(`${id}\n${epoch}`, [id, epoch]);
		if (!inFlight) void commitNext();
	}

	async function commitNext(): Promise<void> {
		const batch = next;
		if (!batch || inFlight) return;
		next = null;
		inFlight = batch;
		try {
			// The whole batch as one simple query: one round trip, one implicit transaction (all or nothing).
			const leases = [...batch.fences.values()];
			const fence = leases.length
				? `SELECT palabre_fence(ARRAY[${leases.map(([id]) => pg.escapeLiteral(id)).join(', ')}]::text[], ARRAY[${leases.map(([, e]) => e).join(', ')}]::bigint[])`
				: null;
			const sql = [...(fence ? [fence] : []), ...statementsFor(batch.changes, byName, pg.escapeLiteral)].join(';\n');
			await pool.query(sql);
			stats.commits++;
			stats.changes += batch.changes.length;
			inFlight = null;
			batch.settle();
			void commitNext();
		} catch (err) {
			stats.failures++;
			const fenced = (err as { code?: string }).code === FENCED_CODE;
			if (fenced) console.error('PostgreSQL a refusé une écriture : un autre nœud a repris un événement de celui-ci.');
			else console.error('PostgreSQL a refusé une écriture ; la copie en mémoire est rechargée :', err instanceof Error ? err.message : err);
			// Everything after the failed batch was built on it: refused too, and the memory reloaded.
			const refused = new PalabreError(503, 'notSaved');
			failed = true;
			const later = next as Batch | null; // queued while this one was in flight
			next = null;
			inFlight = null;
			batch.settle(refused);
			later?.settle(refused);
			if (fenced) cluster?.onFenced();
			await reload();
		}
	}

	/** Replaces the mirror by PostgreSQL's state (retried until PostgreSQL answers). */
	async function reload(): Promise<void> {
		for (let attempt = 0; ; attempt++) {
			// Closed meanwhile (a node stopping): nothing left to serve.
			if (closed) return;
			try {
				const fresh = build();
				write(fresh, [...(await fetchGlobal()), ...(await fetchEvents(await allEventIds()))], []);
				const old = current;
				current = fresh;
				old.db.close();
				failed = false;
				for (const fn of reloaded) fn();
				return;
			} catch (err) {
				console.error('Rechargement depuis PostgreSQL impossible, nouvel essai :', err instanceof Error ? err.message : err);
				await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** attempt)));
			}
		}
	}

	// ---- the store: today's, on the current mirror, its changes queued after each outermost call ----
	let depth = 0;
	function call<T>(fn: () => T): T {
		if (depth > 0 || current.db.inTransaction) return fn();
		depth++;
		try {
			if (!failed) return fn();
			// Until the reload, reads go on and any write is undone and refused.
			return current.db.transaction(() => {
				const result = fn();
				if (current.capture.drain().length) throw new PalabreError(503, 'notSaved');
				return result;
			})();
		} finally {
			depth--;
			if (touched && depth === 0) {
				touched = false;
				const changes = current.capture.drain();
				if (changes.length) enqueue(changes);
			}
		}
	}

	const inner = () => current.store as unknown as Record<string, (...args: unknown[]) => unknown>;
	const methods = Object.fromEntries(
		Object.entries(current.store)
			.filter(([, v]) => typeof v === 'function')
			.map(([name]) => [name, (...args: unknown[]) => call(() => inner()[name]?.(...args))])
	) as unknown as Store;

	let closed = false;
	return {
		...methods,
		dataDir,
		get setAside() {
			return writeups.setAside;
		},
		ydocs: writeups.ydocs,
		stats,
		pool,
		transaction: <T>(fn: () => T) => call(() => current.store.transaction(fn)),
		committed: () => (next ?? inFlight)?.done ?? Promise.resolve(),
		async loadEvents(ids) {
			write(current, await fetchEvents(ids), ids);
		},
		dropEvents(ids) {
			write(current, [], ids);
		},
		onReloaded: (fn) => void reloaded.push(fn),
		async close() {
			if (closed) return;
			closed = true;
			writeups.close();
			// What is queued still commits; then the connections close.
			await ((next ?? inFlight)?.done ?? Promise.resolve()).catch(() => {});
			current.db.close();
			await pool.end();
		}
	};
}
