/**
 * The one protocol shared by server and client: one zod schema per message or HTTP body,
 * TypeScript types derived from them. The server validates every input against these;
 * the client uses the same types. Size caps are documented in docs/api.md.
 */
import { z } from 'zod';
import { CATEGORIES, MAX_DECLARED_CATEGORIES } from './domain/categories';
import { LEVELS, type Board as BoardRecord, type BoardOp } from './domain/board';
import type { EvaluationPatch, GroupEvaluation } from './domain/evaluation';
import { ROOM_PHASES, type RoomPhase as Phase } from './domain/groups';
import type { ErrorCode, ErrorParams } from './domain/refusal';
import type { Tap as DomainTap } from './domain/speaking';
import type { RoomStages as DomainRoomStages } from './domain/stages';
import type { Capture } from './domain/verbatims';
import { LANGUAGES, type Lang } from './i18n/words';
import type {
	FacilitatorView,
	GoneReason,
	OrganiserDocument,
	ParticipantSession,
	PersonView,
	PhoneRoomView,
	ProgressUpdate,
	ProjectionView,
	PublicBoard,
	RoomView,
	SpeakingGroupView
} from './views';

/** A group's shared write-up (its Yjs doc) is named `group.<groupId>`; the group's id is captured. */
export const GROUP_DOC_NAME = /^group\.([\w-]{1,40})$/;

export const LIMITS = {
	title: 200,
	themeTitle: 300,
	statement: 500,
	statementsPerTheme: 60,
	themes: 12,
	displayName: 40,
	place: 200,
	stageQuestion: 300,
	stageName: 60,
	categoriesPerPerson: MAX_DECLARED_CATEGORIES,
	label: 200,
	notice: 200,
	comment: 500,
	/** A timekeeper taps a few times a minute; an offline queue goes in several messages. */
	tapsPerMessage: 200,
	/** Per group and per timekeeper: `tapsBurst` at once, then `tapsPerMinute` on average. */
	tapsBurst: 1_000,
	tapsPerMinute: 600,
	evaluationText: 1000,
	/** A board item's text, whether typed on the board or sent from a write-up. */
	boardText: 2000,
	httpBodyBytes: 1_000_000,
	/** An event's archive (write-ups included) may be larger than an ordinary request. */
	archiveBytes: 50_000_000,
	/** Verbatims (docs/verbatims.md): a sentence heard, an offline queue sent in several requests. */
	verbatim: 500,
	verbatimsPerMessage: 50,
	verbatimsPerEvent: 5_000,
	workshops: 60,
	workshopTitle: 200,
	verbatimsMerged: 50
} as const;

const text = (max: number) => z.string().trim().min(1).max(max);
/** A text that may be left empty: '' means « none ». */
const maybeText = (max: number) => z.string().trim().max(max);

export const Language = z.enum(LANGUAGES);
export type Language = Lang;

export const RoomPhase = z.enum(ROOM_PHASES);
export type RoomPhase = Phase;

export const CategoryId = z.enum(CATEGORIES as [string, ...string[]]);

/** Three stages' durations in minutes. */
const StageMinutes = z.tuple([z.int().min(1).max(240), z.int().min(1).max(240), z.int().min(1).max(240)]);

/** A calendar day, AAAA-MM-JJ. */
const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date attendue au format AAAA-MM-JJ');

