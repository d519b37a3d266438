/**
 * The shared write-ups: Yjs docs over WebSocket at /yjs/<docName>?ticket=…, speaking the
 * y-websocket protocol (messageSync = 0, messageAwareness = 1) plus one message of ours:
 *
 *   messageSaved = 100, server → client: [100, varUint seq]. A writer gets one, in order, for
 *   every sync step 2 or update message it sends, once that change is in the database: seq is
 *   the row that holds it, 0 when the message brought nothing new. src/lib/yjsSaved.ts turns
 *   these into « enregistré ».
 *
 *   messageClosed = 101, server → client: [101, varUint 1 | 0]. The write-up is closed (its
 *   group's stages are over, server/writeups.ts) or open again; sent on connecting to a closed
 *   doc and at every change. While closed, an update that brings anything new is refused: not
 *   stored, not acknowledged (the writer keeps it, « non enregistré »), answered with this
 *   message; the connection stays, to read. docs/writeup.md says why and what becomes of it.
 *
 * The endpoint runs in the Yjs process (./yjsHost.ts); the main process decides each upgrade
 * with `routeUpgrade` and hands the accepted sockets over (./yjsProcess.ts).
 *
 * Guarantees: access is decided at the upgrade, so a refused socket never reaches Yjs; an
 * update is first applied to a shadow copy of the doc, so a malformed one never touches the
 * shared doc, and what it changed there is checked against the write-up's schema and the
 * writer's role (./writeupRules.ts) and the doc's size: a refused update is undone on the shadow,
 * stored nowhere, and its connection closed with a code saying why (docs/api.md). An accepted
 * update is stored before it is broadcast or acknowledged. The updates read together from the
 * network are stored in one transaction (group commit). A connection that stops reading is
 * dropped once too much waits for it, so nothing is buffered without bound.
 *
 * Two persistences: SQLite's is synchronous (a batch is committed before the turn ends and
 * broadcast at once; with `durable`, its « saved » waits for the WAL's sync to disk, made off this
 * event loop, while later batches are stored); with PostgreSQL's (asynchronous), one batch is in flight
 * at a time, and its broadcast and « saved » wait for the COMMIT; what arrives meanwhile forms the
 * next batch (docs/postgres-yjs.md).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { messageClosed, type WriteupStage } from '../../src/lib/writeup';
import { messageSaved } from '../../src/lib/yjsSaved';
import { FenceError, type AsyncYDocPersistence, type Fence } from '../store/postgres/ydocs';
import type { YDocPersistence } from '../store/ydocs';
import { REFUSED, untouched, watchChanges, type Refusal, type Touched, type Writer } from './writeupRules';

export const messageSync = 0;
export const messageAwareness = 1;

/**
 * A write-up is a few pages of text, well under this even on its first sync; larger
 * messages are refused with 1009 before they are read, which bounds what one costs.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024;
/** A write-up's encoded state, at most: hundreds of pages of text, far beyond a group's. */
export const DEFAULT_MAX_DOC_BYTES = 1024 * 1024;
/** Bytes waiting to be sent to one connection beyond which it is dropped (it stopped reading). */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const DEFAULT_IDLE_UNLOAD_MS = 60_000;
export const DEFAULT_COMPACT_EVERY = 200;
/** Stored bytes after the snapshot beyond which the rows are merged, so a read stays bounded. */
export const DEFAULT_COMPACT_BYTES = 256 * 1024;
/** A phone that left the Wi-Fi without closing is dropped after one unanswered ping. */
const PING_INTERVAL_MS = 30_000;

const PREFIX = '/yjs/';

export type YjsAccess = 'write' | 'read';

/**
 * What a connection may do, and on whose behalf: the holder (a participant, a room's facilitation
 * link, an event's organiser) names who can lose it later (`revoke`).
 */
export interface YjsGrant {
	access: YjsAccess;
	holder: string;
	/** The member writing (write access): their reactions and stars are the ones keyed by this id. */
	participantId?: string;
	/** Who holds each stage's pen in this doc at the upgrade; kept current by `setPens`. */
	pens?: Pens;
	/** Whether the doc was closed at the upgrade; kept current by `setClosed`. */
	closed?: boolean;
	/** The event's lease the doc's writes must still hold (several nodes); kept current by `setFence`. */
	fence?: Fence;
}

/** Participant ids holding the pen of stages 1, 2 and 3. */
export type Pens = [string[], string[], string[]];

/** Decides a connection's grant from its ticket: null for an unknown doc as for a bad ticket (both 403, so docs can't be probed). */
export type YjsAuthorise = (docName: string, ticket: string) => YjsGrant | null;

/** What the upgrade needs of the HTTP request: it can be rebuilt in another process. */
export type UpgradeRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;

