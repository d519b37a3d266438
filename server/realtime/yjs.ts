/**
 * The shared write-ups: Yjs docs over WebSocket at /yjs/<docName>?token=…, speaking the
 * y-websocket protocol (messageSync = 0, messageAwareness = 1) plus one message of ours:
 *
 *   messageSaved = 100, server → client: [100, varUint seq]. A writer gets one, in order, for
 *   every sync step 2 or update message it sends, once that change is in the database: seq is
 *   the row that holds it, 0 when the message brought nothing new. src/lib/yjsSaved.ts turns
 *   these into « enregistré ».
 *
 * The endpoint runs in the Yjs process (./yjsHost.ts); the main process decides each upgrade
 * with `routeUpgrade` and hands the accepted sockets over (./yjsProcess.ts).
 *
 * Guarantees: access is decided at the upgrade, so a refused socket never reaches Yjs; an
 * update is first applied to a shadow copy of the doc, so a malformed one never touches the
 * shared doc; an accepted update is stored before it is broadcast or acknowledged. The updates
 * read together from the network are stored in one transaction (group commit).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { messageSaved } from '../../src/lib/yjsSaved';
import type { YDocPersistence } from '../store/ydocs';

export const messageSync = 0;
export const messageAwareness = 1;

/**
 * A write-up is a few pages of text, well under this even on its first sync; larger
 * messages are refused with 1009 before they are read, which bounds what one costs.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024;
export const DEFAULT_IDLE_UNLOAD_MS = 60_000;
export const DEFAULT_COMPACT_EVERY = 200;
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
}

/** Decides a connection's grant: null for an unknown doc as for a wrong token (both 403, so docs can't be probed). */
export type YjsAuthorise = (docName: string, token: string | undefined) => YjsGrant | null;

/** What the upgrade needs of the HTTP request: it can be rebuilt in another process. */
export type UpgradeRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;

export interface YjsEndpointOptions {
	persistence: YDocPersistence;
	maxMessageBytes?: number;
	idleUnloadMs?: number;
	/** Stored updates of a doc after which they are merged into one row. */
	compactEvery?: number;
	/** Called after every accepted change of a doc, from a client or from the server. */
	onChange?: (docName: string, doc: Y.Doc) => void;
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
	 * the shadow, stored, then applied and sent to every connection, like a client's. Throws if
	 * it is malformed or the store fails.
	 */
	apply(docName: string, update: Uint8Array): void;
	/** Closes a deleted doc's connections and forgets it (its rows are the store's business). */
	drop(docName: string): void;
}

interface Conn {
	ws: WebSocket;
	access: YjsAccess;
	/** Awareness clients announced on this connection, removed when it closes. */
	awarenessIds: Set<number>;
	alive: boolean;
}

interface Pending {
	d: LoadedDoc;
	update: Uint8Array | null;
	from: Conn | null;
}

interface LoadedDoc {
	name: string;
	doc: Y.Doc;
	/** Same state as doc: updates are tried here first, so a bad one never reaches doc. */
	shadow: Y.Doc;
	awareness: awarenessProtocol.Awareness;
	conns: Set<Conn>;
	/** Stored rows, to know when to compact. */
	rows: number;
	idleTimer: NodeJS.Timeout | null;
}

