/**
 * The complete archive of an event (`GET /api/events/:id/actes?format=json`) and its import
 * (`POST /api/events/import`): everything needed to move an event to another instance — settings,
 * rooms, statements, people (pseudonymised unless the organiser asks for names), groups, stages,
 * evaluations, rapporteurs, speaking taps, write-ups (as Yjs state) and the board.
 *
 * Ids inside the archive are those of the instance that wrote it; an import gives every record a
 * fresh id and fresh tokens and rewrites the references (docs/api.md lists what changes).
 */
import * as Y from 'yjs';
import { z } from 'zod';
import type { Board } from '../src/lib/domain/board';
import { Language } from '../src/lib/protocol';
import { docName } from '../src/lib/writeup';
import type { CreatedEvent, Palabre } from './service';
import { PalabreError } from './service';
import { storedUpdate } from './store/ydocs';
import { hashToken, newId, newJoinCode, newToken, participantToken } from './tokens';

export const ARCHIVE_FORMAT = 'palabre-archive';
export const ARCHIVE_VERSION = 1;

const threeStrings = z.tuple([z.string(), z.string(), z.string()]);

const Archive = z.object({
	format: z.literal(ARCHIVE_FORMAT),
	version: z.literal(ARCHIVE_VERSION),
	event: z.object({
		id: z.string(),
		title: z.string().min(1).max(200),
		date: z.string().nullable(),
		place: z.string().nullable(),
		language: Language,
		createdAt: z.number(),
		settings: z.object({
			stageQuestions: threeStrings,
			stageNames: threeStrings,
			stageMinutes: z.tuple([z.int(), z.int(), z.int()]),
			maxGroupSize: z.int().min(2).max(20),
			writingWarningMinutes: z.int().min(0).max(60),
			longTurnSeconds: z.int().min(10).max(3600).optional(),
			// Archives written before translations (issue 11) have none.
			translations: z
				.partialRecord(Language, z.object({ stageQuestions: threeStrings, stageNames: threeStrings }))
				.optional()
		})
	}),
	rooms: z.array(
		z.object({
			id: z.string(),
			title: z.string(),
			phase: z.enum(['welcome', 'presentation', 'choice', 'groups']),
			presenting: z.int(),
			stages: z.any(),
			// Archives written before issue 21 have no log: their speaking time follows the taps' stages.
			stageLog: z.array(z.object({ at: z.number(), stages: z.any() })).optional(),
			statements: z.array(z.object({ id: z.string(), text: z.string(), translations: z.partialRecord(Language, z.string()).optional() }))
		})
	),
	participants: z.array(
		z.object({
			id: z.string(),
			displayName: z.string().min(1).max(40),
			categories: z.array(z.string()),
			roomId: z.string().nullable(),
			groupId: z.string().nullable(),
			addedByFacilitator: z.boolean(),
			createdAt: z.number()
		})
	),
	groups: z.array(
		z.object({
			id: z.string(),
			roomId: z.string(),
			statementId: z.string(),
			number: z.int(),
			label: z.string().nullable(),
			createdAt: z.number(),
			evaluation: z.any().nullable(),
			rapporteurs: z.array(z.object({ stage: z.int(), participantId: z.string() })),
			taps: z.array(z.object({ id: z.string(), stage: z.int(), tap: z.any() })),
			/** The write-up's Yjs state, base64. */
			writeup: z.string()
		})
	),
	board: z.any()
});
export type Archive = z.infer<typeof Archive>;

