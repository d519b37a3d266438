/**
 * What changed, as the services say it: one typed event per kind of change, with the ids that
 * decide who must hear about it. Who hears what is decided in one place, the realtime fan-out
 * (server/realtime/fanout.ts); services never name a channel, a view or a socket.
 */
import type { EvaluationFilling } from '../src/lib/protocol';

/** A group and who sits in it now. */
export interface Seats {
	groupId: string;
	memberIds: string[];
}

export type Change =
	/** A person entered the event (by phone, or added by a facilitator). */
	| { kind: 'joined'; eventId: string; roomId: string | null; participantId: string }
	/** A person changed room (their own choice or the organiser's). */
	| { kind: 'roomChosen'; eventId: string; participantId: string; from: string | null; to: string }
	/**
	 * Seats changed in a room: who moved, and every group touched as it is now (the groups people
	 * left, joined, or that were merged or dissolved: an empty member list).
	 */
	| { kind: 'seated'; eventId: string; roomId: string; moved: string[]; groups: Seats[] }
	/** The room's phase (welcome, presentation, choice, groups) or presented statement. */
	| { kind: 'phaseChanged'; eventId: string; roomId: string }
	/** The room's stages, or one group's, moved (start, pause, next, durations…). */
	| { kind: 'stagesChanged'; eventId: string; roomId: string; groupIds: string[] }
	/** An organiser renamed a group's composition label. */
	| { kind: 'labelChanged'; eventId: string; roomId: string }
	| { kind: 'evaluated'; eventId: string; roomId: string; groupId: string; memberIds: string[] }
	/** Who is filling a group's evaluation now, and until when unless they go on (src/lib/protocol.ts `EvaluationFilling`). */
	| { kind: 'evaluationFilling'; eventId: string; roomId: string; groupId: string; filling: EvaluationFilling['filling'] }
	/** Someone took or gave back a stage's pen. */
	| { kind: 'pensChanged'; eventId: string; roomId: string; groupId: string; memberIds: string[] }
	/** Statements or stages translated: the rooms that show them, the members of groups whose statement changed. */
	| { kind: 'translated'; eventId: string; roomIds: string[]; participantIds: string[] }
	/** A room's statements edited (worded, added, removed, reordered); the members of groups whose statement was reworded. */
	| { kind: 'statementsChanged'; eventId: string; roomId: string; participantIds: string[] }
	/** A facilitator or organiser reopened a group's write-up, or closed it again. */
	| { kind: 'writeupAccessChanged'; eventId: string; roomId: string; groupId: string }
	/** A timekeeper's taps were stored: the group's speaking time and the room's figures moved. */
	| { kind: 'tapsStored'; eventId: string; roomId: string; groupId: string }
	/** A group's write-up gained or lost an item. */
	| { kind: 'progressed'; eventId: string; roomId: string; groupId: string }
	| { kind: 'boardChanged'; eventId: string }
	/** Workshops or verbatims changed; `roomIds`: rooms that gained a statement made of one. */
	| { kind: 'verbatimsChanged'; eventId: string; roomIds: string[] }
	/** A facilitator's message to one group's phones. */
	| { kind: 'groupNotified'; eventId: string; roomId: string; groupId: string; text: string; at: number }
	/** A person erased: their phones go; their room and former group see them leave. */
	| { kind: 'personErased'; eventId: string; participantId: string; roomId: string | null; groupId: string | null }
	/** The event deleted (everyone goes), or its links renewed (holders of the old ones go). */
	| { kind: 'eventGone'; eventId: string; why: 'event' | 'links' };

export type ChangeKind = Change['kind'];
export type ChangeOf<K extends ChangeKind> = Extract<Change, { kind: K }>;

/** Where services say what changed; the fan-out listens. */
export class Changes {
	private readonly listeners = new Set<(c: Change) => void>();

	on(fn: (c: Change) => void): () => void {
		this.listeners.add(fn);
		return () => this.listeners.delete(fn);
	}

	emit(c: Change) {
		for (const fn of this.listeners) fn(c);
	}
}
