/**
 * Palabre's server-side operations: the rules that need the store, and who may do what.
 * Transport layers (HTTP API, socket.io, Yjs) call these and never touch the store directly.
 */
import QRCode from 'qrcode';
import { headcount } from '../src/lib/domain/headcount';
import { familiesOf, normaliseCategories } from '../src/lib/domain/categories';
import { normaliseJoinCode } from '../src/lib/domain/joinCode';
import {
	DEFAULT_MAX_GROUP_SIZE,
	DEFAULT_STAGE_MINUTES,
	DEFAULT_WRITING_WARNING_MINUTES,
	defaultStages,
	defaultStageTranslations
} from '../src/lib/domain/eventSettings';
import { compositionLabel, compositionWarnings } from '../src/lib/domain/labels';
import { summariseEvaluations } from '../src/lib/domain/evaluation';
import { effectiveStage } from '../src/lib/domain/stages';
import { DEFAULT_LONG_TURN_MS } from '../src/lib/domain/speaking';
import type { ClientMessage, CreateEventBody, JoinBody, Language } from '../src/lib/protocol';
import type {
	EventInfo,
	FacilitatorView,
	GroupView,
	MeView,
	MyGroupView,
	PersonView,
	OrganiserDocument,
	ParticipantSession,
	ProjectionView,
	RoomView
} from '../src/lib/views';
import { Seating } from './seating';
import { StageFlow } from './stageFlow';
import { holders, Writeups } from './writeups';
import type { Pens, YjsGrant } from './realtime/yjs';
import { BoardService } from './boardService';
import { SpeakingService } from './speakingService';
import type { EventRecord, ParticipantRecord, RoomLinkHashes, RoomRecord, Store } from './store/store';
import {
	hashToken,
	matchesHash,
	newId,
	newJoinCode,
	newToken,
	participantToken,
	roomToken,
	splitParticipantToken,
	type LinkRole
} from './tokens';

/** An error whose message can be shown to the user; `status` is its HTTP code. */
export class PalabreError extends Error {
	constructor(
		readonly status: number,
		message: string
	) {
		super(message);
	}
}

export interface CreatedEvent {
	id: string;
	joinCode: string;
	joinUrl: string;
	organiserUrl: string;
	organiserToken: string;
	rooms: { id: string; title: string; projectionUrl: string }[];
}

/**
 * What changed, so the realtime layer knows whom to update. `urgent`: phones must see it at once
 * (a phase or a stage changes); otherwise their room view may wait for the next second.
 */
export type Change = {
	eventId: string;
	roomIds: (string | null)[];
	participantIds: string[];
	board?: boolean;
	urgent?: boolean;
	/**
	 * Groups whose speaking time changed: their members' speaking views, not their sessions, and
	 * their room's figures for the watchers (at a slower pace: they move with every tap).
	 */
	speaking?: { roomId: string; groupId: string }[];
	/** Groups whose write-up gained or lost an item: the projection's sign of progress. */
	progress?: { roomId: string; groupId: string }[];
};

export class Palabre {
	private readonly qrCache = new Map<string, string>();
	private readonly listeners = new Set<(c: Change) => void>();
	readonly seating: Seating;
	readonly stages: StageFlow;
	readonly writeups: Writeups;
	readonly board: BoardService;
	readonly speaking: SpeakingService;

	constructor(
		readonly store: Store,
		readonly publicUrl: string
	) {
		this.seating = new Seating(this);
		this.stages = new StageFlow(this);
		this.writeups = new Writeups(this);
		this.board = new BoardService(this);
		this.speaking = new SpeakingService(this);
	}

	onChange(fn: (c: Change) => void): () => void {
		this.listeners.add(fn);
		return () => this.listeners.delete(fn);
	}

	notify(c: Change) {
		for (const fn of this.listeners) fn(c);
	}

