/**
 * What the mirror (./mirror.ts) needs to know of each table, read from SQLite itself (so a new
 * migration is covered without code here), and the capture of every change: temporary triggers
 * append (table, operation, key, row as JSON) to a temporary `_changes` table. Being a table, it is
 * rolled back with the transaction that wrote it: only changes that happened are drained.
 */
import type Database from 'better-sqlite3';

export interface TableInfo {
	name: string;
	columns: string[];
	/** The primary key's columns; every column for a table without one (its rows are logs). */
	key: string[];
	/** The SQL (PostgreSQL, `$1` = the events' ids) that selects this table's rows of some events; null for rows of no event. */
	ofEvents: string | null;
}

export interface Change {
	table: string;
	op: 'i' | 'u' | 'd';
	/** The row as it is now (insert, update). */
	row: Record<string, unknown> | null;
	/** The key of the row before (update, delete). */
	key: Record<string, unknown> | null;
}

/** Kept out of the mirror: the write-ups are the Yjs process's (their own store, see docs/postgres.md). */
const NOT_MIRRORED = new Set(['ydoc_updates']);

export const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every table of the migrated schema that the mirror keeps, parents before children. */
export function mirroredTables(db: Database.Database): TableInfo[] {
	const names = (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`).pluck().all() as string[]).filter(
		(n) => !NOT_MIRRORED.has(n)
	);
	const info = new Map<string, { columns: { name: string; pk: number; notnull: number }[]; parents: { table: string; from: string; to: string }[] }>();
	for (const name of names) {
		info.set(name, {
			columns: db.prepare(`SELECT name, pk, "notnull" FROM pragma_table_info(?) ORDER BY cid`).all(name) as { name: string; pk: number; notnull: number }[],
			parents: db.prepare(`SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)`).all(name) as { table: string; from: string; to: string }[]
		});
	}
	/** Rows of a table that belong to the events $1: by its event_id, or through its first mandatory parent. */
	const scopes = new Map<string, string | null>();
	const scope = (name: string): string | null => {
		if (scopes.has(name)) return scopes.get(name) as string | null;
		const t = info.get(name);
		let sql: string | null = null;
		if (name === 'events') sql = `SELECT * FROM events WHERE id = ANY($1)`;
		else if (t) {
			const notNull = new Set(t.columns.filter((c) => c.notnull || c.pk > 0).map((c) => c.name));
			const parent = t.parents.find((p) => p.table === 'events' && notNull.has(p.from)) ?? t.parents.find((p) => notNull.has(p.from));
			const parentScope = parent ? scope(parent.table) : null;
			if (parent && parentScope) {
				sql = `SELECT * FROM ${quoted(name)} WHERE ${quoted(parent.from)} IN (SELECT ${quoted(parent.to)} FROM (${parentScope}) AS p)`;
			}
		}
		scopes.set(name, sql);
		return sql;
	};
	// Parents first: the order of creation, with each table after the tables it refers to.
	const ordered: string[] = [];
	const visiting = new Set<string>();
	const visit = (name: string) => {
		if (ordered.includes(name) || visiting.has(name) || !info.has(name)) return;
		visiting.add(name);
		for (const p of info.get(name)?.parents ?? []) visit(p.table);
		ordered.push(name);
	};
	names.forEach(visit);
	return ordered.map((name) => {
		const columns = (info.get(name)?.columns ?? []).map((c) => c.name);
		const pk = (info.get(name)?.columns ?? []).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
		return { name, columns, key: pk.length ? pk : columns, ofEvents: scope(name) };
	});
}

/** Installs the capture on a migrated database (temporary objects: the schema stays SQLite's own). */
export function installCapture(db: Database.Database, tables: TableInfo[], touched: () => void): { drain(): Change[] } {
	db.function('palabre_touched', { varargs: false }, () => {
		touched();
		return null;
	});
	db.exec(`CREATE TEMP TABLE _changes (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, op TEXT NOT NULL, key TEXT, row TEXT)`);
	for (const t of tables) {
		const json = (of: 'NEW' | 'OLD', cols: string[]) => `json_object(${cols.map((c) => `'${c}', ${of}.${quoted(c)}`).join(', ')})`;
		const name = quoted(t.name);
		db.exec(`
			CREATE TEMP TRIGGER ${quoted(`_capture_${t.name}_i`)} AFTER INSERT ON main.${name} BEGIN
				INSERT INTO _changes (tbl, op, key, row) VALUES ('${t.name}', 'i', NULL, ${json('NEW', t.columns)});
				SELECT palabre_touched();
			END;
			CREATE TEMP TRIGGER ${quoted(`_capture_${t.name}_u`)} AFTER UPDATE ON main.${name} BEGIN
				INSERT INTO _changes (tbl, op, key, row) VALUES ('${t.name}', 'u', ${json('OLD', t.key)}, ${json('NEW', t.columns)});
				SELECT palabre_touched();
			END;
			CREATE TEMP TRIGGER ${quoted(`_capture_${t.name}_d`)} AFTER DELETE ON main.${name} BEGIN
				INSERT INTO _changes (tbl, op, key, row) VALUES ('${t.name}', 'd', ${json('OLD', t.key)}, NULL);
				SELECT palabre_touched();
			END;
		`);
	}
	const read = db.prepare(`SELECT tbl, op, key, row FROM _changes ORDER BY seq`);
	const clear = db.prepare(`DELETE FROM _changes`);
	return {
		drain() {
			const rows = read.all() as { tbl: string; op: Change['op']; key: string | null; row: string | null }[];
			if (rows.length) clear.run();
			return rows.map((r) => ({ table: r.tbl, op: r.op, key: r.key === null ? null : JSON.parse(r.key), row: r.row === null ? null : JSON.parse(r.row) }));
		}
	};
}

/**
 * The PostgreSQL statements that replay changes, in order: consecutive changes of one table and
 * one kind become one statement over a JSON array of rows (`json_populate_recordset`), so a
 * seating that moves 30 people is one UPDATE, not 30. The rows are written in as literals
 * (`literal`, the driver's escaping): the batch then goes as one query, in one round trip.
 */
export function statementsFor(captured: Change[], tables: Map<string, TableInfo>, literal: (text: string) => string): string[] {
	const out: string[] = [];
	const changes = captured.flatMap((c) => {
		if (c.op !== 'u') return [c];
		// Palabre never changes a key; if a row's key did change, it is replayed as a move.
		const key = tables.get(c.table)?.key ?? [];
		const same = key.every((col) => c.row?.[col] === c.key?.[col]);
		if (same && key.length === tables.get(c.table)?.columns.length) return [];
		return same ? [c] : [{ ...c, op: 'd' as const, row: null }, { ...c, op: 'i' as const, key: null }];
	});
	let k = 0;
	while (k < changes.length) {
		const first = changes[k] as Change;
		let end = k + 1;
		while (end < changes.length && changes[end]?.table === first.table && changes[end]?.op === first.op) end++;
		const run = changes.slice(k, end);
		k = end;
		const t = tables.get(first.table);
		if (!t) throw new Error(`table inconnue du miroir : ${first.table}`);
		const name = quoted(t.name);
		const records = (rows: unknown[]) => `json_populate_recordset(null::${name}, ${literal(JSON.stringify(rows))}::json) AS r`;
		const match = t.key.map((c) => `t.${quoted(c)} IS NOT DISTINCT FROM r.${quoted(c)}`).join(' AND ');
		const cols = t.columns.map(quoted).join(', ');
		if (first.op === 'i') {
			out.push(`INSERT INTO ${name} (${cols}) SELECT ${t.columns.map((c) => `r.${quoted(c)}`).join(', ')} FROM ${records(run.map((c) => c.row))}`);
		} else if (first.op === 'u') {
			// The last update of each row wins (UPDATE … FROM takes any one of duplicates).
			const last = new Map<string, Change>();
			for (const c of run) last.set(JSON.stringify(c.key), c);
			const set = t.columns.filter((c) => !t.key.includes(c));
			out.push(`UPDATE ${name} AS t SET ${set.map((c) => `${quoted(c)} = r.${quoted(c)}`).join(', ')} FROM ${records([...last.values()].map((c) => c.row))} WHERE ${match}`);
		} else if (t.key.length === t.columns.length) {
			// A log without a key: one of its identical rows goes per deletion.
			for (const c of run) {
				out.push(`DELETE FROM ${name} WHERE ctid = (SELECT t.ctid FROM ${name} AS t, ${records([c.key])} WHERE ${match} LIMIT 1)`);
			}
		} else {
			out.push(`DELETE FROM ${name} AS t USING ${records(run.map((c) => c.key))} WHERE ${match}`);
		}
	}
	return out;
}