export const CreateEventBody = z
	.object({
		title: text(LIMITS.title),
		/** The first day; `endDate` the last (the same day when omitted). */
		date: IsoDay.optional(),
		endDate: IsoDay.optional(),
		place: z.string().trim().max(LIMITS.place).optional(),
		language: Language.optional(),
		themes: z
			.array(
				z.object({
					title: text(LIMITS.themeTitle),
					statements: z.array(text(LIMITS.statement)).min(1).max(LIMITS.statementsPerTheme)
				})
			)
			.min(1)
			.max(LIMITS.themes),
		stageQuestions: z.tuple([text(LIMITS.stageQuestion), text(LIMITS.stageQuestion), text(LIMITS.stageQuestion)]).optional(),
		stageNames: z.tuple([text(LIMITS.stageName), text(LIMITS.stageName), text(LIMITS.stageName)]).optional(),
		stageMinutes: StageMinutes.optional(),
		writingWarningMinutes: z.int().min(0).max(60).optional(),
		/** After this long without a tap the timekeeper's pad asks « toujours X ? » (docs/speaking-time.md). */
		longTurnSeconds: z.int().min(10).max(3600).optional(),
		maxGroupSize: z.int().min(2).max(20).optional()
	})
	.strict()
	.check((ctx) => {
		const { date, endDate } = ctx.value;
		if (endDate === undefined) return;
		if (date === undefined) ctx.issues.push({ code: 'custom', path: ['endDate'], message: 'date de fin sans date de début', input: endDate });
		else if (endDate < date) ctx.issues.push({ code: 'custom', path: ['endDate'], message: 'la date de fin précède la date de début', input: endDate });
	});
export type CreateEventBody = z.infer<typeof CreateEventBody>;

const threeTexts = (max: number) => z.tuple([text(max), text(max), text(max)]);
const threeMaybeTexts = (max: number) => z.tuple([maybeText(max), maybeText(max), maybeText(max)]);

/** A text's translations by language ('' or absent: not translated). */
export const Translations = z.partialRecord(Language, maybeText(LIMITS.statement));
/** An event's settings, as stored and archived (src/lib/domain/eventSettings.ts). */
export const EventSettings = z
	.object({
		stageQuestions: threeTexts(LIMITS.stageQuestion),
		stageNames: threeTexts(LIMITS.stageName),
		stageMinutes: StageMinutes,
		maxGroupSize: z.int().min(2).max(20),
		writingWarningMinutes: z.int().min(0).max(60),
		// Events created before issue 21 have none (the default applies).
		longTurnSeconds: z.int().min(10).max(3600).optional(),
		translations: z
			.partialRecord(Language, z.object({ stageQuestions: threeMaybeTexts(LIMITS.stageQuestion), stageNames: threeMaybeTexts(LIMITS.stageName) }).strict())
			.optional()
	})
	.strict();

export const JoinBody = z
	.object({
		displayName: text(LIMITS.displayName),
		categories: z.array(CategoryId).max(LIMITS.categoriesPerPerson).default([]),
		roomId: z.string().max(40).optional()
	})
	.strict();
export type JoinBody = z.infer<typeof JoinBody>;

/** Registering before the event (issue 22): a pseudonym, categories, and the rooms ranked, most wanted first. */
export const RegisterBody = z
	.object({
		displayName: text(LIMITS.displayName),
		categories: z.array(CategoryId).max(LIMITS.categoriesPerPerson).default([]),
		wishes: z
			.array(z.string().min(1).max(40))
			.max(LIMITS.themes)
			.refine((ids) => new Set(ids).size === ids.length, 'une salle classée deux fois')
			.default([])
	})
	.strict();
export type RegisterBody = z.infer<typeof RegisterBody>;

/** Who a socket is: sent once in the socket.io handshake (`auth`). */
export const SocketAuth = z.discriminatedUnion('role', [
	z.object({ role: z.literal('participant'), token: z.string().max(200) }),
	z.object({ role: z.literal('projection'), roomId: z.string().max(40), token: z.string().max(200) }),
	z.object({ role: z.literal('facilitator'), roomId: z.string().max(40), token: z.string().max(200) }),
	z.object({ role: z.literal('organiser'), eventId: z.string().max(40), token: z.string().max(200) })
]);
export type SocketAuth = z.infer<typeof SocketAuth>;

const minutes = z.int().min(-120).max(120);

/** A facilitator's command on the stages of a room, or of one of its groups. */
export const StageCommand = z.discriminatedUnion('action', [
	z.object({ action: z.enum(['start', 'pause', 'resume', 'next', 'finish']) }).strict(),
	z.object({ action: z.literal('adjust'), minutes }).strict(),
	/** The room's stage durations, at any time: a stage under way moves by its change. */
	z.object({ action: z.literal('durations'), minutes: StageMinutes }).strict(),
	z.object({ action: z.enum(['hold', 'release', 'resumeGroup', 'advanceGroup']), groupId: z.string().min(1).max(40) }).strict(),
	z.object({ action: z.literal('adjustGroup'), groupId: z.string().min(1).max(40), minutes }).strict()
]);
export type StageCommand = z.infer<typeof StageCommand>;

