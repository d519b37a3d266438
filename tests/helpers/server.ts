/**
 * Starts the real, built Palabre server as a child process on loopback, with its own data
 * directory, so tests can restart or kill it like a real deployment.
 *
 * With PALABRE_TEST_STORE=postgres (the `integration-pg` project of vite.config.ts), each server
 * gets its own database on the run's PostgreSQL cluster (tests/helpers/postgresSetup.ts) and
 * starts with DATABASE_URL: the same tests then run against the PostgreSQL store.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from './freePort';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createDatabaseOn } from './postgres';
import { syncPostgres, type SyncPostgres } from './syncPostgres';

export { freePort };

const ENTRY = join(import.meta.dirname, '..', '..', 'build', 'palabre.js');

/** The store the servers under test use: PostgreSQL in the `integration-pg` project, SQLite otherwise. */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.PALABRE_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** Under the hooks' timeout (60 s), so a start that never comes is reported as such. */
const START_TIMEOUT_MS = 50_000;

/** SQL with `?` placeholders (better-sqlite3's) in PostgreSQL's `$1`… */
const numbered = (sql: string) => {
	let k = 0;
	return sql.replace(/\?/g, () => `$${++k}`);
};

/** Resolves once the process no longer exists (it may be another process's child: no 'exit' event here). */
export async function processGone(pid: number, ms = 10_000): Promise<void> {
	const until = Date.now() + ms;
	for (;;) {
		try {
			process.kill(pid, 0);
		} catch {
			return;
		}
		// A zombie (exited, not yet reaped by its dead parent) counts as gone.
		try {
			if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return;
		} catch {
			return;
		}
		if (Date.now() > until) throw new Error(`process ${pid} still running after ${ms} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

export class TestServer {
	child: ChildProcess | undefined;
	output = '';

	private constructor(
		readonly port: number,
		readonly dataDir: string,
		/** The server's PostgreSQL database, when the tests run against PostgreSQL. */
		readonly databaseUrl?: string
	) {}

	get url() {
		return `http://127.0.0.1:${this.port}`;
	}

	static async start(env: Record<string, string> = {}): Promise<TestServer> {
		const databaseUrl = TEST_STORE === 'postgres' ? await createDatabaseOn(inject('postgresAdminUrl')) : undefined;
		return TestServer.launch(databaseUrl, () => env);
	}

	/** One node of several on this PostgreSQL database (docs/deploy/README.md), reached by the others at its own address. */
	static startNode(databaseUrl: string, nodeId: string, env: Record<string, string> = {}): Promise<TestServer> {
		return TestServer.launch(databaseUrl, (server) => ({ PALABRE_NODE_URL: server.url, NODE_ID: nodeId, ...env }));
	}

	private static async launch(databaseUrl: string | undefined, envOf: (server: TestServer) => Record<string, string>): Promise<TestServer> {
		// A port found free may be taken by another process before the server binds it: try another.
		for (let attempt = 1; ; attempt++) {
			const server = new TestServer(await freePort(), mkdtempSync(join(tmpdir(), 'palabre-test-')), databaseUrl);
			try {
				await server.spawn(envOf(server));
				return server;
			} catch (err) {
				rmSync(server.dataDir, { recursive: true, force: true });
				if (attempt === 3 || !server.output.includes('EADDRINUSE')) throw err;
			}
		}
	}

	private extraEnv: Record<string, string> = {};

	async spawn(env: Record<string, string> = this.extraEnv) {
		this.extraEnv = env;
		const child = spawn(process.execPath, [ENTRY], {
			env: {
				...process.env,
				PORT: String(this.port),
				HOST: '127.0.0.1',
				DATA_DIR: this.dataDir,
				PUBLIC_URL: this.url,
				// Tests join hundreds of people from one address; the limits have their own test.
				JOIN_LIMIT: '100000',
				CREATE_LIMIT: '100000',
				...(this.databaseUrl ? { DATABASE_URL: this.databaseUrl } : {}),
				...env
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		this.child = child;
		child.stdout?.on('data', (d) => (this.output += d));
		child.stderr?.on('data', (d) => (this.output += d));
		await new Promise<void>((resolve, reject) => {
			// A bound, not a measure: a loaded machine (load 30 on two cores) took more than 20 s.
			const timer = setTimeout(() => reject(new Error(`server did not start:\n${this.output}`)), START_TIMEOUT_MS);
			const check = (d: Buffer) => {
				if (String(d).includes('Palabre est prêt')) {
					clearTimeout(timer);
					child.stdout?.off('data', check);
					resolve();
				}
			};
			child.stdout?.on('data', check);
			child.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`server exited (${code}):\n${this.output}`));
			});
		});
	}

	/** The Yjs process the server forked (its one child), if it is running. */
	yjsPid(): number | undefined {
		const pid = this.child?.pid;
		if (pid === undefined) return undefined;
		try {
			const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
			return first ? Number(first) : undefined;
		} catch {
			return undefined;
		}
	}

	/** Every Yjs process the server forked (YJS_PROCESSES), by index (the argument after the data directory). */
	yjsPids(): number[] {
		const pid = this.child?.pid;
		if (pid === undefined) return [];
		const pids: number[] = [];
		try {
			for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
				const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
				const index = Number(argv[argv.indexOf(this.dataDir) + 1] ?? 0);
				pids[index] = Number(child);
			}
		} catch {
			// Exited meanwhile.
		}
		return pids;
	}

	/**
	 * Stops the server: SIGTERM for a clean stop (it stops its Yjs process itself), SIGKILL for a
	 * crash of the machine's kind, both processes at once.
	 */
	async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') {
		const child = this.child;
		if (!child || child.exitCode !== null) return;
		const yjs = signal === 'SIGKILL' ? this.yjsPid() : undefined;
		await new Promise<void>((resolve) => {
			child.once('exit', () => resolve());
			if (yjs) process.kill(yjs, 'SIGKILL');
			child.kill(signal);
		});
		if (yjs) await processGone(yjs);
		this.child = undefined;
	}

	async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') {
		await this.stop(signal);
		await this.spawn();
	}

	async dispose() {
		this.pg?.close();
		await this.stop('SIGKILL');
		rmSync(this.dataDir, { recursive: true, force: true });
	}

	/** Rows in a table of the live store, read directly (read-only) to prove what was or was not stored. */
	countRows(table: string): number {
		return this.countRowsWhere(table, '1 = 1');
	}

	/** Rows of a table matching a condition (`?` placeholders for `params`; SQL both stores read). */
	countRowsWhere(table: string, where: string, ...params: unknown[]): number {
		return Number(this.rows(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params)[0]?.n);
	}

	/**
	 * Rows of a query on the store's database, read directly: the SQLite file, or the PostgreSQL
	 * database (synchronously, like better-sqlite3). SQL both engines read.
	 */
	rows(sql: string, params: unknown[] = [], on: 'sqlite' | 'postgres' = TEST_STORE): Record<string, unknown>[] {
		if (on === 'postgres') return this.postgres().query(numbered(sql), params);
		const db = new Database(join(this.dataDir, 'palabre.sqlite'), { readonly: true });
		try {
			return db.prepare(sql).all(...params) as Record<string, unknown>[];
		} finally {
			db.close();
		}
	}

	/** The column that keeps the order rows were stored in (SQLite's rowid; PostgreSQL's `ord`, docs/postgres.md). */
	readonly rowOrder = TEST_STORE === 'postgres' ? 'ord' : 'rowid';

	/** Changes the stored data while the server is stopped (as an operator, or time, would). */
	write(sql: string, ...params: unknown[]) {
		if (TEST_STORE === 'postgres') return void this.postgres().query(numbered(sql), params);
		const db = new Database(join(this.dataDir, 'palabre.sqlite'));
		try {
			db.prepare(sql).run(...params);
		} finally {
			db.close();
		}
	}

	private pg: SyncPostgres | undefined;
	private postgres(): SyncPostgres {
		this.pg ??= syncPostgres(this.databaseUrl as string);
		return this.pg;
	}

	/** JSON request helper; returns status and parsed body. */
	async api(method: string, path: string, body?: unknown, token?: string) {
		const res = await fetch(this.url + path, {
			method,
			headers: {
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...(token ? { authorization: `Bearer ${token}` } : {})
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
		});
		const text = await res.text();
		let json: any;
		try {
			json = JSON.parse(text);
		} catch {
			json = text;
		}
		return { status: res.status, body: json };
	}
}
