/**
 * The control plane over socket.io: who is connected as what, the messages they may send,
 * and the snapshots they receive. Changes are coalesced (a rush of 300 picks sends one
 * update per room, not 300) and each socket gets the views its role may see.
 */
import type { Server, Socket } from 'socket.io';
import {
	ClientMessages,
	SocketAuth,
	describeZodError,
	type Ack,
	type ClientMessageName,
	type ClientMessage,
	type Fault
} from '../../src/lib/protocol';
import { phoneRoomView, type GoneReason, type OrganiserDocument, type ProgressUpdate } from '../../src/lib/views';
import type { Limits } from '../config';
import { PalabreError, type Change, type Palabre } from '../service';
import { STORAGE_FULL, isStorageFull } from '../store/sqlite';

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

/**
 * Sends the views of the ids marked since the last run, at most once every `everyMs`, or at
 * once when urgent: a rush of changes costs one view per id and period, not one per change.
 * Views are built one per turn of the event loop (a view may add steps of its own through
 * `later`), so keystrokes waiting to be relayed go in between. A step that throws is one id's
 * failure, handed to `fail`: the other ids' views still go, now and later.
 */
class Throttled {
	private readonly due = new Set<string>();
	private readonly steps: { id: string; step: () => void }[] = [];
	private timer: NodeJS.Timeout | undefined;
	private pending: NodeJS.Immediate | undefined;
	private last = 0;

	constructor(
		private readonly everyMs: number,
		private readonly send: (id: string, later: (step: () => void) => void) => void,
		private readonly fail: (id: string, err: unknown) => void = () => {}
	) {}

	mark(id: string) {
		this.due.add(id);
	}

	schedule(urgent: boolean) {
		if (this.due.size === 0) return;
		if (urgent) {
			clearTimeout(this.timer);
			this.run();
		} else this.timer ??= setTimeout(() => this.run(), Math.max(0, this.last + this.everyMs - Date.now()));
	}

	private run() {
		this.timer = undefined;
		this.last = Date.now();
		for (const id of this.due) this.later(id, () => this.send(id, (step) => this.later(id, step)));
		this.due.clear();
	}

	private later(id: string, step: () => void) {
		this.steps.push({ id, step });
		this.pending ??= setImmediate(() => this.pump());
	}

	private pump() {
		this.pending = undefined;
		const next = this.steps.shift();
		try {
			next?.step();
		} catch (err) {
			this.fail(next?.id as string, err);
		}
		if (this.steps.length) this.pending = setImmediate(() => this.pump());
	}

	/** A slower lane into this throttle: what is marked there reaches it at most once every `everyMs`. */
	slower(everyMs: number): Throttled {
		return new Throttled(everyMs, (id) => {
			this.mark(id);
			this.schedule(false);
		});
	}

	close() {
		clearTimeout(this.timer);
		clearImmediate(this.pending);
		this.steps.length = 0;
	}
}

type Identity =
	| { role: 'participant'; eventId: string; participantId: string }
	| { role: 'projection'; eventId: string; roomId: string }
	| { role: 'facilitator'; eventId: string; roomId: string }
	| { role: 'organiser'; eventId: string };

type HandlerFn<N extends ClientMessageName> = (who: Identity, msg: ClientMessage<N>, socket: Socket) => unknown;

const channel = {
	participant: (id: string) => `p:${id}`,
	room: (id: string) => `r:${id}`,
	projection: (id: string) => `rp:${id}`,
	organisers: (eventId: string) => `o:${eventId}`,
	event: (eventId: string) => `e:${eventId}`,
	facilitators: (roomId: string) => `f:${roomId}`
};

