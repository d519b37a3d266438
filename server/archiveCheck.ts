/**
 * Everything an import does before touching the store, run in a worker thread
 * (./archiveWorker.ts) so that reading a 20 MB archive never holds up a room: parse the JSON,
 * check it against one strict schema built from the protocol's, check that its ids hold together,
 * decode every write-up and check its shape, then give every record a fresh id and tokens.
 * What comes out is a plan the main thread only has to write, in one transaction.
 *
 * A refusal names the field, e.g. « rooms[0].stages: … »; nothing is stored.
 */
import * as Y from 'yjs';
import { z } from 'zod';
import {
	Board,
	EvaluationBody,
	EventSettings,
	LIMITS,
	Language,
	RoomPhase,
	RoomStages,
	StoredTap,
	Translations,
	CategoryId
} from '../src/lib/protocol';
import type { Verbatim } from '../src/lib/domain/verbatims';
import type { Category } from '../src/lib/domain/categories';
import type { Board as BoardState } from '../src/lib/domain/board';
import type { RoomStages as RoomStagesState } from '../src/lib/domain/stages';
import { docName } from '../src/lib/writeup';
import { writeupShapeError } from '../src/lib/writeupSchema';
import type { Evaluation, EventSettings as Settings, GroupRecord, StatementEdit, StatementRecord, StoredTap as Tap } from './store/store';
import { hashToken, newId, participantToken } from './tokens';

export const ARCHIVE_FORMAT = 'palabre-archive';
export const ARCHIVE_VERSION = 1;

/** How big an archive may be, beyond the body's byte cap (LIMITS.archiveBytes). */
export const ARCHIVE_LIMITS = {
	rooms: LIMITS.themes,
	statementsPerRoom: LIMITS.statementsPerTheme,
	participants: 10_000,
	groups: 3_000,
	rapporteursPerGroup: 100,
	tapsPerGroup: 20_000,
	/** Stage commands of a room: a morning has a few dozen. */
	stageLogPerRoom: 10_000,
	/** Wording changes once a room's choice is open: a handful at most. */
	statementEditsPerRoom: 1_000,
	/** A write-up's Yjs state, decoded. */
	writeupBytes: 2_000_000,
	workshops: LIMITS.workshops,
	verbatims: LIMITS.verbatimsPerEvent
} as const;

const id = z.string().min(1).max(40);
const text = (max: number) => z.string().trim().min(1).max(max);
const time = z.int().nonnegative();

export const Archive = z
	.object({
		format: z.literal(ARCHIVE_FORMAT),
		version: z.literal(ARCHIVE_VERSION),
		// Archives may carry when they were written; it is not read.
		exportedAt: z.unknown().optional(),
		event: z
			.object({
				id,
				title: text(LIMITS.title),
				date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
				// Archives written before events had an end date lack it: the event lasted one day.
				endDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().optional(),
				place: z.string().trim().max(LIMITS.place).nullable(),
				language: Language,
				createdAt: time,
				settings: EventSettings
			})
			.strict()
			.refine((e) => !e.endDate || (e.date !== null && e.endDate >= e.date), {
				path: ['endDate'],
				message: 'la date de fin précède la date de début, ou il manque la date de début'
			}),
		rooms: z
			.array(
				z
					.object({
						id,
						title: text(LIMITS.themeTitle),
						phase: RoomPhase,
						presenting: z.int().min(0).max(LIMITS.statementsPerTheme),
						stages: RoomStages,
						// Archives written before issue 21 have no log: their speaking time follows the taps' stages.
						stageLog: z.array(z.object({ at: time, stages: RoomStages }).strict()).max(ARCHIVE_LIMITS.stageLogPerRoom).optional(),
						statements: z
							.array(
								z
									.object({
										id,
										text: text(LIMITS.statement),
										translations: Translations.optional(),
										// Archives written before verbatims have none.
										sourceVerbatimId: id.nullable().optional(),
										// Reworded since it was translated (docs/statements.md).
										translationToReview: z.literal(true).optional()
									})
									.strict()
							)
							.max(ARCHIVE_LIMITS.statementsPerRoom),
						// Archives written before statements could be edited have no log.
						statementEdits: z
							.array(
								z
									.object({ statementId: id, at: time, by: z.literal('organiser'), before: text(LIMITS.statement), after: text(LIMITS.statement) })
									.strict()
							)
							.max(ARCHIVE_LIMITS.statementEditsPerRoom)
							.optional()
					})
					.strict()
			)
			.min(1)
			.max(ARCHIVE_LIMITS.rooms),
		participants: z
			.array(
				z
					.object({
						id,
						displayName: text(LIMITS.displayName),
						categories: z.array(CategoryId).max(LIMITS.categoriesPerPerson),
						roomId: id.nullable(),
						groupId: id.nullable(),
						addedByFacilitator: z.boolean(),
						createdAt: time,
						// The rooms ranked when registering, most wanted first; older archives have none.
						wishes: z.array(id).min(1).max(LIMITS.themes).optional()
					})
					.strict()
			)
			.max(ARCHIVE_LIMITS.participants),
		groups: z
			.array(
				z
					.object({
						id,
						roomId: id,
						statementId: id,
						number: z.int().min(1).max(10_000),
						label: text(LIMITS.label).nullable(),
						createdAt: time,
						evaluation: EvaluationBody.nullable(),
						rapporteurs: z
							.array(z.object({ stage: z.int().min(1).max(3), participantId: id }).strict())
							.max(ARCHIVE_LIMITS.rapporteursPerGroup),
						taps: z.array(StoredTap).max(ARCHIVE_LIMITS.tapsPerGroup),
						/** The write-up's Yjs state, base64. */
						writeup: z.base64().max(Math.ceil(ARCHIVE_LIMITS.writeupBytes / 3) * 4)
					})
					.strict()
			)
			.max(ARCHIVE_LIMITS.groups),
		board: Board,
		// The day-1 workshops and their verbatims (docs/verbatims.md); older archives have none.
		workshops: z.array(z.object({ id, title: text(LIMITS.workshopTitle) }).strict()).max(ARCHIVE_LIMITS.workshops).optional(),
		verbatims: z
			.array(
				z
					.object({
						id,
						workshopId: id.nullable(),
						roomId: id.nullable(),
						text: text(LIMITS.verbatim),
						lively: z.boolean(),
						category: CategoryId.nullable(),
						at: time,
						receivedAt: time,
						starred: z.boolean(),
						reworded: text(LIMITS.statement).nullable(),
						mergedInto: id.nullable(),
						statementId: id.nullable()
					})
					.strict()
			)
			.max(ARCHIVE_LIMITS.verbatims)
			.optional()
	})
	.strict();