/** 1–4, « je préfère ne pas répondre », or nothing (src/lib/domain/evaluation.ts `Scale`). */
const score = z.union([z.int().min(1).max(4), z.literal('declined')]).nullable();
/** A group's evaluation as stored and archived. */
export const EvaluationBody = z
	.object({
		everyoneSpoke: score,
		feltHeard: score,
		worked: z.string().trim().max(LIMITS.evaluationText),
		didNotWork: z.string().trim().max(LIMITS.evaluationText)
	})
	.strict();
/** What one member sends: only the fields they changed, at least one (merged by the server). */
export const EvaluationPatchBody = EvaluationBody.partial()
	.strict()
	.refine((patch) => Object.keys(patch).length > 0, { message: 'nothing to save' });

/** One stage state of a room or group (src/lib/domain/stages.ts), as stored and archived. */
export const StageState = z
	.object({
		index: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
		status: z.enum(['waiting', 'running', 'paused', 'finished']),
		endsAt: z.int().nonnegative().optional(),
		remainingMs: z.int().nonnegative().optional()
	})
	.strict();
/** A room's stages: its own state and the groups' overrides, keyed by group id. */
export const RoomStages = z
	.object({
		room: StageState,
		overrides: z.record(z.string().min(1).max(40), StageState),
		/** The room's own durations, once a facilitator changed them (src/lib/domain/stages.ts). */
		minutes: StageMinutes.optional()
	})
	.strict();

/** One tap of the timekeeper (« gardien·ne du temps »), at its original (server-clock) time. */
export const Tap = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('speak'), participantId: z.string().min(1).max(40), at: z.int().nonnegative(), crosstalk: z.boolean().optional() }).strict(),
	z.object({ kind: z.literal('silence'), at: z.int().nonnegative() }).strict(),
	/** « oui » to the pad's « toujours X ? ». */
	z.object({ kind: z.literal('confirm'), at: z.int().nonnegative() }).strict(),
	z.object({ kind: z.literal('undo'), at: z.int().nonnegative() }).strict()
]);

/** A tap as sent and stored: its id makes resending harmless. */
export const StoredTap = z.object({ id: z.string().min(1).max(40), stage: z.int().min(1).max(3), tap: Tap }).strict();

const Level = z.enum(LEVELS);
const boardText = z.string().trim().min(1).max(LIMITS.boardText);
const boardId = z.string().min(1).max(40);
const heading = z.string().trim().max(200);
const clarifyReason = z.string().trim().min(1).max(500);

/** What organisers and facilitators do on the board (src/lib/domain/board.ts). */
export const BoardOpInput = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('addDirect'), itemId: boardId, text: boardText, at: z.int().nonnegative() }).strict(),
	z.object({ kind: z.literal('reword'), itemId: boardId, text: boardText }).strict(),
	z.object({ kind: z.literal('merge'), itemIds: z.array(boardId).min(2).max(50), into: boardId, text: boardText.optional() }).strict(),
	z.object({ kind: z.literal('split'), itemId: boardId, newIds: z.array(boardId).min(1).max(50) }).strict(),
	z.object({ kind: z.literal('setHeading'), itemId: boardId, heading }).strict(),
	z.object({ kind: z.literal('addHeading'), heading: z.string().trim().min(1).max(200) }).strict(),
	z.object({ kind: z.literal('renameHeading'), from: z.string().max(200), to: z.string().trim().min(1).max(200) }).strict(),
	z.object({ kind: z.literal('setLevels'), itemId: boardId, levels: z.array(Level).max(2) }).strict(),
	z.object({ kind: z.literal('markClarify'), itemId: boardId, reason: clarifyReason }).strict(),
	z.object({ kind: z.literal('markOk'), itemId: boardId }).strict(),
	z.object({ kind: z.literal('move'), itemId: boardId, before: boardId.nullable() }).strict(),
	z.object({ kind: z.literal('remove'), itemId: boardId }).strict()
]);
export type BoardOpInput = z.infer<typeof BoardOpInput>;

