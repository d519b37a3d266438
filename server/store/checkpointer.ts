/**
 * SQLite's WAL checkpoints, off the event loops. By default SQLite checkpoints inside a commit
 * once the WAL passes 1,000 pages: the writer that crosses the line copies the pages back into the
 * database file and waits for its fsync. Under typing that is about once a second, each time
 * holding up the keystrokes queued behind that commit (it was the slowest 1 % of keystroke
 * relays in `npm run bench`). So the connections turn that off (sqlite.ts), and a worker thread
 * with its own connection checkpoints instead: PASSIVE, which never blocks a writer, and now
 * and then RESTART, which holds them for the pages left, so the WAL stays bounded.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_EVERY_MS = 500;
/** WAL pages (4 kB) after which the WAL is made to start over: about 16 MB. */
const RESTART_FRAMES = 4096;

/** The worker's code, inline: a file of its own would need a bundle entry and a loader in development. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
setInterval(() => {
	try {
		const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
		// Writers never stop while people type, so the WAL would never start over: once it is
		// long, hold them for the few pages the passive pass left, and it does.
		if (log >= workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
	} catch (err) {
		// Busy or failing: the WAL only grows until the next try succeeds.
		parentPort.postMessage(String(err));
	}
}, workerData.everyMs);
`;

export interface Checkpointer {
	stop(): Promise<void>;
}

/** `synchronous`: the store's setting (sqlite.ts), which this connection follows too. */
export function startCheckpointer(file: string, synchronous: string, everyMs = CHECKPOINT_EVERY_MS): Checkpointer {
	// Resolved here, where node_modules is known: the worker's eval'd code has no location.
	const driver = createRequire(import.meta.url).resolve('better-sqlite3');
	const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, everyMs, synchronous, restartFrames: RESTART_FRAMES } });
	worker.on('message', (err: string) => console.error(`sqlite: checkpoint: ${err}`));
	worker.on('error', (err) => console.error('sqlite: checkpointer stopped', err));
	// It never keeps the process alive on its own.
	worker.unref();
	return {
		async stop() {
			await worker.terminate();
		}
	};
}