export interface YjsEndpointOptions {
	persistence: YDocPersistence | AsyncYDocPersistence;
	maxMessageBytes?: number;
	maxDocBytes?: number;
	maxBufferedBytes?: number;
	idleUnloadMs?: number;
	/** Stored updates of a doc after which they are merged into one row. */
	compactEvery?: number;
	compactBytes?: number;
	/**
	 * What a client's update may change, judged per doc on the shadow after it (./writeupRules.ts
	 * for the write-ups, which the Yjs process uses); without rules, anything well formed.
	 */
	rules?: () => YjsRules;
	/** Called after every accepted change of a doc, from a client or from the server. */
	onChange?: (docName: string, doc: Y.Doc) => void;
	/** With an asynchronous persistence: called after each commit with the updates it stored, in order. */
	onStored?: (updates: { docName: string; update: Uint8Array }[]) => void;
	/**
	 * SQLite: resolves once what was stored so far would survive a power cut (the store commits
	 * without waiting for the disk, ../store/walSync.ts). A committed batch is applied and broadcast
	 * at once (a crash of the process cannot lose it) and acknowledged « saved » only then.
	 */
	durable?: () => Promise<void>;
}

/** One doc's rules, with the state "before" they compare against (WriteupIndex). */
export interface YjsRules {
	/** Starts again from the doc's whole state. */
	rebuild(doc: Y.Doc): void;
	/** After an accepted update: the touched entries as the doc now holds them. */
	advance(doc: Y.Doc, touched: Touched): void;
	/** Why the doc, after an update that touched these entries, must not keep it; null for the main process's own. */
	refusal(doc: Y.Doc, touched: Touched, writer: Writer | null): Refusal | null;
}

export interface YjsEndpoint {
	/** Upgrades a socket already routed and authorised by `routeUpgrade`. */
	accept(req: UpgradeRequest, socket: Duplex, head: Buffer, docName: string, grant: YjsGrant): void;
	/**
	 * Closes the holders' connections (with 4403), but those to `keep`: a person deleted, moved to
	 * another group (keep: the new group's doc), a link rotated. Access is decided at the upgrade,
	 * so this is how it is withdrawn.
	 */
	revoke(holders: string[], keep?: string): void;
	close(): Promise<void>;
	loadedDocs(): number;
	/**
	 * A change made by the server itself (a facilitator's comment), as a Yjs update: tried on
	 * the shadow, stored, then applied and sent to every connection, like a client's. Throws (or,
	 * with an asynchronous persistence, rejects) if it is malformed or the store fails.
	 */
	apply(docName: string, update: Uint8Array, fence?: Fence): void | Promise<void>;
	/**
	 * Closes a deleted doc's connections and forgets it. Its rows are the store's business with
	 * SQLite; with an asynchronous persistence they are deleted here, after any batch in flight.
	 */
	drop(docName: string): void;
	/** The event's lease moved to this epoch (a re-claim): its loaded docs' writes carry it. */
	setFence(fence: Fence): void;
	/** The event moved to another node: its docs are unloaded, their clients told to reconnect (1012). */
	release(eventId: string): void;
	/** The doc's pen holders changed (a member took or gave back a stage's pen). */
	setPens(docName: string, pens: Pens): void;
	/** The doc closed (its group's stages ended) or was reopened: its connections are told. */
	setClosed(docName: string, closed: boolean): void;
}

interface Conn {
	ws: WebSocket;
	access: YjsAccess;
	participantId: string | undefined;
	/** Awareness clients announced on this connection, removed when it closes. */
	awarenessIds: Set<number>;
	alive: boolean;
}

interface Pending {
	d: LoadedDoc;
	update: Uint8Array | null;
	from: Conn | null;
	/** The server's own change (asynchronous persistence): told once it is stored, or not. */
	settle?: (err?: unknown) => void;
}

interface LoadedDoc {
	name: string;
	doc: Y.Doc;
	/** Same state as doc: updates are tried here first, so a bad one never reaches doc. */
	shadow: Y.Doc;
	awareness: awarenessProtocol.Awareness;
	conns: Set<Conn>;
	/** The shadow's state as the rules compare it (before the next update). */
	rules: YjsRules | null;
	pens: Pens;
	/** No client's change is taken while closed (the main process's still are). */
	closed: boolean;
	/** Stored rows and their bytes after the first (the snapshot), to know when to compact. */
	rows: number;
	tailBytes: number;
	/** The shadow's encoded size, or more (updates' sizes added since it was last measured). */
	size: number;
	idleTimer: NodeJS.Timeout | null;
	/** Asynchronous persistence: the seq of the doc's last row, stored or in flight (this process numbers them). */
	lastSeq: number;
	fence: Fence | undefined;
}