	// ---- links ----
	joinUrl = (e: EventRecord) => `${this.publicUrl}/j/${e.joinCode}`;
	organiserUrl = (eventId: string, token: string) => `${this.publicUrl}/o/${eventId}#${token}`;
	/** A room's projection link; the organiser's token derives it (server/tokens.ts). */
	projectionUrl = (roomId: string, organiserToken: string) => `${this.publicUrl}/p/${roomId}#${roomToken(organiserToken, roomId, 'projection')}`;
	facilitatorUrl = (roomId: string, organiserToken: string) => `${this.publicUrl}/f/${roomId}#${roomToken(organiserToken, roomId, 'facilitation')}`;
	/** What the store keeps of a room's links: their hashes. */
	roomLinkHashes = (roomId: string, organiserToken: string): RoomLinkHashes => ({
		facilitation: hashToken(roomToken(organiserToken, roomId, 'facilitation')),
		projection: hashToken(roomToken(organiserToken, roomId, 'projection'))
	});

	/**
	 * Each event's organiser token as last presented, in memory only: the console's room links are
	 * derived from it (the store has their hashes only). An event has one valid organiser token at a
	 * time, so every organiser watching it presented this one.
	 */
	private readonly organiserTokens = new Map<string, string>();
	private knowOrganiser(eventId: string, token: string) {
		this.organiserTokens.set(eventId, token);
		// Rooms from before links were derived have only their old links: add the derived ones.
		const missing = this.store.roomsWithoutLinks(eventId);
		if (missing.length) this.store.addRoomLinks(missing.map((id) => ({ id, links: this.roomLinkHashes(id, token) })));
	}

	/** Whether `token` opens the room in this role. */
	private opensRoom(room: RoomRecord, role: LinkRole, token: string): boolean {
		return this.store.roomLinkHashes(room.id, role).some((hash) => matchesHash(token, hash));
	}

