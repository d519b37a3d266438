/**
 * Who hears what. Services say what changed (server/changes.ts); the table `WHO_HEARS` says, for
 * each kind of change, which views become due and for whom; the flush then builds each due view
 * once and sends it to its channel. Changes are coalesced: a rush of 300 picks sends one update
 * per room, not 300, and each socket gets the views its role may see.
 */
import type { EvaluationFilling } from '../../src/lib/protocol';
import type { GoneReason, OrganiserDocument, ParticipantSession, PhoneRoomView, ProgressUpdate } from '../../src/lib/views';
import { phoneRoomView } from '../../src/lib/views';
import type { Change, ChangeKind, ChangeOf } from '../changes';
import type { Palabre } from '../palabre';
import { trace } from '../trace';
import { channel, type ControlServer } from './channels';
import type { Faults } from './faults';
import { Throttled } from './throttle';

/** A person and a room as the read models give them. */
type ParticipantRecord = NonNullable<ReturnType<Palabre['views']['findPerson']>>;
type RoomRecord = NonNullable<ReturnType<Palabre['views']['findRoom']>>;

const FLUSH_MS = 25;
/** The organisers' full document is the heaviest view: at most once a second. */
const ORGANISER_EVERY_MS = 1_000;
/**
 * When only figures moved (speaking time, write-up counts: all the time while people talk and
 * write), at most every 5 seconds: a console on the venue Wi-Fi need not download the whole
 * event every second for that (8 MB a minute at 1,000 people).
 */
const ORGANISER_FIGURES_EVERY_MS = 5_000;
/**
 * Phones get their (slim) room view at most once a second, and only when it changed: a phone on
 * venue Wi-Fi needs no update for a seat taken at another table within the second.
 */
const PHONES_EVERY_MS = 1_000;
/**
 * Projections and facilitators get the full room view at most four times a second; the
 * write-ups' progress, which people watch appear, goes at once as a small `progress` message. A
 * phase or stage change goes to everyone at once.
 */
const WATCHERS_EVERY_MS = 250;
/**
 * Speaking figures move with every timekeeper's tap, all the time while people talk: they bring
 * the room view to its watchers at most once a second (a view costs milliseconds at 1,000 people).
 */
const FIGURES_EVERY_MS = 1_000;

/** The views a change makes due, by id; the flush builds and sends each once. */
export interface Due {
	/** People whose session (and channels) must follow now: they moved, or their group changed. */
	sessions: Set<string>;
	/**
	 * Groups someone joined or left: their members' sessions and timekeeper's pad list who sits
	 * with them, at the phones' pace (a pick rush would otherwise rebuild six sessions and a
	 * speaking view per pick).
	 */
	groups: Set<string>;
	/** Rooms whose view changed: their phones, projection and facilitators. */
	rooms: Set<string>;
	/** Groups (with their room) whose speaking view changed, for their members' phones. */
	speaking: Map<string, string>;
	/** Rooms where only figures moved: their watchers' view, at a slower pace. */
	figures: Set<string>;
	/** Groups whose write-up progress changed, by room. */
	progress: Map<string, Set<string>>;
	boards: Set<string>;
	/** Events whose organisers' document changed in structure, or (`organiserFigures`) only in figures. */
	organisers: Set<string>;
	organiserFigures: Set<string>;
	/** A phase or stage changed: phones and watchers see it now, not within the second. */
	urgent: boolean;
}

/** What goes at once, not as a view: a notice, the end of a connection. */
export interface Immediately {
	notice(groupId: string, text: string, at: number): void;
	filling(filling: EvaluationFilling): void;
	erased(participantId: string): void;
	gone(eventId: string, why: 'event' | 'links'): void;
}

/**
 * Phones that just entered a room or sat down in a group, by room and by group: they get its view
 * at once, changed or not (a phone moved mid-stage must not keep its former group's timekeeper pad).
 */
interface Newcomers {
	rooms: Map<string, string[]>;
	groups: Map<string, { eventId: string; sockets: string[] }>;
}

type Rule<K extends ChangeKind> = (c: ChangeOf<K>, due: Due, now: Immediately) => void;

