/**
 * What the server sends to clients: snapshots of state, rebuilt by the server after each change.
 * Public views (room, projection) never carry names; names of group members only reach that group
 * and the organisers.
 */
import type { Category, Family } from './domain/categories';
import type { BoardSummary, Level } from './domain/board';
import type { EvaluationSummary, GroupEvaluation } from './domain/evaluation';
import type { ShareRow, SpeakingShares } from './domain/speaking';
import type { Suggestion } from './domain/groups';
import type { StageState } from './domain/stages';
import type { StageTranslations, Translations } from './domain/translations';
import type { Headcount } from './domain/headcount';
import type { RoomPhase } from './domain/groups';
import type { Lang as Language } from './i18n/words';
import type { Verbatim } from './domain/verbatims';

export type { FamilyCounts, Headcount } from './domain/headcount';

export interface EventInfo {
	id: string;
	title: string;
	date: string | null;
	/** The last day (the same as `date` for a one-day event). */
	endDate: string | null;
	place: string | null;
	language: Language;
	joinCode: string;
	joinUrl: string;
	rooms: { id: string; title: string }[];
}

import type { CompositionWarnings } from './domain/labels';
export type { CompositionWarnings };

/** A group's seats: each member's families, never a name. */
export interface Seats {
	memberCount: number;
	members: { families: Family[] }[];
}

/** A group's seats and composition, as the projection and facilitators see them. */
export interface SeatView extends Seats {
	id: string;
	number: number;
	label: string;
	warnings: CompositionWarnings;
	/** The group's effective stage: the room's, or its own when held or advanced. */
	stage: StageState;
}

/** A group as the projection and the facilitators see it: its seats, and how its work goes. */
export interface GroupView extends SeatView {
	/** Non-empty write-up items per stage: the projection's sign of progress. */
	progress: [number, number, number];
	/**
	 * Whether the write-up is closed (its stages are over), and every reopening or closing by a
	 * facilitator, an organiser, or the stages (server/writeups.ts).
	 */
	writeupAccess?: { closed: boolean; log: { at: number; open: boolean; by: 'facilitator' | 'organiser' | 'stages' }[] };
	/**
	 * The balance of its speaking time (1 − Gini, docs/speaking-time.md), null before anyone spoke;
	 * not its shares by category, which in a group of six would point at people.
	 */
	balance: number | null;
}

/** What every view of a room shares: its phase and its stages. */
interface RoomBase {
	id: string;
	title: string;
	phase: RoomPhase;
	presenting: number;
	maxGroupSize: number;
	stages: {
		questions: [string, string, string];
		names: [string, string, string];
		minutes: [number, number, number];
		writingWarningMinutes: number;
		/** Phones show these to people reading another language than the event's. */
		translations: StageTranslations;
		room: StageState;
	};
}

/**
 * A room as phones see it: what changes when people move or a stage starts, not with every
 * keystroke or tap in the room, so a phone on weak Wi-Fi gets an update only when it matters.
 */
export interface PhoneRoomView extends RoomBase {
	statements: { id: string; text: string; translations: Translations; groups: PhoneSeatView[] }[];
}

/**
 * A group in the phones' room view: what the choice shows (its seats, whether it lacks a
 * resident's voice), and its stage only when it is not the room's (held or advanced). Every
 * phone of the room gets the view at each change of it: at 1,000 people, 27 kB each, most of it
 * labels, warnings and stages no phone showed.
 */
export interface PhoneSeatView extends Seats {
	id: string;
	number: number;
	noResidentVoice: boolean;
	stage?: StageState;
}

/** A group's stage as a phone shows it: its own when held or advanced, else the room's. */
export function phoneGroupStage(room: PhoneRoomView, group: PhoneSeatView): StageState {
	return group.stage ?? room.stages.room;
}

const sameStage = (a: StageState, b: StageState) => a.index === b.index && a.status === b.status && a.endsAt === b.endsAt && a.remainingMs === b.remainingMs;

/** A room as the projection and its facilitators see it. */
export interface RoomView extends RoomBase {
	statements: { id: string; text: string; translations: Translations; groups: GroupView[] }[];
	headcount: Headcount;
	/** Speaking time of the whole room by family. */
	speaking: SpeakingShares;
	summary: { groups: number; withoutResident: number; seated: number; unseated: number };
}

/** The phones' view of a room: the room's, without what only the projection needs. */
export function phoneRoomView(room: RoomView): PhoneRoomView {
	const { statements, headcount: _h, speaking: _s, summary: _m, ...base } = room;
	return {
		...base,
		statements: statements.map(({ groups, ...statement }) => ({
			...statement,
			groups: groups.map((g) => ({
				id: g.id,
				number: g.number,
				memberCount: g.memberCount,
				members: g.members,
				noResidentVoice: g.warnings.noResidentVoice,
				...(sameStage(g.stage, base.stages.room) ? {} : { stage: g.stage })
			}))
		}))
	};
}

