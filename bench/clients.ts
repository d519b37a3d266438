/**
 * A client process of the benchmark: it simulates a share of the phones with the real
 * protocols (HTTP join, socket.io-client, y-websocket providers) and answers the commands of
 * run.ts over IPC. All the members of a group live in the same process, so a keystroke and
 * its arrival in the other members' docs are timed on the same clock.
 */
import { request as httpRequest } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as decoding from 'lib0/decoding';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Ack } from '../src/lib/protocol';
import type { ParticipantSession } from '../src/lib/views';
import { addItem, docName, itemText } from '../src/lib/writeup';
import { messageSaved } from '../src/lib/yjsSaved';
import { ticketedWebSocket, type TicketChannel } from '../src/lib/client/yjsTicket';
import { round, type Summary } from './stats';
import {
	between,
	hash,
	now,
	rng,
	rolesOf,
	STEADY_AFTER_MS,
	typing,
	type ClientBytes,
	type Command,
	type JoinResult,
	type Mode,
	type PickResult,
	type PlannedGroup,
	type PlannedParticipant,
	type PrepareResult,
	type Request,
	type Role,
	type TypeResult,
	type WorkerMessage
} from './workload';

const messageSync = 0;
/** monitorEventLoopDelay records whole intervals of its timer: lag is what exceeds this. */
const LOOP_RESOLUTION_MS = 10;

/**
 * This process's event-loop delay from now until `stop()`: how late the simulated phones were
 * themselves, which every latency they measure includes.
 */
function loopDelay(): { stop(): Summary | null } {
	const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
	loop.enable();
	const ms = (ns: number) => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS));
	return {
		stop() {
			loop.disable();
			return loop.count
				? { n: loop.count, p50: ms(loop.percentile(50)), p95: ms(loop.percentile(95)), p99: ms(loop.percentile(99)), max: ms(loop.max), mean: ms(loop.mean) }
				: null;
		}
	};
}
// Every y-websocket provider adds a process 'exit' listener: hundreds here, on purpose.
process.setMaxListeners(0);

interface Writeup {
	doc: Y.Doc;
	provider: WebsocketProvider;
	/** The TCP socket of each connection the provider opened (more than one after a reconnect). */
	wires: NetSocket[];
	/** Set while a keystroke's transaction runs, so its update message can be matched to its « saved » answer. */
	keyAt: number;
	/** When the first connection got its ticket and its 101 answer (NaN until then). */
	ticketAt: number;
	upgradedAt: number;
}

interface Phone {
	plan: PlannedParticipant;
	id: string;
	token: string;
	socket: Socket | null;
	ioWire: NetSocket | null;
	groupId: string | null;
	role: Role;
	writeup: Writeup | null;
	/** Cluster mode: whether each connection is up, and this phone's latest outage (a node killed under it). */
	link: { io: boolean; yjs: boolean; downAt: number | null; backAt: number | null };
}

/** Cluster mode: the phones reconnect by themselves, as the app does, and their outages are timed. */
let reconnecting = false;
let eventId: string | undefined;
let typingRounds = 0;

/** One of a phone's two connections went down or came back: back means both up (the write-up synced again). */
function linkChanged(p: Phone, which: 'io' | 'yjs', up: boolean) {
	const wasUp = p.link.io && p.link.yjs;
	p.link[which] = up;
	if (wasUp && !up) {
		p.link.downAt = now();
		p.link.backAt = null;
	} else if (!wasUp && p.link.io && p.link.yjs && p.link.downAt !== null) p.link.backAt = now();
}

interface GroupState {
	plan: PlannedGroup;
	ordinal: number;
	phones: Phone[];
	/** When each character was typed, by `${itemId}:${index}`. */
	sent: Map<string, number>;
	created: number;
}

const phones: Phone[] = [];
let groups: GroupState[] = [];
let mode: Mode = 'palabre';
let timekeeping = false;
let errorsSeen = new Map<string, number>();