export function createYjsEndpoint(options: YjsEndpointOptions): YjsEndpoint {
	const { persistence } = options;
	const asyncStore = 'async' in persistence ? persistence : null;
	const idleUnloadMs = options.idleUnloadMs ?? DEFAULT_IDLE_UNLOAD_MS;
	const compactEvery = options.compactEvery ?? DEFAULT_COMPACT_EVERY;
	const compactBytes = options.compactBytes ?? DEFAULT_COMPACT_BYTES;
	const maxDocBytes = options.maxDocBytes ?? DEFAULT_MAX_DOC_BYTES;
	const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
	// maxPayload makes ws close with 1009 when a message is larger.
	const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
	const docs = new Map<string, LoadedDoc>();
	/** Each holder's open connections, with their doc. */
	const byHolder = new Map<string, Map<Conn, string>>();
	/**
	 * Changes tried on their shadow and waiting for the next commit, in arrival order, each with
	 * the `saved` answer it owes its writer (`update` null: nothing new, answered with seq 0 in turn).
	 */
	const pending: Pending[] = [];
	let commitQueued = false;
	/** Asynchronous persistence: the batch being committed (its shadows hold it, its docs not yet). */
	const inFlight: Pending[] = [];
	/** Settles once the last stored batch has been acknowledged (SQLite with `durable`). */
	let told: Promise<void> = Promise.resolve();
	/** Asynchronous persistence: work run between batches, in order (compactions, deletions). */
	const chores: (() => Promise<void>)[] = [];
	let busy = false;
	/** Settles when the batch in flight has (whether it was stored or not). */
	let batchDone: Promise<void> = Promise.resolve();
	const idle: (() => void)[] = [];
	/** Docs being loaded (asynchronous persistence), so that two connections share one load. */
	const loading = new Map<string, Promise<LoadedDoc>>();

	const pinger = setInterval(() => {
		for (const d of docs.values()) {
			for (const conn of d.conns) {
				if (!conn.alive) {
					conn.ws.terminate();
					continue;
				}
				conn.alive = false;
				conn.ws.ping();
			}
		}
	}, PING_INTERVAL_MS);
	pinger.unref();

	function load(name: string): LoadedDoc {
		if (asyncStore) throw new Error('asynchronous persistence: use loadAsync');
		return loaded(name, (persistence as YDocPersistence).load(name), 0);
	}

	/** Loads once however many ask meanwhile; null if the doc was dropped during the load. */
	function loadAsync(name: string): Promise<LoadedDoc | null> {
		const existing = docs.get(name);
		if (existing) return Promise.resolve(existing);
		let p = loading.get(name);
		if (!p) {
			const store = asyncStore as AsyncYDocPersistence;
			// A doc unloaded while rows of it were in flight is read once they are stored, with its last seq.
			const after = inFlight.some((q) => q.d.name === name) ? batchDone : Promise.resolve();
			p = after.then(() => store.load(name)).then(
				({ updates, lastSeq }) => {
					if (loading.get(name) !== p) throw new DroppedWhileLoading();
					loading.delete(name);
					return loaded(name, updates, lastSeq);
				},
				(err: unknown) => {
					if (loading.get(name) === p) loading.delete(name);
					throw err;
				}
			);
			loading.set(name, p);
		}
		return p.catch((err: unknown) => {
			if (err instanceof DroppedWhileLoading) return null;
			throw err;
		});
	}

	function loaded(name: string, updates: Uint8Array[], lastSeq: number): LoadedDoc {
		// Named: a random guid would cost more than the rest of an empty doc (server/writeups.ts).
		const doc = new Y.Doc({ guid: name });
		const shadow = new Y.Doc({ guid: name });
		let size = 0;
		if (updates.length > 0) {
			const merged = Y.mergeUpdates(updates);
			Y.applyUpdate(doc, merged);
			Y.applyUpdate(shadow, merged);
			size = merged.length;
		}
		const awareness = new awarenessProtocol.Awareness(doc);
		// The server is no peer: it relays states and has none.
		awareness.setLocalState(null);
		const rules = options.rules?.() ?? null;
		rules?.rebuild(shadow);
		const tailBytes = updates.slice(1).reduce((sum, u) => sum + u.length, 0);
		const d: LoadedDoc = {
			name,
			doc,
			shadow,
			awareness,
			conns: new Set(),
			rules,
			pens: [[], [], []],
			closed: false,
			rows: updates.length,
			tailBytes,
			size,
			idleTimer: null,
			lastSeq,
			fence: undefined
		};
		awareness.on(
			'update',
			({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
				const from = d.conns.has(origin as Conn) ? (origin as Conn) : null;
				if (from) {
					for (const id of added) from.awarenessIds.add(id);
					for (const id of removed) from.awarenessIds.delete(id);
				}
				broadcast(d, awarenessMessage(awareness, [...added, ...updated, ...removed]), from);
			}
		);
		docs.set(name, d);
		// Rows left by a process that stopped before compacting: merged now, so reads stay bounded.
		if (d.rows > 1 && (d.rows >= compactEvery || d.tailBytes >= compactBytes)) compact(d);
		return d;
	}

	/** A doc nobody is connected to is unloaded after a while. */
	function idleIfUnused(d: LoadedDoc) {
		if (d.conns.size > 0 || d.idleTimer || docs.get(d.name) !== d) return;
		d.idleTimer = setTimeout(() => unload(d, 1001), idleUnloadMs);
		d.idleTimer.unref();
	}

	function unload(d: LoadedDoc, code: number) {
		if (d.idleTimer) clearTimeout(d.idleTimer);
		docs.delete(d.name);
		for (const conn of d.conns) conn.ws.close(code);
		d.awareness.destroy();
		d.doc.destroy();
		d.shadow.destroy();
	}

	/**
	 * Starts the shadow again from the shared doc and the changes it took that wait for the next
	 * commit: as it was before the update being undone.
	 */
	function resetShadow(d: LoadedDoc) {
		d.shadow.destroy();
		d.shadow = new Y.Doc({ guid: d.doc.guid });
		Y.applyUpdate(d.shadow, Y.encodeStateAsUpdate(d.doc));
		for (const p of [...inFlight, ...pending]) if (p.d === d && p.update) Y.applyUpdate(d.shadow, p.update);
	}

	function connect(ws: WebSocket, name: string, grant: YjsGrant) {
		// After an error (e.g. 1009) ws closes the socket itself; without a listener it would throw.
		ws.on('error', () => {});
		const ready = docs.get(name);
		if (ready || !asyncStore) {
			let d: LoadedDoc;
			try {
				d = ready ?? load(name);
			} catch (err) {
				console.error(`yjs: cannot load ${name}`, err);
				ws.close(1011);
				return;
			}
			join(ws, d, grant);
			return;
		}
		// What the client sends meanwhile (its sync step 1, its awareness) waits in ws, unread.
		ws.pause();
		loadAsync(name).then(
			(d) => {
				if (!d) return void ws.close(4404);
				if (ws.readyState !== ws.OPEN) return idleIfUnused(d);
				join(ws, d, grant);
				ws.resume();
			},
			(err: unknown) => {
				console.error(`yjs: cannot load ${name}`, err);
				ws.close(1011);
			}
		);
	}

	function join(ws: WebSocket, d: LoadedDoc, { access, holder, participantId, pens, closed, fence }: YjsGrant) {
		const name = d.name;
		if (fence) d.fence = fence;
		if (d.idleTimer) {
			clearTimeout(d.idleTimer);
			d.idleTimer = null;
		}
		if (pens) d.pens = pens;
		if (closed !== undefined) d.closed = closed;
		const conn: Conn = { ws, access, participantId, awarenessIds: new Set(), alive: true };
		d.conns.add(conn);
		const held = byHolder.get(holder) ?? new Map<Conn, string>();
		byHolder.set(holder, held.set(conn, name));
		ws.on('pong', () => {
			conn.alive = true;
		});
		ws.on('close', () => {
			held.delete(conn);
			if (held.size === 0 && byHolder.get(holder) === held) byHolder.delete(holder);
			disconnect(d, conn);
		});
		ws.on('message', (data, isBinary) => {
			// Frames already received when we decided to close are dropped.
			if (ws.readyState !== ws.OPEN) return;
			try {
				if (!isBinary) throw new Error('text frame');
				onMessage(d, conn, data as Buffer);
			} catch {
				ws.close(1003);
			}
		});
		const sync = encoding.createEncoder();
		encoding.writeVarUint(sync, messageSync);
		syncProtocol.writeSyncStep1(sync, d.doc);
		send(conn, encoding.toUint8Array(sync));
		const states = d.awareness.getStates();
		if (states.size > 0) send(conn, awarenessMessage(d.awareness, [...states.keys()]));
		if (d.closed) send(conn, closedMessage(true));
	}

	/** Sends, unless too much already waits for this connection: then it is dropped. */
	function send(conn: Conn, message: Uint8Array) {
		if (conn.ws.readyState !== conn.ws.OPEN) return;
		conn.ws.send(message);
		// A client that stops reading fills its socket's buffer here: it reconnects if it can.
		if (conn.ws.bufferedAmount > maxBufferedBytes) conn.ws.terminate();
	}

	function disconnect(d: LoadedDoc, conn: Conn) {
		if (docs.get(d.name) !== d) return;
		d.conns.delete(conn);
		awarenessProtocol.removeAwarenessStates(d.awareness, [...conn.awarenessIds], null);
		if (d.conns.size === 0) {
			d.idleTimer = setTimeout(() => unload(d, 1001), idleUnloadMs);
			d.idleTimer.unref();
		}
	}

	/** Throws on a malformed message; the caller then closes the connection with 1003. */
	function onMessage(d: LoadedDoc, conn: Conn, data: Uint8Array) {
		const decoder = decoding.createDecoder(data);
		const type = decoding.readVarUint(decoder);
		if (type === messageAwareness) {
			awarenessProtocol.applyAwarenessUpdate(d.awareness, decoding.readVarUint8Array(decoder), conn);
			return;
		}
		if (type !== messageSync) throw new Error(`unknown message type ${type}`);
		const syncType = decoding.peekVarUint(decoder);
		if (syncType === syncProtocol.messageYjsSyncStep1) {
			// Reading a state vector changes nothing: answer from the shared doc, readers too.
			const reply = encoding.createEncoder();
			encoding.writeVarUint(reply, messageSync);
			syncProtocol.readSyncMessage(decoder, reply, d.doc, conn);
			send(conn, encoding.toUint8Array(reply));
		} else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
			// A reader's changes are dropped unread.
			if (conn.access === 'write') receiveUpdate(d, conn, decoder);
		} else {
			throw new Error(`unknown sync message ${syncType}`);
		}
	}

	function receiveUpdate(d: LoadedDoc, conn: Conn, decoder: decoding.Decoder) {
		const shadow = d.shadow;
		const { update, touched } = tryOnShadow(d, () =>
			// Rethrowing from the error handler aborts instead of logging and going on.
			syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), shadow, conn, (err) => {
				throw err;
			})
		);
		if (update && d.closed) {
			// Nothing new is taken once closed, whatever its authors' clocks said (docs/writeup.md).
			resetShadow(d);
			send(conn, closedMessage(true));
			return;
		}
		const refusal = update && (d.rules?.refusal(d.shadow, touched, writerOf(d, conn)) ?? sizeRefusal(d, update));
		if (refusal) {
			resetShadow(d);
			refuse(conn, refusal);
			return;
		}
		if (update) d.rules?.advance(d.shadow, touched);
		pending.push({ d, update, from: conn });
		// After the frames of this read, before anything else runs: a burst (a reconnecting phone's
		// queue, fast typing) is one commit, and no keystroke waits behind other work for it.
		if (!commitQueued) queueMicrotask(commit);
		commitQueued = true;
	}

	/**
	 * Applies to the shadow; returns what that changed (as Yjs encodes it: null if it was already
	 * known) and which entries. Throws, with the shadow as before, if the update is malformed.
	 */
	function tryOnShadow(d: LoadedDoc, apply: () => void): { update: Uint8Array | null; touched: Touched } {
		const changes: Uint8Array[] = [];
		const keep = (update: Uint8Array) => changes.push(update);
		const shadow = d.shadow;
		shadow.on('update', keep);
		const stop = d.rules ? watchChanges(shadow) : untouched;
		let touched: Touched;
		try {
			apply();
		} catch (err) {
			// A truncated update can be half applied: start the shadow again.
			resetShadow(d);
			throw err;
		} finally {
			shadow.off('update', keep);
			touched = stop();
		}
		// Parts waiting for changes this server never had are dropped, not kept for later: kept,
		// they would join a later writer's update and pass as theirs. A client sends them again
		// in its step 2, which holds all it has.
		shadow.store.pendingStructs = null;
		shadow.store.pendingDs = null;
		return { update: changes.length ? Y.mergeUpdates(changes) : null, touched };
	}

	/** The member behind a connection, with the stages whose pen they hold in this doc. */
	function writerOf(d: LoadedDoc, conn: Conn): Writer {
		const id = conn.participantId ?? '';
		const pens = new Set<WriteupStage>(([1, 2, 3] as const).filter((s) => d.pens[s - 1]?.includes(id)));
		return { participantId: id, pens };
	}

	/** Refuses what would make the doc larger than the cap (measured exactly only near it). */
	function sizeRefusal(d: LoadedDoc, update: Uint8Array): Refusal | null {
		if (d.size + update.length <= maxDocBytes) {
			d.size += update.length;
			return null;
		}
		const exact = Y.encodeStateAsUpdate(d.shadow).length;
		// What shrinks a doc already beyond the cap (a deletion) is let through.
		if (exact > maxDocBytes && exact > d.size) return { code: REFUSED.size, reason: `écrit trop volumineux (plus de ${Math.round(maxDocBytes / 1024)} Ko)` };
		d.size = exact;
		return null;
	}

	/** Closes a writer's connection whose update was refused, saying why (a close reason is at most 123 bytes). */
	function refuse(conn: Conn, { code, reason }: Refusal) {
		let text = reason;
		while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
		conn.ws.close(code, text);
	}

	function commit() {
		commitQueued = false;
		if (asyncStore) pump();
		else accept(pending.splice(0));
	}

	/**
	 * Asynchronous persistence: starts the next batch (all that waits) if none is in flight, or
	 * else the next chore. One at a time, so each doc's rows are written in order.
	 */
	function pump() {
		if (busy) return;
		let work: Promise<void>;
		if (pending.length > 0) {
			const batch = pending.splice(0);
			inFlight.push(...batch);
			work = acceptAsync(batch);
			batchDone = work.catch(() => {});
		} else {
			const chore = chores.shift();
			if (!chore) {
				for (const resolve of idle.splice(0)) resolve();
				return;
			}
			work = chore();
		}
		busy = true;
		work
			.catch((err: unknown) => console.error('yjs:', err))
			.finally(() => {
				busy = false;
				pump();
			});
	}

	/** Resolves once nothing waits to be stored (asynchronous persistence). */
	function drained(): Promise<void> {
		if (!busy && pending.length === 0 && chores.length === 0) return Promise.resolve();
		return new Promise((resolve) => idle.push(resolve));
	}

	/** The leases the docs' writes must hold. */
	const fencesOf = (ds: Iterable<LoadedDoc>) => [...ds].flatMap((d) => (d.fence ? [d.fence] : []));

	/**
	 * Stores a batch in one statement, then, once PostgreSQL has committed it, does what
	 * `accept` does after a synchronous store. If the store fails, nothing of it is applied or
	 * acknowledged: see `failed`.
	 */
	async function acceptAsync(batch: Pending[]): Promise<void> {
		const store = asyncStore as AsyncYDocPersistence;
		const stored = batch.filter((p): p is Pending & { update: Uint8Array } => p.update !== null);
		const before = new Map<LoadedDoc, number>();
		const rows = stored.map((p) => {
			if (!before.has(p.d)) before.set(p.d, p.d.lastSeq);
			return { doc: p.d.name, seq: ++p.d.lastSeq, data: p.update };
		});
		try {
			await store.appendBatch(rows, fencesOf(before.keys()));
		} catch (err) {
			for (const [d, seq] of before) d.lastSeq = seq;
			inFlight.length = 0;
			failed(batch, err);
			return;
		}
		inFlight.length = 0;
		// The main process's copy hears of it before any client does (see `caughtUp` there).
		options.onStored?.(stored.map((p) => ({ docName: p.d.name, update: p.update })));
		let next = 0;
		for (const p of batch) {
			const seq = p.update ? (rows[next++]?.seq as number) : 0;
			// Dropped or unloaded meanwhile: stored all the same (a drop deletes after this batch).
			if (docs.get(p.d.name) === p.d) {
				countRow(p);
				applyStored(p);
				answer(p, seq);
			}
			p.settle?.();
		}
		for (const d of before.keys()) if (d.rows >= compactEvery || d.tailBytes >= compactBytes) compact(d);
	}

	/**
	 * A batch PostgreSQL did not commit. Its docs' changes that came after it built on it: they
	 * are dropped too, unacknowledged, and their writers' connections closed; each writer still
	 * has them and sends them again on reconnecting (sync step 2). Fenced (the lease moved on, or
	 * another process wrote these rows): the docs are unloaded (1012), their clients reconnect
	 * to the owner. Otherwise (PostgreSQL unreachable): 1011, as with SQLite.
	 */
	function failed(batch: Pending[], err: unknown) {
		const hit = new Set(batch.map((p) => p.d));
		console.error(`yjs: cannot store ${batch.length} change(s) of ${[...hit].map((d) => d.name).join(', ')}`, err);
		const later = pending.filter((p) => hit.has(p.d));
		for (let i = pending.length - 1; i >= 0; i--) if (hit.has((pending[i] as Pending).d)) pending.splice(i, 1);
		const all = [...batch, ...later];
		for (const p of all) p.settle?.(err);
		if (err instanceof FenceError) {
			for (const d of hit) if (docs.get(d.name) === d) unload(d, 1012);
			return;
		}
		for (const d of hit) {
			resetShadow(d);
			d.rules?.rebuild(d.shadow);
			d.size = Y.encodeStateAsUpdate(d.shadow).length;
		}
		for (const from of new Set(all.map((p) => p.from))) from?.ws.close(1011);
	}
	/**
	 * Stores changes their shadows have already taken, in one transaction, then applies each to
	 * its shared doc, sends it to everyone but its author and answers the author. If the store
	 * fails, nothing is applied, the shadows start again from their docs, the writers' connections
	 * close, and the error is returned.
	 */
	function accept(batch: Pending[]): unknown {
		const stored = batch.filter((p): p is Pending & { update: Uint8Array } => p.update !== null);
		let seqs: number[];
		try {
			seqs = stored.length ? (persistence as YDocPersistence).appendAll(stored.map((p) => ({ docName: p.d.name, update: p.update }))) : [];
		} catch (err) {
			console.error(`yjs: cannot store ${stored.length} update(s) of ${[...new Set(stored.map((p) => p.d.name))].join(', ')}`, err);
			// The batch is all that waited (pending is empty): the shadows go back to their docs.
			for (const d of new Set(batch.map((p) => p.d))) {
				resetShadow(d);
				d.rules?.rebuild(d.shadow);
				d.size = Y.encodeStateAsUpdate(d.shadow).length;
			}
			// The writers keep what could not be stored and send it again on reconnecting.
			for (const from of new Set(batch.map((p) => p.from))) from?.ws.close(1011);
			return err;
		}
		let next = 0;
		const done = batch.map((p) => ({ p, seq: p.update ? (seqs[next++] as number) : 0 }));
		for (const p of stored) countRow(p);
		// Merged from the shadows, which hold exactly what is stored now (every batch before this one
		// is stored, and nothing waits).
		for (const d of new Set(stored.map((p) => p.d))) if (d.rows >= compactEvery || d.tailBytes >= compactBytes) compact(d);
		// Committed: a crash of this process loses none of it, so everyone sees it now. A power cut
		// might, until the WAL's sync; whoever saw it still holds it and sends it again on reconnecting.
		for (const { p } of done) applyStored(p);
		if (!options.durable) {
			for (const { p, seq } of done) answer(p, seq);
			return undefined;
		}
		// « enregistré » promises more: it waits for a sync begun after this commit. Batches are
		// answered in the order they were stored.
		told = options
			.durable()
			.then(
				() => true,
				(err: unknown) => {
					console.error('yjs: cannot sync the store to disk', err);
					return false;
				}
			)
			.then((synced) => {
				if (synced) for (const { p, seq } of done) answer(p, seq);
				// Not said to be saved: the writers keep their changes and send them again on reconnecting.
				else for (const from of new Set(batch.map((p) => p.from))) from?.ws.close(1011);
			});
		return undefined;
	}

	/** A stored row of the doc: when they are many, the doc's rows are merged into one. */
	function countRow({ d, update }: Pending) {
		if (!update) return;
		d.rows++;
		d.tailBytes += update.length;
	}

	/** A stored change: into the shared doc and to everyone but its author. */
	function applyStored({ d, update, from }: Pending) {
		if (!update) return;
		// The shadow took this update from the same state: it applies here too.
		Y.applyUpdate(d.doc, update, from);
		const message = encoding.createEncoder();
		encoding.writeVarUint(message, messageSync);
		syncProtocol.writeUpdate(message, update);
		broadcast(d, encoding.toUint8Array(message), from);
		options.onChange?.(d.name, d.doc);
	}

	/** « saved » (seq: the row that holds it, 0 if it brought nothing new) to a change's author. */
	function answer({ from }: Pending, seq: number) {
		if (from) send(from, savedMessage(seq));
	}

	/** A loaded doc; one loaded only for the server is unloaded again when idle. */
	function ensure(name: string): LoadedDoc {
		const existing = docs.get(name);
		if (existing) return existing;
		const d = load(name);
		idleIfUnused(d);
		return d;
	}

	/** A server's change: tried on the shadow, then, if it changes anything, stored with the next batch. */
	function applyOn(d: LoadedDoc, update: Uint8Array): Pending | null {
		const shadow = d.shadow;
		const { update: changes, touched } = tryOnShadow(d, () => Y.applyUpdate(shadow, update));
		if (!changes) return null;
		// The main process's own changes (comments, a person's reactions removed) are trusted.
		d.rules?.advance(d.shadow, touched);
		d.size += changes.length;
		return { d, update: changes, from: null };
	}

	function compact(d: LoadedDoc) {
		if (asyncStore) return compactLater(d, asyncStore);
		try {
			(persistence as YDocPersistence).replaceAll(d.name, Y.encodeStateAsUpdate(d.shadow));
			d.rows = 1;
			d.tailBytes = 0;
		} catch (err) {
			// The rows are intact; the next update tries again. Compaction is optional work: the
			// main process holding the write lock (busy) only postpones it, and is not an error.
			if ((err as { code?: string }).code === 'SQLITE_BUSY') return;
			console.error(`yjs: cannot compact ${d.name}`, err);
		}
	}

	/**
	 * Asynchronous persistence: a chore between batches, when the doc holds exactly its rows up
	 * to lastSeq (no batch in flight); at most one waits per doc.
	 */
	const compacting = new Set<LoadedDoc>();
	function compactLater(d: LoadedDoc, store: AsyncYDocPersistence) {
		if (compacting.has(d)) return;
		compacting.add(d);
		chores.push(async () => {
			compacting.delete(d);
			if (docs.get(d.name) !== d || d.rows <= 1) return;
			try {
				await store.compact(d.name, d.lastSeq, Y.encodeStateAsUpdate(d.doc), fencesOf([d]));
				d.rows = 1;
				d.tailBytes = 0;
			} catch (err) {
				// The rows are intact; the next update tries again.
				console.error(`yjs: cannot compact ${d.name}`, err);
			}
		});
		pump();
	}

	function broadcast(d: LoadedDoc, message: Uint8Array, except: Conn | null) {
		for (const conn of d.conns) if (conn !== except) send(conn, message);
	}

	return {
		accept(req, socket, head, name, grant) {
			wss.handleUpgrade(req as IncomingMessage, socket, head, (ws) => connect(ws, name, grant));
		},
		revoke(holders, keep) {
			for (const holder of holders) {
				for (const [conn, name] of byHolder.get(holder) ?? []) {
					// 4403: access withdrawn; the client stops reconnecting to this doc.
					if (name !== keep) conn.ws.close(4403);
				}
			}
		},
		drop(name) {
			// A load under way is discarded: its connections are told 4404.
			loading.delete(name);
			const d = docs.get(name);
			if (d) {
				// A deleted doc's waiting changes must not bring its rows back.
				for (let i = pending.length - 1; i >= 0; i--) {
					const p = pending[i] as Pending;
					if (p.d !== d) continue;
					pending.splice(i, 1);
					p.settle?.(new Error('the write-up was deleted'));
				}
				// 4404: the doc no longer exists; clients stop reconnecting to it.
				unload(d, 4404);
			}
			if (asyncStore) {
				// After the batch in flight, which may hold some of its rows.
				chores.push(() => asyncStore.deleteDoc(name));
				pump();
			}
		},
		apply(name, update, fence) {
			if (!asyncStore) {
				const p = applyOn(ensure(name), update);
				if (!p) return;
				// What clients sent before goes first, so every doc keeps its order.
				commit();
				const err = accept([p]);
				if (err) throw err;
				return options.durable ? told : undefined;
			}
			return loadAsync(name).then((d) => {
				if (!d) throw new Error('the write-up was deleted');
				if (fence) d.fence = fence;
				idleIfUnused(d);
				const p = applyOn(d, update);
				if (!p) return;
				// Behind what clients sent before, so every doc keeps its order.
				return new Promise<void>((resolve, reject) => {
					p.settle = (err) => (err === undefined ? resolve() : reject(err instanceof Error ? err : new Error(String(err))));
					pending.push(p);
					pump();
				});
			});
		},
		setFence(fence) {
			for (const d of docs.values()) if (d.fence?.eventId === fence.eventId) d.fence = fence;
		},
		release(eventId) {
			for (const d of [...docs.values()]) if (d.fence?.eventId === eventId) unload(d, 1012);
		},
		setPens(name, pens) {
			const d = docs.get(name);
			// Not loaded: the next connection brings them with its grant.
			if (d) d.pens = pens;
		},
		setClosed(name, closed) {
			const d = docs.get(name);
			// Not loaded: the next connection brings it with its grant.
			if (!d || d.closed === closed) return;
			d.closed = closed;
			broadcast(d, closedMessage(closed), null);
		},
		async close() {
			clearInterval(pinger);
			commit();
			// Everything received is stored (or refused), and told, before the connections close.
			await drained();
			await told;
			for (const d of [...docs.values()]) unload(d, 1001);
			// Resolves once every client socket has closed.
			await new Promise<void>((resolve) => wss.close(() => resolve()));
		},
		loadedDocs: () => docs.size
	};
}

