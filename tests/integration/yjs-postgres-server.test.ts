/**
 * The real server with DATABASE_URL and two Yjs processes (YJS_PROCESSES=2): each group's
 * write-up lives in the process its name hashes to, and is stored in PostgreSQL before anyone
 * hears of it. A killed Yjs process takes only its own docs down; a killed server loses nothing
 * « enregistré » had confirmed, and comes back with every doc whole, also for the organisers'
 * reads (the main process's copy, refilled from PostgreSQL) and a facilitator's comment. An
 * archive's write-ups are imported into PostgreSQL.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { yjsProcessOf } from '../../server/realtime/yjsRouting';
import { addItem, docName, itemText, readWriteup } from '../../src/lib/writeup';
import { connectClient, request } from '../helpers/clients';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { processGone, TestServer } from '../helpers/server';
import { describeClients, groupWithMembers, mulberry32, quiescent, randInt, sleep, waitFor, yjsClient, type Group, type YjsClient } from '../helpers/yjsClients';

let cluster: PostgresCluster;
let pool: pg.Pool;
let server: TestServer;
const open: YjsClient[] = [];

beforeAll(async () => {
	cluster = await startPostgres();
	const url = await cluster.createDatabase();
	pool = new pg.Pool({ connectionString: url, max: 2 });
	server = await TestServer.start({ DATABASE_URL: url, YJS_PROCESSES: '2' });
});

afterAll(async () => {
	for (const c of open.splice(0)) c.destroy();
	await server?.dispose();
	await pool?.end();
	await cluster?.stop();
});

/** The doc as PostgreSQL holds it, read without the server. */
async function storedInPostgres(name: string): Promise<Y.Doc> {
	const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM ydoc_updates WHERE doc = $1 ORDER BY seq', [name]);
	const doc = new Y.Doc();
	if (rows.length) Y.applyUpdate(doc, Y.mergeUpdates(rows.map((r) => new Uint8Array(r.data))));
	return doc;
}

/** The write-up's item texts as the organisers' document shows them (the main process's read). */
async function organiserTexts(group: Group): Promise<string[]> {
	const res = await server.api('GET', `/api/events/${group.eventId}`, undefined, group.organiserToken);
	expect(res.status).toBe(200);
	const g = res.body.rooms[0].statements[0].groups.find((x: { id: string }) => x.id === group.groupId);
	return (g.writeup.stages as { items: { text: string }[] }[]).flatMap((s) => s.items.map((i) => i.text));
}

const texts = (doc: Y.Doc) => readWriteup(doc).stages.flatMap((s) => s.items.map((i) => i.text));

/** Groups until one lands in each Yjs process (each new event has its own group id). */
async function oneGroupPerProcess(): Promise<[Group, Group]> {
	const found: (Group | undefined)[] = [undefined, undefined];
	for (let tries = 0; tries < 16 && !(found[0] && found[1]); tries++) {
		const g = await groupWithMembers(server, 2);
		found[yjsProcessOf(docName(g.groupId), 2)] ??= g;
	}
	if (!found[0] || !found[1]) throw new Error('no group in one of the two processes after 16 tries');
	return [found[0], found[1]];
}

it('puts two groups in two Yjs processes; both store in PostgreSQL; a killed one takes only its docs down', async () => {
	expect(server.yjsPids().filter(Boolean)).toHaveLength(2);
	const groups = await oneGroupPerProcess();
	const clients = groups.map((g) => g.tokens.map((t) => yjsClient(server, docName(g.groupId), t)));
	open.push(...clients.flat());
	await waitFor('the first sync', () => clients.flat().every((c) => c.provider.synced));
	for (const [i, [a]] of clients.entries()) {
		const id = addItem((a as YjsClient).doc, 1, { id: 'constat', createdAt: 1 });
		itemText((a as YjsClient).doc, id)?.insert(0, `Groupe ${i}.`);
	}
	await waitFor('saved and shared', () => clients.every(quiescent), 10_000, () => clients.map(describeClients).join(' | '));
	for (const [i, g] of groups.entries()) {
		expect(texts(await storedInPostgres(docName(g.groupId)))).toEqual([`Groupe ${i}.`]);
		await expect.poll(() => organiserTexts(g)).toEqual([`Groupe ${i}.`]);
	}

	// Process 0 dies: its doc's phones reconnect to its successor; process 1's never notice.
	const drops = clients.map((list) => list.map(() => 0));
	for (const [i, list] of clients.entries()) for (const [k, c] of list.entries()) c.provider.on('connection-close', () => drops[i]![k]!++);
	const [first, second] = server.yjsPids() as [number, number];
	process.kill(first, 'SIGKILL');
	await processGone(first);
	itemText((clients[0]![1] as YjsClient).doc, 'constat')?.insert(0, 'Pendant. ');
	itemText((clients[1]![1] as YjsClient).doc, 'constat')?.insert(0, 'Ailleurs. ');
	await waitFor('a new process 0', () => (server.yjsPids()[0] ?? first) !== first);
	await waitFor('everyone saved and in step', () => clients.every(quiescent), 15_000, () => clients.map(describeClients).join(' | '));
	expect(drops[0]!.every((n) => n > 0)).toBe(true);
	expect(drops[1]).toEqual([0, 0]);
	expect(server.yjsPids()[1]).toBe(second);
	expect(texts(await storedInPostgres(docName(groups[0].groupId)))).toEqual(['Pendant. Groupe 0.']);
	expect(texts(await storedInPostgres(docName(groups[1].groupId)))).toEqual(['Ailleurs. Groupe 1.']);
	for (const c of open.splice(0)) c.destroy();
});