function send(message: WorkerMessage) {
	process.send?.(message);
}

function noteError(text: string) {
	errorsSeen.set(text, (errorsSeen.get(text) ?? 0) + 1);
}

function takeErrors(): string[] {
	const list = [...errorsSeen].map(([text, n]) => (n > 1 ? `${text} (×${n})` : text));
	errorsSeen = new Map();
	return list;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function postJson(base: string, path: string, body: unknown, localAddress: string): Promise<{ status: number; json: unknown }> {
	const u = new URL(path, base);
	const data = JSON.stringify(body);
	return new Promise((resolve, reject) => {
		const req = httpRequest(
			{
				host: u.hostname,
				port: u.port,
				path: u.pathname,
				method: 'POST',
				localAddress,
				// One connection per phone, as from separate devices.
				agent: false,
				headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
			},
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (text += chunk));
				res.on('end', () => {
					try {
						resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
					} catch (err) {
						reject(err);
					}
				});
			}
		);
		req.on('error', reject);
		req.setTimeout(30_000, () => req.destroy(new Error('HTTP timeout')));
		req.end(data);
	});
}

function ack<T>(socket: Socket, name: string, msg: unknown, ms: number): Promise<Ack<T>> {
	return new Promise((resolve, reject) => {
		socket.timeout(ms).emit(name, msg, (err: Error | null, answer: Ack<T>) => (err ? reject(err) : resolve(answer)));
	});
}

/** The TCP socket under a connected socket.io client (engine.io's ws transport keeps it). */
function ioWireOf(socket: Socket): NetSocket | null {
	const transport = socket.io.engine?.transport as unknown as { ws?: { _socket?: NetSocket } } | undefined;
	return transport?.ws?._socket ?? null;
}

function bytesOf(p: Phone): { ioIn: number; ioOut: number; yjsIn: number; yjsOut: number } {
	let yjsIn = 0;
	let yjsOut = 0;
	for (const w of p.writeup?.wires ?? []) {
		yjsIn += w.bytesRead;
		yjsOut += w.bytesWritten;
	}
	return { ioIn: p.ioWire?.bytesRead ?? 0, ioOut: p.ioWire?.bytesWritten ?? 0, yjsIn, yjsOut };
}

// ---- join ----
async function joinOne(url: string, joinCode: string, plan: PlannedParticipant, result: JoinResult) {
	const t0 = now();
	try {
		const res = await postJson(url, `/api/join/${joinCode}`, { displayName: plan.displayName, categories: plan.categories, roomId: plan.roomId }, plan.address);
		if (res.status !== 201) throw new Error(`join ${res.status}: ${JSON.stringify(res.json)}`);
		const { token, session } = res.json as { token: string; session: ParticipantSession };
		const t1 = now();
		const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
			path: '/socket.io',
			auth: { role: 'participant', token },
			transports: ['websocket'],
			// Cluster mode: the event in the handshake's URL, so that any node can forward the socket to its owner.
			...(eventId ? { query: { e: eventId } } : {}),
			forceNew: true,
			reconnection: reconnecting,
			reconnectionDelay: 100,
			reconnectionDelayMax: 1000,
			localAddress: plan.address
		};
		const socket = io(url, options);
		const phone: Phone = { plan, id: session.me.id, token, socket, ioWire: null, groupId: null, role: 'member', writeup: null, link: { io: true, yjs: true, downAt: null, backAt: null } };
		// Where the phone sits is what its latest session says, as in the app: a later pick's balancing
		// can move it, and that session can even come before its own pick's answer (the views go out
		// as soon as the store has committed, the answer a few microtasks later), which then names
		// the group it was first given. Sessions name a group only once the phone has picked.
		socket.on('session', (s: { group: { id: string } | null }) => {
			if (s.group) phone.groupId = s.group.id;
		});
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('no room snapshot within 30 s')), 30_000);
			// The room snapshot is what the phone needs to show the statements: the join is done.
			socket.once('room', () => {
				clearTimeout(timer);
				resolve();
			});
			socket.once('connect', () => (phone.ioWire = ioWireOf(socket)));
			socket.once('connect_error', (err) => {
				clearTimeout(timer);
				reject(err);
			});
		});
		socket.on('disconnect', (reason) => {
			if (reconnecting) linkChanged(phone, 'io', false);
			else if (reason !== 'io client disconnect') noteError(`socket.io disconnected: ${reason}`);
		});
		socket.on('connect', () => linkChanged(phone, 'io', true));
		phones.push(phone);
		result.joinHttpMs.push(t1 - t0);
		result.joinMs.push(now() - t0);
	} catch (err) {
		noteError(`join: ${(err as Error).message}`);
	}
}

