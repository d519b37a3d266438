/** The throwaway PostgreSQL the cluster tests rely on: it starts, serves two separate databases, stops. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';

let cluster: PostgresCluster;
beforeAll(async () => {
	cluster = await startPostgres();
});
afterAll(async () => {
	await cluster.stop();
});

test('a fresh cluster gives each caller its own empty database', async () => {
	const [a, b] = [await cluster.createDatabase(), await cluster.createDatabase()];
	expect(a).not.toBe(b);
	const client = new pg.Client({ connectionString: a });
	await client.connect();
	try {
		await client.query('CREATE TABLE t (x int)');
		await client.query('INSERT INTO t VALUES (1), (2)');
		const { rows } = await client.query('SELECT count(*)::int AS n FROM t');
		expect(rows[0].n).toBe(2);
	} finally {
		await client.end();
	}
	const other = new pg.Client({ connectionString: b });
	await other.connect();
	try {
		const { rows } = await other.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
		expect(rows[0].n).toBe(0);
	} finally {
		await other.end();
	}
});

test('its pid is the postmaster, whose children are the backends (the benchmark sums their CPU)', async () => {
	const client = new pg.Client({ connectionString: cluster.adminUrl });
	await client.connect();
	try {
		const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
		const children = readFileSync(`/proc/${cluster.pid}/task/${cluster.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
		expect(children).toContain(rows[0]?.pid);
	} finally {
		await client.end();
	}
});
