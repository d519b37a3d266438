/**
 * SQLite's schema and PostgreSQL's never drift apart: every table and column of SQLite's latest
 * schema (server/store/migrations.ts) exists in PostgreSQL's (server/store/postgres/migrations.ts)
 * with the same type family, nullability and primary key.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migratePostgres } from '../../server/store/postgres/migrations';
import { migrate } from '../../server/store/sqlite';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';

const FAMILY: Record<string, string> = { INTEGER: 'bigint', TEXT: 'text', BLOB: 'bytea' };
const ADVICE = 'a SQLite migration needs its PostgreSQL twin: append one to PG_MIGRATIONS (server/store/postgres/migrations.ts)';

let cluster: PostgresCluster;
beforeAll(async () => {
	cluster = await startPostgres();
});
afterAll(() => cluster.stop());

interface Column {
	type: string;
	notNull: boolean;
	pk: boolean;
}

it('every SQLite table and column has its PostgreSQL twin', async () => {
	const db = new Database(':memory:');
	migrate(db);
	const sqlite: Record<string, Record<string, Column>> = {};
	for (const table of db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[]) {
		const cols = db.prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`).all(table) as { name: string; type: string; notnull: number; pk: number }[];
		// SQLite lets a lone TEXT primary key hold NULL (an old quirk); PostgreSQL does not, and Palabre never writes one.
		sqlite[table] = Object.fromEntries(cols.map((c) => [c.name, { type: FAMILY[c.type] ?? `? ${c.type}`, notNull: c.notnull === 1 || c.pk > 0, pk: c.pk > 0 }]));
	}
	db.close();

	const pool = new pg.Pool({ connectionString: await cluster.createDatabase() });
	try {
		await migratePostgres(pool);
		const { rows } = await pool.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; pk: boolean }>(
			`SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
			        EXISTS (SELECT 1 FROM information_schema.key_column_usage k
			                JOIN information_schema.table_constraints t USING (constraint_schema, constraint_name)
			                WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name AND k.column_name = c.column_name) AS pk
			 FROM information_schema.columns c WHERE c.table_schema = 'public'`
		);
		const postgres: Record<string, Record<string, Column>> = {};
		for (const r of rows) (postgres[r.table_name] ??= {})[r.column_name] = { type: r.data_type, notNull: r.is_nullable === 'NO', pk: r.pk };
		for (const [table, columns] of Object.entries(sqlite)) {
			expect(postgres[table], `table ${table} missing in PostgreSQL: ${ADVICE}`).toBeDefined();
			for (const [name, column] of Object.entries(columns)) {
				expect(postgres[table]?.[name], `${table}.${name} differs in PostgreSQL: ${ADVICE}`).toEqual(column);
			}
		}
		// PostgreSQL has only these more: its own bookkeeping and the rows' order.
		const extra = Object.entries(postgres).flatMap(([table, cols]) => Object.keys(cols).filter((c) => !sqlite[table]?.[c]).map((c) => `${table}.${c}`));
		expect(extra.filter((c) => !c.endsWith('.ord'))).toEqual(['schema_migrations.version', 'schema_migrations.applied_at']);
	} finally {
		await pool.end();
	}
});