async function join(cmd: Extract<Command, { cmd: 'join' }>): Promise<JoinResult> {
	reconnecting = cmd.reconnect ?? false;
	eventId = cmd.eventId;
	const result: JoinResult = { joinMs: [], joinHttpMs: [], errors: [] };
	const r = rng(1);
	await Promise.all(
		cmd.participants.map(async (plan) => {
			await sleep(r() * cmd.windowMs);
			await joinOne(cmd.url, cmd.joinCode, plan, result);
		})
	);
	phones.sort((a, b) => a.plan.index - b.plan.index);
	result.errors = takeErrors();
	return result;
}

// ---- pick ----
async function pick(cmd: Extract<Command, { cmd: 'pick' }>): Promise<PickResult> {
	const pickMs: number[] = [];
	const loop = loopDelay();
	await Promise.all(
		phones.map(async (p) => {
			const r = rng(hash(`pick:${p.plan.index}`));
			await sleep(r() * cmd.windowMs);
			const statementId = p.plan.statementIds[Math.floor(r() * p.plan.statementIds.length)] as string;
			const t0 = now();
			try {
				const answer = await ack<{ groupId: string; number: number }>(p.socket as Socket, 'group:pick', { statementId }, 30_000);
				if (!answer.ok) throw new Error(answer.error);
				pickMs.push(now() - t0);
				// A session that came first is newer than the answer.
				p.groupId ??= answer.data.groupId;
			} catch (err) {
				noteError(`pick: ${(err as Error).message}`);
			}
		})
	);
	const pickLoopDelay = loop.stop();
	// Moves made by the last picks' balancing reach the moved phones as sessions: the rush's bytes include them.
	await sleep(2_000);
	const rush = phones.map(bytesOf);
	return {
		pickMs,
		loopDelay: pickLoopDelay,
		errors: takeErrors(),
		rushBytesIn: rush.map((b) => b.ioIn),
		rushBytesOut: rush.map((b) => b.ioOut)
	};
}

/**
 * The groups as the phones' sessions say, read when the write-ups first open: the stages have
 * started, so the seats are final. A phone asking for a former group's write-up is refused (4403),
 * which the app, following its session, never is.
 */
function formGroups(): void {
	const byGroup = new Map<string, Phone[]>();
	for (const p of phones) if (p.groupId) byGroup.set(p.groupId, [...(byGroup.get(p.groupId) ?? []), p]);
	groups = [...byGroup]
		.sort(([a], [b]) => (a < b ? -1 : 1))
		.map(([groupId, members], ordinal) => ({
			plan: { groupId, members: members.map((m) => m.plan.index) },
			ordinal,
			phones: members,
			sent: new Map(),
			created: 0
		}));
}

// ---- write-ups ----
/** ws bound to the phone's own loopback address, remembering each connection's TCP socket. */
function boundWebSocket(address: string, wires: NetSocket[], onUpgrade: () => void): new (url: string | URL, protocols?: string | string[]) => WebSocket {
	return class extends WebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols, { localAddress: address });
			this.once('upgrade', (res) => {
				onUpgrade();
				wires.push(res.socket as NetSocket);
			});
		}
	};
}