/** What the projection shows of a room: its phase until the stages start, then where they are. */
export type ProjectionScreen = RoomPhase | 'stage' | 'evaluation' | 'finished';

export function projectionScreen(room: RoomBase): ProjectionScreen {
	const stage = room.stages.room;
	// 'finished' keeps the index where the stages stopped (the evaluation's, usually).
	if (stage.status === 'finished') return 'finished';
	if (stage.index === 4) return 'evaluation';
	if (stage.index > 0) return 'stage';
	return room.phase;
}

/**
 * A statement's opening words, for a tile that names it (the number is its place in the room,
 * from 1, on every screen): at most `max` characters, cut between words, « … » when cut.
 */
export function openingWords(text: string, max = 32): string {
	if (text.length <= max) return text;
	const head = text.slice(0, max + 1);
	const space = head.lastIndexOf(' ');
	const cut = space > max / 2 ? head.slice(0, space) : text.slice(0, max);
	return `${cut.replace(/[\s,;:.!?…–—-]+$/u, '')}…`;
}

/** A group's write-up gained or lost items: sent to projections and facilitators at once. */
export interface ProgressUpdate {
	groupId: string;
	progress: [number, number, number];
}

/** Applies `progress` messages to a room view between two full views. */
export function applyProgress(room: RoomView, updates: ProgressUpdate[]) {
	const byId = new Map(updates.map((u) => [u.groupId, u.progress]));
	for (const s of room.statements) {
		for (const g of s.groups) {
			const progress = byId.get(g.id);
			if (progress) g.progress = progress;
		}
	}
}

export interface ProjectionView {
	event: EventInfo;
	room: RoomView;
	/** SVG QR code of event.joinUrl, as a data: URL. */
	qr: string;
}

export interface MeView {
	id: string;
	displayName: string;
	categories: Category[];
	roomId: string | null;
	groupId: string | null;
}

/** One's own group: the only place where members' names appear to participants. */
export interface MyGroupView {
	id: string;
	number: number;
	statementId: string;
	statementText: string;
	statementTranslations: Translations;
	members: { id: string; displayName: string; families: Family[] }[];
	/** Participant ids holding the pen, for stages 1, 2 and 3. */
	rapporteurs: [string[], string[], string[]];
	/** The group's one evaluation as it stands (null until a member answered). */
	evaluation: GroupEvaluation | null;
}

export interface ParticipantSession {
	event: EventInfo;
	me: MeView;
	group: MyGroupView | null;
}

/** Speaking time by family, as it leaves the groups (docs/speaking-time.md): one computation everywhere. */
export type { SpeakingShares, ShareRow };

/** Speaking time as the group's own phones show it: per person, live. */
export interface SpeakingGroupView {
	/** The server's clock when this was computed. */
	serverNow: number;
	members: { id: string; displayName: string; families: Family[]; closedMs: number }[];
	/** Who is speaking now and since when (server ms): phones add the running time themselves. */
	open: { id: string; since: number }[];
	/** The last tap or « oui » while someone speaks; longTurnMs later the pad asks « toujours X ? ». */
	lastProof: number | null;
	longTurnMs: number;
}

/** The préconisations board as everyone sees it: support is a count, never a list of people. */
export interface PublicBoard {
	version: number;
	headings: string[];
	summary: BoardSummary;
	items: {
		id: string;
		text: string;
		originalText: string;
		heading: string;
		levels: Level[];
		status: 'ok' | 'a-clarifier';
		reason?: string;
		support: number;
		sourcesLabel: string;
		/** `from` names the write-up item (`group.<groupId>/<itemId>`), so a group sees what it already sent. */
		/** `roomNumber` and `statementNumber` (from 1) name the statement as every screen numbers it (the live board sets them). */
		sources: { from: string; statementId: string; roomNumber?: number; statementNumber?: number; groupNumber: number; stage: 2 | 3; text: string }[];
	}[];
}

/** A person as organisers and facilitators see them (names never go to the projection). */
export interface PersonView {
	id: string;
	displayName: string;
	families: Family[];
	roomId: string | null;
	groupId: string | null;
	addedByFacilitator: boolean;
	/** The rooms they ranked when registering, most wanted first (organisers only). */
	wishes?: string[];
}

