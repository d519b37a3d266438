/**
 * What the simulated people do, shared by the coordinator (run.ts) and the client processes
 * (clients.ts): the messages between them, a seeded random generator (so the reference Yjs
 * server gets exactly the same typing as Palabre), the roles in a group and the typing rhythm.
 */
import type { Summary } from './stats';

/** One simulated phone, as the coordinator plans it. */
export interface PlannedParticipant {
	index: number;
	roomId: string;
	displayName: string;
	categories: string[];
	/** The statements this person may pick: only those of their client process, so a group never spans two. */
	statementIds: string[];
	/** Source address on loopback: each phone has its own, as on the venue Wi-Fi. */
	address: string;
}

/** A group as formed by the server, with its members in seating (join) order. */
export interface PlannedGroup {
	groupId: string;
	members: number[];
}

export type Mode = 'palabre' | 'baseline';

export type Command =
	| { cmd: 'join'; url: string; joinCode: string; participants: PlannedParticipant[]; windowMs: number; eventId?: string; reconnect?: boolean }
	| { cmd: 'pick'; windowMs: number }
	| { cmd: 'prepare'; mode: Mode; url: string; timekeeping: boolean }
	| { cmd: 'type'; startAt: number; typingMs: number; seed: number }
	| { cmd: 'close' };

export interface JoinResult {
	joinMs: number[];
	joinHttpMs: number[];
	errors: string[];
}

export interface PickResult {
	pickMs: number[];
	/** The client process's own event-loop delay during the rush. */
	loopDelay: Summary | null;
	errors: string[];
	/** Bytes on the wire per phone since it connected (join and pick rush). */
	rushBytesIn: number[];
	rushBytesOut: number[];
}

export interface PrepareResult {
	groups: number;
	writers: number;
	timekeepers: number;
	connectMs: number[];
	/**
	 * The opening in parts, per connection: the ticket (asked over socket.io, Palabre only), the
	 * WebSocket handshake (from the ticket, or from the start without one, to the 101 answer),
	 * then the sync (from the 101 to the first sync).
	 */
	openParts: { ticketMs: number[]; handshakeMs: number[]; syncMs: number[] };
	/** The client process's own event-loop delay while the write-ups open. */
	loopDelay: Summary | null;
	errors: string[];
}

export type Role = 'rapporteur' | 'timekeeper' | 'member';

/** Wire bytes of one phone during the typing phase, both of its sockets together. */
export interface ClientBytes {
	role: Role;
	in: number;
	out: number;
	ioIn: number;
	yjsIn: number;
}

export interface TypeResult {
	keystrokes: number;
	items: number;
	/** Keystroke → the same character in another member's doc, one sample per (keystroke, member). */
	keyToPeerMs: number[];
	/** The same, for keystrokes typed after the first STEADY_AFTER_MS of the phase (bench/README.md). */
	keyToPeerSteadyMs: number[];
	expectedDeliveries: number;
	/** Keystroke → the server's « saved » answer (Palabre only). */
	keyToSavedMs: number[];
	tapAckMs: number[];
	tapsSent: number;
	tapErrors: string[];
	tapTimeouts: number;
	bytes: ClientBytes[];
	reconnects: number;
	/** Phones whose connections went down while typing (cluster mode): when, and when both were back (null: never). */
	outages: { downAt: number; backAt: number | null }[];
	loopDelay: Summary | null;
	errors: string[];
}

/** Client process → coordinator: the answer to a command, or the time an item became non-empty. */
export type WorkerMessage =
	| { reply: number; ok: true; result: unknown }
	| { reply: number; ok: false; error: string }
	| { event: 'item'; groupId: string; n: number; at: number }
	| { event: 'log'; text: string };

export type Request = Command & { id: number };

/** Absolute milliseconds with sub-millisecond resolution, comparable across processes of one machine. */
export const now = () => performance.timeOrigin + performance.now();
/**
 * The first seconds of typing follow the opening (pens, views, every doc's first items): what the
 * keystrokes meet after them is reported apart, as steady typing.
 */
export const STEADY_AFTER_MS = 5_000;

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const between = (r: () => number, lo: number, hi: number) => lo + (hi - lo) * r();

export function hash(text: string): number {
	let h = 2166136261;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
	return h >>> 0;
}

/**
 * Who does what in a group, by seat: the first member holds the pen; in every other group
 * (of at least 3) the second one too, so half the groups have two rapporteurs on separate
 * items; the last member keeps the time.
 */
export function rolesOf(ordinal: number, size: number): { writers: number[]; timekeeper: number | null } {
	const writers = size >= 3 && ordinal % 2 === 1 ? [0, 1] : [0];
	const timekeeper = size >= 2 && !writers.includes(size - 1) ? size - 1 : null;
	return { writers, timekeeper };
}

/** The next thing a rapporteur does, and how long after the previous one. */
export type TypingStep = { kind: 'key'; char: string; afterMs: number } | { kind: 'enter'; afterMs: number };

const PROSE =
	'Les habitants ne sont pas assez associés aux décisions qui les concernent. Il faudrait des temps de rencontre ' +
	'réguliers entre professionnels et usagers, avec une médiatrice pour faciliter la parole. Concrètement, le centre ' +
	'de santé peut ouvrir un comité d’usagers, former les équipes à l’écoute et rendre compte des suites données. ';

/**
 * A rapporteur's rhythm: bursts of 4 to 8 keystrokes at about 5 per second (150–250 ms apart),
 * a pause of 0.8–2.5 s between bursts (thinking, listening), and a new item (Enter) every
 * 60–140 characters followed by a longer pause. About 2 keystrokes per second on average.
 */
export function* typing(seed: number): Generator<TypingStep, never> {
	const r = rng(seed);
	let pos = Math.floor(r() * PROSE.length);
	yield { kind: 'enter', afterMs: between(r, 200, 1500) };
	for (;;) {
		const length = Math.round(between(r, 60, 140));
		// An item starts with a letter, so its first keystroke makes it non-empty.
		while (PROSE[pos % PROSE.length] === ' ') pos++;
		let typed = 0;
		while (typed < length) {
			const burst = Math.round(between(r, 4, 8));
			for (let k = 0; k < burst && typed < length; k++, typed++) {
				const afterMs = k === 0 ? (typed === 0 ? between(r, 300, 900) : between(r, 800, 2500)) : between(r, 150, 250);
				yield { kind: 'key', char: PROSE[pos++ % PROSE.length] as string, afterMs };
			}
		}
		yield { kind: 'enter', afterMs: between(r, 1000, 3000) };
	}
}