/** The phone's socket.io connection as the ticket's channel, noting when the first ticket came. */
function timedChannel(p: Phone, onTicket: () => void): () => TicketChannel | undefined {
	return () => {
		const socket = p.socket;
		if (!socket) return undefined;
		return {
			get connected() {
				return socket.connected;
			},
			timeout: (ms) => ({
				emit: (event, msg, ack) =>
					socket.timeout(ms).emit(event, msg, (err: Error | null, answer: Parameters<typeof ack>[1]) => {
						onTicket();
						ack(err, answer);
					})
			})
		};
	};
}

/**
 * Palabre answers each sync step 2 or update a writer sends with [100, seq] once it is stored
 * (src/lib/yjsSaved.ts): queue the messages as they go, match the answers in order.
 */
function trackSaved(w: Writeup, onSaved: (keyAt: number) => void) {
	const { provider, doc } = w;
	const queue: number[] = [];
	const sync = provider.messageHandlers[messageSync];
	if (!sync) throw new Error('y-websocket: no sync handler');
	provider.messageHandlers[messageSync] = (encoder, decoder, p, fromSocket, type) => {
		const isStep1 = decoding.peekVarUint(decoder) === syncProtocol.messageYjsSyncStep1;
		sync(encoder, decoder, p, fromSocket, type);
		// Answered with our step 2, which gets a « saved » too.
		if (fromSocket && isStep1) queue.push(Number.NaN);
	};
	doc.on('update', (_update: Uint8Array, origin: unknown) => {
		if (origin !== provider && provider.wsconnected) queue.push(w.keyAt);
	});
	provider.messageHandlers[messageSaved] = (_encoder, decoder) => {
		decoding.readVarUint(decoder);
		const keyAt = queue.shift();
		if (keyAt !== undefined && !Number.isNaN(keyAt)) onSaved(keyAt);
	};
	provider.on('status', ({ status }) => {
		// Answers to messages sent on a lost connection never come.
		if (status === 'disconnected') queue.length = 0;
	});
}

interface Counters {
	keystrokes: number;
	items: number;
	expected: number;
	delivered: number;
	keyToPeerMs: number[];
	keyToPeerSteadyMs: number[];
	keyToSavedMs: number[];
	reconnects: number;
}
let counters: Counters = freshCounters();
/** Keystrokes sent from then on count as steady typing too (the typing phase's start + STEADY_AFTER_MS). */
let steadyFrom = Number.POSITIVE_INFINITY;
function freshCounters(): Counters {
	return { keystrokes: 0, items: 0, expected: 0, delivered: 0, keyToPeerMs: [], keyToPeerSteadyMs: [], keyToSavedMs: [], reconnects: 0 };
}

/** Times each character typed by someone else as it shows up in this member's doc. */
function observePeer(g: GroupState, doc: Y.Doc) {
	const items = doc.getMap<Y.Map<unknown>>('items');
	const seen = new Map<string, number>();
	items.observeDeep((events, transaction) => {
		if (transaction.local) return;
		const t = now();
		const touched = new Set<string>();
		for (const e of events) {
			if (e.target === items) for (const key of (e as Y.YMapEvent<unknown>).keysChanged) touched.add(key);
			else if (typeof e.path[0] === 'string') touched.add(e.path[0]);
		}
		for (const id of touched) {
			const length = itemText(doc, id)?.length ?? 0;
			const from = seen.get(id) ?? 0;
			for (let i = from; i < length; i++) {
				const sentAt = g.sent.get(`${id}:${i}`);
				if (sentAt === undefined) continue;
				counters.keyToPeerMs.push(t - sentAt);
				if (sentAt >= steadyFrom) counters.keyToPeerSteadyMs.push(t - sentAt);
				counters.delivered++;
			}
			if (length > from) seen.set(id, length);
		}
	});
}

