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
	type ClientMessage
} from '../../src/lib/protocol';
import type { Limits } from '../config';
import { PalabreError, type Change, type Palabre } from '../service';

const FLUSH_MS = 25;
/** The organisers' full document is the heaviest view: at most once a second. */
const ORGANISER_EVERY_MS = 1_000;
/**
 * Phones get the room view at most once a second: during the stages it changes with every
 * write-up item and tap in the room, and a phone on venue Wi-Fi needs none of that at once
 * (its own group arrives through its own channel). Projections and facilitators get it at once.
 */
const PHONES_EVERY_MS = 1_000;

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
					oldest?.emit('gone', 'remplacée par une connexion plus récente');
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
			next(new Error(err instanceof PalabreError ? err.message : 'auth: refusé'));
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

	const handlers: { [N in ClientMessageName]: { roles: Identity['role'][]; fn: HandlerFn<N> } } = {
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
		'speaking:taps': { roles: ['participant'], fn: (who, msg) => palabre.speaking.addTaps(me(who), msg) },
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
		}
	};

	io.on('connection', async (socket) => {
		const who = socket.data.who as Identity;
		for (const name of Object.keys(handlers) as ClientMessageName[]) {
			socket.on(name, (raw: unknown, ack?: (a: Ack) => void) => {
				const reply = typeof ack === 'function' ? ack : () => {};
				const { roles, fn } = handlers[name] as { roles: Identity['role'][]; fn: HandlerFn<typeof name> };
				if (!roles.includes(who.role)) return reply({ ok: false, error: 'action non permise pour ce rôle' });
				const parsed = ClientMessages[name].safeParse(raw);
				if (!parsed.success) return reply({ ok: false, error: describeZodError(parsed.error) });
				try {
					reply({ ok: true, data: fn(who, parsed.data, socket) ?? null });
				} catch (err) {
					if (err instanceof PalabreError) reply({ ok: false, error: err.message });
					else {
						console.error(`Erreur sur ${name}`, err);
						reply({ ok: false, error: 'erreur interne' });
					}
				}
			});
		}
		// Clock samples for the timers: the client measures its offset to this.
		socket.on('time', (ack?: (t: number) => void) => typeof ack === 'function' && ack(Date.now()));

		try {
			await sendInitial(socket, who);
		} catch (err) {
			// The participant or room may have been deleted between handshake and now.
			socket.emit('gone', err instanceof PalabreError ? err.message : 'indisponible');
			socket.disconnect(true);
		}
	});

	async function sendInitial(socket: Socket, who: Identity) {
		// Everyone connected to an event sees its board.
		await socket.join(channel.event(who.eventId));
		socket.emit('board', palabre.board.publicBoard(who.eventId));
		if (who.role === 'participant') {
			const { board } = palabre.store.getBoard(who.eventId);
			socket.emit('mySupports', palabre.board.supportsOf(board, who.participantId));
		}
		if (who.role === 'participant') {
			const p = palabre.authoriseParticipantById(who.participantId);
			await socket.join(channel.participant(p.id));
			if (p.roomId) await socket.join(channel.room(p.roomId));
			socket.emit('session', palabre.session(p));
			if (p.roomId) socket.emit('room', palabre.roomView(palabre.room(p.roomId)));
			if (p.groupId) socket.emit('speaking', palabre.speaking.groupView(p.groupId));
		} else if (who.role === 'projection') {
			await socket.join(channel.projection(who.roomId));
			socket.emit('projection', await palabre.projectionView(palabre.room(who.roomId)));
		} else if (who.role === 'facilitator') {
			await socket.join(channel.facilitators(who.roomId));
			socket.emit('facilitator', palabre.facilitatorView(palabre.room(who.roomId)));
		} else {
			await socket.join(channel.organisers(who.eventId));
			socket.emit('organiser', palabre.organiserDocument(palabre.event(who.eventId), { writeups: false }));
			socket.emit('people', palabre.people(who.eventId));
		}
	}

	// ---- coalesced updates ----
	let urgent = false;
	const dirty = { events: new Set<string>(), rooms: new Set<string>(), participants: new Set<string>(), boards: new Set<string>() };
	let timer: NodeJS.Timeout | undefined;

	function flush() {
		timer = undefined;
		const { events, rooms, participants, boards } = dirty;
		// Each view is built once per flush, however many sockets receive it.
		const speakingViews = new Map<string, ReturnType<Palabre['speaking']['groupView']>>();
		const speakingOf = (groupId: string) => {
			if (!speakingViews.has(groupId)) speakingViews.set(groupId, palabre.speaking.groupView(groupId));
			return speakingViews.get(groupId);
		};
		for (const id of boards) io.to(channel.event(id)).emit('board', palabre.board.publicBoard(id));
		for (const id of participants) {
			const p = palabre.store.getParticipant(id);
			if (!p) continue;
			const target = io.in(channel.participant(id));
			// Keep the participant's sockets subscribed to their current room only; the room's
			// update below then reaches them.
			for (const r of palabre.store.listRooms(p.eventId)) {
				if (r.id === p.roomId) target.socketsJoin(channel.room(r.id));
				else target.socketsLeave(channel.room(r.id));
			}
			io.to(channel.participant(id)).emit('session', palabre.session(p));
			if (p.groupId) io.to(channel.participant(id)).emit('speaking', speakingOf(p.groupId));
			if (p.roomId) rooms.add(p.roomId);
		}
		for (const id of rooms) {
			const room = palabre.store.getRoom(id);
			if (!room) continue;
			const view = palabre.roomView(room);
			io.to(channel.projection(id)).emit('room', view);
			io.to(channel.facilitators(id)).emit('facilitator', palabre.facilitatorView(room, view));
			phonesDue.add(id);
		}
		if (urgent) {
			if (phonesTimer) clearTimeout(phonesTimer);
			phonesTimer = undefined;
			flushPhones();
		} else phonesTimer ??= setTimeout(flushPhones, Math.max(0, lastPhones + PHONES_EVERY_MS - Date.now()));
		urgent = false;
		for (const id of events) organisersDue.add(id);
		organisersTimer ??= setTimeout(flushOrganisers, Math.max(0, lastOrganisers + ORGANISER_EVERY_MS - Date.now()));
		events.clear();
		rooms.clear();
		participants.clear();
		boards.clear();
	}

	const phonesDue = new Set<string>();
	let phonesTimer: NodeJS.Timeout | undefined;
	let lastPhones = 0;
	function flushPhones() {
		phonesTimer = undefined;
		lastPhones = Date.now();
		for (const id of phonesDue) {
			const room = palabre.store.getRoom(id);
			if (room) io.to(channel.room(id)).emit('room', palabre.roomView(room));
		}
		phonesDue.clear();
	}

	const organisersDue = new Set<string>();
	let organisersTimer: NodeJS.Timeout | undefined;
	let lastOrganisers = 0;
	function flushOrganisers() {
		organisersTimer = undefined;
		lastOrganisers = Date.now();
		for (const id of organisersDue) {
			const event = palabre.store.getEvent(id);
			if (!event) continue;
			io.to(channel.organisers(id)).emit('organiser', palabre.organiserDocument(event, { writeups: false }));
			io.to(channel.organisers(id)).emit('people', palabre.people(id));
		}
		organisersDue.clear();
	}

	// A deleted event: everyone connected to it is told, then disconnected.
	palabre.onEventGone(async (eventId, what) => {
		for (const socket of await io.fetchSockets()) {
			const who = socket.data.who as Identity | undefined;
			if (who?.eventId !== eventId || (what === 'links' && who.role === 'participant')) continue;
			socket.emit('gone', what === 'event' ? 'événement supprimé' : 'lien renouvelé');
			socket.disconnect(true);
		}
	});

	// A deleted person: their phones are told and disconnected.
	palabre.onPersonGone((participantId) => {
		io.to(channel.participant(participantId)).emit('gone', 'données effacées');
		io.in(channel.participant(participantId)).disconnectSockets(true);
	});

	const unsubscribe = palabre.onChange((c: Change) => {
		dirty.events.add(c.eventId);
		if (c.urgent) urgent = true;
		if (c.board) dirty.boards.add(c.eventId);
		for (const r of c.roomIds) if (r) dirty.rooms.add(r);
		for (const p of c.participantIds) dirty.participants.add(p);
		timer ??= setTimeout(flush, FLUSH_MS);
	});

	return {
		close() {
			unsubscribe();
			if (timer) clearTimeout(timer);
			if (organisersTimer) clearTimeout(organisersTimer);
			if (phonesTimer) clearTimeout(phonesTimer);
		}
	};
}
