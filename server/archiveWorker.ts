/**
 * The import's worker thread (started by ./archive.ts): parses and checks one archive off the
 * main event loop, stores its write-ups through a connection of its own (megabytes of Yjs state
 * would otherwise be written on the main loop), and answers with the plan of the rest, or the
 * refusal. The write-ups' rows name groups that do not exist yet: nobody can open them until the
 * main thread has written the event, and it deletes them if that fails.
 */
import Database from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';
import { ArchiveError, prepareImport, type ImportPlan } from './archiveCheck';
import { insertNewDocs } from './store/postgres/ydocs';
import { openYDocStore } from './store/sqlite';

export interface WorkerRequest {
	bytes: Uint8Array;
	dataDir: string;
}

export type WorkerAnswer =
	| { ok: true; plan: Omit<ImportPlan, 'writeups'>; writeups: string[] }
	/** `refused`: the archive's fault (400); `code`: SQLite's, when the store failed. */
	| { ok: false; error: string; refused: boolean; code?: string };

async function run({ bytes, dataDir }: WorkerRequest): Promise<WorkerAnswer> {
	let plan: ImportPlan;
	try {
		plan = prepareImport(bytes);
	} catch (err) {
		return err instanceof ArchiveError ? { ok: false, error: err.message, refused: true } : { ok: false, error: String(err), refused: false };
	}
	const { writeups, ...rest } = plan;
	// With PostgreSQL (DATABASE_URL, as the main process has it), the write-ups go there, in one statement.
	const databaseUrl = process.env.DATABASE_URL;
	if (writeups.length && databaseUrl) {
		try {
			await insertNewDocs(databaseUrl, writeups.map((w) => ({ doc: w.docName, data: w.state })));
		} catch (err) {
			return { ok: false, error: String(err), refused: false };
		}
	} else if (writeups.length) {
		const { ydocs, close } = openYDocStore(dataDir);
		try {
			for (const w of writeups) ydocs.append(w.docName, w.state);
		} catch (err) {
			try {
				for (const w of writeups) ydocs.deleteDoc(w.docName);
			} catch {
				// Rows left name groups that never existed: nothing reads them.
			}
			return { ok: false, error: String(err), refused: false, ...(err instanceof Database.SqliteError ? { code: err.code } : {}) };
		} finally {
			close();
		}
	}
	return { ok: true, plan: rest, writeups: writeups.map((w) => w.docName) };
}

parentPort?.once('message', (request: WorkerRequest) => void run(request).then((answer) => parentPort?.postMessage(answer)));