/** A load whose doc was dropped meanwhile. */
class DroppedWhileLoading extends Error {}

/**
 * Routes an upgrade: false if the URL is not ours (/yjs/…); otherwise true, and the socket is
 * either refused with an HTTP status or handed to `then` with the doc and the grant.
 */
export function routeUpgrade(
	req: UpgradeRequest,
	socket: Duplex,
	authorise: YjsAuthorise,
	then: (docName: string, grant: YjsGrant) => void
): boolean {
	let url: URL;
	try {
		url = new URL(req.url ?? '/', 'http://localhost');
	} catch {
		return false;
	}
	if (!url.pathname.startsWith(PREFIX)) return false;
	const name = docName(url.pathname);
	if (name === null) return refuse(socket, 404);
	// Tokens never travel in a URL (proxies log them): a short-lived ticket does (docs/api.md).
	const ticket = url.searchParams.get('ticket');
	if (ticket === null || url.searchParams.has('token')) return refuse(socket, 401);
	let grant: YjsGrant | null;
	try {
		grant = authorise(name, ticket);
	} catch (err) {
		console.error('yjs: authorise failed', err);
		return refuse(socket, 500);
	}
	if (grant === null) return refuse(socket, 403);
	then(name, grant);
	return true;
}

/** The one path segment after /yjs/, or null if there is none or it is badly encoded. */
function docName(pathname: string): string | null {
	const raw = pathname.slice(PREFIX.length);
	if (raw === '' || raw.includes('/')) return null;
	try {
		return decodeURIComponent(raw);
	} catch {
		return null;
	}
}

/** Answers the upgrade request with a plain HTTP error (its reason, or `message`) and closes the socket. */
export function refuse(socket: Duplex, status: number, message?: string): true {
	const reason = STATUS_CODES[status] ?? '';
	const body = message ?? reason;
	// The client may already be gone: its reset must not become an uncaught error.
	socket.on('error', () => {});
	socket.once('finish', () => socket.destroy());
	socket.end(
		`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
			`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
	);
	return true;
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageAwareness);
	encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	return encoding.toUint8Array(encoder);
}

function closedMessage(closed: boolean): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageClosed);
	encoding.writeVarUint(encoder, closed ? 1 : 0);
	return encoding.toUint8Array(encoder);
}

function savedMessage(seq: number): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageSaved);
	encoding.writeVarUint(encoder, seq);
	return encoding.toUint8Array(encoder);
}
