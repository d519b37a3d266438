/**
 * The Yjs endpoint on loopback, with real y-websocket clients and raw ws sockets: access
 * decided at the upgrade, read-only connections, size limit, malformed input, persistence,
 * compaction, idle unload, and the saved acknowledgement.
 */
import Database from 'better-sqlite3';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
	DEFAULT_MAX_MESSAGE_BYTES,
	createYjsEndpoint,
	routeUpgrade,
	type YjsEndpoint,
	type YjsGrant,
	type YjsEndpointOptions
} from '../../server/realtime/yjs';
import { migrate } from '../../server/store/sqlite';
import { sqliteYDocPersistence, type YDocPersistence } from '../../server/store/ydocs';
import { messageSaved, trackSaved, type SaveState } from '../../src/lib/yjsSaved';

const dir = mkdtempSync(join(tmpdir(), 'palabre-yjs-'));
const dbs: Database.Database[] = [];

function openDb(file = 'yjs.sqlite') {
	const db = new Database(join(dir, file));
	migrate(db);
	dbs.push(db);
	return { db, persistence: sqliteYDocPersistence(db) };
}

const { db, persistence } = openDb();

/** Docs whose name starts with g exist; ticket w writes, r reads (the real server's tickets have their own tests). */
function authorise(doc: string, token: string): YjsGrant | null {
	if (!doc.startsWith('g')) return null;
	return token === 'w' ? { access: 'write', holder: 'writer' } : token === 'r' ? { access: 'read', holder: 'reader' } : null;
}

interface Running {
	endpoint: YjsEndpoint;
	http: Server;
	port: number;
}
const running: Running[] = [];
const providers: WebsocketProvider[] = [];
const sockets: WebSocket[] = [];

async function start(options: Partial<YjsEndpointOptions> = {}): Promise<Running> {
	const endpoint = createYjsEndpoint({ persistence, ...options });
	const http = createServer((_req, res) => res.writeHead(404).end());
	// As the main process does before passing the socket to the Yjs process.
	http.on('upgrade', (req, socket, head) => {
		if (!routeUpgrade(req, socket, authorise, (name, grant) => endpoint.accept(req, socket, head, name, grant))) socket.destroy();
	});
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const r = { endpoint, http, port: (http.address() as AddressInfo).port };
	running.push(r);
	return r;
}

async function stop(r: Running) {
	running.splice(running.indexOf(r), 1);
	await r.endpoint.close();
	await new Promise((resolve) => r.http.close(resolve));
}

function client(port: number, docName: string, token: string) {
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/yjs`, docName, doc, {
		params: { ticket: token },
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		// In one process, providers would also sync through BroadcastChannel, around the server.
		disableBc: true
	});
	// Most tests don't look at the saved acks; trackSaved or a test replaces this.
	provider.messageHandlers[messageSaved] = () => {};
	providers.push(provider);
	return { doc, text: doc.getText('t'), provider };
}

async function waitFor(what: string, ok: () => boolean, ms = 5000) {
	const until = Date.now() + ms;
	while (!ok()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

async function synced(...clients: { provider: WebsocketProvider }[]) {
	await waitFor('sync', () => clients.every((c) => c.provider.synced));
}

async function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

function storedDoc(docName: string, from: YDocPersistence = persistence) {
	const doc = new Y.Doc();
	for (const update of from.load(docName)) Y.applyUpdate(doc, update);
	return doc;
}

const storedText = (docName: string, from: YDocPersistence = persistence) => storedDoc(docName, from).getText('t').toString();

/** A raw socket on /yjs/<doc>, once open, with the messages it gets and its close code. */
async function rawClient(port: number, docName: string, token = 'w') {
	const ws = new WebSocket(`ws://127.0.0.1:${port}/yjs/${docName}?ticket=${token}`);
	sockets.push(ws);
	ws.on('error', () => {});
	const messages: Uint8Array[] = [];
	ws.on('message', (data) => messages.push(new Uint8Array(data as Buffer)));
	const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
	await within(new Promise((resolve) => ws.once('open', resolve)), 'raw socket open');
	return { ws, messages, closed };
}

