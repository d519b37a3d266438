/**
 * The control plane over socket.io, kept thin: the handshake says who is connected (through
 * server/access.ts), each message is parsed by its protocol schema, authorised, handed to one
 * service, and answered; a new connection gets its snapshot. Who hears about the changes is
 * the fan-out's business (./fanout.ts).
 */
import { ClientMessages, SocketAuth, describeZodError, type Ack, type ClientMessage, type ClientMessageName } from '../../src/lib/protocol';
import type { GoneReason } from '../../src/lib/views';
import type { Identity } from '../access';
import type { Limits } from '../config';
import { PalabreError, refusalOf } from '../errors';
import type { Palabre } from '../palabre';
import { meView } from '../readModels';
import { channel, type ControlServer, type ControlSocket } from './channels';
import { attachFanout } from './fanout';
import { Faults } from './faults';

type Role = Identity['role'];
interface Handler<N extends ClientMessageName> {
	roles: Role[];
	/** A cheap check before validation, so that a flood is refused before it costs. */
	admit?: (who: Identity, raw: unknown) => void;
	/** `token`: the one the connection was opened with. */
	run: (who: Identity, msg: ClientMessage<N>, token: string) => unknown;
	/**
	 * It stores nothing and reports no save (a write-up ticket lives in memory): answered without
	 * waiting for the store's sync, as its HTTP route is. When a whole room opens its write-ups,
	 * the sync under way is the pens' (up to a quarter of a second on a slow disk).
	 */
	answersAtOnce?: true;
}
type Handlers = { [N in ClientMessageName]: Handler<N> };

const DRIVERS: Role[] = ['facilitator', 'organiser'];

/** Every client message: who may send it, and the one service call it makes. */
function handlers(palabre: Palabre): Handlers {
	const { access, people, seating, stages, speaking, board, writeups, events, statements, verbatims } = palabre;
	const me = (who: Identity) => access.me(who);
	const room = (who: Identity, roomId: string) => access.drivenRoom(who, roomId);
	return {
		'participant:chooseRoom': { roles: ['participant'], run: (who, msg) => meView(people.chooseRoom(me(who), msg.roomId)) },
		'group:pick': { roles: ['participant'], run: (who, msg) => seating.pick(me(who), msg.statementId) },
		'group:leave': { roles: ['participant'], run: (who) => seating.leave(me(who)) },
		'group:evaluate': { roles: ['participant'], run: (who, msg) => stages.evaluate(me(who), msg) },
		'group:evaluating': { roles: ['participant'], run: (who, msg) => stages.filling(me(who), msg.on) },
		'group:setRapporteur': { roles: ['participant'], run: (who, msg) => writeups.setRapporteur(me(who), msg.stage, msg.on) },
		'speaking:taps': {
			roles: ['participant'],
			admit: (who, raw) => speaking.admit(me(who), raw),
			run: (who, msg) => speaking.addTaps(me(who), msg)
		},
		'room:setPhase': { roles: DRIVERS, run: (who, msg) => seating.setPhase(room(who, msg.roomId), msg.phase, msg.presenting) },
		'room:addPerson': {
			roles: DRIVERS,
			run: (who, msg) => seating.addPerson(room(who, msg.roomId), msg.displayName, msg.categories, msg.statementId)
		},
		'room:move': {
			roles: DRIVERS,
			run: (who, msg) =>
				seating.move(room(who, msg.roomId), msg.participantId, 'groupId' in msg ? { groupId: msg.groupId } : { statementId: msg.statementId })
		},
		'room:merge': { roles: DRIVERS, run: (who, msg) => seating.merge(room(who, msg.roomId), msg.groupA, msg.groupB) },
		'writeup:ticket': {
			roles: ['participant', 'facilitator', 'organiser'],
			run: (_who, msg, token) => writeups.ticket(msg.doc, token),
			answersAtOnce: true
		},
		'writeup:setOpen': {
			roles: DRIVERS,
			run: (who, msg) => writeups.setOpen(room(who, msg.roomId), msg.groupId, msg.open, who.role === 'organiser' ? 'organiser' : 'facilitator')
		},
		'room:rebalance': { roles: DRIVERS, run: (who, msg) => seating.rebalance(room(who, msg.roomId), msg.statementId) },
		'room:notifyGroup': { roles: DRIVERS, run: (who, msg) => seating.notifyGroup(room(who, msg.roomId), msg.groupId, msg.text) },
		'room:setGroupLabel': { roles: ['organiser'], run: (who, msg) => seating.setLabel(room(who, msg.roomId), msg.groupId, msg.label) },
		'stage:control': {
			roles: DRIVERS,
			run: (who, msg) => {
				stages.command(room(who, msg.roomId), msg.command);
			}
		},
		'organiser:assignRoom': { roles: ['organiser'], run: (who, msg) => meView(people.assignRoom(who.eventId, msg.participantId, msg.roomId)) },
		'organiser:translate': { roles: ['organiser'], run: (who, msg) => events.translate(access.organiserEvent(who), msg) },
		'organiser:editStatements': { roles: ['organiser'], run: (who, msg) => statements.edit(room(who, msg.roomId), msg.statements) },
		'organiser:publishAssignment': { roles: ['organiser'], run: (who, msg) => people.assignRooms(who.eventId, msg.assignments) },
		'board:op': { roles: DRIVERS, run: (who, msg) => board.operate(who.eventId, msg.op) },
		'board:send': {
			roles: ['participant', ...DRIVERS],
			run: (who, msg) => {
				if (who.role === 'participant') return board.sendAsMember(me(who), msg.itemId);
				if (!msg.groupId) throw new PalabreError(400, 'fieldRequired', { field: 'groupId' });
				return board.send(who.eventId, access.drivenGroup(who, msg.groupId).groupId, msg.itemId);
			}
		},
		'board:support': { roles: ['participant'], run: (who, msg) => board.support(me(who), msg.itemId, msg.on) },
		'workshop:add': { roles: ['organiser'], run: (who, msg) => verbatims.addWorkshop(access.organiserEvent(who), msg.title) },
		'verbatim:edit': { roles: ['organiser'], run: (who, msg) => verbatims.edit(access.organiserEvent(who), msg) },
		'verbatim:merge': { roles: ['organiser'], run: (who, msg) => verbatims.merge(access.organiserEvent(who), msg) },
		'verbatim:toStatement': { roles: ['organiser'], run: (who, msg) => verbatims.toStatement(access.organiserEvent(who), msg) },
		'writeup:comment': {
			roles: DRIVERS,
			run: (who, msg) =>
				writeups.comment(room(who, msg.roomId), msg.groupId, msg.itemId, msg.text, who.role === 'organiser' ? 'organiser' : 'facilitator')
		}
	};
}