/** The archive of one event; names are replaced by « Participant·e n » unless asked for. */
export function exportArchive(palabre: Palabre, eventId: string, opts: { names: boolean }): Archive {
	const { store } = palabre;
	const event = palabre.event(eventId);
	const rooms = store.listRooms(eventId);
	const participants = store.listParticipants(eventId);
	return {
		format: ARCHIVE_FORMAT,
		version: ARCHIVE_VERSION,
		event: { id: event.id, title: event.title, date: event.date, place: event.place, language: event.language, createdAt: event.createdAt, settings: event.settings },
		rooms: rooms.map((r) => ({
			id: r.id,
			title: r.title,
			phase: r.phase,
			presenting: r.presenting,
			stages: r.stages,
			stageLog: store.listStageLog(r.id),
			statements: store.listStatements(r.id).map((s) => ({ id: s.id, text: s.text, translations: s.translations }))
		})),
		participants: participants.map((p, i) => ({
			id: p.id,
			displayName: opts.names ? p.displayName : `Participant·e ${i + 1}`,
			categories: p.categories,
			roomId: p.roomId,
			groupId: p.groupId,
			addedByFacilitator: p.addedByFacilitator,
			createdAt: p.createdAt
		})),
		groups: rooms.flatMap((r) => {
			const evaluations = new Map(store.listEvaluations(r.id).map((e) => [e.groupId, e.evaluation]));
			return store.listGroups(r.id).map((g) => {
				const writeup = storedUpdate(store.ydocs, docName(g.id));
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
		board: store.getBoard(eventId).board
	};
}

/** Replaces old ids by new ones wherever they appear as whole strings in a JSON value. */
function remap<T>(value: T, ids: Map<string, string>): T {
	return JSON.parse(JSON.stringify(value), (_key, v) => {
		if (typeof v !== 'string') return v;
		if (ids.has(v)) return ids.get(v);
		// Board sources name their write-up item as `group.<groupId>/<itemId>`.
		const m = /^group\.([\w-]+)\/(.+)$/.exec(v);
		return m && ids.has(m[1] as string) ? `group.${ids.get(m[1] as string)}/${m[2]}` : v;
	}) as T;
}

/** Recreates an event from an archive: fresh ids, tokens and join code; everything else equal. */
export function importArchive(palabre: Palabre, raw: unknown): CreatedEvent {
	const parsed = Archive.safeParse(raw);
	if (!parsed.success) throw new PalabreError(400, `archive: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
	const a = parsed.data;
	const { store } = palabre;
	const ids = new Map<string, string>();
	const fresh = (old: string) => {
		if (!ids.has(old)) ids.set(old, newId());
		return ids.get(old) as string;
	};
	const eventId = fresh(a.event.id);
	for (const r of a.rooms) {
		fresh(r.id);
		for (const s of r.statements) fresh(s.id);
	}
	for (const p of a.participants) fresh(p.id);
	for (const g of a.groups) fresh(g.id);
	const id = (old: string | null) => (old === null ? null : (ids.get(old) ?? null));

	const organiserToken = newToken();
	let joinCode = newJoinCode();
	while (store.getEventByJoinCode(joinCode)) joinCode = newJoinCode();
	const rooms = a.rooms.map((r, position) => ({
		id: fresh(r.id),
		eventId,
		position,
		title: r.title,
		projectionToken: newToken(),
		facilitatorToken: newToken(),
		statements: r.statements.map((s, i) => ({ id: fresh(s.id), roomId: fresh(r.id), position: i, text: s.text, translations: s.translations ?? {} }))
	}));
	store.transaction(() => {
		store.createEvent({
			event: {
				id: eventId,
				title: a.event.title,
				date: a.event.date,
				place: a.event.place,
				language: a.event.language,
				joinCode,
				organiserTokenHash: hashToken(organiserToken),
				settings: a.event.settings,
				createdAt: a.event.createdAt
			},
			rooms
		});
		for (const r of a.rooms) {
			store.setRoomPhase(fresh(r.id), r.phase, r.presenting);
			if (r.stages) store.setRoomStages(fresh(r.id), remap(r.stages, ids));
			for (const entry of r.stageLog ?? []) store.addStageLog(fresh(r.id), entry.at, remap(entry.stages, ids));
		}
		for (const g of a.groups) {
			store.insertGroup({ id: fresh(g.id), roomId: fresh(g.roomId), statementId: fresh(g.statementId), number: g.number, label: g.label, createdAt: g.createdAt });
		}
		for (const p of a.participants) {
			// Nobody holds the old tokens here: people rejoin, or are represented by facilitators.
			const pid = fresh(p.id);
			store.createParticipant({
				id: pid,
				eventId,
				tokenHash: hashToken(participantToken(pid)),
				displayName: p.displayName,
				categories: p.categories as never,
				roomId: id(p.roomId),
				groupId: id(p.groupId),
				addedByFacilitator: p.addedByFacilitator,
				createdAt: p.createdAt
			});
		}
		for (const g of a.groups) {
			const gid = fresh(g.id);
			if (g.evaluation) store.saveEvaluation(gid, g.evaluation);
			for (const r of g.rapporteurs) store.setRapporteur(gid, r.stage, fresh(r.participantId), true);
			store.addTaps(gid, remap(g.taps, ids));
			const state = Buffer.from(g.writeup, 'base64');
			if (state.length) store.ydocs.append(docName(gid), remapWriteup(new Uint8Array(state), ids));
		}
		store.saveBoard(eventId, remap(a.board as Board, ids), 1);
	});
	const event = palabre.event(eventId);
	return {
		id: eventId,
		joinCode,
		joinUrl: palabre.joinUrl(event),
		organiserUrl: palabre.organiserUrl(eventId, organiserToken),
		organiserToken,
		rooms: rooms.map((r) => ({ id: r.id, title: r.title, projectionUrl: palabre.projectionUrl(r) }))
	};
}

/** Reactions and stars are keyed by participant id: the new ids replace the old in the write-up. */
function remapWriteup(state: Uint8Array, ids: Map<string, string>): Uint8Array {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, state);
	doc.transact(() => {
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

