/**
 * The Yjs endpoint on PostgreSQL (server/store/postgres/ydocs.ts), on loopback with real
 * y-websocket clients and a throwaway PostgreSQL: broadcast and « saved » only after the COMMIT,
 * each doc's rows in order under concurrent writers, compaction, a failed commit never told
 * saved, fenced writes (a lease whose epoch moved on) storing nothing, and docs coming back whole
 * in a new endpoint.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createYjsEndpoint, routeUpgrade, type YjsEndpoint, type YjsEndpointOptions, type YjsGrant } from '../../server/realtime/yjs';
import { ensureYDocSchema, FenceError, postgresYDocPersistence, type AsyncYDocPersistence, type Fence } from '../../server/store/postgres/ydocs';
import { trackSaved, type SaveState } from '../../src/lib/yjsSaved';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { mulberry32, randInt, sleep, waitFor } from '../helpers/yjsClients';

let cluster: PostgresCluster;
let pool: pg.Pool;
let persistence: AsyncYDocPersistence;

beforeAll(async () => {
	cluster = await startPostgres();
	pool = new pg.Pool({ connectionString: await cluster.createDatabase(), max: 6 });
	await ensureYDocSchema(pool);
	// Twice: it is idempotent, as the other stores' migrations also run it.
	await ensureYDocSchema(pool);
	// The leases table as the cluster creates it, reduced to what fencing reads.
	await pool.query('CREATE TABLE event_leases (event_id text PRIMARY KEY, node_id text NOT NULL, epoch bigint NOT NULL)');
	persistence = postgresYDocPersistence(pool);
});

afterAll(async () => {
	await pool?.end();
	await cluster?.stop();
});

interface Running {
	endpoint: YjsEndpoint;
	http: Server;
	port: number;
}
const running: Running[] = [];
const providers: WebsocketProvider[] = [];

afterEach(async () => {
	for (const p of providers.splice(0)) p.destroy();
	for (const r of running.splice(0)) await stop(r);
});

/** Tickets name the grant: w writes, r reads; `fence` (if any) goes with every writer. */
let fence: Fence | undefined;
function authorise(_doc: string, token: string): YjsGrant | null {
	if (token === 'r') return { access: 'read', holder: 'reader' };
	if (!token.startsWith('w')) return null;
	return { access: 'write', holder: token, ...(fence ? { fence } : {}) };
}

async function start(options: Partial<YjsEndpointOptions> = {}): Promise<Running> {
	const endpoint = createYjsEndpoint({ persistence, ...options });
	const http = createServer((_req, res) => res.writeHead(404).end());
	http.on('upgrade', (req, socket, head) => {
		if (!routeUpgrade(req, socket, authorise, (name, grant) => endpoint.accept(req, socket, head, name, grant))) socket.destroy();
	});
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const r = { endpoint, http, port: (http.address() as AddressInfo).port };
	running.push(r);
	return r;
}

async function stop(r: Running) {
	const i = running.indexOf(r);
	if (i >= 0) running.splice(i, 1);
	await r.endpoint.close();
	r.http.closeAllConnections();
	await new Promise((resolve) => r.http.close(resolve));
}

interface Client {
	doc: Y.Doc;
	text: Y.Text;
	provider: WebsocketProvider;
	state: SaveState;
	/** Every « saved » state seen, in order. */
	saves: number;
	closes: number[];
}

function client(port: number, docName: string, token = 'w'): Client {
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/yjs`, docName, doc, {
		params: { ticket: token },
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: 300
	});
	providers.push(provider);
	const c: Client = { doc, text: doc.getText('t'), provider, state: 'saved', saves: 0, closes: [] };
	provider.on('connection-close', (event: CloseEvent | null) => {
		if (event) c.closes.push(event.code);
	});
	trackSaved(provider, (s) => {
		c.state = s;
		if (s === 'saved') c.saves++;
	});
	return c;
}

async function rows(docName: string): Promise<{ seq: number; data: Uint8Array }[]> {
	const { rows: found } = await pool.query<{ seq: string; data: Buffer }>('SELECT seq, data FROM ydoc_updates WHERE doc = $1 ORDER BY seq', [docName]);
	return found.map((r) => ({ seq: Number(r.seq), data: new Uint8Array(r.data) }));
}

async function storedText(docName: string): Promise<string> {
	const doc = new Y.Doc();
	for (const r of await rows(docName)) Y.applyUpdate(doc, r.data);
	return doc.getText('t').toString();
}

/** A persistence whose writes wait for `open()`, or fail while `failing` is set. */
function gated() {
	let release: () => void = () => {};
	let gate: Promise<void> | null = null;
	const wrapper = {
		failing: false,
		writes: 0,
		close() {
			gate = new Promise<void>((resolve) => (release = resolve));
		},
		open() {
			gate = null;
			release();
		},
		persistence: {
			...persistence,
			async appendBatch(batch, fences) {
				wrapper.writes++;
				if (gate) await gate;
				if (wrapper.failing) throw new Error('PostgreSQL unreachable (test)');
				return persistence.appendBatch(batch, fences);
			}
		} satisfies AsyncYDocPersistence
	};
	return wrapper;
}

it('creates the table once when several processes start at once', async () => {
	const url = await cluster.createDatabase();
	const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: url, max: 1 }));
	try {
		await Promise.all(pools.map((p) => ensureYDocSchema(p)));
		const { rows } = await (pools[0] as pg.Pool).query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'ydoc_updates'`);
		expect(rows[0].n).toBe(1);
	} finally {
		await Promise.all(pools.map((p) => p.end()));
	}
});

