/**
 * An event's administration (creating it, translating it, renewing its links, erasing it) and its
 * people (joining, choosing a room, being erased). Rules with no state of their own: they check,
 * store, and say what changed.
 */
import { normaliseCategories } from '../src/lib/domain/categories';
import {
	DEFAULT_MAX_GROUP_SIZE,
	DEFAULT_STAGE_MINUTES,
	DEFAULT_WRITING_WARNING_MINUTES,
	defaultStages,
	defaultStageTranslations
} from '../src/lib/domain/eventSettings';
import { DEFAULT_LONG_TURN_MS } from '../src/lib/domain/speaking';
import type { ClientMessage, CreateEventBody, JoinBody, RegisterBody } from '../src/lib/protocol';
import type { CreatedEvent } from '../src/lib/views';
import { exportArchive, importArchive } from './archive';
import type { Archive } from './archiveCheck';
import type { Changes } from './changes';
import { PalabreError } from './errors';
import type { Links } from './links';
import { eventById, personOfEvent } from './records';
import type { EventRecord, ParticipantRecord, Store } from './store/store';
import { hashToken, newId, newJoinCode, newToken, participantToken } from './tokens';

/** What erasing needs of the other contexts: each forgets what it kept of the person or the event. */
export interface Forgetting {
	/** The write-ups: a person's reactions (awaited: if it fails, nothing is erased), connections, docs. */
	personsReactions(groupId: string, participantId: string): Promise<void>;
	personsConnections(participantId: string): void;
	groupDocs(groupId: string): void;
	linkConnections(eventId: string, roomIds: string[]): void;
	/** The board's support, and the speaking ledger of the person's group. */
	personsSupport(eventId: string, participantId: string): void;
	groupSpeaking(groupId: string): void;
}

export class EventAdmin {
	constructor(
		private readonly store: Store,
		private readonly changes: Changes,
		private readonly links: Links,
		private readonly forgetting: Forgetting
	) {}

	create(body: CreateEventBody): CreatedEvent {
		const language = body.language ?? 'fr';
		const organiserToken = newToken();
		const defaults = defaultStages(language);
		const stageQuestions = body.stageQuestions ?? defaults.stageQuestions;
		const stageNames = body.stageNames ?? defaults.stageNames;
		const event: EventRecord = {
			id: newId(),
			title: body.title,
			date: body.date ?? null,
			endDate: body.endDate ?? body.date ?? null,
			place: body.place ?? null,
			language,
			joinCode: this.freshJoinCode(),
			organiserTokenHash: hashToken(organiserToken),
			settings: {
				stageQuestions,
				stageNames,
				stageMinutes: body.stageMinutes ?? ([...DEFAULT_STAGE_MINUTES] as [number, number, number]),
				maxGroupSize: body.maxGroupSize ?? DEFAULT_MAX_GROUP_SIZE,
				writingWarningMinutes: body.writingWarningMinutes ?? DEFAULT_WRITING_WARNING_MINUTES,
				longTurnSeconds: body.longTurnSeconds ?? DEFAULT_LONG_TURN_MS / 1000,
				translations: defaultStageTranslations(language, { stageQuestions, stageNames })
			},
			createdAt: Date.now()
		};
		const rooms = body.themes.map((theme, position) => {
			const roomId = newId();
			return {
				id: roomId,
				eventId: event.id,
				position,
				title: theme.title,
				links: this.links.roomHashes(roomId, organiserToken),
				statements: theme.statements.map((text, i) => ({ id: newId(), roomId, position: i, text, translations: {} }))
			};
		});
		this.store.createEvent({ event, rooms });
		this.links.rememberOrganiser(event.id, organiserToken);
		return {
			id: event.id,
			joinCode: event.joinCode,
			joinUrl: this.links.join(event),
			organiserUrl: this.links.organiser(event.id, organiserToken),
			organiserToken,
			rooms: rooms.map((r) => ({ id: r.id, title: r.title, projectionUrl: this.links.projection(event.id, r.id, organiserToken) }))
		};
	}