/** The one table of who hears what. */
export const WHO_HEARS: { [K in ChangeKind]: Rule<K> } = {
	joined: (c, due) => {
		due.sessions.add(c.participantId);
		if (c.roomId) due.rooms.add(c.roomId);
		due.organisers.add(c.eventId);
	},
	roomChosen: (c, due) => {
		due.sessions.add(c.participantId);
		if (c.from) due.rooms.add(c.from);
		due.rooms.add(c.to);
		due.organisers.add(c.eventId);
	},
	seated: (c, due) => {
		// The movers at once; everyone in a group they left or joined soon after: each phone lists its groupmates.
		for (const id of c.moved) due.sessions.add(id);
		for (const g of c.groups) if (g.memberIds.length) due.groups.add(g.groupId);
		due.rooms.add(c.roomId);
		due.organisers.add(c.eventId);
	},
	phaseChanged: (c, due) => {
		due.rooms.add(c.roomId);
		due.urgent = true;
		due.organisers.add(c.eventId);
	},
	stagesChanged: (c, due) => {
		due.rooms.add(c.roomId);
		due.urgent = true;
		// Speaking turns end and start with the stages.
		for (const id of c.groupIds) due.speaking.set(id, c.roomId);
		due.organisers.add(c.eventId);
	},
	labelChanged: (c, due) => {
		due.rooms.add(c.roomId);
		due.organisers.add(c.eventId);
	},
	evaluated: (c, due) => {
		// The group's phones show its one shared form; the facilitators see which groups answered.
		for (const id of c.memberIds) due.sessions.add(id);
		due.rooms.add(c.roomId);
		due.organisers.add(c.eventId);
	},
	// Who fills the form is no view's business: it goes at once, to the group's phones only.
	evaluationFilling: (c, _due, now) => now.filling({ groupId: c.groupId, filling: c.filling }),
	pensChanged: (c, due) => {
		for (const id of c.memberIds) due.sessions.add(id);
		// The facilitators see whether each group has a rapporteur.
		due.rooms.add(c.roomId);
	},
	translated: (c, due) => {
		for (const id of c.roomIds) due.rooms.add(id);
		for (const id of c.participantIds) due.sessions.add(id);
		due.organisers.add(c.eventId);
	},
	statementsChanged: (c, due) => {
		// Every screen of the room shows the statements; phones in a reworded group show its wording.
		due.rooms.add(c.roomId);
		due.urgent = true;
		for (const id of c.participantIds) due.sessions.add(id);
		due.organisers.add(c.eventId);
	},
	writeupAccessChanged: (c, due) => {
		// The facilitators' group sheet shows the write-up's state and its log.
		due.rooms.add(c.roomId);
		due.organisers.add(c.eventId);
	},
	tapsStored: (c, due) => {
		due.speaking.set(c.groupId, c.roomId);
		due.figures.add(c.roomId);
		due.organiserFigures.add(c.eventId);
	},
	progressed: (c, due) => {
		due.progress.set(c.roomId, (due.progress.get(c.roomId) ?? new Set()).add(c.groupId));
		due.organiserFigures.add(c.eventId);
	},
	boardChanged: (c, due) => {
		due.boards.add(c.eventId);
		due.organisers.add(c.eventId);
	},
	verbatimsChanged: (c, due) => {
		// Only the organisers see verbatims; a new statement shows in its room.
		for (const id of c.roomIds) due.rooms.add(id);
		due.organisers.add(c.eventId);
	},
	groupNotified: (c, _due, now) => now.notice(c.groupId, c.text, c.at),
	personErased: (c, due, now) => {
		now.erased(c.participantId);
		if (c.groupId) due.groups.add(c.groupId);
		if (c.groupId && c.roomId) due.speaking.set(c.groupId, c.roomId);
		if (c.roomId) due.rooms.add(c.roomId);
		// Their support left the board.
		due.boards.add(c.eventId);
		due.organisers.add(c.eventId);
	},
	eventGone: (c, _due, now) => now.gone(c.eventId, c.why)
};