/** The whole board (src/lib/domain/board.ts), as stored and archived. */
export const BoardSource = z
	.object({
		id: z.string().min(1).max(200),
		statementId: boardId,
		groupNumber: z.int().min(1),
		groupId: boardId,
		stage: z.union([z.literal(2), z.literal(3)]),
		itemId: boardId,
		text: boardText,
		at: z.int().nonnegative()
	})
	.strict();
export const BoardItem = z
	.object({
		id: boardId,
		text: boardText,
		originalText: boardText,
		heading,
		levels: z.array(Level).max(2),
		status: z.enum(['ok', 'a-clarifier']),
		reason: clarifyReason.optional(),
		sources: z.array(BoardSource).max(200),
		support: z.array(boardId).max(10_000),
		createdAt: z.int().nonnegative(),
		order: z.int().nonnegative()
	})
	.strict();
/** Ids are looked up with Object.hasOwn, but a key like `__proto__` has no business here. */
const ownKey = boardId.refine((k) => !(k in Object.prototype), 'identifiant réservé');
export const Board = z
	.object({
		items: z.array(BoardItem).max(5_000),
		headings: z.array(heading.min(1)).max(500),
		mergedInto: z.record(ownKey, boardId)
	})
	.strict();

/** Client → server messages, each with its schema. Every one is answered by an Ack. */
const id = z.string().min(1).max(40);

/** A verbatim as a facilitator's phone sends it (src/lib/domain/verbatims.ts `Capture`); its id is the phone's. */
export const CaptureItem = z
	.object({
		id: z.string().regex(/^[\w-]{8,40}$/, 'identifiant attendu : 8 à 40 lettres, chiffres, - ou _'),
		text: text(LIMITS.verbatim),
		workshopId: id.nullable(),
		roomId: id.nullable(),
		lively: z.boolean(),
		category: CategoryId.nullable(),
		at: z.int().nonnegative()
	})
	.strict();
/** POST /api/capture/:workshopId: one verbatim, or a queue kept offline. */
export const CaptureBody = z.object({ verbatims: z.array(CaptureItem).min(1).max(LIMITS.verbatimsPerMessage) }).strict();
export type CaptureBody = z.infer<typeof CaptureBody>;