	// ---- events ----
	createEvent(body: CreateEventBody): CreatedEvent {
		const language = body.language ?? 'fr';
		const organiserToken = newToken();
		const defaults = defaultStages(language);
		const stageQuestions = body.stageQuestions ?? defaults.stageQuestions;
		const stageNames = body.stageNames ?? defaults.stageNames;
		const event: EventRecord = {
			id: newId(),
			title: body.title,
			date: body.date ?? null,
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
				links: this.roomLinkHashes(roomId, organiserToken),
				statements: theme.statements.map((text, i) => ({ id: newId(), roomId, position: i, text, translations: {} }))
			};
		});
		this.store.createEvent({ event, rooms });
		this.organiserTokens.set(event.id, organiserToken);
		return {
			id: event.id,
			joinCode: event.joinCode,
			joinUrl: this.joinUrl(event),
			organiserUrl: this.organiserUrl(event.id, organiserToken),
			organiserToken,
			rooms: rooms.map((r) => ({ id: r.id, title: r.title, projectionUrl: this.projectionUrl(r.id, organiserToken) }))
		};
	}

	/**
	 * Saves the organisers' translations into the event's other language: all of them, or none
	 * when one is wrong. A translation left empty removes the one there was.
	 */
	translate(event: EventRecord, msg: ClientMessage<'organiser:translate'>) {
		if (msg.language === event.language) {
			throw new PalabreError(400, 'language : une traduction se fait dans une autre langue que celle de l’événement');
		}
		const rooms = this.store.listRooms(event.id);
		const statements = new Map(rooms.flatMap((r) => this.store.listStatements(r.id)).map((s) => [s.id, s]));
		const changed = (msg.statements ?? []).map(({ statementId, text }) => {
			const statement = statements.get(statementId);
			if (!statement) throw new PalabreError(400, `statementId : énoncé inconnu dans cet événement (${statementId})`);
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
		// Rooms show statements and stages; members of a group see their statement in their session.
		const translated = new Set(changed.map((c) => c.statement.id));
		const groups = rooms.flatMap((r) => this.store.listGroups(r.id)).filter((g) => translated.has(g.statementId));
		this.notify({
			eventId: event.id,
			roomIds: msg.stages ? rooms.map((r) => r.id) : [...new Set(changed.map((c) => c.statement.roomId))],
			participantIds: groups.flatMap((g) => this.store.listGroupMembers(g.id)).map((p) => p.id)
		});
	}

	/** New organiser, projection and facilitation links; whoever holds an old one is disconnected. */
	rotateTokens(event: EventRecord) {
		const organiserToken = newToken();
		const rooms = this.store.listRooms(event.id);
		this.store.rotateTokens(
			event.id,
			hashToken(organiserToken),
			rooms.map((r) => ({ id: r.id, links: this.roomLinkHashes(r.id, organiserToken) }))
		);
		this.organiserTokens.set(event.id, organiserToken);
		this.writeups.withdrawLinks(event.id, rooms.map((r) => r.id));
		for (const fn of this.goneListeners) fn(event.id, 'links');
		return {
			organiserToken,
			organiserUrl: this.organiserUrl(event.id, organiserToken),
			rooms: rooms.map((r) => ({
				id: r.id,
				title: r.title,
				projectionUrl: this.projectionUrl(r.id, organiserToken),
				facilitatorUrl: this.facilitatorUrl(r.id, organiserToken)
			}))
		};
	}

	/**
	 * Really removes one person: their row, their speaking taps, their reactions and stars in their
	 * group's write-up, their support on the board. Words they wrote for the group stay: they are the
	 * group's, unattributed.
	 */
	async deleteParticipant(event: EventRecord, participantId: string) {
		const p = this.store.getParticipant(participantId);
		if (!p || p.eventId !== event.id) throw new PalabreError(404, 'participant·e inconnu·e');
		// First, and awaited: if it fails, the person is still there and the organiser can retry.
		if (p.groupId) await this.writeups.forgetPerson(p.groupId, p.id);
		this.board.forgetPerson(event.id, p.id);
		this.store.deleteParticipant(p.id);
		this.writeups.withdraw(p.id, null);
		if (p.groupId) this.speaking.invalidate(p.groupId);
		for (const fn of this.personGoneListeners) fn(p.id);
		this.notify({ eventId: event.id, roomIds: [p.roomId], participantIds: [], board: true });
	}

	private readonly personGoneListeners = new Set<(participantId: string) => void>();
	onPersonGone(fn: (participantId: string) => void) {
		this.personGoneListeners.add(fn);
	}

	/** Deletes events older than the retention period; returns how many. */
	applyRetention(days: number, now = Date.now()): number {
		const ids = this.store.listEventsCreatedBefore(now - days * 24 * 60 * 60_000);
		for (const id of ids) this.deleteEvent(this.event(id));
		return ids.length;
	}

	/** Really removes an event: rows, write-ups, loaded docs; connected clients are told it is gone. */
	deleteEvent(event: EventRecord) {
		const groups = this.store.listRooms(event.id).flatMap((r) => this.store.listGroups(r.id));
		this.store.deleteEvent(event.id);
		this.organiserTokens.delete(event.id);
		for (const g of groups) this.writeups.forget(g.id);
		for (const fn of this.goneListeners) fn(event.id, 'event');
	}

	private readonly goneListeners = new Set<(eventId: string, what: 'event' | 'links') => void>();
	/** 'event': deleted, everyone goes; 'links': rotated, holders of the old links go (participants stay). */
	onEventGone(fn: (eventId: string, what: 'event' | 'links') => void) {
		this.goneListeners.add(fn);
	}

	private freshJoinCode(): string {
		for (;;) {
			const code = newJoinCode();
			if (!this.store.getEventByJoinCode(code)) return code;
		}
	}

	/** The event if the token is its organiser's; 404 for an unknown event, 403 for a wrong token. */
	authoriseOrganiser(eventId: string, token: string | undefined): EventRecord {
		const event = this.event(eventId);
		if (!token) throw new PalabreError(401, 'jeton organisateur manquant');
		if (!matchesHash(token, event.organiserTokenHash)) throw new PalabreError(403, 'jeton organisateur invalide');
		this.knowOrganiser(event.id, token);
		return event;
	}

	authoriseProjection(roomId: string, token: string): RoomRecord {
		const room = this.store.getRoom(roomId);
		if (!room || !this.opensRoom(room, 'projection', token)) throw new PalabreError(403, 'lien de projection invalide');
		return room;
	}

	/**
	 * Who may open a group's shared write-up (Yjs doc `group.<groupId>`): its members write;
	 * the room's facilitators and the organisers read (and comment, from the rapporteur issue on).
	 */
	authoriseDoc(docName: string, token: string | undefined): YjsGrant | null {
		const m = /^group\.([\w-]{1,40})$/.exec(docName);
		const group = m && this.store.getGroup(m[1] as string);
		if (!group || !token) return null;
		const member = splitParticipantToken(token);
		if (member) {
			const p = this.store.getParticipant(member.id);
			return p && p.groupId === group.id && matchesHash(token, p.tokenHash)
				? { access: 'write', holder: holders.participant(p.id), participantId: p.id, pens: this.pens(group.id), closed: this.writeups.closed(group.id) }
				: null;
		}
		const room = this.store.getRoom(group.roomId);
		if (!room) return null;
		const closed = this.writeups.closed(group.id);
		if (this.opensRoom(room, 'facilitation', token)) return { access: 'read', holder: holders.facilitation(room.id), closed };
		const event = this.store.getEvent(room.eventId);
		return event && matchesHash(token, event.organiserTokenHash) ? { access: 'read', holder: holders.organiser(event.id), closed } : null;
	}

	/** Who holds each stage's pen in a group: rapporteurs who have since left it no longer count. */
	pens(groupId: string, members: { id: string }[] = this.store.listGroupMembers(groupId)): Pens {
		const rapporteurs = this.store.listRapporteurs(groupId);
		return [1, 2, 3].map((stage) =>
			rapporteurs.filter((r) => r.stage === stage && members.some((m) => m.id === r.participantId)).map((r) => r.participantId)
		) as Pens;
	}

	/** A room's facilitator link, or the organiser's token for any room of the event. */
	authoriseFacilitator(roomId: string, token: string): RoomRecord {
		const room = this.store.getRoom(roomId);
		if (!room) throw new PalabreError(404, 'salle inconnue');
		if (this.opensRoom(room, 'facilitation', token)) return room;
		const event = this.event(room.eventId);
		if (matchesHash(token, event.organiserTokenHash)) return room;
		throw new PalabreError(403, 'lien d’animation invalide');
	}

	authoriseParticipant(token: string): ParticipantRecord {
		const parts = splitParticipantToken(token);
		const p = parts && this.store.getParticipant(parts.id);
		if (!p || !matchesHash(token, p.tokenHash)) throw new PalabreError(403, 'participant·e inconnu·e');
		return p;
	}

	/** A participant already authenticated (socket handshake) who may have been deleted since. */
	authoriseParticipantById(id: string): ParticipantRecord {
		const p = this.store.getParticipant(id);
		if (!p) throw new PalabreError(404, 'participant·e inconnu·e');
		return p;
	}

	event(id: string): EventRecord {
		const event = this.store.getEvent(id);
		if (!event) throw new PalabreError(404, 'événement inconnu');
		return event;
	}

	room(id: string): RoomRecord {
		const room = this.store.getRoom(id);
		if (!room) throw new PalabreError(404, 'salle inconnue');
		return room;
	}

	eventByJoinCode(code: string): EventRecord {
		const event = this.store.getEventByJoinCode(normaliseJoinCode(code));
		if (!event) throw new PalabreError(404, 'code inconnu');
		return event;
	}

	eventInfo(event: EventRecord): EventInfo {
		return {
			id: event.id,
			title: event.title,
			date: event.date,
			place: event.place,
			language: event.language,
			joinCode: event.joinCode,
			joinUrl: this.joinUrl(event),
			rooms: this.store.listRooms(event.id).map((r) => ({ id: r.id, title: r.title }))
		};
	}

	// ---- participants ----
	join(event: EventRecord, body: JoinBody): { token: string; session: ParticipantSession } {
		const rooms = this.store.listRooms(event.id);
		if (body.roomId !== undefined && !rooms.some((r) => r.id === body.roomId)) {
			throw new PalabreError(400, 'roomId: salle inconnue');
		}
		const id = newId();
		const token = participantToken(id);
		const participant: ParticipantRecord = {
			id,
			eventId: event.id,
			tokenHash: hashToken(token),
			displayName: body.displayName,
			categories: normaliseCategories(body.categories),
			roomId: body.roomId ?? null,
			groupId: null,
			addedByFacilitator: false,
			createdAt: Date.now()
		};
		this.store.createParticipant(participant);
		this.notify({ eventId: event.id, roomIds: [participant.roomId], participantIds: [id] });
		return { token, session: this.session(participant) };
	}

	/** Takes or gives back the pen for one stage of one's group (several rapporteurs may write). */
	setRapporteur(p: ParticipantRecord, stage: number, on: boolean) {
		if (!p.groupId || !p.roomId) throw new PalabreError(409, 'vous n’êtes dans aucun groupe');
		this.store.setRapporteur(p.groupId, stage, p.id, on);
		this.writeups.pensChanged(p.groupId);
		const members = this.store.listGroupMembers(p.groupId);
		this.notify({ eventId: p.eventId, roomIds: [], participantIds: members.map((m) => m.id) });
	}

	chooseRoom(p: ParticipantRecord, roomId: string): MeView {
		const room = this.store.getRoom(roomId);
		if (!room || room.eventId !== p.eventId) throw new PalabreError(400, 'roomId: salle inconnue');
		if (p.roomId === roomId) return meView(p);
		this.store.transaction(() => {
			this.seating.leaveRoom(p);
			this.store.setParticipantRoom(p.id, roomId);
		});
		this.notify({ eventId: p.eventId, roomIds: [p.roomId, roomId], participantIds: [p.id] });
		return meView({ ...p, roomId, groupId: null });
	}

	// ---- views ----
	/** The room's groups by statement; `byGroup`: the room's people by group (membersByGroup). */
	private groupViews(room: RoomRecord, byGroup: Map<string | null, ParticipantRecord[]>, lang: Language): Map<string, GroupView[]> {
		const byStatement = new Map<string, GroupView[]>();
		for (const g of this.store.listGroups(room.id)) {
			const members = byGroup.get(g.id) ?? [];
			const view: GroupView = {
				id: g.id,
				number: g.number,
				memberCount: members.length,
				members: members.map((m) => ({ families: familiesOf(m.categories) })),
				label: g.label ?? compositionLabel(members, lang),
				warnings: compositionWarnings(members),
				stage: effectiveStage(room.stages, g.id),
				progress: this.writeups.progress(g.id),
				writeupAccess: this.writeups.access(g.id, room.stages),
				// A group's own balance, published from three members (docs/speaking-time.md).
				balance: this.speaking.shares([{ id: g.id, members }]).balance
			};
			byStatement.set(g.statementId, [...(byStatement.get(g.statementId) ?? []), view]);
		}
		return byStatement;
	}

	roomView(room: RoomRecord): RoomView {
		const event = this.event(room.eventId);
		const people = this.store.listRoomParticipants(room.id);
		const byGroup = membersByGroup(people);
		const groups = this.groupViews(room, byGroup, event.language);
		const all = [...groups.values()].flat();
		return {
			id: room.id,
			title: room.title,
			phase: room.phase,
			presenting: room.presenting,
			maxGroupSize: event.settings.maxGroupSize,
			stages: {
				questions: event.settings.stageQuestions,
				names: event.settings.stageNames,
				minutes: room.stages.minutes ?? event.settings.stageMinutes,
				writingWarningMinutes: event.settings.writingWarningMinutes,
				translations: event.settings.translations ?? {},
				room: room.stages.room
			},
			statements: this.store
				.listStatements(room.id)
				.map((s) => ({ id: s.id, text: s.text, translations: s.translations, groups: groups.get(s.id) ?? [] })),
			headcount: headcount(people),
			speaking: this.speaking.shares(all.map((g) => ({ id: g.id, members: byGroup.get(g.id) ?? [] }))),
			summary: {
				groups: all.length,
				withoutResident: all.filter((g) => g.warnings.noResidentVoice).length,
				seated: people.filter((p) => p.groupId).length,
				unseated: people.filter((p) => !p.groupId).length
			}
		};
	}

	session(p: ParticipantRecord): ParticipantSession {
		const event = this.event(p.eventId);
		const group = p.groupId ? this.store.getGroup(p.groupId) : undefined;
		let mine: MyGroupView | null = null;
		if (group) {
			const statement = this.store.listStatements(group.roomId).find((s) => s.id === group.statementId);
			const members = this.store
				.listGroupMembers(group.id)
				.map((m) => ({ id: m.id, displayName: m.displayName, families: familiesOf(m.categories) }));
			mine = {
				id: group.id,
				number: group.number,
				statementId: group.statementId,
				statementText: statement?.text ?? '',
				statementTranslations: statement?.translations ?? {},
				members,
				rapporteurs: this.pens(group.id, members)
			};
		}
		return { event: this.eventInfo(event), me: meView(p), group: mine };
	}

	async projectionView(room: RoomRecord): Promise<ProjectionView> {
		const event = this.event(room.eventId);
		const info = this.eventInfo(event);
		let qr = this.qrCache.get(info.joinUrl);
		if (!qr) {
			const svg = await QRCode.toString(info.joinUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
			qr = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
			this.qrCache.set(info.joinUrl, qr);
		}
		return { event: info, room: this.roomView(room), qr };
	}

	/** Everyone who joined, with names: for the organisers' console only, never the API or the actes. */
	people(eventId: string): PersonView[] {
		return this.store.listParticipants(eventId).map(personView);
	}

	/** What a room's facilitators see: the room, plus who is where (names stay off the projection). */
	facilitatorView(room: RoomRecord, view: RoomView = this.roomView(room)): FacilitatorView {
		const evaluated = new Set(this.store.listEvaluations(room.id).map((e) => e.groupId));
		const groups: FacilitatorView['groups'] = {};
		const ids: string[] = [];
		for (const g of view.statements.flatMap((s) => s.groups)) {
			ids.push(g.id);
			const stage = g.stage.index;
			// A rapporteur matters during a timed stage: who writes this stage's account?
			const hasRapporteur = stage < 1 || stage > 3 || this.store.listRapporteurs(g.id).some((r) => r.stage === stage);
			groups[g.id] = { evaluated: evaluated.has(g.id), hasRapporteur };
		}
		const finished = room.stages.room.status === 'finished';
		return {
			event: this.eventInfo(this.event(room.eventId)),
			room: view,
			people: this.store.listRoomParticipants(room.id).map(personView),
			groups,
			suggestions: this.seating.suggestions(room),
			// Read the write-ups only once the room is done: what is left to clarify.
			toClarify: finished ? ids.reduce((n, id) => n + this.writeups.read(id).stages.flatMap((s) => s.items).filter((i) => i.clarify > 0).length, 0) : 0
		};
	}

	/**
	 * The organiser's complete view. The API includes every write-up; the live console leaves
	 * them out (it follows each one over Yjs), so frequent updates stay small.
	 */
	organiserDocument(event: EventRecord, opts: { writeups: boolean } = { writeups: true }): OrganiserDocument {
		return this.organiserDocumentOf(
			event,
			this.store.listRooms(event.id).map((room) => this.organiserRoom(event, room, opts))
		);
	}

	/** The organiser's document around rooms built by organiserRoom. */
	organiserDocumentOf(event: EventRecord, rooms: OrganiserDocument['rooms']): OrganiserDocument {
		const people = this.store.listParticipants(event.id);
		return {
			id: event.id,
			title: event.title,
			date: event.date,
			place: event.place,
			language: event.language,
			joinCode: event.joinCode,
			joinUrl: this.joinUrl(event),
			settings: event.settings,
			participants: { ...headcount(people), unassigned: people.filter((p) => !p.roomId).length },
			board: this.board.publicBoard(event.id),
			rooms
		};
	}

	/** One room of the organiser's document: built on its own, so the live console can build rooms in turns. */
	organiserRoom(event: EventRecord, room: RoomRecord, opts: { writeups: boolean }): OrganiserDocument['rooms'][number] {
		// Known: the document is built for an organiser who presented it (else no links at all).
		const token = this.organiserTokens.get(event.id);
		const inRoom = this.store.listRoomParticipants(room.id);
		const byGroup = membersByGroup(inRoom);
		const groups = this.groupViews(room, byGroup, event.language);
		const evaluations = this.store.listEvaluations(room.id);
		return {
			id: room.id,
			title: room.title,
			projectionUrl: token ? this.projectionUrl(room.id, token) : '',
			facilitatorUrl: token ? this.facilitatorUrl(room.id, token) : '',
			phase: room.phase,
			stage: room.stages.room,
			stageMinutes: room.stages.minutes ?? event.settings.stageMinutes,
			evaluation: summariseEvaluations(evaluations.map((e) => e.evaluation)),
			statements: this.store.listStatements(room.id).map((s) => ({
				id: s.id,
				text: s.text,
				translations: s.translations,
				groups: (groups.get(s.id) ?? []).map((g) => {
					const members = byGroup.get(g.id) ?? [];
					return {
						id: g.id,
						number: g.number,
						memberCount: g.memberCount,
						members: members.map((p) => ({ categories: p.categories })),
						label: g.label,
						warnings: g.warnings,
						stage: g.stage,
						speaking: this.speaking.shares([{ id: g.id, members }]),
						evaluation: evaluations.find((e) => e.groupId === g.id)?.evaluation ?? null,
						writeup: !opts.writeups ? null : this.writeupOf(g.id)
					};
				})
			})),
			participants: headcount(inRoom),
			speaking: this.speaking.shares([...groups.values()].flat().map((g) => ({ id: g.id, members: byGroup.get(g.id) ?? [] })))
		};
	}

	/** A group's write-up as the organisers' document carries it. */
	private writeupOf(groupId: string): NonNullable<OrganiserDocument['rooms'][number]['statements'][number]['groups'][number]['writeup']> {
		return {
			stages: this.writeups.read(groupId).stages.map((st) => ({
				items: st.items.map((i) => ({
					id: i.id,
					text: i.text,
					...(i.stage === 3 ? { who: i.who, when: i.when } : {}),
					via: i.via,
					agree: i.agree,
					clarify: i.clarify,
					comments: i.comments.map((c) => c.text),
					starred: i.starred
				}))
			}))
		};
	}
}

/** People by the group they sit in (null: not seated), each list in the given order. */
function membersByGroup(people: ParticipantRecord[]): Map<string | null, ParticipantRecord[]> {
	const byGroup = new Map<string | null, ParticipantRecord[]>();
	for (const p of people) {
		const list = byGroup.get(p.groupId);
		if (list) list.push(p);
		else byGroup.set(p.groupId, [p]);
	}
	return byGroup;
}

function personView(p: ParticipantRecord): PersonView {
	return {
		id: p.id,
		displayName: p.displayName,
		families: familiesOf(p.categories),
		roomId: p.roomId,
		groupId: p.groupId,
		addedByFacilitator: p.addedByFacilitator
	};
}

function meView(p: ParticipantRecord): MeView {
	return { id: p.id, displayName: p.displayName, categories: p.categories, roomId: p.roomId, groupId: p.groupId };
}
