/**
 * The one protocol shared by server and client: one zod schema per message or HTTP body,
 * TypeScript types derived from them. The server validates every input against these;
 * the client uses the same types. Size caps are documented in docs/api.md.
 */
import { z } from 'zod';
import { CATEGORIES } from './domain/categories';

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
	categoriesPerPerson: 6,
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
	archiveBytes: 50_000_000
} as const;

const text = (max: number) => z.string().trim().min(1).max(max);
/** A text that may be left empty: '' means « none ». */
const maybeText = (max: number) => z.string().trim().max(max);

export const Language = z.enum(['fr', 'en']);
export type Language = z.infer<typeof Language>;

/** A room's phases, driven by its facilitators: welcome → statements presented → free choice → groups fixed. */
export const RoomPhase = z.enum(['welcome', 'presentation', 'choice', 'groups']);
export type RoomPhase = z.infer<typeof RoomPhase>;

export const CategoryId = z.enum(CATEGORIES as [string, ...string[]]);

/** Three stages' durations in minutes. */
const StageMinutes = z.tuple([z.int().min(1).max(240), z.int().min(1).max(240), z.int().min(1).max(240)]);

export const CreateEventBody = z
	.object({
		title: text(LIMITS.title),
		date: z
			.string()
			.regex(/^\d{4}-\d{2}-\d{2}$/, 'date attendue au format AAAA-MM-JJ')
			.optional(),
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
	.strict();
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

const score = z.int().min(1).max(4).nullable();
export const EvaluationBody = z
	.object({
		everyoneSpoke: score,
		feltHeard: score,
		worked: z.string().trim().max(LIMITS.evaluationText),
		didNotWork: z.string().trim().max(LIMITS.evaluationText)
	})
	.strict();

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

const Level = z.enum(['equipes', 'institutions']);
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
	'group:evaluate': EvaluationBody,
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
	/** A facilitator or organiser reopens a group's closed write-up (open: true) or closes it again; logged. */
	'writeup:setOpen': z.object({ roomId: id, groupId: id, open: z.boolean() }).strict()
} as const;
export type ClientMessageName = keyof typeof ClientMessages;
export type ClientMessage<N extends ClientMessageName> = z.infer<(typeof ClientMessages)[N]>;

export type Ack<T = unknown> = { ok: true; data: T } | { ok: false; error: string };

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
