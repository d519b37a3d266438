/**
 * The import's worker thread (started by ./archive.ts): parses and checks one archive off the
 * main event loop and answers with the plan to write, or the refusal.
 */
import { parentPort } from 'node:worker_threads';
import { ArchiveError, prepareImport } from './archiveCheck';

export type WorkerAnswer = { ok: true; plan: ReturnType<typeof prepareImport> } | { ok: false; error: string; refused: boolean };

parentPort?.once('message', (bytes: Uint8Array) => {
	let answer: WorkerAnswer;
	try {
		answer = { ok: true, plan: prepareImport(bytes) };
	} catch (err) {
		answer = err instanceof ArchiveError ? { ok: false, error: err.message, refused: true } : { ok: false, error: String(err), refused: false };
	}
	// The write-ups' bytes move to the main thread rather than being copied.
	const buffers = answer.ok ? [...new Set(answer.plan.writeups.map((w) => w.state.buffer as ArrayBuffer))] : [];
	parentPort?.postMessage(answer, buffers);
});