/** A room's facilitators: the room, and who is where. */
export interface FacilitatorView {
	event: EventInfo;
	room: RoomView;
	people: PersonView[];
	/** By group id: what the dashboard flags besides seats and stages. */
	groups: Record<string, { evaluated: boolean; hasRapporteur: boolean }>;
	/** Seating suggestions (src/lib/domain/groups.ts), each applied in one tap. */
	suggestions: Suggestion[];
	/** Once the room's stages are finished: write-up items people marked « à préciser ». */
	toClarify: number;
	/** Statements reworded once the choice had opened, with the wording before (docs/statements.md). */
	statementEdits: { statementId: string; at: number; before: string; after: string }[];
}

/** The organiser's complete view: GET /api/events/:id and the organiser console. */
export interface OrganiserDocument {
	id: string;
	title: string;
	date: string | null;
	/** The last day (the same as `date` for a one-day event). */
	endDate: string | null;
	place: string | null;
	language: Language;
	joinCode: string;
	joinUrl: string;
	/** Registering before the event, with ranked wishes. */
	registerUrl: string;
	organiserUrl?: string;
	settings: {
		stageQuestions: [string, string, string];
		stageNames: [string, string, string];
		stageMinutes: [number, number, number];
		maxGroupSize: number;
		writingWarningMinutes: number;
		translations?: StageTranslations;
	};
	participants: Headcount & { unassigned: number };
	board: PublicBoard;
	/** The day-1 workshops and their verbatims (docs/verbatims.md). */
	verbatims?: VerbatimsView;
	rooms: {
		id: string;
		title: string;
		projectionUrl: string;
		facilitatorUrl: string;
		phase: RoomPhase;
		stage: StageState;
		/** The room's stage durations: its own once changed, else the event's (absent in older archives' documents). */
		stageMinutes?: [number, number, number];
		evaluation: EvaluationSummary;
		statements: {
			id: string;
			text: string;
			translations: Translations;
			/** The verbatim it was made from (docs/verbatims.md), if any (absent in older documents). */
			sourceVerbatimId?: string | null;
			/** Reworded since it was translated: the translations are to be reviewed. */
			translationToReview?: boolean;
			groups: {
				id: string;
				number: number;
				memberCount: number;
				members: { categories: Category[] }[];
				label: string;
				warnings: CompositionWarnings;
				stage: StageState;
				/** The group's own figures (none published under three members). */
				speaking: SpeakingShares;
				evaluation: GroupEvaluation | null;
				/** null in the live console, which follows write-ups over Yjs. */
				writeup: {
					stages: {
						items: {
							id: string;
							text: string;
							who?: string;
							when?: string;
							via: string | null;
							agree: number;
							clarify: number;
							comments: string[];
							starred: boolean;
						}[];
					}[];
				} | null;
			}[];
		}[];
		participants: Headcount;
		/** The room's speaking time by family: what the actes print. */
		speaking: SpeakingShares;
	}[];
}

/** The workshops (each with its capture link, '' until the organiser's token was presented) and every verbatim. */
export interface VerbatimsView {
	workshops: { id: string; title: string; captureUrl: string }[];
	verbatims: Verbatim[];
}

/** Where a statement made of a verbatim comes from: its workshop's title, and its words if reworded. */
export function verbatimSource(v: VerbatimsView | undefined, verbatimId: string | null | undefined): { workshop: string | null; original: string | null } | null {
	const verbatim = verbatimId ? v?.verbatims.find((x) => x.id === verbatimId) : undefined;
	if (!verbatim) return null;
	return { workshop: v?.workshops.find((w) => w.id === verbatim.workshopId)?.title ?? null, original: verbatim.reworded ? verbatim.text : null };
}

/** A facilitator's capture page (GET /api/capture/:workshopId): what the form offers. */
export interface CaptureView {
	event: { title: string; language: Language };
	workshop: { id: string; title: string };
	workshops: { id: string; title: string }[];
	rooms: { id: string; title: string }[];
}

/** The answer to a capture: the ids the server holds (new or already stored), and how many were new. */
export interface CaptureAnswer {
	stored: string[];
	added: number;
}

/**
 * Why the server ends a connection (`gone`, just before disconnecting it): this person's data was
 * erased, the event deleted, the link used was renewed, a newer connection of the same person took
 * its place, or what it was about no longer exists.
 */
/** The answer to creating or importing an event: its links, the organiser's token once. */
export interface CreatedEvent {
	id: string;
	joinCode: string;
	joinUrl: string;
	organiserUrl: string;
	organiserToken: string;
	rooms: { id: string; title: string; projectionUrl: string }[];
}

export type GoneReason = 'erased' | 'eventDeleted' | 'linksRotated' | 'replaced' | 'unavailable';

/** A room's projection link, opening on the board (`?view=board`), whatever else its query holds. */
export function boardView(projectionUrl: string): string {
	const url = new URL(projectionUrl);
	url.searchParams.set('view', 'board');
	return url.toString();
}
