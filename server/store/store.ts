/**
 * The one data-access module. Every read and write of Palabre's data goes through a Store.
 * The embedded implementation is SQLite (./sqlite.ts); the interface is synchronous because
 * better-sqlite3 is, which also makes each call atomic in Node's single thread.
 * With DATABASE_URL, the same operations run on an in-memory mirror whose changes are committed
 * to PostgreSQL (./postgres/mirror.ts) before anyone is told (`committed`).
 */
import type { Category } from '../../src/lib/domain/categories';
import type { Board } from '../../src/lib/domain/board';
import type { GroupEvaluation } from '../../src/lib/domain/evaluation';
import type { YDocPersistence } from './ydocs';
import type { Tap } from '../../src/lib/domain/speaking';
import type { Verbatim } from '../../src/lib/domain/verbatims';
import type { RoomStages } from '../../src/lib/domain/stages';
import type { StageTranslations, Translations } from '../../src/lib/domain/translations';
import type { Language, RoomPhase } from '../../src/lib/protocol';
import type { LinkRole } from '../tokens';

export interface EventSettings {
	stageQuestions: [string, string, string];
	/** Short names of the stages, editable (some find « baguette magique » childish). */
	stageNames: [string, string, string];
	stageMinutes: [number, number, number];
	maxGroupSize: number;
	/** The « temps de rédaction » warning starts this many minutes before a stage ends. */
	writingWarningMinutes: number;
	/** After this long without a tap the timekeeper's pad asks « toujours X ? » (absent in older events: 180). */
	longTurnSeconds?: number;
	/** The organisers' translations of the stage questions and names (absent in older events). */
	translations?: StageTranslations;
}

export type Evaluation = GroupEvaluation;

export interface StoredTap {
	id: string;
	stage: number;
	tap: Tap;
}

export interface EventRecord {
	id: string;
	title: string;
	date: string | null;
	/** The last day (the same as `date` for a one-day event). */
	endDate: string | null;
	place: string | null;
	language: Language;
	joinCode: string;
	organiserTokenHash: string;
	settings: EventSettings;
	createdAt: number;
}

export interface RoomRecord {
	id: string;
	eventId: string;
	position: number;
	title: string;
	phase: RoomPhase;
	/** Index of the statement shown during the presentation phase. */
	presenting: number;
	stages: RoomStages;
}

export interface GroupRecord {
	id: string;
	roomId: string;
	statementId: string;
	number: number;
	/** The organiser's own wording; null means the computed label. */
	label: string | null;
	createdAt: number;
}

export interface StatementRecord {
	id: string;
	roomId: string;
	position: number;
	text: string;
	/** The organisers' translations into the languages other than the event's. */
	translations: Translations;
	/** The verbatim it was made from (docs/verbatims.md), if any. */
	sourceVerbatimId?: string | null;
	/** The wording changed since it was translated: the translations are kept, to be reviewed (docs/statements.md). */
	translationToReview?: boolean;
}

/** A day-1 workshop, whose facilitators note verbatims through its capture link. */
export interface WorkshopRecord {
	id: string;
	eventId: string;
	position: number;
	title: string;
	/** The hash of its capture link (server/tokens.ts, workshopToken). */
	captureHash: string;
}

export interface VerbatimRecord extends Verbatim {
	eventId: string;
	receivedAt: number;
}

/** A statement's wording changed once its room's choice had opened (shown to the room's facilitators). */
export interface StatementEdit {
	statementId: string;
	roomId: string;
	at: number;
	by: 'organiser';
	before: string;
	after: string;
}

export interface ParticipantRecord {
	id: string;
	eventId: string;
	tokenHash: string;
	displayName: string;
	categories: Category[];
	roomId: string | null;
	groupId: string | null;
	addedByFacilitator: boolean;
	createdAt: number;
}

/** The hashes of a room's two links (server/tokens.ts, roomToken); the links themselves are never stored. */
export type RoomLinkHashes = Record<LinkRole, string>;

export interface NewEvent {
	event: EventRecord;
	rooms: (Omit<RoomRecord, 'phase' | 'presenting' | 'stages'> & { statements: StatementRecord[]; links: RoomLinkHashes })[];
}

export interface Store {
	/** Where the store lives, for threads that open a connection of their own (the import's worker). */
	readonly dataDir: string;
	/** Unreadable rows found at start, moved to the quarantine table (reported, not fatal). */
	readonly setAside: { table: string; reason: string }[];
	/** Runs fn atomically: all its writes land, or none. */
	transaction<T>(fn: () => T): T;
	/**
	 * Resolves once every write made so far is durably stored: at once for SQLite (each write is
	 * committed when its call returns), after PostgreSQL's COMMIT for the mirror (./postgres/mirror.ts).
	 * Rejects if that commit failed. Acknowledgements and broadcasts wait for it.
	 */
	committed(): Promise<void>;

	/** The shared write-ups' updates (Yjs), in the same database. */
	readonly ydocs: YDocPersistence;

