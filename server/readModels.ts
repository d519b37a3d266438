/**
 * The read models: what each screen is sent (phones, projection, facilitators, organisers), built
 * from the store and the figures the services keep. Read only: nothing here changes anything.
 */
import QRCode from 'qrcode';
import { familiesOf } from '../src/lib/domain/categories';
import { summariseEvaluations } from '../src/lib/domain/evaluation';
import type { ActesInput } from '../src/lib/domain/actes/model';
import type { Suggestion } from '../src/lib/domain/groups';
import { headcount } from '../src/lib/domain/headcount';
import { compositionLabel, compositionWarnings } from '../src/lib/domain/labels';
import type { SpeakingShares } from '../src/lib/domain/speaking';
import { effectiveStage, type RoomStages } from '../src/lib/domain/stages';
import { verbatimCounts } from '../src/lib/domain/verbatims';
import type { Language } from '../src/lib/protocol';
import type { readWriteup } from '../src/lib/writeup';
import type {
	EventInfo,
	FacilitatorView,
	GroupView,
	MeView,
	MyGroupView,
	OrganiserDocument,
	ParticipantSession,
	PersonView,
	ProjectionView,
	PublicBoard,
	RoomView
} from '../src/lib/views';
import type { Pens } from './realtime/yjs';
import type { Links } from './links';
import { paperKitInput, type PaperKitInput } from './paperKit';
import { eventById } from './records';
import type { EventRecord, ParticipantRecord, RoomRecord, Store } from './store/store';

/** The figures other contexts keep, which the views show. */
export interface Figures {
	progress(groupId: string): [number, number, number];
	writeup(groupId: string): ReturnType<typeof readWriteup>;
	shares(groups: { id: string; members: ParticipantRecord[] }[]): SpeakingShares;
	suggestions(room: RoomRecord): Suggestion[];
	publicBoard(eventId: string): PublicBoard;
	pens(groupId: string, members: { id: string }[]): Pens;
	writeupAccess(groupId: string, stages: RoomStages): GroupView['writeupAccess'];
}

type OrganiserRoom = OrganiserDocument['rooms'][number];
type OrganiserWriteup = NonNullable<OrganiserRoom['statements'][number]['groups'][number]['writeup']>;

export class ReadModels {
	private readonly qrCache = new Map<string, string>();

	constructor(
		private readonly store: Store,
		private readonly links: Links,
		private readonly figures: Figures
	) {}

	/** What every screen says of the event itself (never its tokens). */
	private eventFields(event: EventRecord) {
		const { id, title, date, endDate, place, language, joinCode } = event;
		return { id, title, date, endDate, place, language, joinCode, joinUrl: this.links.join(event) };
	}

	eventInfo(event: EventRecord): EventInfo {
		return { ...this.eventFields(event), rooms: this.store.listRooms(event.id).map((r) => ({ id: r.id, title: r.title })) };
	}

	/** A phone's own view: the event, the person, and their group with its members' names. */
	session(p: ParticipantRecord): ParticipantSession {
		return this.sessions([p])[0] as ParticipantSession;
	}

	/**
	 * The sessions of several people, in order: each event's part and each group's part built once
	 * (a pick sends a session to every member of the groups it touched).
	 */
	sessions(people: readonly ParticipantRecord[]): ParticipantSession[] {
		const events = new Map<string, EventInfo>();
		const groups = new Map<string, MyGroupView | null>();
		return people.map((p) => {
			let event = events.get(p.eventId);
			if (!event) events.set(p.eventId, (event = this.eventInfo(eventById(this.store, p.eventId))));
			let mine = p.groupId ? groups.get(p.groupId) : null;
			if (mine === undefined && p.groupId) groups.set(p.groupId, (mine = this.myGroup(p.groupId)));
			return { event, me: meView(p), group: mine ?? null };
		});
	}

	/** A group as its members' phones see it: the statement, the members' names, pens and evaluation. */
	private myGroup(groupId: string): MyGroupView | null {
		const group = this.store.getGroup(groupId);
		if (!group) return null;
		const statement = this.store.listStatements(group.roomId).find((s) => s.id === group.statementId);
		const members = this.store
			.listGroupMembers(group.id)
			.map((m) => ({ id: m.id, displayName: m.displayName, families: familiesOf(m.categories) }));
		return {
			id: group.id,
			number: group.number,
			statementId: group.statementId,
			statementText: statement?.text ?? '',
			statementTranslations: statement?.translations ?? {},
			members,
			rapporteurs: this.figures.pens(group.id, members),
			evaluation: this.store.listEvaluations(group.roomId).find((e) => e.groupId === group.id)?.evaluation ?? null
		};
	}

