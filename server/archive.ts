/**
 * The complete archive of an event (`GET /api/events/:id/actes?format=json`) and its import
 * (`POST /api/events/import`): everything needed to move an event to another instance — settings,
 * rooms, statements, people (pseudonymised unless the organiser asks for names), groups, stages,
 * evaluations, rapporteurs, speaking taps, write-ups (as Yjs state) and the board.
 *
 * Ids inside the archive are those of the instance that wrote it; an import gives every record a
 * fresh id and fresh tokens and rewrites the references (docs/api.md lists what changes).
 */
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as Y from 'yjs';
import type { CreatedEvent } from '../src/lib/views';
import { docName, forgetNamesInVia } from '../src/lib/writeup';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type Archive } from './archiveCheck';
import type { WorkerAnswer, WorkerRequest } from './archiveWorker';
import { PalabreError } from './errors';
import type { Links } from './links';
import { eventById } from './records';
import type { Store } from './store/store';
import { storedUpdate } from './store/ydocs';
import { hashToken, newJoinCode, newToken } from './tokens';

/**
 * The archive of one event; names are replaced by « Participant·e n » unless asked for. Write-ups
 * name the member a helper typed for by participant id; older ones held the name, cleared then.
 */
export function exportArchive(store: Store, eventId: string, opts: { names: boolean }): Archive {
	const event = eventById(store, eventId);
	const rooms = store.listRooms(eventId);
	const participants = store.listParticipants(eventId);
	const ids = new Set(participants.map((p) => p.id));
	const wishes = store.listWishes(eventId);
	return {
		format: ARCHIVE_FORMAT,
		version: ARCHIVE_VERSION,
		event: { id: event.id, title: event.title, date: event.date, endDate: event.endDate, place: event.place, language: event.language, createdAt: event.createdAt, settings: event.settings },
		rooms: rooms.map((r) => ({
			id: r.id,
			title: r.title,
			phase: r.phase,
			presenting: r.presenting,
			stages: r.stages,
			stageLog: store.listStageLog(r.id),
			statements: store.listStatements(r.id).map((s) => ({
				id: s.id,
				text: s.text,
				translations: s.translations,
				sourceVerbatimId: s.sourceVerbatimId ?? null,
				...(s.translationToReview ? { translationToReview: true } : {})
			})),
			// Wordings changed once the choice had opened, shown to the facilitators (docs/statements.md).
			statementEdits: store.listStatementEdits(r.id).map(({ roomId: _room, ...edit }) => edit)
		})),
		participants: participants.map((p, i) => ({
			id: p.id,
			displayName: opts.names ? p.displayName : `Participant·e ${i + 1}`,
			categories: p.categories,
			roomId: p.roomId,
			groupId: p.groupId,
			addedByFacilitator: p.addedByFacilitator,
			createdAt: p.createdAt,
			// The rooms ranked when registering (docs/room-assignment.md), if any.
			...(wishes.has(p.id) ? { wishes: wishes.get(p.id) } : {})
		})),
		groups: rooms.flatMap((r) => {
			const evaluations = new Map(store.listEvaluations(r.id).map((e) => [e.groupId, e.evaluation]));
			return store.listGroups(r.id).map((g) => {
				const stored = storedUpdate(store.ydocs, docName(g.id));
				const writeup = stored && !opts.names ? withoutNamesInVia(stored, ids) : stored;
				return {
					id: g.id,
					roomId: g.roomId,
					statementId: g.statementId,
					number: g.number,
					label: g.label,
					createdAt: g.createdAt,
					evaluation: evaluations.get(g.id) ?? null,
					rapporteurs: store.listRapporteurs(g.id),
					taps: store.listTaps(g.id),
					writeup: Buffer.from(writeup ?? new Uint8Array()).toString('base64')
				};
			});
		}),
		board: store.getBoard(eventId).board,
		workshops: store.listWorkshops(eventId).map((w) => ({ id: w.id, title: w.title })),
		// Who said a verbatim is a category, never a name: nothing to replace.
		verbatims: store.listVerbatims(eventId).map(({ eventId: _event, ...v }) => v)
	};
}

/** The write-up's state with every `via` that is no participant id cleared; the same bytes when there is none. */
function withoutNamesInVia(state: Uint8Array, participantIds: ReadonlySet<string>): Uint8Array {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, state);
	const out = forgetNamesInVia(doc, participantIds) ? Y.encodeStateAsUpdate(doc) : state;
	doc.destroy();
	return out;
}


/**
 * The import's worker thread, at the lowest priority from its first line (loading its modules is
 * work too), so that the rooms' main loop comes first on a busy machine: on Linux a nice value is
 * the calling thread's own (elsewhere it would be the whole process's, so it is left alone). Its
 * code is next to the bundle in production (build/archive-worker.js), the TypeScript source
 * through tsx in development.
 */