	/**
	 * Saves the organisers' translations into the event's other language: all of them, or none
	 * when one is wrong. A translation left empty removes the one there was.
	 */
	translate(event: EventRecord, msg: ClientMessage<'organiser:translate'>) {
		if (msg.language === event.language) throw new PalabreError(400, 'sameLanguage');
		const rooms = this.store.listRooms(event.id);
		const statements = new Map(rooms.flatMap((r) => this.store.listStatements(r.id)).map((s) => [s.id, s]));
		const changed = (msg.statements ?? []).map(({ statementId, text }) => {
			const statement = statements.get(statementId);
			if (!statement) throw new PalabreError(400, 'fieldUnknownEventStatement', { id: statementId });
			const translations = { ...statement.translations, [msg.language]: text };
			if (!text) delete translations[msg.language];
			return { statement, translations };
		});
		this.store.transaction(() => {
			for (const c of changed) this.store.setStatementTranslations(c.statement.id, c.translations);
			if (msg.stages) {
				const translations = { ...event.settings.translations, [msg.language]: { stageQuestions: msg.stages.questions, stageNames: msg.stages.names } };
				this.store.saveEventSettings(event.id, { ...event.settings, translations });
			}
		});
		const translated = new Set(changed.map((c) => c.statement.id));
		const groups = rooms.flatMap((r) => this.store.listGroups(r.id)).filter((g) => translated.has(g.statementId));
		this.changes.emit({
			kind: 'translated',
			eventId: event.id,
			roomIds: msg.stages ? rooms.map((r) => r.id) : [...new Set(changed.map((c) => c.statement.roomId))],
			participantIds: groups.flatMap((g) => this.store.listGroupMembers(g.id)).map((p) => p.id)
		});
	}

	/** New organiser, projection, facilitation and capture links; whoever holds an old one is disconnected. */
	rotateLinks(event: EventRecord) {
		const organiserToken = newToken();
		const rooms = this.store.listRooms(event.id);
		this.store.transaction(() => {
			this.store.rotateTokens(
				event.id,
				hashToken(organiserToken),
				rooms.map((r) => ({ id: r.id, links: this.links.roomHashes(r.id, organiserToken) }))
			);
			// The workshops' capture links change with the others.
			this.store.setWorkshopHashes(this.store.listWorkshops(event.id).map((w) => ({ id: w.id, captureHash: this.links.workshopHash(w.id, organiserToken) })));
		});
		this.links.rememberOrganiser(event.id, organiserToken);
		this.forgetting.linkConnections(event.id, rooms.map((r) => r.id));
		this.changes.emit({ kind: 'eventGone', eventId: event.id, why: 'links' });
		return {
			organiserToken,
			organiserUrl: this.links.organiser(event.id, organiserToken),
			rooms: rooms.map((r) => ({
				id: r.id,
				title: r.title,
				projectionUrl: this.links.projection(event.id, r.id, organiserToken),
				facilitatorUrl: this.links.facilitation(event.id, r.id, organiserToken)
			}))
		};
	}

	/** The event's complete archive (names replaced unless `names`). */
	archive(event: EventRecord, opts: { names: boolean }): Archive {
		return exportArchive(this.store, event.id, opts);
	}

	/** A new event from an archive's bytes, checked off the main thread. */
	importArchive(bytes: Uint8Array): Promise<CreatedEvent> {
		return importArchive(this.store, this.links, bytes);
	}

	/** Deletes the events created before this time (the retention period's start); returns how many. */
	applyRetention(before: number): number {
		const ids = this.store.listEventsCreatedBefore(before);
		for (const id of ids) this.delete(eventById(this.store, id));
		return ids.length;
	}

	/** Really removes an event: rows, write-ups, loaded docs; connected clients are told it is gone. */
	delete(event: EventRecord) {
		const groups = this.store.listRooms(event.id).flatMap((r) => this.store.listGroups(r.id));
		this.store.deleteEvent(event.id);
		this.links.forget(event.id);
		for (const g of groups) this.forgetting.groupDocs(g.id);
		this.changes.emit({ kind: 'eventGone', eventId: event.id, why: 'event' });
	}

	private freshJoinCode(): string {
		for (;;) {
			const code = newJoinCode();
			if (!this.store.getEventByJoinCode(code)) return code;
		}
	}
}

export class People {
	constructor(
		private readonly store: Store,
		private readonly changes: Changes,
		private readonly forgetting: Forgetting,
		/** Leaving a room leaves its group (seating's rule). */
		private readonly leaveRoom: (p: ParticipantRecord) => void
	) {}

	join(event: EventRecord, body: JoinBody): { token: string; participant: ParticipantRecord } {
		if (body.roomId !== undefined && !this.store.listRooms(event.id).some((r) => r.id === body.roomId)) {
			throw new PalabreError(400, 'fieldUnknownRoom');
		}
		const joined = newPerson(event, body.displayName, body.categories, body.roomId ?? null);
		this.store.createParticipant(joined.participant);
		this.changes.emit({ kind: 'joined', eventId: event.id, roomId: joined.participant.roomId, participantId: joined.participant.id });
		return joined;
	}