export type Archive = z.infer<typeof Archive>;

type Path = (string | number)[];

/** `rooms[0].stages`, as a person reading the archive would look for it. */
export function fieldPath(path: readonly PropertyKey[]): string {
	return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

export class ArchiveError extends Error {
	constructor(path: readonly PropertyKey[], message: string) {
		super(path.length ? `${fieldPath(path)}: ${message}` : message);
	}
}

/** The first place where the archive's ids do not hold together, or nothing. */
function checkReferences(a: Archive): void {
	const fail = (path: Path, message: string): never => {
		throw new ArchiveError(path, message);
	};
	// One namespace for every id: each old id maps to exactly one new one.
	const seen = new Set<string>();
	const unique = (value: string, path: Path) => {
		if (seen.has(value)) fail(path, `identifiant en double (${value})`);
		seen.add(value);
	};
	unique(a.event.id, ['event', 'id']);
	const statementRoom = new Map<string, string>();
	a.rooms.forEach((r, i) => {
		unique(r.id, ['rooms', i, 'id']);
		r.statements.forEach((s, j) => {
			unique(s.id, ['rooms', i, 'statements', j, 'id']);
			statementRoom.set(s.id, r.id);
		});
		if (r.presenting > Math.max(0, r.statements.length - 1)) fail(['rooms', i, 'presenting'], 'énoncé inexistant');
	});
	const participants = new Set<string>();
	a.participants.forEach((p, i) => {
		unique(p.id, ['participants', i, 'id']);
		participants.add(p.id);
	});
	const groups = new Map<string, Archive['groups'][number]>();
	const numbers = new Set<string>();
	a.groups.forEach((g, i) => {
		unique(g.id, ['groups', i, 'id']);
		groups.set(g.id, g);
		if (!a.rooms.some((r) => r.id === g.roomId)) fail(['groups', i, 'roomId'], `salle inconnue (${g.roomId})`);
		if (statementRoom.get(g.statementId) !== g.roomId) fail(['groups', i, 'statementId'], `énoncé inconnu dans cette salle (${g.statementId})`);
		const key = `${g.statementId} ${g.number}`;
		if (numbers.has(key)) fail(['groups', i, 'number'], `numéro en double pour cet énoncé (${g.number})`);
		numbers.add(key);
		const pens = new Set<string>();
		g.rapporteurs.forEach((r, j) => {
			if (!participants.has(r.participantId)) fail(['groups', i, 'rapporteurs', j, 'participantId'], `personne inconnue (${r.participantId})`);
			if (pens.has(`${r.stage} ${r.participantId}`)) fail(['groups', i, 'rapporteurs', j], 'en double');
			pens.add(`${r.stage} ${r.participantId}`);
		});
		const taps = new Set<string>();
		g.taps.forEach((t, j) => {
			if (taps.has(t.id)) fail(['groups', i, 'taps', j, 'id'], `identifiant en double (${t.id})`);
			taps.add(t.id);
			if (t.tap.kind === 'speak' && !participants.has(t.tap.participantId)) {
				fail(['groups', i, 'taps', j, 'tap', 'participantId'], `personne inconnue (${t.tap.participantId})`);
			}
		});
	});
	a.rooms.forEach((r, i) => {
		for (const groupId of Object.keys(r.stages.overrides)) {
			if (groups.get(groupId)?.roomId !== r.id) fail(['rooms', i, 'stages', 'overrides', groupId], 'groupe inconnu dans cette salle');
		}
		(r.stageLog ?? []).forEach((entry, j) => {
			for (const groupId of Object.keys(entry.stages.overrides)) {
				if (groups.get(groupId)?.roomId !== r.id) fail(['rooms', i, 'stageLog', j, 'stages', 'overrides', groupId], 'groupe inconnu dans cette salle');
			}
		});
	});
	a.rooms.forEach((r, i) =>
		(r.statementEdits ?? []).forEach((edit, j) => {
			if (statementRoom.get(edit.statementId) !== r.id) fail(['rooms', i, 'statementEdits', j, 'statementId'], `énoncé inconnu dans cette salle (${edit.statementId})`);
		})
	);
	a.participants.forEach((p, i) => {
		if (p.roomId !== null && !a.rooms.some((r) => r.id === p.roomId)) fail(['participants', i, 'roomId'], `salle inconnue (${p.roomId})`);
		(p.wishes ?? []).forEach((roomId, j) => {
			if (!a.rooms.some((r) => r.id === roomId)) fail(['participants', i, 'wishes', j], `salle inconnue (${roomId})`);
			if (p.wishes?.indexOf(roomId) !== j) fail(['participants', i, 'wishes', j], `salle en double (${roomId})`);
		});
		if (p.groupId === null) return;
		const g = groups.get(p.groupId);
		if (!g) fail(['participants', i, 'groupId'], `groupe inconnu (${p.groupId})`);
		else if (g.roomId !== p.roomId) fail(['participants', i, 'groupId'], 'groupe d’une autre salle que la sienne');
	});
	const items = new Set<string>();
	const sources = new Set<string>();
	a.board.items.forEach((item, i) => {
		const at: Path = ['board', 'items', i];
		if (items.has(item.id)) fail([...at, 'id'], `identifiant en double (${item.id})`);
		items.add(item.id);
		if (item.order !== i) fail([...at, 'order'], `position ${i} attendue`);
		if (item.heading && !a.board.headings.includes(item.heading)) fail([...at, 'heading'], 'rubrique inconnue');
		if ((item.status === 'a-clarifier') !== (item.reason !== undefined)) fail([...at, 'reason'], 'présente exactement quand « à clarifier »');
		item.support.forEach((p, j) => participants.has(p) || fail([...at, 'support', j], `personne inconnue (${p})`));
		item.sources.forEach((s, j) => {
			if (sources.has(s.id)) fail([...at, 'sources', j, 'id'], `source en double (${s.id})`);
			sources.add(s.id);
			const g = groups.get(s.groupId);
			if (!g) fail([...at, 'sources', j, 'groupId'], `groupe inconnu (${s.groupId})`);
			else if (g.statementId !== s.statementId) fail([...at, 'sources', j, 'statementId'], 'pas l’énoncé de ce groupe');
		});
	});
	for (const [from, into] of Object.entries(a.board.mergedInto)) {
		if (items.has(from) || !items.has(into)) fail(['board', 'mergedInto', from], 'doit mener d’une préconisation fusionnée à une préconisation présente');
	}
	checkVerbatims(a, unique, statementRoom, fail);
}

/** Workshops and verbatims: known references, merges one step deep, statements that point back. */
function checkVerbatims(a: Archive, unique: (value: string, path: Path) => void, statementRoom: Map<string, string>, fail: (path: Path, message: string) => never) {
	const workshops = new Set<string>();
	(a.workshops ?? []).forEach((w, i) => {
		unique(w.id, ['workshops', i, 'id']);
		workshops.add(w.id);
	});
	const verbatims = new Map((a.verbatims ?? []).map((v) => [v.id, v]));
	(a.verbatims ?? []).forEach((v, i) => {
		const at: Path = ['verbatims', i];
		unique(v.id, [...at, 'id']);
		if (v.workshopId !== null && !workshops.has(v.workshopId)) fail([...at, 'workshopId'], `atelier inconnu (${v.workshopId})`);
		if (v.roomId !== null && !a.rooms.some((r) => r.id === v.roomId)) fail([...at, 'roomId'], `salle inconnue (${v.roomId})`);
		if (v.mergedInto !== null && (v.mergedInto === v.id || verbatims.get(v.mergedInto)?.mergedInto !== null)) {
			fail([...at, 'mergedInto'], 'doit mener à un verbatim présent et non fusionné');
		}
		if (v.statementId !== null && !statementRoom.has(v.statementId)) fail([...at, 'statementId'], `énoncé inconnu (${v.statementId})`);
	});
	a.rooms.forEach((r, i) =>
		r.statements.forEach((s, j) => {
			const source = s.sourceVerbatimId;
			if (source && verbatims.get(source)?.statementId !== s.id) fail(['rooms', i, 'statements', j, 'sourceVerbatimId'], `verbatim inconnu ou d’un autre énoncé (${source})`);
		})
	);
}

/** A write-up's state, decoded into a fresh doc whose shape is the write-up's; throws otherwise. */
function checkedWriteup(base64: string, path: Path): Y.Doc | null {
	const state = Buffer.from(base64, 'base64');
	if (!state.length) return null;
	if (state.length > ARCHIVE_LIMITS.writeupBytes) throw new ArchiveError(path, `trop grand (maximum ${ARCHIVE_LIMITS.writeupBytes} octets)`);
	const doc = new Y.Doc();
	try {
		Y.applyUpdate(doc, new Uint8Array(state.buffer, state.byteOffset, state.length));
	} catch {
		doc.destroy();
		throw new ArchiveError(path, 'état Yjs illisible');
	}
	// Structs waiting for others the state does not hold: a cut state, not a whole write-up.
	const shape = doc.store.pendingStructs || doc.store.pendingDs ? 'état Yjs incomplet' : writeupShapeError(doc);
	if (shape) {
		doc.destroy();
		throw new ArchiveError(path, shape);
	}
	return doc;
}

/** Reactions and stars are keyed by participant id, `via` holds one: the new ids replace the old in the write-up. */
function remapWriteup(doc: Y.Doc, ids: Map<string, string>): Uint8Array {
	doc.transact(() => {
		for (const item of doc.getMap<Y.Map<unknown>>('items').values()) {
			const via = item.get('via');
			const next = typeof via === 'string' ? ids.get(via) : undefined;
			if (next) item.set('via', next);
		}
		for (const name of ['reactions', 'stars']) {
			for (const perItem of doc.getMap<Y.Map<unknown>>(name).values()) {
				for (const [old, value] of [...perItem.entries()]) {
					const next = ids.get(old);
					if (!next) continue;
					perItem.delete(old);
					perItem.set(next, value);
				}
			}
		}
	});
	const out = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return out;
}

/** What the main thread writes: records with fresh ids, ready for the store. */
export interface ImportPlan {
	eventId: string;
	event: { title: string; date: string | null; endDate: string | null; place: string | null; language: Language; createdAt: number; settings: Settings };
	rooms: {
		id: string;
		position: number;
		title: string;
		phase: RoomPhase;
		presenting: number;
		stages: RoomStagesState;
		stageLog: { at: number; stages: RoomStagesState }[];
		statements: StatementRecord[];
	}[];
	groups: GroupRecord[];
	participants: {
		id: string;
		tokenHash: string;
		displayName: string;
		categories: Category[];
		roomId: string | null;
		groupId: string | null;
		addedByFacilitator: boolean;
		createdAt: number;
		wishes: string[];
	}[];
	statementEdits: StatementEdit[];
	evaluations: { groupId: string; evaluation: Evaluation }[];
	rapporteurs: { groupId: string; stage: number; participantId: string }[];
	taps: { groupId: string; taps: Tap[] }[];
	writeups: { docName: string; state: Uint8Array }[];
	board: BoardState;
	workshops: { id: string; position: number; title: string }[];
	verbatims: (Verbatim & { receivedAt: number })[];
}

/** Parses, checks and renumbers an archive; throws an ArchiveError naming the first bad field. */
export function prepareImport(bytes: Uint8Array): ImportPlan {
	let raw: unknown;
	try {
		raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
	} catch {
		throw new ArchiveError([], 'JSON invalide');
	}
	const parsed = Archive.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0] as z.core.$ZodIssue;
		throw new ArchiveError(issue.path, issue.message);
	}
	const a = parsed.data;
	checkReferences(a);
	const docs = a.groups.map((g, i) => checkedWriteup(g.writeup, ['groups', i, 'writeup']));

	const ids = new Map<string, string>();
	const fresh = (old: string) => {
		let next = ids.get(old);
		if (!next) ids.set(old, (next = newId()));
		return next;
	};
	const eventId = fresh(a.event.id);
	// Every id first, so that references can be renumbered in any order.
	for (const r of a.rooms) [r, ...r.statements].forEach((x) => fresh(x.id));
	for (const x of [...a.participants, ...a.groups, ...(a.workshops ?? []), ...(a.verbatims ?? [])]) fresh(x.id);
	const known = (old: string | null) => (old === null ? null : fresh(old));
	const renumbered = (stages: RoomStagesState): RoomStagesState => ({
		...stages,
		overrides: Object.fromEntries(Object.entries(stages.overrides).map(([g, s]) => [fresh(g), s]))
	});
	const sourceId = (old: string) => old.replace(/^group\.([\w-]+)\//, (m, gid: string) => (ids.has(gid) ? `group.${fresh(gid)}/` : m));

	return {
		eventId,
		event: { title: a.event.title, date: a.event.date, endDate: a.event.endDate ?? a.event.date, place: a.event.place, language: a.event.language, createdAt: a.event.createdAt, settings: a.event.settings },
		rooms: a.rooms.map((r, position) => ({
			id: fresh(r.id),
			position,
			title: r.title,
			phase: r.phase,
			presenting: r.presenting,
			stages: renumbered(r.stages),
			stageLog: (r.stageLog ?? []).map((entry) => ({ at: entry.at, stages: renumbered(entry.stages) })),
			statements: r.statements.map((s, i) => ({
				id: fresh(s.id),
				roomId: fresh(r.id),
				position: i,
				text: s.text,
				translations: s.translations ?? {},
				sourceVerbatimId: known(s.sourceVerbatimId ?? null),
				...(s.translationToReview ? { translationToReview: true } : {})
			}))
		})),
		statementEdits: a.rooms.flatMap((r) => (r.statementEdits ?? []).map((edit) => ({ ...edit, statementId: fresh(edit.statementId), roomId: fresh(r.id) }))),
		groups: a.groups.map((g) => ({ id: fresh(g.id), roomId: fresh(g.roomId), statementId: fresh(g.statementId), number: g.number, label: g.label, createdAt: g.createdAt })),
		participants: a.participants.map((p) => {
			const pid = fresh(p.id);
			// Nobody holds the old tokens here: people rejoin, or are represented by facilitators.
			return {
				id: pid,
				tokenHash: hashToken(participantToken(pid)),
				displayName: p.displayName,
				categories: p.categories as Category[],
				roomId: known(p.roomId),
				groupId: known(p.groupId),
				addedByFacilitator: p.addedByFacilitator,
				createdAt: p.createdAt,
				wishes: (p.wishes ?? []).map(fresh)
			};
		}),
		evaluations: a.groups.flatMap((g) => (g.evaluation ? [{ groupId: fresh(g.id), evaluation: g.evaluation }] : [])),
		rapporteurs: a.groups.flatMap((g) => g.rapporteurs.map((r) => ({ groupId: fresh(g.id), stage: r.stage, participantId: fresh(r.participantId) }))),
		taps: a.groups.map((g) => ({
			groupId: fresh(g.id),
			taps: g.taps.map((t) => ({ ...t, tap: t.tap.kind === 'speak' ? { ...t.tap, participantId: fresh(t.tap.participantId) } : t.tap }))
		})),
		writeups: a.groups.flatMap((g, i) => {
			const doc = docs[i];
			return doc ? [{ docName: docName(fresh(g.id)), state: remapWriteup(doc, ids) }] : [];
		}),
		board: {
			headings: a.board.headings,
			mergedInto: a.board.mergedInto,
			items: a.board.items.map((item) => ({
				...item,
				support: item.support.map(fresh),
				sources: item.sources.map((s) => ({ ...s, id: sourceId(s.id), statementId: fresh(s.statementId), groupId: fresh(s.groupId) }))
			}))
		},
		workshops: (a.workshops ?? []).map((w, position) => ({ id: fresh(w.id), position, title: w.title })),
		verbatims: (a.verbatims ?? []).map((v) => ({
			...v,
			category: v.category as Category | null,
			id: fresh(v.id),
			workshopId: known(v.workshopId),
			roomId: known(v.roomId),
			mergedInto: known(v.mergedInto),
			statementId: known(v.statementId)
		}))
	};
}