	createEvent(input: NewEvent): void;
	/** New secrets for the organiser and every room's links; the old ones stop working. */
	rotateTokens(eventId: string, organiserTokenHash: string, rooms: { id: string; links: RoomLinkHashes }[]): void;
	/** The hashes of the links that open a room in this role (the current one, and a legacy one until rotation). */
	roomLinkHashes(roomId: string, role: LinkRole): string[];
	/** Rooms of the event without current links: those made before links were derived (migration 11). */
	roomsWithoutLinks(eventId: string): string[];
	/** Adds the current links of rooms that had only legacy ones. */
	addRoomLinks(rooms: { id: string; links: RoomLinkHashes }[]): void;
	/** Removes a person and their taps (their reactions in write-ups are removed by the caller). */
	deleteParticipant(id: string): void;
	/** Events created before this time (for the retention period). */
	listEventsCreatedBefore(at: number): string[];
	/** Removes the event and everything in it, write-ups included. */
	deleteEvent(id: string): void;
	getEvent(id: string): EventRecord | undefined;
	getEventByJoinCode(code: string): EventRecord | undefined;
	listRooms(eventId: string): RoomRecord[];
	getRoom(id: string): RoomRecord | undefined;
	listStatements(roomId: string): StatementRecord[];
	/** Sets the translations, which are then up to date (no longer to be reviewed). */
	setStatementTranslations(id: string, translations: Translations): void;
	/**
	 * A room's statements as they now are: existing ones updated (position, wording, translations
	 * and their review mark), new ones inserted, `removed` deleted.
	 */
	saveStatements(roomId: string, statements: StatementRecord[], removed: string[]): void;
	addStatementEdit(edit: StatementEdit): void;
	listStatementEdits(roomId: string): StatementEdit[];
	/** A person's ranked rooms, given when registering before the event (issue 22). */
	setWishes(participantId: string, roomIds: string[]): void;
	/** Every ranked wish of the event's people, by person. */
	listWishes(eventId: string): Map<string, string[]>;
	saveEventSettings(eventId: string, settings: EventSettings): void;

	createParticipant(p: ParticipantRecord): void;
	getParticipant(id: string): ParticipantRecord | undefined;
	listParticipants(eventId: string): ParticipantRecord[];
	listRoomParticipants(roomId: string): ParticipantRecord[];
	/** The members of one group, in order of arrival: cheaper than filtering the whole room. */
	listGroupMembers(groupId: string): ParticipantRecord[];
	/**
	 * Who sits where in a room, in order of arrival, and nothing else: what a seating decision
	 * reads. With `statementIds`, only the seats around these statements (a pick reads two).
	 */
	listRoomSeats(roomId: string, statementIds?: readonly string[]): { participantId: string; groupId: string }[];
	setParticipantRoom(id: string, roomId: string | null): void;
	setParticipantGroup(id: string, groupId: string | null): void;

	setRoomPhase(roomId: string, phase: RoomPhase, presenting: number): void;
	setRoomStages(roomId: string, stages: RoomStages): void;
	saveEvaluation(groupId: string, evaluation: Evaluation): void;
	setRapporteur(groupId: string, stage: number, participantId: string, on: boolean): void;
	listRapporteurs(groupId: string): { stage: number; participantId: string }[];
	getBoard(eventId: string): { board: Board; version: number };
	saveBoard(eventId: string, board: Board, version: number): void;
	/** Stores taps not seen before (by id); returns how many were new. */
	addTaps(groupId: string, taps: StoredTap[]): number;
	listTaps(groupId: string): StoredTap[];
	/** Records the stages a room is in from `at` on (with setRoomStages: the log of speaking time). */
	addStageLog(roomId: string, at: number, stages: RoomStages): void;
	listStageLog(roomId: string): { at: number; stages: RoomStages }[];
	/** A write-up reopened (open) or closed again, by 'facilitator', 'organiser' or 'stages'. */
	addWriteupAccess(groupId: string, entry: WriteupAccessEntry): void;
	listWriteupAccess(groupId: string): WriteupAccessEntry[];
	listEvaluations(roomId: string): { groupId: string; evaluation: Evaluation }[];
	/** A room's groups by statement and number; with `statementIds`, only these statements' groups. */
	listGroups(roomId: string, statementIds?: readonly string[]): GroupRecord[];
	getGroup(id: string): GroupRecord | undefined;
	insertGroup(g: GroupRecord): void;
	deleteGroup(id: string): void;
	setGroupLabel(id: string, label: string | null): void;

	addWorkshop(w: WorkshopRecord): void;
	listWorkshops(eventId: string): WorkshopRecord[];
	getWorkshop(id: string): WorkshopRecord | undefined;
	/** New capture links of an event's workshops (a rotation). */
	setWorkshopHashes(workshops: { id: string; captureHash: string }[]): void;
	/** Stores verbatims not seen before in the event (by id); returns how many were new. */
	addVerbatims(verbatims: VerbatimRecord[]): number;
	listVerbatims(eventId: string): VerbatimRecord[];
	/** Saves what the team changes of verbatims: star, theme, wording, merge, statement. */
	updateVerbatims(verbatims: VerbatimRecord[]): void;
	/** A statement added after the room's others. */
	appendStatement(s: StatementRecord): void;

	/** Closes the store; with PostgreSQL, resolves once what was queued committed and its connections closed. */
	close(): void | Promise<void>;
}

export interface WriteupAccessEntry {
	at: number;
	open: boolean;
	by: 'facilitator' | 'organiser' | 'stages';
}