export function emptyDue(): Due {
	return {
		sessions: new Set(),
		groups: new Set(),
		rooms: new Set(),
		speaking: new Map(),
		figures: new Set(),
		progress: new Map(),
		boards: new Set(),
		organisers: new Set(),
		organiserFigures: new Set(),
		urgent: false
	};
}

/** Listens to the services' changes and sends the views they make due. */
export function attachFanout(io: ControlServer, palabre: Palabre, faults: Faults) {
	const { views } = palabre;
	/** The event of a room, or undefined (unknown, or unreadable). */
	const eventOfRoom = (roomId: string) => () => views.findRoom(roomId)?.eventId;
	const roomChannels = (roomId: string) => [channel.room(roomId), channel.projection(roomId), channel.facilitators(roomId)];
	/** A room's lane failed: its phones, projection and facilitators are told. */
	const roomFailed = (what: string) => (roomId: string, err: unknown) => faults.failed(eventOfRoom(roomId), what, err, roomChannels(roomId));
	/** Nobody to send a view to: don't build it (the heaviest views have few watchers). */
	const watched = (name: string) => (io.sockets.adapter.rooms.get(name)?.size ?? 0) > 0;

	/** Events whose links were renewed while this process runs (the handshake tells old links why). */
	const rotated = new Set<string>();

	const now: Immediately = {
		notice: (groupId, text, at) => io.to(channel.group(groupId)).emit('notice', { text, at }),
		filling: (filling) => io.to(channel.group(filling.groupId)).emit('evaluationFilling', filling),
		erased: (participantId) => {
			forget(channel.participant(participantId), 'session');
			io.to(channel.participant(participantId)).emit('gone', 'erased' satisfies GoneReason);
			io.in(channel.participant(participantId)).disconnectSockets(true);
		},
		gone: (eventId, why) => {
			if (why === 'links') rotated.add(eventId);
			else rotated.delete(eventId);
			for (const socket of io.sockets.sockets.values()) {
				const who = socket.data.who;
				if (who?.eventId !== eventId || (why === 'links' && who.role === 'participant')) continue;
				socket.emit('gone', why === 'event' ? 'eventDeleted' : 'linksRotated');
				socket.disconnect(true);
			}
		}
	};

	let due = emptyDue();
	let timer: NodeJS.Timeout | undefined;

	/**
	 * The phones' room view, built once per change of the room and shared by every socket that
	 * needs it meanwhile: each new connection's snapshot (a burst of reconnections after a
	 * failover costs one view per room, not one per socket), the newcomers to a room and the
	 * phones' lane. A change that makes the room due (WHO_HEARS) forgets it at once, so a view
	 * served is never older than the last change.
	 */
	const phoneViews = new Map<string, PhoneRoomView>();
	function phoneRoom(room: RoomRecord): PhoneRoomView {
		let view = phoneViews.get(room.id);
		if (!view) {
			view = phoneRoomView(views.room(room));
			phoneViews.set(room.id, view);
			trace('views', `room ${room.id}`);
		}
		return view;
	}
	// PostgreSQL refused a commit and the memory was reloaded from it: no view built before holds.
	views.onReloaded(() => phoneViews.clear());

	const unsubscribe = palabre.changes.on((c: Change) => {
		(WHO_HEARS[c.kind] as Rule<typeof c.kind>)(c, due, now);
		for (const id of due.rooms) phoneViews.delete(id);
		// Its rooms are gone with it.
		if (c.kind === 'eventGone') phoneViews.clear();
		for (const [roomId, groups] of due.progress) {
			progressDue.set(roomId, new Set([...(progressDue.get(roomId) ?? []), ...groups]));
			progress.mark(roomId);
		}
		due.progress.clear();
		progress.schedule(false);
		for (const id of due.organiserFigures) organiserFigures.mark(id);
		due.organiserFigures.clear();
		organiserFigures.schedule(false);
		const viewsDue = due.sessions.size + due.groups.size + due.rooms.size + due.speaking.size + due.figures.size + due.boards.size + due.organisers.size;
		if (viewsDue) timer ??= setTimeout(afterCommit, FLUSH_MS);
	});

	/**
	 * Views are built from memory: they go out once the store has committed the writes that made
	 * them due (PostgreSQL's commit; with SQLite, the WAL synced to disk). A view may also show a write made since,
	 * whose commit is under way: if that commit fails, every client is sent fresh snapshots (app.ts).
	 */
	function afterCommit() {
		palabre.committed().then(flush, () => {
			timer = undefined;
			due = emptyDue();
		});
	}

	/** Every unit of work is one event's (`isolated`): one that throws leaves the others' views going. */
	function flush() {
		timer = undefined;
		const d = due;
		due = emptyDue();
		for (const id of d.boards) {
			faults.isolated(id, 'board', [channel.event(id)], () => io.to(channel.event(id)).emit('board', palabre.board.publicBoard(id)));
		}
		deliver([...d.sessions].flatMap((id) => views.findPerson(id) ?? []));
		for (const id of d.groups) groupSessions.mark(id);
		groupSessions.schedule(false);
		for (const [groupId, roomId] of d.speaking) sendSpeaking(eventOfRoom(roomId), groupId);
		// Figures alone bring the watchers' view at the slower pace; a room rebuilt anyway needs no more.
		for (const id of d.figures) if (!d.rooms.has(id)) figures.mark(id);
		figures.schedule(false);
		for (const id of d.rooms) {
			watchers.mark(id);
			phones.mark(id);
		}
		watchers.schedule(d.urgent);
		phones.schedule(d.urgent);
		for (const id of d.organisers) organisers.mark(id);
		organisers.schedule(false);
	}

	/** Sends people their sessions, by event (a group's part is built once for all its members), and newcomers their views. */
	function deliver(people: readonly ParticipantRecord[]) {
		const newcomers: Newcomers = { rooms: new Map(), groups: new Map() };
		const byEvent = new Map<string, ParticipantRecord[]>();
		for (const p of people) byEvent.set(p.eventId, [...(byEvent.get(p.eventId) ?? []), p]);
		for (const [eventId, of] of byEvent) {
			faults.isolated(eventId, 'session', of.map((p) => channel.participant(p.id)), () => {
				const sessions = views.sessions(of);
				of.forEach((p, k) => follow(p, sessions[k] as ParticipantSession, newcomers));
			});
		}
		for (const [roomId, sockets] of newcomers.rooms) {
			faults.isolated(eventOfRoom(roomId), 'room', sockets, () => {
				const room = views.findRoom(roomId);
				if (room) io.to(sockets).emit('room', phoneRoom(room));
			});
		}
		for (const [groupId, { eventId, sockets }] of newcomers.groups) sendSpeaking(eventId, groupId, sockets);
	}

	/**
	 * A person's phones follow them: subscribed to their current room and group only (the room's
	 * and group's updates then reach them), and sent their session.
	 */
	function follow(p: ParticipantRecord, session: ParticipantSession, newcomers: Newcomers) {
		const id = p.id;
		const room = p.roomId ? channel.room(p.roomId) : null;
		const group = p.groupId ? channel.group(p.groupId) : null;
		for (const sid of io.sockets.adapter.rooms.get(channel.participant(id)) ?? []) {
			const socket = io.sockets.sockets.get(sid);
			if (!socket) continue;
			for (const r of socket.rooms) {
				if ((r.startsWith('r:') && r !== room) || (r.startsWith('g:') && r !== group)) void socket.leave(r);
			}
			if (room && p.roomId && !socket.rooms.has(room)) {
				void socket.join(room);
				newcomers.rooms.set(p.roomId, [...(newcomers.rooms.get(p.roomId) ?? []), sid]);
			}
			if (group && p.groupId && !socket.rooms.has(group)) {
				void socket.join(group);
				const seated = newcomers.groups.get(p.groupId);
				if (seated) seated.sockets.push(sid);
				else newcomers.groups.set(p.groupId, { eventId: p.eventId, sockets: [sid] });
			}
		}
		if (changed(channel.participant(id), 'session', session)) io.to(channel.participant(id)).emit('session', session);
	}

	/** One speaking view per group, to all its members' phones at once (or to `sockets` only: phones that just sat down). */
	function sendSpeaking(eventId: string | (() => string | undefined), groupId: string, sockets?: string[]) {
		const to = sockets ?? [channel.group(groupId)];
		faults.isolated(eventId, 'speaking', to, () => {
			if (sockets || watched(channel.group(groupId))) io.to(to).emit('speaking', palabre.speaking.groupView(groupId));
		});
	}

	/** A group's members' sessions (unchanged ones are not sent again) and its speaking view, at the phones' pace. */
	const groupSessions = new Throttled(PHONES_EVERY_MS, (groupId) => {
		const members = views.groupMembers(groupId);
		deliver(members);
		// An emptied group has nobody left to tell.
		if (members[0]) sendSpeaking(members[0].eventId, groupId);
	});

	const watchers = new Throttled(WATCHERS_EVERY_MS, (id) => {
		const room = views.findRoom(id);
		if (!room) return;
		const forProjection = watched(channel.projection(id));
		const forFacilitators = watched(channel.facilitators(id));
		if (!forProjection && !forFacilitators) return;
		const view = views.room(room);
		if (forProjection) io.to(channel.projection(id)).emit('projectionRoom', view);
		if (forFacilitators) io.to(channel.facilitators(id)).emit('facilitator', views.facilitator(room, view));
	}, roomFailed('room (projection, animation)'));

	const figures = watchers.slower(FIGURES_EVERY_MS);

	/** What was last sent to a channel, by event name: an unchanged view is not sent again. */
	const lastSent = new Map<string, string>();
	function changed(to: string, event: string, payload: unknown): boolean {
		const key = `${to} ${event}`;
		const json = JSON.stringify(payload);
		if (json === lastSent.get(key)) return false;
		lastSent.set(key, json);
		return true;
	}
	const forget = (to: string, event: string) => lastSent.delete(`${to} ${event}`);

	const phones = new Throttled(PHONES_EVERY_MS, (id) => {
		const room = views.findRoom(id);
		if (!room || !watched(channel.room(id))) {
			phoneViews.delete(id);
			return forget(channel.room(id), 'room');
		}
		const view = phoneRoom(room);
		if (changed(channel.room(id), 'room', view)) io.to(channel.room(id)).emit('room', view);
	}, roomFailed('room (téléphones)'));

	const organisers = new Throttled(ORGANISER_EVERY_MS, (id, later) => {
		const event = views.findEvent(id);
		if (!event || !watched(channel.organisers(id))) return forget(channel.organisers(id), 'people');
		// Room by room, one per turn: at 1,000 people the whole document would hold the loop too long.
		const rooms = views.rooms(id);
		const built: OrganiserDocument['rooms'] = [];
		const step = () => {
			const room = rooms[built.length];
			if (room) {
				built.push(views.organiserRoom(event, room, { writeups: false }));
				return later(step);
			}
			io.to(channel.organisers(id)).emit('organiser', views.organiserDocumentOf(event, built));
			// The list of people changes on joins and moves only.
			const people = views.people(id);
			if (changed(channel.organisers(id), 'people', people)) io.to(channel.organisers(id)).emit('people', people);
		};
		step();
	}, (id, err) => faults.failed(id, 'organiser', err, [channel.organisers(id)]));

	const organiserFigures = organisers.slower(ORGANISER_FIGURES_EVERY_MS);

	/** Groups whose write-up progress changed, by room: sent within the same turn of the loop. */
	const progressDue = new Map<string, Set<string>>();
	const progress = new Throttled(0, (roomId) => {
		const groups = progressDue.get(roomId) ?? new Set<string>();
		progressDue.delete(roomId);
		const updates: ProgressUpdate[] = [...groups].map((groupId) => ({ groupId, progress: palabre.writeups.progress(groupId) }));
		io.to([channel.projection(roomId), channel.facilitators(roomId)]).emit('progress', updates);
	}, roomFailed('progress'));

	return {
		/** Whether this event's links were renewed while this process runs. */
		rotated: (eventId: string) => rotated.has(eventId),
		phoneRoom,
		close() {
			unsubscribe();
			clearTimeout(timer);
			for (const t of [watchers, figures, phones, organisers, organiserFigures, progress]) t.close();
		}
	};
}