/** The write-up of the group the phone is counted in (its keystrokes and deliveries). */
function openWriteup(url: string, p: Phone, groupId: string): Writeup {
	const wires: NetSocket[] = [];
	const serverUrl = mode === 'palabre' ? `${url.replace(/^http/, 'ws')}/yjs` : url.replace(/^http/, 'ws');
	const name = docName(groupId);
	// Named: a random guid draws 31 random numbers, one system call each (0.7 ms): 500 phones of
	// one process opening together held it 350 ms, time a real phone, opening one doc, never loses.
	const doc = new Y.Doc({ guid: name });
	const w: Writeup = { doc, provider: null as unknown as WebsocketProvider, wires, keyAt: Number.NaN, ticketAt: Number.NaN, upgradedAt: Number.NaN };
	const bound = boundWebSocket(p.plan.address, wires, () => (w.upgradedAt ||= now())) as unknown as typeof globalThis.WebSocket;
	const channel = timedChannel(p, () => (w.ticketAt ||= now()));
	const provider = new WebsocketProvider(serverUrl, name, doc, {
		// Palabre opens a write-up with a one-time ticket asked over the phone's socket.io connection, as the app does (src/lib/client/yjsTicket.ts).
		WebSocketPolyfill: mode === 'palabre' ? ticketedWebSocket(url, name, p.token, bound as never, channel) : bound,
		// In Node, y-websocket's "other tabs" channel would carry updates between our simulated
		// phones without the server: every byte must go through the server.
		disableBc: true
	});
	provider.on('status', ({ status }) => {
		if (status === 'disconnected') counters.reconnects++;
		if (status === 'disconnected' && reconnecting) linkChanged(p, 'yjs', false);
	});
	provider.on('sync', (synced: boolean) => {
		if (synced && reconnecting) linkChanged(p, 'yjs', true);
	});
	w.provider = provider;
	return w;
}

async function prepare(cmd: Extract<Command, { cmd: 'prepare' }>): Promise<PrepareResult> {
	// The reference types in the same groups as Palabre did (its run comes second).
	if (cmd.mode === 'palabre') formGroups();
	mode = cmd.mode;
	timekeeping = cmd.timekeeping && mode === 'palabre';
	counters = freshCounters();
	let writers = 0;
	let timekeepers = 0;
	const connectMs: number[] = [];
	const openParts: PrepareResult['openParts'] = { ticketMs: [], handshakeMs: [], syncMs: [] };
	const loop = loopDelay();
	await Promise.all(
		groups.map(async (g) => {
			g.sent = new Map();
			g.created = 0;
			const roles = rolesOf(g.ordinal, g.phones.length);
			g.phones.forEach((p, seat) => {
				p.role = roles.writers.includes(seat) ? 'rapporteur' : seat === roles.timekeeper ? 'timekeeper' : 'member';
			});
			writers += roles.writers.length;
			if (timekeeping && roles.timekeeper !== null) timekeepers++;
			await Promise.all(
				g.phones.map(async (p) => {
					if (mode === 'palabre' && p.role === 'rapporteur') {
						try {
							const answer = await ack(p.socket as Socket, 'group:setRapporteur', { stage: 1, on: true }, 30_000);
							if (!answer.ok) throw new Error(answer.error);
						} catch (err) {
							noteError(`setRapporteur: ${(err as Error).message}`);
						}
					}
					const t0 = now();
					const w = openWriteup(cmd.url, p, g.plan.groupId);
					p.writeup = w;
					if (mode === 'palabre') {
						trackSaved(w, (keyAt) => counters.keyToSavedMs.push(now() - keyAt));
					}
					observePeer(g, w.doc);
					// How each connection of the provider ended, to say where an opening stuck.
					const closes: (number | undefined)[] = [];
					w.provider.on('connection-close', (event: { code?: number } | null) => closes.push(event?.code));
					await new Promise<void>((resolve) => {
						const timer = setTimeout(() => {
							const stage = Number.isNaN(w.ticketAt) && mode === 'palabre' ? 'no ticket' : Number.isNaN(w.upgradedAt) ? 'no 101' : 'no sync';
							noteError(`yjs: not synced within 30 s (${stage}; connections closed: ${closes.join(' ') || 'none'})`);
							resolve();
						}, 30_000);
						w.provider.once('sync', () => {
							clearTimeout(timer);
							const t = now();
							connectMs.push(t - t0);
							const asked = mode === 'palabre' ? w.ticketAt : t0;
							if (mode === 'palabre') openParts.ticketMs.push(w.ticketAt - t0);
							openParts.handshakeMs.push(w.upgradedAt - asked);
							openParts.syncMs.push(t - w.upgradedAt);
							resolve();
						});
					});
				})
			);
		})
	);
	counters.reconnects = 0;
	return { groups: groups.length, writers, timekeepers, connectMs, openParts, loopDelay: loop.stop(), errors: takeErrors() };
}