it('keeps every acknowledged keystroke in PostgreSQL when the server is killed, and comes back whole', async () => {
	const rng = mulberry32(23);
	const group = await groupWithMembers(server, 3);
	const name = docName(group.groupId);
	const typed: string[][] = group.tokens.map(() => []);
	const acked = group.tokens.map(() => 0);
	const clients = group.tokens.map((token, k) =>
		yjsClient(server, name, token, { onState: (s) => void (s === 'saved' && (acked[k] = typed[k]?.length ?? 0)) })
	);
	open.push(...clients);
	await waitFor('the first sync', () => clients.every((c) => c.provider.synced));
	const itemId = addItem((clients[0] as YjsClient).doc, 1, { id: 'constat', createdAt: 1 });
	await waitFor('the item on every phone', () => clients.every((c) => itemText(c.doc, itemId)));

	let typing = true;
	const typists = clients.map(async (c, k) => {
		const mine = typed[k] as string[];
		while (typing && mine.length < 400) {
			const m = String.fromCharCode(0x4e00 + k * 0x400 + mine.length);
			mine.push(m);
			const text = itemText(c.doc, itemId) as Y.Text;
			text.insert(randInt(rng, text.length + 1), m);
			await sleep(3 + randInt(rng, 8));
		}
	});
	await waitFor('acks', () => acked.reduce((a, b) => a + b, 0) > 30, 15_000);
	await server.stop('SIGKILL');
	// Every ack came after PostgreSQL's COMMIT: all of them are there, with the server dead.
	const all = (doc: Y.Doc) => texts(doc).join('');
	const mustHave = typed.flatMap((t, k) => t.slice(0, acked[k]));
	const stored = all(await storedInPostgres(name));
	expect(mustHave.filter((m) => !stored.includes(m))).toEqual([]);

	await sleep(200);
	await server.spawn();
	await waitFor('the phones to reconnect', () => clients.every((c) => c.provider.synced), 15_000, () => describeClients(clients));
	typing = false;
	await Promise.all(typists);
	await waitFor('everyone saved and in step', () => quiescent(clients), 15_000, () => describeClients(clients));
	const reference = readWriteup((clients[0] as YjsClient).doc);
	const back = await storedInPostgres(name);
	expect(readWriteup(back)).toEqual(reference);
	// Each marker typed, acknowledged before the kill or not, exactly once.
	const everything = typed.flat();
	expect(all(back).length).toBe(everything.length);
	expect(everything.filter((m) => all(back).split(m).length !== 2)).toEqual([]);
	// The organisers read it from the restarted main process, and a comment goes through the Yjs process to PostgreSQL.
	await expect.poll(() => organiserTexts(group)).toEqual(texts(back));
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: group.eventId, token: group.organiserToken });
	try {
		const event = (await server.api('GET', `/api/events/${group.eventId}`, undefined, group.organiserToken)).body;
		const ack = await request(organiser, 'writeup:comment', { roomId: event.rooms[0].id, groupId: group.groupId, itemId, text: 'Précisez ?' });
		expect(ack.ok).toBe(true);
	} finally {
		organiser.disconnect();
	}
	expect(readWriteup(await storedInPostgres(name)).stages[0]?.items[0]?.comments.map((c) => c.text)).toEqual(['Précisez ?']);
	await waitFor('the comment on the phones', () => clients.every((c) => readWriteup(c.doc).stages[0]?.items[0]?.comments.length === 1));
	expect(server.output).not.toMatch(/yjs: cannot/);
});

it('imports an archive’s write-ups into PostgreSQL, readable at once', async () => {
	const group = await groupWithMembers(server, 2);
	const a = yjsClient(server, docName(group.groupId), group.tokens[0] as string);
	open.push(a);
	await waitFor('the sync', () => a.provider.synced);
	const id = addItem(a.doc, 2, { id: 'idee', createdAt: 1 });
	itemText(a.doc, id)?.insert(0, 'Une maison de santé ouverte le soir');
	await waitFor('saved', () => quiescent([a]));
	const archive = await server.api('GET', `/api/events/${group.eventId}/actes?format=json`, undefined, group.organiserToken);
	expect(archive.status).toBe(200);
	const imported = await server.api('POST', '/api/events/import', archive.body);
	expect(imported.status).toBe(201);
	const copy = (await server.api('GET', `/api/events/${imported.body.id}`, undefined, imported.body.organiserToken)).body;
	const copied = copy.rooms[0].statements[0].groups[0];
	expect(copied.id).not.toBe(group.groupId);
	expect(texts(await storedInPostgres(docName(copied.id)))).toEqual(['Une maison de santé ouverte le soir']);
	expect((copied.writeup.stages as { items: { text: string }[] }[]).flatMap((s) => s.items.map((i) => i.text))).toEqual(['Une maison de santé ouverte le soir']);
});