export function createYjsEndpoint(options: YjsEndpointOptions): YjsEndpoint {
	const { persistence } = options;
	const idleUnloadMs = options.idleUnloadMs ?? DEFAULT_IDLE_UNLOAD_MS;
	const compactEvery = options.compactEvery ?? DEFAULT_COMPACT_EVERY;
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
		const doc = new Y.Doc();
		const shadow = new Y.Doc();
		const updates = persistence.load(name);
		if (updates.length > 0) {
			const merged = Y.mergeUpdates(updates);
			Y.applyUpdate(doc, merged);
			Y.applyUpdate(shadow, merged);
		}
		const awareness = new awarenessProtocol.Awareness(doc);
		// The server is no peer: it relays states and has none.
		awareness.setLocalState(null);
		const d: LoadedDoc = { name, doc, shadow, awareness, conns: new Set(), rows: updates.length, idleTimer: null };
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
		return d;
	}

	function unload(d: LoadedDoc, code: number) {
		if (d.idleTimer) clearTimeout(d.idleTimer);
		docs.delete(d.name);
		for (const conn of d.conns) conn.ws.close(code);
		d.awareness.destroy();
		d.doc.destroy();
		d.shadow.destroy();
	}

	function resetShadow(d: LoadedDoc) {
		d.shadow.destroy();
		d.shadow = new Y.Doc();
		Y.applyUpdate(d.shadow, Y.encodeStateAsUpdate(d.doc));
	}

	function connect(ws: WebSocket, name: string, { access, holder }: YjsGrant) {
		// After an error (e.g. 1009) ws closes the socket itself; without a listener it would throw.
		ws.on('error', () => {});
		let d: LoadedDoc;
		try {
			d = docs.get(name) ?? load(name);
		} catch (err) {
			console.error(`yjs: cannot load ${name}`, err);
			ws.close(1011);
			return;
		}
		if (d.idleTimer) {
			clearTimeout(d.idleTimer);
			d.idleTimer = null;
		}
		const conn: Conn = { ws, access, awarenessIds: new Set(), alive: true };
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
		ws.send(encoding.toUint8Array(sync));
		const states = d.awareness.getStates();
		if (states.size > 0) ws.send(awarenessMessage(d.awareness, [...states.keys()]));
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
			conn.ws.send(encoding.toUint8Array(reply));
		} else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
			// A reader's changes are dropped unread.
			if (conn.access === 'write') receiveUpdate(d, conn, decoder);
		} else {
			throw new Error(`unknown sync message ${syncType}`);
		}
	}

	function receiveUpdate(d: LoadedDoc, conn: Conn, decoder: decoding.Decoder) {
		// What the update changed, as Yjs encodes it: nothing if it was already known.
		const changes: Uint8Array[] = [];
		const keep = (update: Uint8Array) => changes.push(update);
		d.shadow.on('update', keep);
		try {
			// Rethrowing from the error handler aborts instead of logging and going on.
			syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), d.shadow, conn, (err) => {
				throw err;
			});
		} catch (err) {
			// A truncated update can be half applied: start the shadow again from the shared doc.
			resetShadow(d);
			throw err;
		} finally {
			d.shadow.off('update', keep);
		}
		pending.push({ d, update: changes.length ? Y.mergeUpdates(changes) : null, from: conn });
		// After the frames of this read, before anything else runs: a burst (a reconnecting phone's
		// queue, fast typing) is one commit, and no keystroke waits behind other work for it.
		if (!commitQueued) queueMicrotask(commit);
		commitQueued = true;
	}

	function commit() {
		commitQueued = false;
		accept(pending.splice(0));
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
			seqs = stored.length ? persistence.appendAll(stored.map((p) => ({ docName: p.d.name, update: p.update }))) : [];
		} catch (err) {
			console.error(`yjs: cannot store ${stored.length} update(s) of ${[...new Set(stored.map((p) => p.d.name))].join(', ')}`, err);
			for (const d of new Set(batch.map((p) => p.d))) resetShadow(d);
			// The writers keep what could not be stored and send it again on reconnecting.
			for (const from of new Set(batch.map((p) => p.from))) from?.ws.close(1011);
			return err;
		}
		let next = 0;
		for (const { d, update, from } of batch) {
			if (update) {
				// The shadow took this update from the same state: it applies here too.
				Y.applyUpdate(d.doc, update, from);
				const message = encoding.createEncoder();
				encoding.writeVarUint(message, messageSync);
				syncProtocol.writeUpdate(message, update);
				broadcast(d, encoding.toUint8Array(message), from);
				d.rows++;
				options.onChange?.(d.name, d.doc);
			}
			from?.ws.send(savedMessage(update ? (seqs[next++] as number) : 0));
		}
		// Only once the whole batch is in the docs: a doc's later rows of this batch are in its state.
		for (const d of new Set(stored.map((p) => p.d))) if (d.rows >= compactEvery) compact(d);
		return undefined;
	}

	/** A loaded doc; one loaded only for the server is unloaded again when idle. */
	function ensure(name: string): LoadedDoc {
		const existing = docs.get(name);
		if (existing) return existing;
		const d = load(name);
		d.idleTimer = setTimeout(() => unload(d, 1001), idleUnloadMs);
		d.idleTimer.unref();
		return d;
	}

	function compact(d: LoadedDoc) {
		try {
			persistence.replaceAll(d.name, Y.encodeStateAsUpdate(d.doc));
			d.rows = 1;
		} catch (err) {
			// The rows are intact; the next update tries again.
			console.error(`yjs: cannot compact ${d.name}`, err);
		}
	}

	function broadcast(d: LoadedDoc, message: Uint8Array, except: Conn | null) {
		for (const conn of d.conns) if (conn !== except) conn.ws.send(message);
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
			const d = docs.get(name);
			if (!d) return;
			// A deleted doc's waiting changes must not bring its rows back.
			for (let i = pending.length - 1; i >= 0; i--) if (pending[i]?.d === d) pending.splice(i, 1);
			// 4404: the doc no longer exists; clients stop reconnecting to it.
			unload(d, 4404);
		},
		apply(name, update) {
			const d = ensure(name);
			const changes: Uint8Array[] = [];
			const keep = (u: Uint8Array) => changes.push(u);
			d.shadow.on('update', keep);
			try {
				Y.applyUpdate(d.shadow, update);
			} catch (err) {
				resetShadow(d);
				throw err;
			} finally {
				d.shadow.off('update', keep);
			}
			if (changes.length === 0) return;
			// What clients sent before goes first, so every doc keeps its order.
			commit();
			const err = accept([{ d, update: Y.mergeUpdates(changes), from: null }]);
			if (err) throw err;
		},
		async close() {
			clearInterval(pinger);
			commit();
			for (const d of [...docs.values()]) unload(d, 1001);
			// Resolves once every client socket has closed.
			await new Promise<void>((resolve) => wss.close(() => resolve()));
		},
		loadedDocs: () => docs.size
	};
}

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
	let grant: YjsGrant | null;
	try {
		grant = authorise(name, url.searchParams.get('token') ?? undefined);
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

/** Answers the upgrade request with a plain HTTP error and closes the socket. */
export function refuse(socket: Duplex, status: number): true {
	const reason = STATUS_CODES[status] ?? '';
	// The client may already be gone: its reset must not become an uncaught error.
	socket.on('error', () => {});
	socket.once('finish', () => socket.destroy());
	socket.end(
		`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
			`Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`
	);
	return true;
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageAwareness);
	encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	return encoding.toUint8Array(encoder);
}

function savedMessage(seq: number): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageSaved);
	encoding.writeVarUint(encoder, seq);
	return encoding.toUint8Array(encoder);
}