export const ClientMessages = {
	'participant:chooseRoom': z.object({ roomId: id }).strict(),
	/** Tap on a statement card: seat me in one of its groups. */
	'group:pick': z.object({ statementId: id }).strict(),
	'group:leave': z.object({}).strict(),
	// Facilitators (room link) and organisers (any room of their event):
	'room:setPhase': z.object({ roomId: id, phase: RoomPhase, presenting: z.int().min(0).optional() }).strict(),
	'room:addPerson': z
		.object({
			roomId: id,
			displayName: text(LIMITS.displayName),
			categories: z.array(CategoryId).max(LIMITS.categoriesPerPerson).default([]),
			statementId: id.optional()
		})
		.strict(),
	'room:move': z.union([
		z.object({ roomId: id, participantId: id, groupId: id }).strict(),
		z.object({ roomId: id, participantId: id, statementId: id }).strict()
	]),
	'room:merge': z.object({ roomId: id, groupA: id, groupB: id }).strict(),
	/** A facilitator applies the seating rule's balance to one statement (suggested during the stages). */
	'room:rebalance': z.object({ roomId: id, statementId: id }).strict(),
	/** Organisers may place people in rooms instead of letting them choose. */
	'organiser:assignRoom': z.object({ participantId: id, roomId: id }).strict(),
	'room:setGroupLabel': z.object({ roomId: id, groupId: id, label: text(LIMITS.label).nullable() }).strict(),
	'stage:control': z.object({ roomId: id, command: StageCommand }).strict(),
	/** A roaming facilitator's short message to one group's phones. */
	'room:notifyGroup': z.object({ roomId: id, groupId: id, text: text(LIMITS.notice) }).strict(),
	'group:evaluate': EvaluationPatchBody,
	/** « I am filling our group's evaluation » (renewed while one goes on), or « no more » once sent. */
	'group:evaluating': z.object({ on: z.boolean() }).strict(),
	/** Take (or give back) the pen for one stage of one's group. */
	'group:setRapporteur': z.object({ stage: z.int().min(1).max(3), on: z.boolean() }).strict(),
	/** Taps, one or a queue kept while offline; ids make resending harmless. */
	'speaking:taps': z
		.object({
			taps: z
				.array(StoredTap)
				.min(1)
				.max(LIMITS.tapsPerMessage)
		})
		.strict(),
	'board:op': z.object({ op: BoardOpInput }).strict(),
	/** A stage 2 or 3 write-up item to the board; members send their own group's (no groupId). */
	'board:send': z.object({ groupId: id.optional(), itemId: id }).strict(),
	'board:support': z.object({ itemId: id, on: z.boolean() }).strict(),
	/**
	 * The organisers' translations into the language that is not the event's: of some statements
	 * (one room's at most per message) and of the three stage questions and names. '' removes one.
	 */
	'organiser:translate': z
		.object({
			language: Language,
			statements: z
				.array(z.object({ statementId: id, text: maybeText(LIMITS.statement) }).strict())
				.max(LIMITS.statementsPerTheme)
				.optional(),
			stages: z
				.object({
					questions: z.tuple([maybeText(LIMITS.stageQuestion), maybeText(LIMITS.stageQuestion), maybeText(LIMITS.stageQuestion)]),
					names: z.tuple([maybeText(LIMITS.stageName), maybeText(LIMITS.stageName), maybeText(LIMITS.stageName)])
				})
				.strict()
				.optional()
		})
		.strict(),
	/** A facilitator's or organiser's request to clarify one write-up item. */
	'writeup:comment': z.object({ roomId: id, groupId: id, itemId: id, text: text(LIMITS.comment) }).strict(),
	/** Verbatims (docs/verbatims.md), organisers only: a day-1 workshop, with its capture link. */
	'workshop:add': z.object({ title: text(LIMITS.workshopTitle) }).strict(),
	/** Star a verbatim, set its theme, or reword it ('' goes back to the words as noted). */
	'verbatim:edit': z
		.object({ verbatimId: id, starred: z.boolean().optional(), roomId: id.nullable().optional(), reworded: maybeText(LIMITS.statement).optional() })
		.strict(),
	/** Near-duplicates merged into one, which keeps them as its sources. */
	'verbatim:merge': z.object({ verbatimIds: z.array(id).min(1).max(LIMITS.verbatimsMerged), into: id }).strict(),
	/** A verbatim becomes the last statement of a room, pointing back at it. */
	'verbatim:toStatement': z.object({ verbatimId: id, roomId: id }).strict(),
	/**
	 * The organisers' statements of one room, as they should now be: in order, reworded, new ones
	 * without id, removed ones left out (docs/statements.md).
	 */
	'organiser:editStatements': z
		.object({
			roomId: id,
			statements: z
				.array(z.object({ id: id.optional(), text: text(LIMITS.statement) }).strict())
				.min(1)
				.max(LIMITS.statementsPerTheme)
		})
		.strict(),
	/** The room assignment the organiser published: everyone listed goes to their room, at once. */
	'organiser:publishAssignment': z
		.object({ assignments: z.array(z.object({ participantId: id, roomId: id }).strict()).min(1).max(5_000) })
		.strict(),
	/** A facilitator or organiser reopens a group's closed write-up (open: true) or closes it again; logged. */
	'writeup:setOpen': z.object({ roomId: id, groupId: id, open: z.boolean() }).strict(),
	/**
	 * A one-time ticket to open a write-up's WebSocket (as POST /api/yjs-tickets/<doc>), asked over
	 * the connection already open: no new HTTP request. Answered { ticket, expiresInMs }.
	 */
	'writeup:ticket': z.object({ doc: z.string().regex(GROUP_DOC_NAME) }).strict()
} as const;
export type ClientMessageName = keyof typeof ClientMessages;
export type ClientMessage<N extends ClientMessageName> = z.infer<(typeof ClientMessages)[N]>;