/** The HTTP status with which the server refuses to upgrade this path. */
function refusedStatus(port: number, path: string): Promise<number> {
	const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
	ws.on('error', () => {});
	return within(
		new Promise<number>((resolve, reject) => {
			ws.on('unexpected-response', (_req, res) => {
				resolve(res.statusCode ?? 0);
				ws.terminate();
			});
			ws.on('open', () => {
				ws.close();
				reject(new Error(`${path} was upgraded`));
			});
		}),
		`refusal of ${path}`
	);
}

function syncUpdate(update: Uint8Array) {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 0);
	encoding.writeVarUint(encoder, 2);
	encoding.writeVarUint8Array(encoder, update);
	return encoding.toUint8Array(encoder);
}

/** The seqs of the saved acknowledgements among raw messages. */
function acks(messages: Uint8Array[]) {
	return messages.flatMap((m) => {
		const decoder = decoding.createDecoder(m);
		return decoding.readVarUint(decoder) === messageSaved ? [decoding.readVarUint(decoder)] : [];
	});
}

let main: Running;
beforeAll(async () => {
	main = await start();
});

afterEach(() => {
	for (const p of providers.splice(0)) p.destroy();
	for (const ws of sockets.splice(0)) ws.terminate();
});

afterAll(async () => {
	for (const r of [...running]) await stop(r);
	for (const d of dbs) d.close();
	rmSync(dir, { recursive: true, force: true });
});

