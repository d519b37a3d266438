/**
 * Six members of one group type into the same items at once, over the real server, while their
 * Wi-Fi drops and comes back: in the end every phone shows the same write-up, the one stored in
 * SQLite, and not one keystroke is lost or doubled. Each member types only its own letter, so
 * the final text must hold exactly as many of it as it typed (minus those it deleted).
 *
 * A seed fixes the script (who types or drops when, where, how much), not the network's timing:
 * a failing seed is worth replaying a few times.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
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

const SEEDS = [1, 42, 20170922];
/** Seeds that once failed are pinned here, so they keep being replayed. */
const REGRESSION_SEEDS: number[] = [];

const MEMBERS = 6;
const OPS = 300;
const LETTERS = 'abcdef';

let server: TestServer;
const open: YjsClient[] = [];

beforeAll(async () => {
	server = await TestServer.start();
});

afterEach(() => {
	for (const c of open.splice(0)) c.destroy();
});

afterAll(async () => {
	for (const c of open.splice(0)) c.destroy();
	await server?.dispose();
});

const occurrences = (text: string, ch: string) => text.split(ch).length - 1;

it.each([...SEEDS, ...REGRESSION_SEEDS])('six members typing with Wi-Fi drops converge (seed %i)', async (seed) => {
	const rng = mulberry32(seed);
	const group = await groupWithMembers(server, MEMBERS);
	const name = docName(group.groupId);
	const clients = group.tokens.map((token) => yjsClient(server, name, token));
	open.push(...clients);
	await waitFor('the first sync', () => clients.every((c) => c.provider.synced));

	// Digits, so they never count as anyone's letter.
	const first = clients[0] as YjsClient;
	const itemIds = [
		addItem(first.doc, 1, { id: 'constat-1', createdAt: 1, text: '1' }),
		addItem(first.doc, 1, { id: 'constat-2', createdAt: 2, text: '2' }),
		addItem(first.doc, 2, { id: 'ideal-1', createdAt: 3, text: '3' })
	];
	await waitFor('the items on every phone', () => clients.every((c) => itemIds.every((id) => itemText(c.doc, id))));

	const expected = clients.map(() => 0);
	const done = { inserts: 0, deletes: 0, drops: 0, reconnects: 0 };
	for (let op = 0; op < OPS; op++) {
		const k = randInt(rng, MEMBERS);
		const c = clients[k] as YjsClient;
		const letter = LETTERS[k] as string;
		const text = itemText(c.doc, itemIds[randInt(rng, itemIds.length)] as string);
		if (!text) throw new Error('item missing');
		// Drawn whatever the branch, so the script does not depend on the texts.
		const roll = rng();
		const where = rng();
		const count = 1 + randInt(rng, 3);
		if (roll < 0.05) {
			if (c.provider.shouldConnect) {
				c.provider.disconnect();
				done.drops++;
			} else {
				c.provider.connect();
				done.reconnects++;
			}
		} else if (roll < 0.15) {
			// Deletes one of its own letters only: two members never delete the same one.
			const own = [...text.toString()].flatMap((ch, i) => (ch === letter ? [i] : []));
			const at = own[Math.floor(where * own.length)];
			if (at !== undefined) {
				text.delete(at, 1);
				expected[k] = (expected[k] ?? 0) - 1;
				done.deletes++;
			}
		} else {
			text.insert(Math.floor(where * (text.length + 1)), letter.repeat(count));
			expected[k] = (expected[k] ?? 0) + count;
			done.inserts++;
		}
		// Three times in ten, the next member types in the same tick: truly concurrent edits.
		const pause = randInt(rng, 10) - 2;
		if (pause > 0) await sleep(pause);
	}
	expect(done.drops).toBeGreaterThan(0);

	for (const c of clients) if (!c.provider.shouldConnect) c.provider.connect();
	await waitFor('everyone saved and in step', () => quiescent(clients), 15_000, () => describeClients(clients));

	const reference = readWriteup(first.doc);
	for (const c of clients) expect(readWriteup(c.doc)).toEqual(reference);
	const stored = storedDoc(server, name);
	expect(sameStateVectors([stored, first.doc])).toBe(true);
	expect(readWriteup(stored)).toEqual(reference);

	const texts = reference.stages.flatMap((s) => s.items.map((i) => i.text));
	expect(texts).toHaveLength(itemIds.length);
	const all = texts.join('');
	for (const [k, letter] of [...LETTERS].entries()) expect(occurrences(all, letter), `letter ${letter}`).toBe(expected[k]);
	for (const digit of '123') expect(occurrences(all, digit)).toBe(1);
	expect(all.length).toBe(3 + expected.reduce((a, b) => a + b, 0));

	// The server's own copy, as a late reader (the organiser) loads it.
	const reader = yjsClient(server, name, group.organiserToken, { writer: false });
	open.push(reader);
	await waitFor('the reader', () => reader.provider.synced);
	expect(readWriteup(reader.doc)).toEqual(reference);
});