/**
 * A refusal on the wire (socket answers and HTTP error bodies): `code` and `params` for the device
 * to word in its language (src/lib/domain/refusal.ts), `error` the French wording for logs and API users.
 */
export type Refused = { error: string; code: ErrorCode; params?: ErrorParams };

export type Ack<T = unknown> = { ok: true; data: T } | ({ ok: false } & Refused);

/** A facilitator's message to one group's phones. */
export type Notice = { text: string; at: number };

/**
 * Who is filling the group's evaluation now: each member until `until` (server clock), after
 * which a phone stops showing them without waiting for another message.
 */
export type EvaluationFilling = { groupId: string; filling: { participantId: string; until: number }[] };

/**
 * Server → client events, each with its payload: socket.io's typed generics on both ends
 * (`Server<ClientEvents, ServerEvents>`, `Socket<ServerEvents, ClientEvents>`).
 */
export interface ServerEvents {
	/** A phone's own view: the event, the person, their group and its members. */
	session: (session: ParticipantSession) => void;
	/** A phone's view of its room (no figures). */
	room: (room: PhoneRoomView) => void;
	/** The projection's first snapshot (with the join QR code), then its room views. */
	projection: (view: ProjectionView) => void;
	projectionRoom: (room: RoomView) => void;
	facilitator: (view: FacilitatorView) => void;
	organiser: (document: OrganiserDocument) => void;
	people: (people: PersonView[]) => void;
	/** The group's speaking time, to its own phones only. */
	speaking: (view: SpeakingGroupView) => void;
	board: (board: PublicBoard) => void;
	mySupports: (itemIds: string[]) => void;
	/** Write-ups' items per stage, at once, for the projection and the facilitators. */
	progress: (updates: ProgressUpdate[]) => void;
	notice: (notice: Notice) => void;
	/** Who is filling the group's evaluation, to the group's phones (src/lib/client/evaluationPresence). */
	evaluationFilling: (filling: EvaluationFilling) => void;
	/** This connection ends for good, and why (then a disconnection). */
	gone: (reason: GoneReason) => void;
	fault: (fault: Fault) => void;
	/** A planned restart: reconnect in a moment. */
	restarting: () => void;
}

/** Client → server events: every message of ClientMessages with its answer, and the clock samples. */
export type ClientEvents = { [N in ClientMessageName]: (msg: ClientMessage<N>, ack: (answer: Ack) => void) => void } & {
	time: (ack: (serverNow: number) => void) => void;
};

/** The domain's own types and the schemas that check them on the wire: drift is a compile error. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type SchemasMatchDomain = [
	Holds<Same<z.infer<typeof Tap>, DomainTap>>,
	Holds<Same<z.infer<typeof EvaluationBody>, GroupEvaluation>>,
	Holds<Same<z.infer<typeof EvaluationPatchBody>, EvaluationPatch>>,
	Holds<Same<BoardOpInput, Exclude<BoardOp, { kind: 'addFromWriteup' } | { kind: 'support' }>>>,
	Holds<Same<z.infer<typeof Board>, BoardRecord>>,
	Holds<Same<z.infer<typeof RoomStages>, DomainRoomStages>>,
	Holds<Same<z.infer<typeof CaptureItem>, Omit<Capture, 'category'> & { category: string | null }>>
];

/**
 * Server → client `fault`: a view of this client's event could not be built (the error is in the
 * server's log, with the event's id). The connection stays; the next change tries again.
 */
export type Fault = { eventId: string | null; at: number };

/** A readable message naming the first bad field, e.g. « themes.0.statements.2: Too big… ». */
export function describeZodError(error: z.ZodError): string {
	return error.issues
		.slice(0, 3)
		.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
		.join('; ');
}