describe('the Yjs endpoint on PostgreSQL', () => {
	it('broadcasts and acknowledges an update only after PostgreSQL committed it', async () => {
		const g = gated();
		const r = await start({ persistence: g.persistence });
		const writer = client(r.port, 'doc-commit');
		const reader = client(r.port, 'doc-commit', 'r');
		await waitFor('sync', () => writer.provider.synced && reader.provider.synced);

		g.close();
		writer.text.insert(0, 'Constat partagé');
		await waitFor('the write to start', () => g.writes > 0);
		// Held before the COMMIT: neither told saved nor sent to the other member.
		await sleep(150);
		expect(writer.state).not.toBe('saved');
		expect(reader.text.toString()).toBe('');
		expect(await storedText('doc-commit')).toBe('');

		g.open();
		await waitFor('saved', () => writer.state === 'saved');
		expect(await storedText('doc-commit')).toBe('Constat partagé');
		await waitFor('the broadcast', () => reader.text.toString() === 'Constat partagé');
	});

	it('keeps each doc in order under concurrent writers, compacts, and brings the docs back whole', async () => {
		const r = await start({ compactEvery: 40 });
		const rng = mulberry32(23);
		const docs = ['doc-order-a', 'doc-order-b'];
		const byDoc = docs.map((name) => [0, 1, 2].map((k) => client(r.port, name, `w${k}`)));
		const writers = byDoc.flat();
		await waitFor('sync', () => writers.every((w) => w.provider.synced));
		// Three writers per doc type at random places, a few ms apart, so batches mix docs and writers.
		await Promise.all(
			writers.map(async (w, i) => {
				for (let n = 0; n < 60; n++) {
					w.text.insert(randInt(rng, w.text.length + 1), String.fromCharCode(0x4e00 + i * 100 + n));
					await sleep(1 + randInt(rng, 4));
				}
			})
		);
		const settled = (mine: Client[]) => mine.every((w) => w.state === 'saved' && w.text.length === 180 && w.text.toString() === mine[0]?.text.toString());
		await waitFor('all saved and in step', () => byDoc.every(settled), 15_000);

		for (const [i, name] of docs.entries()) {
			const text = byDoc[i]?.[0]?.text.toString();
			const stored = await rows(name);
			// Seqs only grow; compaction merged the older rows into one that kept its seq.
			expect(stored.map((s) => s.seq)).toEqual([...stored.map((s) => s.seq)].sort((a, b) => a - b));
			expect(stored.length).toBeLessThan(60 * 3);
			expect(stored[0]?.seq).toBeGreaterThan(1);
			// Read in seq order, no row waits for a later one: each doc's order held.
			const replay = new Y.Doc();
			for (const row of stored) {
				Y.applyUpdate(replay, row.data);
				expect(replay.store.pendingStructs).toBeNull();
				expect(replay.store.pendingDs).toBeNull();
			}
			expect(replay.getText('t').toString()).toBe(text);
		}

		// A new endpoint (the process restarted) serves every doc whole from PostgreSQL.
		await stop(r);
		const again = await start();
		for (const name of docs) {
			const fresh = client(again.port, name, 'r');
			await waitFor('the reload', () => fresh.provider.synced);
			expect(fresh.text.toString()).toBe(await storedText(name));
			expect(fresh.text.length).toBe(180);
		}
	});

	it('never tells a failed commit saved: the writer sends it again on reconnecting', async () => {
		const g = gated();
		const r = await start({ persistence: g.persistence });
		const writer = client(r.port, 'doc-fail');
		const other = client(r.port, 'doc-fail', 'w2');
		await waitFor('sync', () => writer.provider.synced && other.provider.synced);
		writer.text.insert(0, 'Premier. ');
		await waitFor('saved', () => writer.state === 'saved');

		g.failing = true;
		const saves = writer.saves;
		writer.text.insert(writer.text.length, 'Perdu ? ');
		// The commit fails: the writer's connection is closed (1011), nothing is acknowledged or broadcast.
		await waitFor('the close', () => writer.closes.includes(1011));
		expect(writer.saves).toBe(saves);
		expect(other.text.toString()).toBe('Premier. ');
		expect(await storedText('doc-fail')).toBe('Premier. ');

		g.failing = false;
		// Reconnected, its sync step 2 brings the change back; stored, then acknowledged and shared.
		await waitFor('saved again', () => writer.state === 'saved' && writer.saves > saves, 10_000);
		expect(await storedText('doc-fail')).toBe('Premier. Perdu ? ');
		await waitFor('the broadcast', () => other.text.toString() === 'Premier. Perdu ? ');
	});

	it('stores nothing under a stale lease and acknowledges nothing; the owner at the current epoch writes', async () => {
		await pool.query(`INSERT INTO event_leases VALUES ('ev-1', 'node-a', 7)`);
		fence = { eventId: 'ev-1', epoch: 7 };
		try {
			const r = await start();
			const writer = client(r.port, 'doc-fenced');
			await waitFor('sync', () => writer.provider.synced);
			writer.text.insert(0, 'Sous le bail. ');
			await waitFor('saved', () => writer.state === 'saved');
			expect(await storedText('doc-fenced')).toBe('Sous le bail. ');

			// Another node takes the event over: epoch 8. This process's next write is fenced.
			await pool.query(`UPDATE event_leases SET epoch = 8 WHERE event_id = 'ev-1'`);
			const saves = writer.saves;
			writer.text.insert(writer.text.length, 'Trop tard.');
			// The doc is unloaded (1012) so its clients go to the owner; this one keeps what it typed.
			await waitFor('the fenced close', () => writer.closes.includes(1012));
			await sleep(300);
			expect(writer.saves).toBe(saves);
			expect(writer.state).not.toBe('saved');
			expect(await storedText('doc-fenced')).toBe('Sous le bail. ');
			expect((await rows('doc-fenced')).length).toBe(1);

			// Its grants now carry the current epoch (as the owner's would): the change comes back, stored once.
			fence = { eventId: 'ev-1', epoch: 8 };
			await waitFor('saved at the new epoch', () => writer.state === 'saved' && writer.saves > saves, 10_000);
			expect(await storedText('doc-fenced')).toBe('Sous le bail. Trop tard.');
		} finally {
			fence = undefined;
		}
	});

	it('fences one statement: a batch checked against a lease that moved on writes no row', async () => {
		await pool.query(`INSERT INTO event_leases VALUES ('ev-2', 'node-a', 3)`);
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'x');
		const data = Y.encodeStateAsUpdate(doc);
		await expect(persistence.appendBatch([{ doc: 'doc-direct', seq: 1, data }], [{ eventId: 'ev-2', epoch: 2 }])).rejects.toBeInstanceOf(FenceError);
		// A batch with two leases, one stale: all or none.
		await pool.query(`INSERT INTO event_leases VALUES ('ev-3', 'node-a', 1)`);
		await expect(
			persistence.appendBatch([{ doc: 'doc-direct', seq: 1, data }], [{ eventId: 'ev-2', epoch: 3 }, { eventId: 'ev-3', epoch: 0 }])
		).rejects.toBeInstanceOf(FenceError);
		expect(await rows('doc-direct')).toEqual([]);
		await persistence.appendBatch([{ doc: 'doc-direct', seq: 1, data }], [{ eventId: 'ev-2', epoch: 3 }, { eventId: 'ev-3', epoch: 1 }]);
		// A seq already taken (another process wrote this doc) is refused like a lost lease.
		await expect(persistence.appendBatch([{ doc: 'doc-direct', seq: 1, data }])).rejects.toBeInstanceOf(FenceError);
		expect((await rows('doc-direct')).map((r) => r.seq)).toEqual([1]);
		// Compaction is fenced too, and keeps the last seq.
		await persistence.appendBatch([{ doc: 'doc-direct', seq: 2, data }]);
		await expect(persistence.compact('doc-direct', 2, data, [{ eventId: 'ev-2', epoch: 1 }])).rejects.toBeInstanceOf(FenceError);
		expect((await rows('doc-direct')).map((r) => r.seq)).toEqual([1, 2]);
		await persistence.compact('doc-direct', 2, data, [{ eventId: 'ev-2', epoch: 3 }]);
		expect((await rows('doc-direct')).map((r) => r.seq)).toEqual([2]);
		expect((await persistence.load('doc-direct')).lastSeq).toBe(2);
	});

	it('applies the server’s own change after its commit, and a drop deletes the rows after the batch in flight', async () => {
		const g = gated();
		const r = await start({ persistence: g.persistence });
		const writer = client(r.port, 'doc-server');
		await waitFor('sync', () => writer.provider.synced);
		const change = new Y.Doc();
		change.getText('t').insert(0, 'Commentaire. ');
		g.close();
		let applied = false;
		const done = Promise.resolve(r.endpoint.apply('doc-server', Y.encodeStateAsUpdate(change))).then(() => (applied = true));
		await waitFor('the write to start', () => g.writes > 0);
		await sleep(100);
		expect(applied).toBe(false);
		expect(writer.text.toString()).toBe('');
		g.open();
		await done;
		expect(await storedText('doc-server')).toBe('Commentaire. ');
		await waitFor('the broadcast', () => writer.text.toString() === 'Commentaire. ');

		// A change in flight when the doc is deleted: its rows do not outlive the deletion.
		g.close();
		writer.text.insert(0, 'En vol. ');
		await waitFor('the write to start', () => g.writes > 1);
		r.endpoint.drop('doc-server');
		g.open();
		await waitFor('the rows deleted', () => writer.closes.includes(4404));
		await expect.poll(async () => (await rows('doc-server')).length, { timeout: 5_000 }).toBe(0);
	});
});
