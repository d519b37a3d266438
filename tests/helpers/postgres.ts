/**
 * A throwaway PostgreSQL cluster for tests: Debian's initdb/pg_ctl in a temporary directory, on a
 * free loopback port, removed when stopped (about 2 s to start). A machine without PostgreSQL
 * fails the test that needs it: it never skips (.ci/run installs the `postgresql` package).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './freePort';

/** The newest Debian PostgreSQL's binaries (initdb is not on the PATH there). */
export function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
				.sort((a, b) => Number(a) - Number(b))
		: [];
	const newest = versions.at(-1);
	if (newest === undefined) {
		throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql');
	}
	return join(root, newest, 'bin');
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function runAsOwner(command: string, args: string[]): void {
	const asRoot = process.getuid?.() === 0;
	const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
	const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 30_000 });
	if (result.status !== 0) {
		throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout || result.error}`);
	}
}

export interface PostgresCluster {
	readonly port: number;
	/** The server's own database, for administration. */
	readonly adminUrl: string;
	/** The postmaster's process id: its backends are its children (the benchmark sums their CPU). */
	readonly pid: number;
	/** A new, empty database on this cluster; its URL. */
	createDatabase(): Promise<string>;
	stop(): Promise<void>;
}

let databases = 0;

/** A new, empty database on the cluster of this administration URL (any process may call it); its URL. */
export async function createDatabaseOn(adminUrl: string): Promise<string> {
	const name = `palabre_${process.pid}_${++databases}`;
	const client = new pg.Client({ connectionString: adminUrl });
	await client.connect();
	try {
		await client.query(`CREATE DATABASE ${name}`);
	} finally {
		await client.end();
	}
	return adminUrl.replace(/\/[^/]*$/, `/${name}`);
}

export async function startPostgres(): Promise<PostgresCluster> {
	const bin = postgresBin();
	const dir = mkdtempSync(join(tmpdir(), 'palabre-pg-'));
	if (process.getuid?.() === 0) {
		chmodSync(dir, 0o755);
		execFileSync('chown', ['postgres:postgres', dir]);
	}
	const data = join(dir, 'data');
	const port = await freePort();
	runAsOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
	runAsOwner(join(bin, 'pg_ctl'), [
		'-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30',
		'-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
		'start'
	]);
	const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
	const pidFile = join(data, 'postmaster.pid');
	const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
	let stopped = false;
	return {
		port,
		adminUrl,
		pid,
		createDatabase: () => createDatabaseOn(adminUrl),
		async stop() {
			if (stopped) return;
			stopped = true;
			if (existsSync(pidFile)) {
				try {
					process.kill(pid, 'SIGQUIT'); // immediate shutdown: the data is thrown away anyway
				} catch {
					// already gone
				}
				for (let i = 0; i < 200 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
			}
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
