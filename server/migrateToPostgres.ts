/**
 * `node build/palabre.js migrate --from <dataDir> --to <DATABASE_URL>`: copies a SQLite data
 * directory into PostgreSQL (server stopped, or on a copy made by `npm run backup`). Ids and token
 * hashes are kept, so every link and every phone keeps working. It refuses, changing nothing, when
 * an event's id or join code is already in PostgreSQL. Then it checks itself: every event's
 * organiser document, write-ups included, built from the SQLite store and from PostgreSQL (through
 * the same mirrors a node runs on) must be equal.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPalabre } from './palabre';
import { DB_FILE, openSqliteStore } from './store/sqlite';
import { mirroredTables, statementsFor, type Change } from './store/postgres/capture';
import { openPostgresStore } from './store/postgres/mirror';
import { migratePostgres } from './store/postgres/migrations';
import { YDocMirror, withYDocs } from './store/postgres/ydocMirror';

export interface CopyReport {
	events: number;
	rows: Record<string, number>;
}

/** The links' address does not matter here: both documents are built with the same. */
const ANY_URL = 'http://palabre.invalid';

export async function copySqliteToPostgres(fromDir: string, url: string): Promise<CopyReport> {
	if (!existsSync(join(fromDir, DB_FILE))) throw new Error(`Pas de données Palabre dans ${fromDir} (fichier ${DB_FILE} absent)`);
	// Migrated and checked as at a start: corrupt rows are set aside, not copied.
	const source = openSqliteStore(fromDir);
	const db = new Database(join(fromDir, DB_FILE), { readonly: true });
	const pool = new pg.Pool({ connectionString: url, max: 1 });
	try {
		await migratePostgres(pool);
		const tables = mirroredTables(db);
		const events = db.prepare('SELECT id, join_code FROM events').all() as { id: string; join_code: string }[];
		const taken = await pool.query<{ id: string; join_code: string }>('SELECT id, join_code FROM events WHERE id = ANY($1) OR join_code = ANY($2)', [
			events.map((e) => e.id),
			events.map((e) => e.join_code)
		]);
		if (taken.rows.length) {
			const list = taken.rows.map((r) => `${r.id} (${r.join_code})`).join(', ');
			throw new Error(`Rien n’a été copié : ces événements (ou leurs codes) sont déjà dans PostgreSQL : ${list}`);
		}
		const quarantined = Number((await pool.query('SELECT count(*) AS n FROM quarantine')).rows[0]?.n ?? 0);
		if (quarantined && Number(db.prepare('SELECT count(*) FROM quarantine').pluck().get())) {
			throw new Error('Rien n’a été copié : PostgreSQL a déjà des lignes mises de côté (quarantine), dont les numéros se mêleraient');
		}
		const rows: Record<string, number> = {};
		const client = await pool.connect();
		try {
			await client.query('BEGIN');
			for (const t of tables) {
				const all = db.prepare(`SELECT ${t.columns.map((c) => `"${c}"`).join(', ')} FROM "${t.name}" ORDER BY rowid`).all() as Record<string, unknown>[];
				rows[t.name] = all.length;
				// In slices: one statement per slice keeps each literal small.
				for (let k = 0; k < all.length; k += 2_000) {
					const changes: Change[] = all.slice(k, k + 2_000).map((row) => ({ table: t.name, op: 'i', row, key: null }));
					for (const sql of statementsFor(changes, new Map([[t.name, t]]), pg.escapeLiteral)) await client.query(sql);
				}
			}
			// The write-ups as they are (their seqs told to clients never go back).
			let updates = 0;
			for (const u of db.prepare('SELECT doc, seq, data FROM ydoc_updates ORDER BY doc, seq').iterate() as IterableIterator<{ doc: string; seq: number; data: Buffer }>) {
				await client.query('INSERT INTO ydoc_updates (doc, seq, data) VALUES ($1, $2, $3)', [u.doc, u.seq, u.data]);
				updates++;
			}
			rows.ydoc_updates = updates;
			await client.query('COMMIT');
		} catch (err) {
			await client.query('ROLLBACK');
			throw err;
		} finally {
			client.release();
		}
		// The check: the same documents from both stores, each with its own write-ups (PostgreSQL's as a node reads them).
		const copy = await openPostgresStore(url, fromDir);
		try {
			const writeups = new YDocMirror(pool);
			await writeups.fill();
			const [from, to] = [createPalabre(source, ANY_URL), createPalabre(withYDocs(copy, writeups), ANY_URL)];
			for (const { id } of events) {
				const [a, b] = [source, copy].map((store, k) => {
					const event = store.getEvent(id);
					return event && [from, to][k]?.views.organiserDocument(event);
				});
				if (!isDeepStrictEqual(a, b)) throw new Error(`Vérification échouée : le document de l’événement ${id} diffère entre SQLite et PostgreSQL`);
			}
		} finally {
			copy.close();
		}
		return { events: events.length, rows };
	} finally {
		db.close();
		source.close();
		await pool.end();
	}
}

/** The command line: `migrate --from <dir> --to <url>`; returns the exit code. */
export async function migrateCommand(args: string[]): Promise<number> {
	const value = (flag: string) => {
		const k = args.indexOf(flag);
		return k >= 0 ? args[k + 1] : undefined;
	};
	const from = value('--from');
	const to = value('--to') ?? process.env.DATABASE_URL;
	if (!from || !to || !/^postgres(ql)?:\/\//.test(to)) {
		console.error('Usage : node build/palabre.js migrate --from <dossier de données> --to postgres://…');
		return 2;
	}
	try {
		const report = await copySqliteToPostgres(from, to);
		console.log(`${report.events} événement(s) copié(s) et vérifié(s) : ${JSON.stringify(report.rows)}`);
		return 0;
	} catch (err) {
		console.error(err instanceof Error ? err.message : err);
		return 1;
	}
}
