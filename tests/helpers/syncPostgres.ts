/**
 * Synchronous queries on a PostgreSQL database, for test helpers that read the store the way
 * better-sqlite3 does (TestServer.rows): a worker thread holds the connection and answers each
 * query while the caller waits on a shared flag. No process spawned per query.
 */
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

// CommonJS: an eval'd worker; `pg` resolves from the repository (the tests' working directory).
const WORKER = `
const { workerData } = require('node:worker_threads');
const pg = require('pg');
pg.types.setTypeParser(20, Number);
const { port, flag, url } = workerData;
const client = new pg.Client({ connectionString: url });
const ready = client.connect();
port.on('message', async ({ sql, params }) => {
	let answer;
	try {
		await ready;
		answer = { rows: (await client.query(sql, params)).rows };
	} catch (err) {
		answer = { error: String((err && err.message) || err) };
	}
	port.postMessage(answer);
	Atomics.store(flag, 0, 1);
	Atomics.notify(flag, 0);
});
`;

export interface SyncPostgres {
	/** Runs one statement (`$1`… placeholders) and returns its rows. */
	query(sql: string, params?: unknown[]): Record<string, unknown>[];
	close(): void;
}

export function syncPostgres(url: string): SyncPostgres {
	const { port1, port2 } = new MessageChannel();
	const flag = new Int32Array(new SharedArrayBuffer(4));
	const worker = new Worker(WORKER, { eval: true, workerData: { port: port2, flag, url }, transferList: [port2] });
	worker.unref();
	return {
		query(sql, params = []) {
			Atomics.store(flag, 0, 0);
			port1.postMessage({ sql, params });
			if (Atomics.wait(flag, 0, 0, 30_000) === 'timed-out') throw new Error(`PostgreSQL did not answer within 30 s: ${sql}`);
			const answer = receiveMessageOnPort(port1)?.message as { rows?: Record<string, unknown>[]; error?: string } | undefined;
			if (!answer || answer.error !== undefined) throw new Error(`${answer?.error ?? 'no answer'}: ${sql}`);
			return answer.rows ?? [];
		},
		close() {
			port1.close();
			void worker.terminate();
		}
	};
}
