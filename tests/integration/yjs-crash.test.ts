/**
 * The server process is killed (SIGKILL) while three members type: whatever « enregistré »
 * had confirmed before the kill is in the database the dead process left behind, the server
 * comes back on the same data, and the members' phones, which kept typing through the outage,
 * reconnect by themselves and bring back everything else.
 *
 * Each keystroke is a marker of its own: one CJK ideograph from a block per member, so it
 * stays findable whatever the others insert around it.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addItem, docName, itemText, readWriteup } from '../../src/lib/writeup';
import { TestServer } from '../helpers/server';
import {
	describeClients,
	groupWithMembers,
	mulberry32,
	quiescent,
	randInt,
	sameStateVectors,
	sleep,
	storedDoc,
	waitFor,
	yjsClient,
	type YjsClient
} from '../helpers/yjsClients';

const SEED = 2017;
const MEMBERS = 3;
const KILLS = 3;
/** Per member: far more than a run types, and its block stays inside the CJK ideographs. */
const MAX_MARKERS = 0x1000;

const marker = (member: number, i: number) => String.fromCharCode(0x4e00 + member * MAX_MARKERS + i);

let server: TestServer;
const open: YjsClient[] = [];
const scratch: string[] = [];

beforeAll(async () => {
	server = await TestServer.start();
});

afterAll(async () => {
	for (const c of open.splice(0)) c.destroy();
	await server?.dispose();
	for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/**
 * The doc as the killed process left it on disk: a copy of the database and its WAL, opened
 * writable so SQLite replays the WAL as the next start would, leaving the real files alone.
 */
function storedAfterCrash(name: string): Y.Doc {
	const dir = mkdtempSync(join(tmpdir(), 'palabre-crash-'));
	scratch.push(dir);
	for (const suffix of ['', '-wal']) {
		const from = join(server.dataDir, `palabre.sqlite${suffix}`);
		if (existsSync(from)) copyFileSync(from, join(dir, `palabre.sqlite${suffix}`));
	}
	const db = new Database(join(dir, 'palabre.sqlite'));
	try {
		const rows = db.prepare('SELECT data FROM ydoc_updates WHERE doc = ? ORDER BY seq').pluck().all(name) as Buffer[];
		const doc = new Y.Doc();
		if (rows.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(rows.map((r) => new Uint8Array(r))));
		return doc;
	} finally {
		db.close();
	}
}

const allText = (doc: Y.Doc) =>
	readWriteup(doc)
		.stages.flatMap((s) => s.items.map((i) => i.text))
		.join('');

it('keeps every acknowledged keystroke when the server is killed, and converges after', async () => {
	const rng = mulberry32(SEED);
	const group = await groupWithMembers(server, MEMBERS);
	const name = docName(group.groupId);

	// typed[k]: member k's markers in typing order; acked[k]: how many of them « enregistré » covered.
	const typed: string[][] = group.tokens.map(() => []);
	const acked: number[] = group.tokens.map(() => 0);
	const clients = group.tokens.map((token, k) =>
		yjsClient(server, name, token, {
			// 'saved' comes only from an ack, and covers everything sent before it.
			onState: (s) => {
				if (s === 'saved') acked[k] = typed[k]?.length ?? 0;
			}
		})
	);
	open.push(...clients);
	await waitFor('the first sync', () => clients.every((c) => c.provider.synced));
	const first = clients[0] as YjsClient;
	const itemIds = [
		addItem(first.doc, 1, { id: 'constat', createdAt: 1 }),
		addItem(first.doc, 2, { id: 'ideal', createdAt: 2 })
	];
	await waitFor('the items on every phone', () => clients.every((c) => itemIds.every((id) => itemText(c.doc, id))));

	// Each member types a marker every few ms, at a random place, through kills and restarts.
	let typing = true;
	const typists = clients.map(async (c, k) => {
		const own = mulberry32(SEED * 31 + k);
		const mine = typed[k] as string[];
		while (typing && mine.length < MAX_MARKERS) {
			const text = itemText(c.doc, itemIds[randInt(own, itemIds.length)] as string);
			if (!text) throw new Error('item missing');
			const m = marker(k, mine.length);
			mine.push(m);
			text.insert(randInt(own, text.length + 1), m);
			await sleep(2 + randInt(own, 8));
		}
	});

	const ackedAtKill: number[] = [];
	for (let round = 0; round < KILLS; round++) {
		// Let the members type and get acks, then kill mid-stream.
		const ackedBefore = acked.reduce((a, b) => a + b, 0);
		await waitFor('new acks', () => acked.reduce((a, b) => a + b, 0) > ackedBefore + 30);
		await sleep(100 + randInt(rng, 400));
		await server.stop('SIGKILL');

		// Taken with the process dead: every ack seen came from rows it had stored.
		const mustHave = typed.flatMap((t, k) => t.slice(0, acked[k]));
		ackedAtKill.push(mustHave.length);
		const onDisk = allText(storedAfterCrash(name));
		const lost = mustHave.filter((m) => !onDisk.includes(m));
		expect(lost, `round ${round}: acknowledged markers missing after the kill`).toEqual([]);

		// The phones keep typing while the server is down, then it comes back on the same data and port.
		await sleep(100 + randInt(rng, 300));
		await server.spawn();
		expect((await server.api('GET', '/api/health')).status).toBe(200);
		await waitFor('the phones to reconnect', () => clients.every((c) => c.provider.synced), 10_000, () => describeClients(clients));
	}
	typing = false;
	await Promise.all(typists);

	await waitFor('everyone saved and in step', () => quiescent(clients), 15_000, () => describeClients(clients));
	// Acks came back after each restart.
	expect(ackedAtKill.every((n, i) => i === 0 || n > (ackedAtKill[i - 1] ?? 0))).toBe(true);

	const reference = readWriteup(first.doc);
	for (const c of clients) expect(readWriteup(c.doc)).toEqual(reference);
	const stored = storedDoc(server, name);
	expect(sameStateVectors([stored, first.doc])).toBe(true);
	expect(readWriteup(stored)).toEqual(reference);

	// Every marker typed, acknowledged before a kill or not, is there exactly once.
	const all = allText(stored);
	const everything = typed.flat();
	expect(all.length).toBe(everything.length);
	expect(everything.filter((m) => all.split(m).length !== 2)).toEqual([]);

	// A fresh reader gets the same from the restarted server.
	const reader = yjsClient(server, name, group.organiserToken, { writer: false });
	open.push(reader);
	await waitFor('the reader', () => reader.provider.synced);
	expect(readWriteup(reader.doc)).toEqual(reference);
	expect(server.output).not.toMatch(/yjs: cannot/);
});