	/**
	 * Registering before the event (docs/room-assignment.md): a person with no room yet and the rooms
	 * they ranked. Their token is the one their phone uses on the day.
	 */
	register(event: EventRecord, body: RegisterBody): { token: string; participant: ParticipantRecord } {
		const rooms = new Set(this.store.listRooms(event.id).map((r) => r.id));
		if (body.wishes.some((id) => !rooms.has(id))) throw new PalabreError(400, 'fieldUnknownRoom');
		const joined = newPerson(event, body.displayName, body.categories, null);
		this.store.transaction(() => {
			this.store.createParticipant(joined.participant);
			this.store.setWishes(joined.participant.id, body.wishes);
		});
		this.changes.emit({ kind: 'joined', eventId: event.id, roomId: null, participantId: joined.participant.id });
		return joined;
	}

	/**
	 * The organiser publishes a room assignment: everyone listed goes to their room in one
	 * transaction (all of it, or nothing when one person or room is unknown). People may still
	 * change room afterwards.
	 */
	assignRooms(eventId: string, assignments: ClientMessage<'organiser:publishAssignment'>['assignments']): { moved: number } {
		const rooms = new Set(this.store.listRooms(eventId).map((r) => r.id));
		if (new Set(assignments.map((a) => a.participantId)).size !== assignments.length) {
			throw new PalabreError(400, 'invalid', { detail: 'assignments : une personne deux fois' });
		}
		const moves = assignments.map(({ participantId, roomId }) => {
			if (!rooms.has(roomId)) throw new PalabreError(400, 'fieldUnknownRoom');
			return { p: personOfEvent(this.store, eventId, participantId), roomId };
		});
		const moved = moves.filter(({ p, roomId }) => p.roomId !== roomId);
		this.store.transaction(() => {
			for (const { p, roomId } of moved) this.moveTo(p, roomId);
		});
		for (const { p, roomId } of moved) this.changes.emit({ kind: 'roomChosen', eventId, participantId: p.id, from: p.roomId, to: roomId });
		return { moved: moved.length };
	}

	/** A person goes to a room (their choice, or the organiser's), leaving their group if they had one. */
	chooseRoom(p: ParticipantRecord, roomId: string): ParticipantRecord {
		const room = this.store.getRoom(roomId);
		if (!room || room.eventId !== p.eventId) throw new PalabreError(400, 'fieldUnknownRoom');
		if (p.roomId === roomId) return p;
		this.store.transaction(() => this.moveTo(p, roomId));
		this.changes.emit({ kind: 'roomChosen', eventId: p.eventId, participantId: p.id, from: p.roomId, to: roomId });
		return { ...p, roomId, groupId: null };
	}

	/** Leaving the room leaves the group too (seating's rule). */
	private moveTo(p: ParticipantRecord, roomId: string) {
		this.leaveRoom(p);
		this.store.setParticipantRoom(p.id, roomId);
	}

	/** The organiser sends someone of the event to a room. */
	assignRoom(eventId: string, participantId: string, roomId: string): ParticipantRecord {
		return this.chooseRoom(personOfEvent(this.store, eventId, participantId), roomId);
	}

	/**
	 * Really removes one person: their row, their speaking taps, their reactions and stars in their
	 * group's write-up, their support on the board. Words they wrote for the group stay: they are the
	 * group's, unattributed.
	 */
	async erase(event: EventRecord, participantId: string) {
		const p = this.store.getParticipant(participantId);
		if (!p || p.eventId !== event.id) throw new PalabreError(404, 'unknownParticipant');
		// First, and awaited: if it fails, the person is still there and the organiser can retry.
		if (p.groupId) await this.forgetting.personsReactions(p.groupId, p.id);
		this.forgetting.personsSupport(event.id, p.id);
		this.store.deleteParticipant(p.id);
		this.forgetting.personsConnections(p.id);
		if (p.groupId) this.forgetting.groupSpeaking(p.groupId);
		this.changes.emit({ kind: 'personErased', eventId: event.id, participantId: p.id, roomId: p.roomId, groupId: p.groupId });
	}
}

/** A new person of the event and their phone's token (not stored yet). */
function newPerson(event: EventRecord, displayName: string, categories: readonly string[], roomId: string | null) {
	const id = newId();
	const token = participantToken(id);
	const participant: ParticipantRecord = {
		id,
		eventId: event.id,
		tokenHash: hashToken(token),
		displayName,
		categories: normaliseCategories(categories),
		roomId,
		groupId: null,
		addedByFacilitator: false,
		createdAt: Date.now()
	};
	return { token, participant };
}