describe('the Yjs endpoint', () => {
	it('makes two writers converge and stores the result', async () => {
		const a = client(main.port, 'g1', 'w');
		const b = client(main.port, 'g1', 'w');
		await synced(a, b);
		a.text.insert(0, 'Constats. ');
		b.text.insert(0, 'Il faudrait. ');
		await waitFor('convergence', () => a.text.length === 23 && a.text.toString() === b.text.toString());
		b.text.insert(b.text.length, 'Fin.');
		await waitFor('the second edit', () => a.text.toString().endsWith('Fin.'));
		await waitFor('storage', () => storedText('g1') === a.text.toString());
	});

	it('lets a reader see the text but not change it', async () => {
		const w = client(main.port, 'g2', 'w');
		const r = client(main.port, 'g2', 'r');
		await synced(w, r);
		w.text.insert(0, 'Texte du groupe');
		await waitFor('the reader to see the text', () => r.text.toString() === 'Texte du groupe');
		const rows = persistence.count('g2');
		r.text.insert(0, 'PIRATE ');
		// Messages are handled in order: once its awareness reached the writer, its edit was read.
		r.provider.awareness.setLocalStateField('name', 'lecteur');
		await waitFor('the reader awareness', () => w.provider.awareness.getStates().get(r.doc.clientID)?.name === 'lecteur');
		expect(w.text.toString()).toBe('Texte du groupe');
		expect(storedText('g2')).toBe('Texte du groupe');
		expect(persistence.count('g2')).toBe(rows);
		const late = client(main.port, 'g2', 'r');
		await synced(late);
		expect(late.text.toString()).toBe('Texte du groupe');
	});

	it('refuses a wrong token, an unknown doc or a bad path at the upgrade', async () => {
		const loaded = main.endpoint.loadedDocs();
		expect(await refusedStatus(main.port, '/yjs/g3?ticket=faux')).toBe(403);
		expect(await refusedStatus(main.port, '/yjs/g3')).toBe(401);
		expect(await refusedStatus(main.port, '/yjs/inconnu?ticket=w')).toBe(403);
		expect(await refusedStatus(main.port, '/yjs/?ticket=w')).toBe(404);
		expect(await refusedStatus(main.port, '/yjs/g3/x?ticket=w')).toBe(404);
		expect(await refusedStatus(main.port, '/yjs/g%E0%A4%A?ticket=w')).toBe(404);
		expect(main.endpoint.loadedDocs()).toBe(loaded);
		expect(persistence.count('inconnu')).toBe(0);
		expect(routeUpgrade({ url: '/socket.io/?EIO=4' } as IncomingMessage, new PassThrough(), authorise, () => {})).toBe(false);
		const c = client(main.port, 'g3', 'w');
		await synced(c);
		expect(main.endpoint.loadedDocs()).toBe(loaded + 1);
	});

	it('withdraws a holder’s access: its connections close with 4403, but the one it keeps', async () => {
		const kept = await rawClient(main.port, 'g5k');
		const gone = await rawClient(main.port, 'g5');
		const reader = await rawClient(main.port, 'g5', 'r');
		main.endpoint.revoke(['writer'], 'g5k');
		expect(await within(gone.closed, 'close')).toBe(4403);
		// Other holders and the kept doc stay open.
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'encore là');
		kept.ws.send(syncUpdate(Y.encodeStateAsUpdate(doc)));
		await waitFor('the kept connection to store', () => persistence.count('g5k') === 1);
		expect(reader.ws.readyState).toBe(WebSocket.OPEN);
		expect(kept.ws.readyState).toBe(WebSocket.OPEN);
		expect(persistence.count('g5')).toBe(0);
	});

	it('closes a connection sending a message over the limit with 1009', async () => {
		const { ws, closed } = await rawClient(main.port, 'g4');
		ws.send(syncUpdate(new Uint8Array(DEFAULT_MAX_MESSAGE_BYTES)));
		expect(await within(closed, 'close')).toBe(1009);
		expect(persistence.count('g4')).toBe(0);
		const c = client(main.port, 'g4', 'w');
		await synced(c);
	});

	it('closes on malformed messages with 1003 and keeps the stored doc intact', async () => {
		const w = client(main.port, 'g5', 'w');
		await synced(w);
		w.text.insert(0, 'intact');
		await waitFor('storage', () => storedText('g5') === 'intact');
		const rows = persistence.count('g5');

		// A real update from elsewhere, cut inside its delete set: Yjs applies its structs, then throws.
		const other = new Y.Doc();
		other.getText('t').insert(0, 'hello world');
		other.getText('t').delete(0, 3);
		const full = Y.encodeStateAsUpdate(other);
		const halfApplied = full.slice(0, full.length - 2);
		const probe = new Y.Doc();
		expect(() => Y.applyUpdate(probe, halfApplied)).toThrow();
		expect(probe.getText('t').toString()).not.toBe('');

		const bad: [string, Uint8Array | string][] = [
			['garbage', new Uint8Array([0xff, 0xff, 0xff])],
			['empty', new Uint8Array()],
			['unknown message type', new Uint8Array([7, 1, 2])],
			['unknown sync message', new Uint8Array([0, 9, 1])],
			['length beyond the message', new Uint8Array([0, 2, 50, 1, 2])],
			['truncated update', syncUpdate(full.slice(0, 10))],
			['half-applicable update', syncUpdate(halfApplied)],
			['invalid update content', syncUpdate(new Uint8Array([1, 200, 1, 0, 0]))],
			['garbage awareness', new Uint8Array([1, 5, 1, 2, 3, 4, 5])],
			['text frame', 'bonjour']
		];
		for (const [what, message] of bad) {
			const { ws, closed } = await rawClient(main.port, 'g5');
			ws.send(message);
			expect(await within(closed, what), what).toBe(1003);
		}
		expect(storedText('g5')).toBe('intact');
		expect(persistence.count('g5')).toBe(rows);
		expect(w.provider.wsconnected).toBe(true);

		// The whole update is still accepted: nothing of its cut version stayed in the server.
		const { messages } = await rawClient(main.port, 'g5');
		const sender = await rawClient(main.port, 'g5');
		sender.ws.send(syncUpdate(full));
		await waitFor('the saved ack', () => acks(sender.messages).some((seq) => seq > 0));
		expect(acks(messages)).toEqual([]);
		await waitFor('the writer to get it', () => w.text.toString().includes('lo world'));
		expect(storedText('g5')).toBe(w.text.toString());
		const fresh = client(main.port, 'g5', 'r');
		await synced(fresh);
		expect(fresh.text.toString()).toBe(w.text.toString());
	});

	it('keeps the text across a restart on the same database', async () => {
		const before = openDb('restart.sqlite');
		const first = await start({ persistence: before.persistence });
		const a = client(first.port, 'g6', 'w');
		await synced(a);
		a.text.insert(0, 'Ce qui a été dit');
		await waitFor('storage', () => storedText('g6', before.persistence) === 'Ce qui a été dit');
		a.provider.destroy();
		await stop(first);
		before.db.close();

		const after = openDb('restart.sqlite');
		const second = await start({ persistence: after.persistence });
		const b = client(second.port, 'g6', 'r');
		await synced(b);
		expect(b.text.toString()).toBe('Ce qui a été dit');
	});

	it('compacts the stored updates without changing the content', async () => {
		const r = await start({ compactEvery: 10 });
		const a = client(r.port, 'g7', 'w');
		let state: SaveState = 'saved';
		trackSaved(a.provider, (s) => (state = s));
		await synced(a);
		const letters = 'abcdefghijklmnopqrstuvwxy';
		for (const letter of letters) a.text.insert(a.text.length, letter);
		await waitFor('all saved', () => state === 'saved');
		expect(persistence.count('g7')).toBeLessThan(10);
		// The merged row keeps the last seq: one per update, never going back.
		expect(db.prepare('SELECT MAX(seq) FROM ydoc_updates WHERE doc = ?').pluck().get('g7')).toBe(letters.length);
		const stored = storedDoc('g7');
		expect(stored.getText('t').toString()).toBe(letters);
		expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(a.doc));
		const b = client(r.port, 'g7', 'r');
		await synced(b);
		expect(b.text.toString()).toBe(letters);
	});

	it('stores a burst of keystrokes in a few transactions, each acknowledged once stored', async () => {
		const transactions: number[] = [];
		const counting: YDocPersistence = {
			...persistence,
			appendAll: (updates) => {
				transactions.push(updates.length);
				return persistence.appendAll(updates);
			}
		};
		const r = await start({ persistence: counting });
		const a = client(r.port, 'g11', 'w');
		const seqs: number[] = [];
		a.provider.messageHandlers[messageSaved] = (_encoder, decoder) => {
			seqs.push(decoding.readVarUint(decoder));
		};
		await synced(a);
		const before = seqs.length;
		const letters = 'abcdefghijklmnopqrst';
		for (const letter of letters) a.text.insert(a.text.length, letter);
		await waitFor('every keystroke acknowledged', () => seqs.length - before === letters.length);
		// One row per keystroke, acknowledged in order, in fewer commits than keystrokes.
		expect(seqs.slice(before)).toEqual([...letters].map((_, i) => i + 1));
		expect(transactions.reduce((n, k) => n + k, 0)).toBe(letters.length);
		expect(transactions.length).toBeLessThan(letters.length);
		expect(storedText('g11')).toBe(letters);
	});

	it('unloads an idle doc and loads it again on demand', async () => {
		const r = await start({ idleUnloadMs: 100 });
		const a = client(r.port, 'g8', 'w');
		await synced(a);
		a.text.insert(0, 'Avant la pause');
		await waitFor('storage', () => storedText('g8') === 'Avant la pause');
		expect(r.endpoint.loadedDocs()).toBe(1);
		a.provider.destroy();
		await waitFor('the unload', () => r.endpoint.loadedDocs() === 0);
		const b = client(r.port, 'g8', 'w');
		await synced(b);
		expect(r.endpoint.loadedDocs()).toBe(1);
		expect(b.text.toString()).toBe('Avant la pause');
		b.text.insert(b.text.length, ' et après');
		await waitFor('storage', () => storedText('g8') === 'Avant la pause et après');
	});

	it('loads a doc once for all the connections that open it together', async () => {
		const before = new Y.Doc();
		before.getText('t').insert(0, 'Déjà là');
		persistence.append('g-together', Y.encodeStateAsUpdate(before));
		const loads: string[] = [];
		const r = await start({ persistence: { ...persistence, load: (name) => (loads.push(name), persistence.load(name)) } });
		const members = Array.from({ length: 12 }, (_, i) => client(r.port, 'g-together', i % 3 ? 'r' : 'w'));
		await synced(...members);
		expect(members.map((m) => m.text.toString())).toEqual(members.map(() => 'Déjà là'));
		expect(loads).toEqual(['g-together']);
		for (const m of members) m.provider.destroy();
		await stop(r);
	});

	it('acknowledges an update only once its row is stored, before peers get it', async () => {
		const row = db.prepare('SELECT 1 FROM ydoc_updates WHERE doc = ? AND seq = ?');
		const peer = client(main.port, 'g9', 'r');
		const w = client(main.port, 'g9', 'w');
		const ackSeen: { seq: number; rowThere: boolean; stored: string }[] = [];
		w.provider.messageHandlers[messageSaved] = (_encoder, decoder) => {
			const seq = decoding.readVarUint(decoder);
			ackSeen.push({ seq, rowThere: row.get('g9', seq) !== undefined, stored: storedText('g9') });
		};
		const peerSeen: string[] = [];
		peer.doc.on('update', () => peerSeen.push(storedText('g9')));
		await synced(peer, w);
		const text = 'Il faudrait des règles sur le temps de parole';
		w.text.insert(0, text);
		await waitFor('the ack', () => ackSeen.some((a) => a.seq > 0));
		expect(ackSeen.filter((a) => a.seq > 0)).toEqual([{ seq: 1, rowThere: true, stored: text }]);
		await waitFor('the peer', () => peer.text.toString() === text);
		expect(peerSeen).toEqual([text]);
	});

	it('tells « enregistré » only once stored, also after editing offline', async () => {
		const t = client(main.port, 'g10', 'w');
		const states: SaveState[] = [];
		const storedWhenSaved: string[] = [];
		trackSaved(t.provider, (s) => {
			states.push(s);
			if (s === 'saved') storedWhenSaved.push(storedText('g10'));
		});
		await synced(t);
		await waitFor('saved', () => states.at(-1) === 'saved');
		t.text.insert(0, 'Constat');
		expect(states.at(-1)).toBe('saving');
		await waitFor('saved', () => states.at(-1) === 'saved');
		expect(storedWhenSaved.at(-1)).toBe('Constat');

		t.provider.disconnect();
		t.text.insert(t.text.length, ' hors ligne');
		expect(states.at(-1)).toBe('unsaved');
		t.provider.connect();
		await waitFor('saved', () => states.at(-1) === 'saved');
		expect(storedWhenSaved.at(-1)).toBe('Constat hors ligne');
		expect(states.slice(-3)).toEqual(['unsaved', 'saving', 'saved']);
	});

	it('with a store synced off its event loop, tells peers once committed and « enregistré » only once the sync is done', async () => {
		// SQLite commits without waiting for the disk; `durable` is its sync of the WAL (walSync.ts).
		const gates: (() => void)[] = [];
		let holding = false;
		const r = await start({ durable: () => (holding ? new Promise<void>((resolve) => gates.push(resolve)) : Promise.resolve()) });
		const peer = client(r.port, 'gdur', 'r');
		const w = client(r.port, 'gdur', 'w');
		const acks: number[] = [];
		w.provider.messageHandlers[messageSaved] = (_encoder, decoder) => void acks.push(decoding.readVarUint(decoder));
		await synced(peer, w);
		await new Promise((resolve) => setTimeout(resolve, 50));
		holding = true;
		w.text.insert(0, 'Une maison de santé');
		await waitFor('the row', () => storedText('gdur') === 'Une maison de santé');
		await waitFor('the sync asked', () => gates.length > 0);
		// Committed, not yet synced: the peer sees it (a crash of the process could not lose it),
		// the writer is not told « enregistré » (a power cut still could).
		await waitFor('the peer', () => peer.text.toString() === 'Une maison de santé');
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(acks.filter((seq) => seq > 0)).toEqual([]);
		// Typed while the first sync runs: stored and seen at once, answered after a sync of its own.
		w.text.insert(w.text.length, ' ouverte le soir');
		await waitFor('the second row', () => storedText('gdur') === 'Une maison de santé ouverte le soir');
		await waitFor('the peer again', () => peer.text.toString() === 'Une maison de santé ouverte le soir');
		await waitFor('its sync asked', () => gates.length >= 2);
		gates.shift()?.();
		await waitFor('the first ack', () => acks.includes(1));
		expect(acks).not.toContain(2);
		holding = false;
		for (const open of gates.splice(0)) open();
		await waitFor('the second ack', () => acks.includes(2));
	});

	it('does not say « enregistré » when the sync to disk fails, and the writer sends it again', async () => {
		let failNext = false;
		const r = await start({
			durable: () => {
				if (!failNext) return Promise.resolve();
				failNext = false;
				return Promise.reject(new Error('EIO'));
			}
		});
		const w = client(r.port, 'gdurfail', 'w');
		const closeCodes: (number | undefined)[] = [];
		w.provider.on('connection-close', (event) => closeCodes.push(event?.code));
		const states: SaveState[] = [];
		trackSaved(w.provider, (s) => states.push(s));
		await synced(w);
		await waitFor('saved', () => states.at(-1) === 'saved');
		const typed = states.length;
		failNext = true;
		w.text.insert(0, 'à garder');
		await waitFor('the close', () => closeCodes.includes(1011));
		// From the keystroke to the lost connection, never « enregistré ».
		expect(states.slice(typed)).not.toContain('saved');
		// y-websocket reconnects by itself; its sync step 2 carries the change again, now synced.
		await waitFor('saved after reconnecting', () => states.at(-1) === 'saved', 10_000);
		const reader = client(r.port, 'gdurfail', 'r');
		await synced(reader);
		expect(reader.text.toString()).toBe('à garder');
	});

	it('neither broadcasts nor acknowledges an update it could not store', async () => {
		const failing: YDocPersistence = {
			...persistence,
			appendAll: (updates) => {
				if (updates.some((u) => u.docName === 'gfail')) throw new Error('disque plein');
				return persistence.appendAll(updates);
			}
		};
		const r = await start({ persistence: failing });
		const peer = client(r.port, 'gfail', 'r');
		const w = client(r.port, 'gfail', 'w');
		const closeCodes: (number | undefined)[] = [];
		w.provider.on('connection-close', (event) => closeCodes.push(event?.code));
		const states: SaveState[] = [];
		trackSaved(w.provider, (s) => states.push(s));
		await synced(peer, w);
		w.text.insert(0, 'perdu ?');
		await waitFor('the close', () => closeCodes.includes(1011));
		w.provider.disconnect();
		// Handled in order: once the peer sees this awareness, it would have seen the update.
		const other = client(r.port, 'gfail', 'r');
		await synced(other);
		other.provider.awareness.setLocalStateField('name', 'témoin');
		await waitFor('the barrier', () => peer.provider.awareness.getStates().get(other.doc.clientID)?.name === 'témoin');
		expect(peer.text.toString()).toBe('');
		expect(other.text.toString()).toBe('');
		expect(persistence.count('gfail')).toBe(0);
		expect(states.at(-1)).toBe('unsaved');
	});
});