function startWorker(): Worker {
	const here = import.meta.url;
	const nice = process.platform === 'linux' ? `require('node:os').setPriority(19);` : '';
	const load = here.endsWith('.js')
		? `import(${JSON.stringify(new URL('./archive-worker.js', here).href)});`
		: `require(${JSON.stringify(createRequire(here).resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(fileURLToPath(new URL('./archiveWorker.ts', here)))});`;
	// A worker that a hostile archive makes too big dies alone.
	return new Worker(nice + load, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
}

/** Far longer than an honest archive of LIMITS.archiveBytes takes to check, even on a busy machine. */
const CHECK_TIMEOUT_MS = 5 * 60_000;

/** One archive checked at a time: a burst of imports does not hold several in memory. */
let queue: Promise<unknown> = Promise.resolve();

type Checked = Extract<WorkerAnswer, { ok: true }>;

/**
 * Parses and checks an archive's bytes in a worker thread, which also stores its write-ups; a
 * refusal is a 400 naming the field, a store that cannot write throws SQLite's error.
 */
function checkArchive(request: WorkerRequest): Promise<Checked> {
	const run = () =>
		new Promise<Checked>((resolve, reject) => {
			const worker = startWorker();
			const timer = setTimeout(() => {
				reject(new PalabreError(400, 'archiveTooSlow'));
				void worker.terminate();
			}, CHECK_TIMEOUT_MS);
			worker.once('message', (answer: WorkerAnswer) => {
				if (answer.ok) resolve(answer);
				else if (answer.refused) reject(new PalabreError(400, 'archive', { detail: answer.error }));
				else if (answer.code) reject(new Database.SqliteError(answer.error, answer.code));
				else reject(new Error(`archive: ${answer.error}`));
				void worker.terminate();
			});
			worker.once('error', (err: Error & { code?: string }) => {
				reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new PalabreError(400, 'archiveTooHeavy') : err);
			});
			worker.once('exit', () => {
				clearTimeout(timer);
				// Already settled when it answered or failed.
				reject(new Error('archive: la vérification s’est arrêtée sans réponse'));
			});
			worker.postMessage(request, [request.bytes.buffer as ArrayBuffer]);
		});
	const result = queue.then(run, run);
	queue = result.catch(() => undefined);
	return result;
}

/** Recreates an event from an archive's bytes: fresh ids, tokens and join code; everything else equal. */
export async function importArchive(store: Store, links: Links, bytes: Uint8Array): Promise<CreatedEvent> {
	const { plan, writeups } = await checkArchive({ bytes, dataDir: store.dataDir });
	try {
		// With PostgreSQL, the main process's copy of the write-ups learns the worker's.
		await store.ydocs.reload?.(writeups);
	} catch (err) {
		for (const name of writeups) store.ydocs.deleteDoc(name);
		throw err;
	}
	const { eventId } = plan;
	const organiserToken = newToken();
	let joinCode = newJoinCode();
	while (store.getEventByJoinCode(joinCode)) joinCode = newJoinCode();
	const rooms = plan.rooms.map((r) => ({
		id: r.id,
		eventId,
		position: r.position,
		title: r.title,
		links: links.roomHashes(r.id, organiserToken),
		statements: r.statements
	}));
	const write = () => {
		store.createEvent({ event: { id: eventId, ...plan.event, joinCode, organiserTokenHash: hashToken(organiserToken) }, rooms });
		for (const r of plan.rooms) {
			store.setRoomPhase(r.id, r.phase, r.presenting);
			store.setRoomStages(r.id, r.stages);
			for (const entry of r.stageLog) store.addStageLog(r.id, entry.at, entry.stages);
		}
		for (const g of plan.groups) store.insertGroup(g);
		for (const { wishes, ...p } of plan.participants) {
			store.createParticipant({ ...p, eventId });
			if (wishes.length) store.setWishes(p.id, wishes);
		}
		for (const edit of plan.statementEdits) store.addStatementEdit(edit);
		for (const e of plan.evaluations) store.saveEvaluation(e.groupId, e.evaluation);
		for (const r of plan.rapporteurs) store.setRapporteur(r.groupId, r.stage, r.participantId, true);
		for (const t of plan.taps) store.addTaps(t.groupId, t.taps);
		store.saveBoard(eventId, plan.board, 1);
		for (const w of plan.workshops) store.addWorkshop({ ...w, eventId, captureHash: links.workshopHash(w.id, organiserToken) });
		store.addVerbatims(plan.verbatims.map((v) => ({ ...v, eventId })));
	};
	try {
		store.transaction(write);
	} catch (err) {
		// The worker stored the write-ups; without their event they must go.
		for (const name of writeups) store.ydocs.deleteDoc(name);
		throw err;
	}
	links.rememberOrganiser(eventId, organiserToken);
	return {
		id: eventId,
		joinCode,
		joinUrl: links.join({ joinCode }),
		organiserUrl: links.organiser(eventId, organiserToken),
		organiserToken,
		rooms: rooms.map((r) => ({ id: r.id, title: r.title, projectionUrl: links.projection(eventId, r.id, organiserToken) }))
	};
}