	/** The room as the projection sees it (phones get `phoneRoomView` of it). */
	room(room: RoomRecord): RoomView {
		const event = eventById(this.store, room.eventId);
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
			speaking: this.figures.shares(all.map((g) => ({ id: g.id, members: byGroup.get(g.id) ?? [] }))),
			summary: {
				groups: all.length,
				withoutResident: all.filter((g) => g.warnings.noResidentVoice).length,
				seated: people.filter((p) => p.groupId).length,
				unseated: people.filter((p) => !p.groupId).length
			}
		};
	}

	async projection(room: RoomRecord): Promise<ProjectionView> {
		const info = this.eventInfo(eventById(this.store, room.eventId));
		let qr = this.qrCache.get(info.joinUrl);
		if (!qr) {
			const svg = await QRCode.toString(info.joinUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
			qr = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
			this.qrCache.set(info.joinUrl, qr);
		}
		return { event: info, room: this.room(room), qr };
	}

	/** What a room's facilitators see: the room, plus who is where (names stay off the projection). */
	facilitator(room: RoomRecord, view: RoomView = this.room(room)): FacilitatorView {
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
			event: this.eventInfo(eventById(this.store, room.eventId)),
			room: view,
			people: this.store.listRoomParticipants(room.id).map(personView),
			groups,
			suggestions: this.figures.suggestions(room),
			statementEdits: this.store.listStatementEdits(room.id).map(({ statementId, at, before, after }) => ({ statementId, at, before, after })),
			// Read the write-ups only once the room is done: what is left to clarify.
			toClarify: finished ? ids.reduce((n, id) => n + this.figures.writeup(id).stages.flatMap((s) => s.items).filter((i) => i.clarify > 0).length, 0) : 0
		};
	}

	/** Everyone who joined, with names: for the organisers' console only, never the API or the actes. */
	people(eventId: string): PersonView[] {
		const wishes = this.store.listWishes(eventId);
		return this.store.listParticipants(eventId).map((p) => ({ ...personView(p), wishes: wishes.get(p.id) ?? [] }));
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
			...this.eventFields(event),
			registerUrl: this.links.register(event),
			settings: event.settings,
			participants: { ...headcount(people), unassigned: people.filter((p) => !p.roomId).length },
			board: this.figures.publicBoard(event.id),
			verbatims: {
				workshops: this.store.listWorkshops(event.id).map((w) => ({ id: w.id, title: w.title, captureUrl: this.links.captureLink(event.id, w.id) })),
				verbatims: this.store.listVerbatims(event.id).map(({ eventId: _event, receivedAt: _received, ...v }) => v)
			},
			rooms
		};
	}

	/** One room of the organiser's document: built on its own, so the live console can build rooms in turns. */
	organiserRoom(event: EventRecord, room: RoomRecord, opts: { writeups: boolean }): OrganiserRoom {
		const inRoom = this.store.listRoomParticipants(room.id);
		const byGroup = membersByGroup(inRoom);
		const groups = this.groupViews(room, byGroup, event.language);
		const evaluations = this.store.listEvaluations(room.id);
		// `via` leaves as a participant id only: older write-ups hold a name there.
		const known = opts.writeups ? new Set(this.store.listParticipants(event.id).map((p) => p.id)) : new Set<string>();
		return {
			id: room.id,
			title: room.title,
			...this.links.roomLinks(event.id, room.id),
			phase: room.phase,
			stage: room.stages.room,
			stageMinutes: room.stages.minutes ?? event.settings.stageMinutes,
			evaluation: summariseEvaluations(evaluations.map((e) => e.evaluation)),
			statements: this.store.listStatements(room.id).map((s) => ({
				id: s.id,
				text: s.text,
				translations: s.translations,
				sourceVerbatimId: s.sourceVerbatimId ?? null,
				...(s.translationToReview ? { translationToReview: true } : {}),
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
						speaking: this.figures.shares([{ id: g.id, members }]),
						evaluation: evaluations.find((e) => e.groupId === g.id)?.evaluation ?? null,
						writeup: !opts.writeups ? null : this.writeupOf(g.id, known)
					};
				})
			})),
			participants: headcount(inRoom),
			speaking: this.figures.shares([...groups.values()].flat().map((g) => ({ id: g.id, members: byGroup.get(g.id) ?? [] })))
		};
	}

	/** The room's groups by statement; `byGroup`: the room's people by group. */
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
				progress: this.figures.progress(g.id),
				writeupAccess: this.figures.writeupAccess(g.id, room.stages),
				// A group's own balance, published from three members (docs/speaking-time.md).
				balance: this.figures.shares([{ id: g.id, members }]).balance
			};
			byStatement.set(g.statementId, [...(byStatement.get(g.statementId) ?? []), view]);
		}
		return byStatement;
	}

	/** A group's write-up as the organisers' document carries it. */
	private writeupOf(groupId: string, participantIds: ReadonlySet<string>): OrganiserWriteup {
		return {
			stages: this.figures.writeup(groupId).stages.map((st) => ({
				items: st.items.map((i) => ({
					id: i.id,
					text: i.text,
					...(i.stage === 3 ? { who: i.who, when: i.when } : {}),
					via: i.via !== null && participantIds.has(i.via) ? i.via : null,
					agree: i.agree,
					clarify: i.clarify,
					comments: i.comments.map((c) => c.text),
					starred: i.starred
				}))
			}))
		};
	}

	/**
	 * What the actes are made of (src/lib/domain/actes/model.ts): the event, its rooms, statements,
	 * groups with their members' categories and write-ups, evaluations, speaking shares and board.
	 * No name, link or token is read.
	 */
	actesInput(event: EventRecord): ActesInput {
		const { store } = this;
		const verbatims = new Map(store.listVerbatims(event.id).map((v) => [v.id, v]));
		const workshops = new Map(store.listWorkshops(event.id).map((w) => [w.id, w.title]));
		/** The verbatim a statement was made from: its words as noted and its workshop. */
		const source = (id: string | null | undefined) => {
			const v = id ? verbatims.get(id) : undefined;
			return v ? { text: v.text, workshop: (v.workshopId && workshops.get(v.workshopId)) || null } : null;
		};
		return {
			title: event.title,
			date: event.date,
			endDate: event.endDate,
			place: event.place,
			settings: event.settings,
			people: store.listParticipants(event.id).map((p) => ({ categories: p.categories, roomId: p.roomId })),
			rooms: store.listRooms(event.id).map((room) => {
				const inRoom = store.listRoomParticipants(room.id);
				const groups = store.listGroups(room.id).map((g) => ({ ...g, members: inRoom.filter((p) => p.groupId === g.id) }));
				return {
					id: room.id,
					title: room.title,
					statements: store.listStatements(room.id).map((s) => ({ id: s.id, text: s.text, source: source(s.sourceVerbatimId) })),
					groups: groups.map((g) => ({
						statementId: g.statementId,
						number: g.number,
						label: g.label,
						members: g.members.map((p) => ({ categories: p.categories })),
						writeup: this.figures.writeup(g.id)
					})),
					evaluations: store.listEvaluations(room.id).map((e) => e.evaluation),
					speaking: this.figures.shares(groups)
				};
			}),
			board: store.getBoard(event.id).board,
			verbatims: verbatimCounts([...verbatims.values()])
		};
	}

	/** What the paper kit prints (server/paperKit.ts). */
	paperKitInput(event: EventRecord): PaperKitInput {
		return paperKitInput(this.store, this.links, event);
	}

	/** The records a view is built from, if they still exist (a change may have removed them). */
	findRoom(id: string): RoomRecord | undefined {
		return this.store.getRoom(id);
	}

	findEvent(id: string): EventRecord | undefined {
		return this.store.getEvent(id);
	}

	findPerson(id: string): ParticipantRecord | undefined {
		return this.store.getParticipant(id);
	}

	groupMembers(groupId: string): ParticipantRecord[] {
		return this.store.listGroupMembers(groupId);
	}

	rooms(eventId: string): RoomRecord[] {
		return this.store.listRooms(eventId);
	}

	/** `fn` runs when the store's memory was reloaded from PostgreSQL (a refused commit): views built before no longer hold. */
	onReloaded(fn: () => void) {
		(this.store as Store & { onReloaded?(fn: () => void): void }).onReloaded?.(fn);
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

export function meView(p: ParticipantRecord): MeView {
	return { id: p.id, displayName: p.displayName, categories: p.categories, roomId: p.roomId, groupId: p.groupId };
}