// ---- typing ----
async function type(cmd: Extract<Command, { cmd: 'type' }>): Promise<TypeResult> {
	await sleep(cmd.startAt - now());
	// Each typing phase counts its own keystrokes and deliveries (cluster mode types twice: steady, then a failover).
	counters = freshCounters();
	steadyFrom = cmd.startAt + STEADY_AFTER_MS;
	for (const p of phones) p.link.downAt = p.link.backAt = null;
	// Items of a later typing phase get new ids: the members' observers already saw the earlier ones.
	const phase = ++typingRounds;
	const deadline = cmd.startAt + cmd.typingMs;
	const loop = loopDelay();
	const before = new Map(phones.map((p) => [p, bytesOf(p)]));
	const timers = new Set<NodeJS.Timeout>();
	const later = (ms: number, fn: () => void) => {
		const t = setTimeout(() => {
			timers.delete(t);
			if (now() < deadline) fn();
		}, ms);
		timers.add(t);
	};
	const taps = { sent: 0, ackMs: [] as number[], timeouts: 0, pending: 0, refused: new Map<string, number>() };

	for (const g of groups) {
		const roles = rolesOf(g.ordinal, g.phones.length);
		for (const [slot, seat] of roles.writers.entries()) {
			const writer = g.phones[seat] as Phone;
			const w = writer.writeup as Writeup;
			const steps = typing(hash(`${cmd.seed}:${g.ordinal}:${slot}`));
			let itemId = '';
			let itemNo = 0;
			const next = () => {
				const step = steps.next().value;
				later(step.afterMs, () => {
					if (step.kind === 'enter') {
						itemId = `b${writer.plan.index}-${phase}-${++itemNo}`;
						addItem(w.doc, 1, { id: itemId, createdAt: Date.now() });
						counters.items++;
					} else {
						const text = itemText(w.doc, itemId);
						if (text) {
							const index = text.length;
							const at = now();
							g.sent.set(`${itemId}:${index}`, at);
							// The keystroke that makes an item non-empty raises the projection's count.
							if (index === 0 && mode === 'palabre') send({ event: 'item', groupId: g.plan.groupId, n: ++g.created, at });
							w.keyAt = at;
							text.insert(index, step.char);
							w.keyAt = Number.NaN;
							counters.keystrokes++;
							counters.expected += g.phones.length - 1;
						}
					}
					next();
				});
			};
			next();
		}
		if (timekeeping && roles.timekeeper !== null) {
			const keeper = g.phones[roles.timekeeper] as Phone;
			const r = rng(hash(`${cmd.seed}:tap:${g.ordinal}`));
			let n = 0;
			const tap = () => {
				later(between(r, 3000, 6000), () => {
					const speaker = g.phones[Math.floor(r() * g.phones.length)] as Phone;
					const t0 = now();
					taps.sent++;
					taps.pending++;
					ack(keeper.socket as Socket, 'speaking:taps', {
						taps: [{ id: `t${keeper.plan.index}-${++n}`, stage: 1, tap: { kind: 'speak', participantId: speaker.id, at: Date.now() } }]
					}, 5000).then(
						(answer) => {
							taps.pending--;
							if (answer.ok) taps.ackMs.push(now() - t0);
							else taps.refused.set(answer.error, (taps.refused.get(answer.error) ?? 0) + 1);
						},
						() => {
							taps.pending--;
							taps.timeouts++;
						}
					);
					tap();
				});
			};
			tap();
		}
	}

	await sleep(deadline - now());
	for (const t of timers) clearTimeout(t);
	const typingLoopDelay = loop.stop();
	const after = new Map(phones.map((p) => [p, bytesOf(p)]));
	// Drain: what is in flight still counts, up to 5 s (and the taps' own 5 s timeout).
	const drainUntil = now() + 6000;
	while (now() < drainUntil && (counters.delivered < counters.expected || taps.pending > 0)) await sleep(50);

	// A session that moves a phone after its write-up opened makes its group's deliveries to it
	// count as lost (it stays in the group it opened, which no longer has it): say so.
	const moved = groups.reduce((n, g) => n + g.phones.filter((p) => p.groupId !== g.plan.groupId).length, 0);
	if (moved > 0) noteError(`${moved} phone(s) moved by a session after their write-up opened: deliveries to them count as lost`);
	const minutes = cmd.typingMs / 60_000;
	const bytes: ClientBytes[] = phones
		.filter((p) => p.groupId)
		.map((p) => {
			const a = after.get(p) as ReturnType<typeof bytesOf>;
			const b = before.get(p) as ReturnType<typeof bytesOf>;
			const ioIn = a.ioIn - b.ioIn;
			const yjsIn = a.yjsIn - b.yjsIn;
			const out = a.ioOut - b.ioOut + a.yjsOut - b.yjsOut;
			return {
				role: p.role,
				in: Math.round((ioIn + yjsIn) / minutes),
				out: Math.round(out / minutes),
				ioIn: Math.round(ioIn / minutes),
				yjsIn: Math.round(yjsIn / minutes)
			};
		});
	return {
		keystrokes: counters.keystrokes,
		items: counters.items,
		keyToPeerMs: counters.keyToPeerMs,
		keyToPeerSteadyMs: counters.keyToPeerSteadyMs,
		expectedDeliveries: counters.expected,
		keyToSavedMs: counters.keyToSavedMs,
		tapAckMs: taps.ackMs,
		tapsSent: taps.sent,
		tapErrors: [...taps.refused].map(([text, n]) => `${text} (×${n})`),
		tapTimeouts: taps.timeouts,
		bytes,
		reconnects: counters.reconnects,
		outages: phones.filter((p) => p.link.downAt !== null).map((p) => ({ downAt: p.link.downAt as number, backAt: p.link.backAt })),
		loopDelay: typingLoopDelay,
		errors: takeErrors()
	};
}

async function close(): Promise<null> {
	for (const p of phones) {
		p.writeup?.provider.destroy();
		p.writeup?.doc.destroy();
		p.writeup = null;
		p.socket?.disconnect();
		p.socket = null;
	}
	await sleep(200);
	return null;
}

async function run(req: Request): Promise<unknown> {
	switch (req.cmd) {
		case 'join':
			return join(req);
		case 'pick':
			return pick(req);
		case 'prepare':
			return prepare(req);
		case 'type':
			return type(req);
		case 'close':
			return close();
	}
}

process.on('message', (req: Request) => {
	run(req).then(
		(result) => send({ reply: req.id, ok: true, result }),
		(err: unknown) => send({ reply: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
	);
});
// The coordinator is gone (finished or killed): so are we.
process.on('disconnect', () => process.exit(0));