export function attachControlPlane(io: ControlServer, palabre: Palabre, limits: Limits) {
	const { access, views } = palabre;
	const faults = new Faults(io);
	const fanout = attachFanout(io, palabre, faults);
	const table = handlers(palabre);
	/** Open sockets per participant: a stolen or looping token cannot open thousands. */
	const open = new Map<string, ControlSocket[]>();

	// ---- who are you? ----
	io.use((socket, next) => {
		const parsed = SocketAuth.safeParse(socket.handshake.auth);
		if (!parsed.success) return next(refused(new PalabreError(400, 'invalid', { detail: `auth: ${describeZodError(parsed.error)}` })));
		const auth = parsed.data;
		try {
			socket.data.who = identify(socket, auth);
			socket.data.token = auth.token;
			next();
		} catch (err) {
			// An old link of an event whose links were renewed: the page says so, as to a connection
			// that was open at the rotation (the same `gone` reason).
			const eventId = auth.role === 'organiser' ? auth.eventId : auth.role === 'participant' ? '' : (views.findRoom(auth.roomId)?.eventId ?? '');
			next(refused(err, fanout.rotated(eventId) && auth.role !== 'participant' ? 'linksRotated' : undefined));
		}
	});

	function identify(socket: ControlSocket, auth: SocketAuth): Identity {
		if (auth.role === 'facilitator') {
			const room = access.facilitator(auth.roomId, auth.token);
			return { role: 'facilitator', eventId: room.eventId, roomId: room.id };
		}
		if (auth.role === 'projection') {
			const room = access.projection(auth.roomId, auth.token);
			return { role: 'projection', eventId: room.eventId, roomId: room.id };
		}
		if (auth.role === 'organiser') {
			access.organiser(auth.eventId, auth.token);
			return { role: 'organiser', eventId: auth.eventId };
		}
		const p = access.participant(auth.token);
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
		return { role: 'participant', eventId: p.eventId, participantId: p.id };
	}

	// ---- what may they say? ----
	io.on('connection', async (socket) => {
		const who = socket.data.who;
		for (const name of Object.keys(table) as ClientMessageName[]) {
			socket.on(name, (raw: unknown, ack?: (a: Ack) => void) => {
				const reply = typeof ack === 'function' ? ack : () => {};
				const refuse = (err: unknown) => {
					const { refused, internal } = refusalOf(err);
					if (internal) faults.failed(who.eventId, name, err, []);
					reply({ ok: false, ...refused });
				};
				const { roles, admit, run, answersAtOnce } = table[name] as Handler<typeof name>;
				if (!roles.includes(who.role)) return refuse(new PalabreError(403, 'forbiddenForRole'));
				try {
					admit?.(who, raw);
				} catch (err) {
					return refuse(err);
				}
				const parsed = ClientMessages[name].safeParse(raw);
				if (!parsed.success) return refuse(new PalabreError(400, 'invalid', { detail: describeZodError(parsed.error) }));
				// One path for handlers answering at once and those answering later (a write-up
				// comment, stored by the Yjs process); a throw becomes the refusal.
				// The acknowledgement follows the store's commit of what the handler wrote (PostgreSQL's).
				Promise.resolve()
					.then(() => run(who, parsed.data as ClientMessage<typeof name>, socket.data.token))
					.then(async (data) => {
						if (!answersAtOnce) await palabre.committed();
						return data;
					})
					.then((data) => reply({ ok: true, data: data ?? null }), refuse);
			});
		}
		// Clock samples for the timers: the client measures its offset to this.
		socket.on('time', (ack) => typeof ack === 'function' && ack(Date.now()));

		try {
			await sendInitial(socket, who);
		} catch (err) {
			// The participant or room may have been deleted between handshake and now.
			if (!(err instanceof PalabreError)) console.error('connexion', err);
			socket.emit('gone', 'unavailable');
			socket.disconnect(true);
		}
	});

	/** A new connection's snapshot, and the channels that bring it the next changes. */
	async function sendInitial(socket: ControlSocket, who: Identity) {
		/**
		 * One view of the snapshot: if it cannot be built, this socket gets a `fault` and the rest of
		 * the snapshot, and stays connected (with its channels joined, the next change retries).
		 * A PalabreError (the person or room deleted meanwhile) ends the connection (above).
		 */
		const view = async (what: string, build: () => unknown) => {
			try {
				await build();
			} catch (err) {
				if (err instanceof PalabreError) throw err;
				faults.failed(who.eventId, what, err, [socket.id]);
			}
		};
		// Everyone connected to an event sees its board.
		await socket.join(channel.event(who.eventId));
		await view('board', () => {
			socket.emit('board', palabre.board.publicBoard(who.eventId));
			if (who.role === 'participant') socket.emit('mySupports', palabre.board.supportsOfPerson(who.eventId, who.participantId));
		});
		if (who.role === 'participant') {
			const p = access.me(who);
			await socket.join(channel.participant(p.id));
			if (p.roomId) await socket.join(channel.room(p.roomId));
			if (p.groupId) await socket.join(channel.group(p.groupId));
			await view('session', () => socket.emit('session', views.session(p)));
			const roomId = p.roomId;
			if (roomId) await view('room', () => socket.emit('room', fanout.phoneRoom(access.room(roomId))));
			const groupId = p.groupId;
			if (groupId) await view('speaking', () => socket.emit('speaking', palabre.speaking.groupView(groupId)));
		} else if (who.role === 'projection') {
			await socket.join(channel.projection(who.roomId));
			await view('projection', async () => socket.emit('projection', await views.projection(access.room(who.roomId))));
		} else if (who.role === 'facilitator') {
			await socket.join(channel.facilitators(who.roomId));
			await view('facilitator', () => socket.emit('facilitator', views.facilitator(access.room(who.roomId))));
		} else {
			await socket.join(channel.organisers(who.eventId));
			await view('organiser', () => {
				socket.emit('organiser', views.organiserDocument(access.organiserEvent(who), { writeups: false }));
				socket.emit('people', views.people(who.eventId));
			});
		}
	}

	return {
		close() {
			fanout.close();
		}
	};
}

/** A refused handshake: the refusal's words and code for the page, and why an old link is over. */
function refused(err: unknown, gone?: GoneReason): Error & { data?: unknown } {
	const { refused } = refusalOf(err);
	const error: Error & { data?: unknown } = new Error(refused.error);
	error.data = { ...refused, ...(gone ? { gone } : {}) };
	return error;
}