export function attachControlPlane(io: Server, palabre: Palabre, limits: Limits) {
	/** Open sockets per participant: a stolen or looping token cannot open thousands. */
	const open = new Map<string, Socket[]>();
	/** Events whose links were renewed while this process runs. */
	const rotated = new Set<string>();

	// ---- one event's failure stays that event's ----
	/** When each event's failure of each kind was last logged: a view failing every second logs once a minute. */
	const logged = new Map<string, number>();
	/**
	 * Something failed while serving one event (a view, a handler): logged with the event's id, and
	 * its clients (channels `to`) told by a `fault` message they can show. Nothing else stops.
	 */
	function failed(eventId: string | (() => string | undefined), what: string, err: unknown, to: string[]) {
		let id: string | undefined;
		try {
			id = typeof eventId === 'string' ? eventId : eventId();
		} catch {
			// The failure may be reading the event itself.
		}
		const now = Date.now();
		const key = `${id} ${what}`;
		if (now - (logged.get(key) ?? 0) >= 60_000) {
			logged.set(key, now);
			console.error(`Erreur sur l’événement ${id ?? '?'} (${what}) ; les autres événements continuent :`, err);
		}
		if (to.length) io.to(to).emit('fault', { eventId: id ?? null, at: now } satisfies Fault);
	}
	/** Runs one event's unit of work; a throw is that event's `failed`. */
	function isolated(eventId: string | (() => string | undefined), what: string, to: string[], work: () => void) {
		try {
			work();
		} catch (err) {
			failed(eventId, what, err, to);
		}
	}
	/** The event of a room, or undefined (unknown, or unreadable). */
	const roomsEvent = (roomId: string) => {
		try {
			return palabre.store.getRoom(roomId)?.eventId;
		} catch {
			return undefined;
		}
	};
	const eventOfRoom = (roomId: string) => () => roomsEvent(roomId);
	const roomChannels = (roomId: string) => [channel.room(roomId), channel.projection(roomId), channel.facilitators(roomId)];
	/** A room's lane failed: its phones, projection and facilitators are told. */
	const roomFailed = (what: string) => (roomId: string, err: unknown) => failed(eventOfRoom(roomId), what, err, roomChannels(roomId));

	// ---- who are you? ----
	io.use((socket, next) => {
		const parsed = SocketAuth.safeParse(socket.handshake.auth);
		if (!parsed.success) return next(new Error(`auth: ${describeZodError(parsed.error)}`));
		const auth = parsed.data;
		try {
			let who: Identity;
			if (auth.role === 'participant') {
				const p = palabre.authoriseParticipant(auth.token);
				who = { role: 'participant', eventId: p.eventId, participantId: p.id };
				// Over the cap, the oldest connection gives way: a phone whose Wi-Fi dropped without
				// closing still counts until its heartbeat times out, and must not lock its owner out.
				const mine = open.get(p.id) ?? [];
				while (mine.length >= limits.connectionsPerParticipant) {
					const oldest = mine.shift();
					oldest?.emit('gone', 'replaced' satisfies GoneReason);
					oldest?.disconnect(true);
				}
				mine.push(socket);
				open.set(p.id, mine);
				socket.once('disconnect', () => {
					const left = (open.get(p.id) ?? []).filter((s) => s !== socket);
					if (left.length) open.set(p.id, left);
					else open.delete(p.id);
				});
			} else if (auth.role === 'facilitator') {
				const room = palabre.authoriseFacilitator(auth.roomId, auth.token);
				who = { role: 'facilitator', eventId: room.eventId, roomId: room.id };
			} else if (auth.role === 'projection') {
				const room = palabre.authoriseProjection(auth.roomId, auth.token);
				who = { role: 'projection', eventId: room.eventId, roomId: room.id };
			} else {
				palabre.authoriseOrganiser(auth.eventId, auth.token);
				who = { role: 'organiser', eventId: auth.eventId };
			}
			socket.data.who = who;
			next();
		} catch (err) {
			const refusal: Error & { data?: { gone: GoneReason } } = new Error(err instanceof PalabreError ? err.message : 'auth: refusé');
			// An old link of an event whose links were renewed: the page says so, as to a connection
			// that was open at the rotation (the same `gone` reason).
			if (auth.role !== 'participant' && rotated.has(auth.role === 'organiser' ? auth.eventId : (roomsEvent(auth.roomId) ?? ''))) {
				refusal.data = { gone: 'linksRotated' };
			}
			next(refusal);
		}
	});

	// ---- what may they say? ----
	const me = (who: Identity) => {
		if (who.role !== 'participant') throw new PalabreError(403, 'réservé aux participant·e·s');
		return palabre.authoriseParticipantById(who.participantId);
	};
	/** The room a facilitator's message is about, if this socket may drive it. */
	const drivenRoom = (who: Identity, roomId: string) => {
		const room = palabre.room(roomId);
		const allowed =
			(who.role === 'facilitator' && who.roomId === room.id) || (who.role === 'organiser' && who.eventId === room.eventId);
		if (!allowed) throw new PalabreError(403, 'cette salle n’est pas la vôtre');
		return room;
	};
	const drivers: Identity['role'][] = ['facilitator', 'organiser'];

	/** `admit`: a cheap check before validation, so that a flood is refused before it costs. */
	const handlers: { [N in ClientMessageName]: { roles: Identity['role'][]; admit?: (who: Identity, raw: unknown) => void; fn: HandlerFn<N> } } = {
		'participant:chooseRoom': { roles: ['participant'], fn: (who, msg) => palabre.chooseRoom(me(who), msg.roomId) },
		'group:pick': { roles: ['participant'], fn: (who, msg) => palabre.seating.pick(me(who), msg.statementId) },
		'group:leave': { roles: ['participant'], fn: (who) => palabre.seating.leave(me(who)) },
		'room:setPhase': {
			roles: drivers,
			fn: (who, msg) => palabre.seating.setPhase(drivenRoom(who, msg.roomId), msg.phase, msg.presenting)
		},
		'room:addPerson': {
			roles: drivers,
			fn: (who, msg) =>
				palabre.seating.addPerson(drivenRoom(who, msg.roomId), msg.displayName, msg.categories, msg.statementId)
		},
		'room:move': {
			roles: drivers,
			fn: (who, msg) =>
				palabre.seating.move(
					drivenRoom(who, msg.roomId),
					msg.participantId,
					'groupId' in msg ? { groupId: msg.groupId } : { statementId: msg.statementId }
				)
		},
		'room:merge': {
			roles: drivers,
			fn: (who, msg) => palabre.seating.merge(drivenRoom(who, msg.roomId), msg.groupA, msg.groupB)
		},
		'organiser:assignRoom': {
			roles: ['organiser'],
			fn: (who, msg) => {
				const p = palabre.store.getParticipant(msg.participantId);
				if (!p || p.eventId !== who.eventId) throw new PalabreError(400, 'participantId: personne inconnue');
				return palabre.chooseRoom(p, msg.roomId);
			}
		},
		'organiser:translate': { roles: ['organiser'], fn: (who, msg) => palabre.translate(palabre.event(who.eventId), msg) },
		'room:setGroupLabel': {
			roles: ['organiser'],
			fn: (who, msg) => palabre.seating.setLabel(drivenRoom(who, msg.roomId), msg.groupId, msg.label)
		},
		'stage:control': {
			roles: drivers,
			fn: (who, msg) => {
				palabre.stages.command(drivenRoom(who, msg.roomId), msg.command);
			}
		},
		'room:notifyGroup': {
			roles: drivers,
			fn: (who, msg) => {
				const room = drivenRoom(who, msg.roomId);
				const group = palabre.store.getGroup(msg.groupId);
				if (!group || group.roomId !== room.id) throw new PalabreError(400, 'groupId: groupe inconnu dans cette salle');
				for (const p of palabre.store.listRoomParticipants(room.id)) {
					if (p.groupId === group.id) io.to(channel.participant(p.id)).emit('notice', { text: msg.text, at: Date.now() });
				}
			}
		},
		'group:evaluate': { roles: ['participant'], fn: (who, msg) => palabre.stages.evaluate(me(who), msg) },
		'group:setRapporteur': { roles: ['participant'], fn: (who, msg) => palabre.setRapporteur(me(who), msg.stage, msg.on) },
		'speaking:taps': {
			roles: ['participant'],
			admit: (who, raw) => palabre.speaking.admit(me(who), raw),
			fn: (who, msg) => palabre.speaking.addTaps(me(who), msg)
		},
		'board:op': { roles: drivers, fn: (who, msg) => palabre.board.operate(who.eventId, msg.op) },
		'board:send': {
			roles: ['participant', ...drivers],
			fn: (who, msg) => {
				if (who.role === 'participant') return palabre.board.sendAsMember(me(who), msg.itemId);
				if (!msg.groupId) throw new PalabreError(400, 'groupId: requis');
				const group = palabre.store.getGroup(msg.groupId);
				if (!group) throw new PalabreError(400, 'groupId: groupe inconnu');
				drivenRoom(who, group.roomId);
				return palabre.board.send(who.eventId, msg.groupId, msg.itemId);
			}
		},
		'board:support': { roles: ['participant'], fn: (who, msg) => palabre.board.support(me(who), msg.itemId, msg.on) },
		'writeup:comment': {
			roles: drivers,
			fn: (who, msg) =>
				palabre.writeups.comment(
					drivenRoom(who, msg.roomId),
					msg.groupId,
					msg.itemId,
					msg.text,
					who.role === 'organiser' ? 'organiser' : 'facilitator'
				)
		},
		'writeup:setOpen': {
			roles: drivers,
			fn: (who, msg) =>
				palabre.writeups.setOpen(drivenRoom(who, msg.roomId), msg.groupId, msg.open, who.role === 'organiser' ? 'organiser' : 'facilitator')
		},
		'room:rebalance': {
			roles: drivers,
			fn: (who, msg) => palabre.seating.rebalance(drivenRoom(who, msg.roomId), msg.statementId)
		}
	};

	io.on('connection', async (socket) => {
		const who = socket.data.who as Identity;
		for (const name of Object.keys(handlers) as ClientMessageName[]) {
			socket.on(name, (raw: unknown, ack?: (a: Ack) => void) => {
				const reply = typeof ack === 'function' ? ack : () => {};
				const { roles, admit, fn } = handlers[name] as { roles: Identity['role'][]; admit?: (who: Identity, raw: unknown) => void; fn: HandlerFn<typeof name> };
				if (!roles.includes(who.role)) return reply({ ok: false, error: 'action non permise pour ce rôle' });
				try {
					admit?.(who, raw);
				} catch (err) {
					return reply({ ok: false, error: err instanceof PalabreError ? err.message : 'erreur interne' });
				}
				const parsed = ClientMessages[name].safeParse(raw);
				if (!parsed.success) return reply({ ok: false, error: describeZodError(parsed.error) });
				// One path for handlers answering at once and those answering later (a write-up
				// comment, stored by the Yjs process); a throw becomes the error answer.
				Promise.resolve()
					.then(() => fn(who, parsed.data, socket))
					.then(
						(data) => reply({ ok: true, data: data ?? null }),
						(err: unknown) => {
							if (err instanceof PalabreError) reply({ ok: false, error: err.message });
							else if (isStorageFull(err)) reply({ ok: false, error: STORAGE_FULL });
							else {
								failed(who.eventId, name, err, []);
								reply({ ok: false, error: 'erreur interne : cette action n’a pas pu être faite (détails dans le journal du serveur)' });
							}
						}
					);
			});
		}
		// Clock samples for the timers: the client measures its offset to this.
		socket.on('time', (ack?: (t: number) => void) => typeof ack === 'function' && ack(Date.now()));

		try {
			await sendInitial(socket, who);
		} catch (err) {
			// The participant or room may have been deleted between handshake and now.
			if (!(err instanceof PalabreError)) console.error('connexion', err);
			socket.emit('gone', 'unavailable' satisfies GoneReason);
			socket.disconnect(true);
		}
	});

	async function sendInitial(socket: Socket, who: Identity) {
		/**
		 * One view of the snapshot: if it cannot be built, this socket gets a `fault` and the rest of
		 * the snapshot, and stays connected (with its channels joined, the next change retries).
		 * A PalabreError (the person or room deleted meanwhile) ends the connection (below).
		 */
		const view = async (what: string, build: () => unknown) => {
			try {
				await build();
			} catch (err) {
				if (err instanceof PalabreError) throw err;
				failed(who.eventId, what, err, [socket.id]);
			}
		};
		// Everyone connected to an event sees its board.
		await socket.join(channel.event(who.eventId));
		await view('board', () => {
			socket.emit('board', palabre.board.publicBoard(who.eventId));
			if (who.role === 'participant') {
				const { board } = palabre.store.getBoard(who.eventId);
				socket.emit('mySupports', palabre.board.supportsOf(board, who.participantId));
			}
		});
		if (who.role === 'participant') {
			const p = palabre.authoriseParticipantById(who.participantId);
			await socket.join(channel.participant(p.id));
			if (p.roomId) await socket.join(channel.room(p.roomId));
			await view('session', () => socket.emit('session', palabre.session(p)));
			if (p.roomId) {
				const roomId = p.roomId;
				await view('room', () => socket.emit('room', phoneRoomView(palabre.roomView(palabre.room(roomId)))));
			}
			if (p.groupId) {
				const groupId = p.groupId;
				await view('speaking', () => socket.emit('speaking', palabre.speaking.groupView(groupId)));
			}
		} else if (who.role === 'projection') {
			await socket.join(channel.projection(who.roomId));
			await view('projection', async () => socket.emit('projection', await palabre.projectionView(palabre.room(who.roomId))));
		} else if (who.role === 'facilitator') {
			await socket.join(channel.facilitators(who.roomId));
			await view('facilitator', () => socket.emit('facilitator', palabre.facilitatorView(palabre.room(who.roomId))));
		} else {
			await socket.join(channel.organisers(who.eventId));
			await view('organiser', () => {
				socket.emit('organiser', palabre.organiserDocument(palabre.event(who.eventId), { writeups: false }));
				socket.emit('people', palabre.people(who.eventId));
			});
		}
	}

	// ---- coalesced updates ----
	let urgent = false;
	const dirty = {
		events: new Set<string>(),
		rooms: new Set<string>(),
		participants: new Set<string>(),
		boards: new Set<string>(),
		/** Group → its room. */
		speaking: new Map<string, string>()
	};
	let timer: NodeJS.Timeout | undefined;
	/** Nobody to send a view to: don't build it (the heaviest views have few watchers). */
	const watched = (name: string) => (io.sockets.adapter.rooms.get(name)?.size ?? 0) > 0;

	/** Every unit of work is one event's (`isolated`): one that throws leaves the others' views going. */
	function flush() {
		timer = undefined;
		try {
			flushDirty();
		} finally {
			for (const set of Object.values(dirty)) set.clear();
		}
	}

	function flushDirty() {
		const { events, rooms, participants, boards, speaking } = dirty;
		for (const id of boards) {
			isolated(id, 'board', [channel.event(id)], () => io.to(channel.event(id)).emit('board', palabre.board.publicBoard(id)));
		}
		/** Phones that just entered a room: they get its view now, changed or not. */
		const newcomers = new Map<string, string[]>();
		for (const id of participants) {
			isolated(() => palabre.store.getParticipant(id)?.eventId, 'session', [channel.participant(id)], () => seatPhone(id));
		}
		function seatPhone(id: string) {
			const p = palabre.store.getParticipant(id);
			if (!p) return;
			const target = io.in(channel.participant(id));
			// Keep the participant's sockets subscribed to their current room only; the room's
			// update below then reaches them.
			for (const r of palabre.store.listRooms(p.eventId)) {
				if (r.id !== p.roomId) {
					target.socketsLeave(channel.room(r.id));
					continue;
				}
				const inRoom = io.sockets.adapter.rooms.get(channel.room(r.id));
				const sockets = [...(io.sockets.adapter.rooms.get(channel.participant(id)) ?? [])];
				if (sockets.some((s) => !inRoom?.has(s))) newcomers.set(r.id, [...(newcomers.get(r.id) ?? []), channel.participant(id)]);
				target.socketsJoin(channel.room(r.id));
			}
			if (p.groupId && p.roomId) speaking.set(p.groupId, p.roomId);
			if (p.roomId) rooms.add(p.roomId);
			io.to(channel.participant(id)).emit('session', palabre.session(p));
		}
		for (const [roomId, phones] of newcomers) {
			isolated(eventOfRoom(roomId), 'room', phones, () => {
				const room = palabre.store.getRoom(roomId);
				if (room) io.to(phones).emit('room', phoneRoomView(palabre.roomView(room)));
			});
		}
		// One speaking view per group, to all its members' phones at once.
		for (const [groupId, roomId] of speaking) {
			figures.mark(roomId);
			isolated(eventOfRoom(roomId), 'speaking', [channel.room(roomId)], () => {
				const members = palabre.store.listGroupMembers(groupId).map((m) => channel.participant(m.id));
				if (members.length) io.to(members).emit('speaking', palabre.speaking.groupView(groupId));
			});
		}
		figures.schedule(false);
		for (const id of rooms) {
			watchers.mark(id);
			phones.mark(id);
		}
		watchers.schedule(urgent);
		phones.schedule(urgent);
		urgent = false;
		for (const id of events) organisers.mark(id);
		organisers.schedule(false);
	}

	const watchers = new Throttled(WATCHERS_EVERY_MS, (id) => {
		const room = palabre.store.getRoom(id);
		if (!room) return;
		const forProjection = watched(channel.projection(id));
		const forFacilitators = watched(channel.facilitators(id));
		if (!forProjection && !forFacilitators) return;
		const view = palabre.roomView(room);
		if (forProjection) io.to(channel.projection(id)).emit('room', view);
		if (forFacilitators) io.to(channel.facilitators(id)).emit('facilitator', palabre.facilitatorView(room, view));
	}, roomFailed('room (projection, animation)'));

	const figures = watchers.slower(FIGURES_EVERY_MS);

	/** What was last sent to a channel, by event name: an unchanged view is not sent again. */
	const lastSent = new Map<string, string>();
	function sendIfChanged(to: string, event: string, payload: unknown) {
		const key = `${to} ${event}`;
		const json = JSON.stringify(payload);
		if (json === lastSent.get(key)) return;
		lastSent.set(key, json);
		io.to(to).emit(event, payload);
	}
	const forget = (to: string, event: string) => lastSent.delete(`${to} ${event}`);

	const phones = new Throttled(PHONES_EVERY_MS, (id) => {
		const room = palabre.store.getRoom(id);
		if (!room || !watched(channel.room(id))) return forget(channel.room(id), 'room');
		sendIfChanged(channel.room(id), 'room', phoneRoomView(palabre.roomView(room)));
	}, roomFailed('room (téléphones)'));

	const organisers = new Throttled(ORGANISER_EVERY_MS, (id, later) => {
		const event = palabre.store.getEvent(id);
		if (!event || !watched(channel.organisers(id))) return forget(channel.organisers(id), 'people');
		// Room by room, one per turn: at 1,000 people the whole document would hold the loop too long.
		const rooms = palabre.store.listRooms(id);
		const built: OrganiserDocument['rooms'] = [];
		const step = () => {
			const room = rooms[built.length];
			if (room) {
				built.push(palabre.organiserRoom(event, room, { writeups: false }));
				return later(step);
			}
			io.to(channel.organisers(id)).emit('organiser', palabre.organiserDocumentOf(event, built));
			// The list of people changes on joins and moves only.
			sendIfChanged(channel.organisers(id), 'people', palabre.people(id));
		};
		step();
	}, (id, err) => failed(id, 'organiser', err, [channel.organisers(id)]));

	const organiserFigures = organisers.slower(ORGANISER_FIGURES_EVERY_MS);

	/** Groups whose write-up progress changed, by room: sent within the same turn of the loop. */
	const progressDue = new Map<string, Set<string>>();
	const progress = new Throttled(0, (roomId) => {
		const groups = progressDue.get(roomId) ?? new Set<string>();
		progressDue.delete(roomId);
		const updates: ProgressUpdate[] = [...groups].map((groupId) => ({ groupId, progress: palabre.writeups.progress(groupId) }));
		io.to([channel.projection(roomId), channel.facilitators(roomId)]).emit('progress', updates);
	}, roomFailed('progress'));

	// A deleted event: everyone connected to it is told, then disconnected.
	palabre.onEventGone(async (eventId, what) => {
		if (what === 'links') rotated.add(eventId);
		else rotated.delete(eventId);
		for (const socket of await io.fetchSockets()) {
			const who = socket.data.who as Identity | undefined;
			if (who?.eventId !== eventId || (what === 'links' && who.role === 'participant')) continue;
			socket.emit('gone', (what === 'event' ? 'eventDeleted' : 'linksRotated') satisfies GoneReason);
			socket.disconnect(true);
		}
	});

	// A deleted person: their phones are told and disconnected.
	palabre.onPersonGone((participantId) => {
		io.to(channel.participant(participantId)).emit('gone', 'erased' satisfies GoneReason);
		io.in(channel.participant(participantId)).disconnectSockets(true);
	});

	const unsubscribe = palabre.onChange((c: Change) => {
		// Seats, stages, board: views to rebuild. Otherwise only figures moved (speaking, progress).
		const structural = c.roomIds.length > 0 || c.participantIds.length > 0 || c.board === true;
		if (structural) dirty.events.add(c.eventId);
		else {
			organiserFigures.mark(c.eventId);
			organiserFigures.schedule(false);
		}
		if (c.urgent) urgent = true;
		if (c.board) dirty.boards.add(c.eventId);
		for (const r of c.roomIds) if (r) dirty.rooms.add(r);
		for (const p of c.participantIds) dirty.participants.add(p);
		for (const { roomId, groupId } of c.speaking ?? []) dirty.speaking.set(groupId, roomId);
		for (const { roomId, groupId } of c.progress ?? []) {
			progressDue.set(roomId, (progressDue.get(roomId) ?? new Set()).add(groupId));
			progress.mark(roomId);
		}
		progress.schedule(false);
		// A change of progress alone needs no other view.
		if (structural || c.speaking?.length) timer ??= setTimeout(flush, FLUSH_MS);
	});

	return {
		close() {
			unsubscribe();
			clearTimeout(timer);
			for (const t of [watchers, figures, phones, organisers, organiserFigures, progress]) t.close();
		}
	};
}
