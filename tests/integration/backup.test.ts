/**
 * Backups and moves: `npm run backup` copies the SQLite store while Palabre runs and phones type
 * (SQLite's online backup), into a file that opens, holds every change acknowledged before the
 * copy began, and brings Palabre back as it was when put in place of the store. The JSON archive,
 * to move an event to another Palabre, downloads under the event's title and date.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addItem, docName, itemText } from '../../src/lib/writeup';
import { ROOT } from '../helpers/launcher';
import { TestServer } from '../helpers/server';
import { groupWithMembers, quiescent, sleep, waitFor, yjsClient, type YjsClient } from '../helpers/yjsClients';

let server: TestServer;
const open: YjsClient[] = [];

beforeAll(async () => {
	server = await TestServer.start();
});

afterAll(async () => {
	for (const c of open.splice(0)) c.destroy();
	await server?.dispose();
});

function backup(dataDir: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['scripts/backup.js', ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } });
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		child.on('close', (code) => resolve({ code, output }));
	});
}

/** True when `doc`'s state holds every change `acked` counts (each writer's clock at least as far). */
function holds(stateVector: Map<number, number>, acked: Map<number, number>): boolean {
	return [...acked].every(([client, clock]) => (stateVector.get(client) ?? 0) >= clock);
}

function storedState(file: string, name: string): Y.Doc {
	const db = new Database(file, { readonly: true });
	try {
		const rows = db.prepare('SELECT data FROM ydoc_updates WHERE doc = ? ORDER BY seq').pluck().all(name) as Buffer[];
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.mergeUpdates(rows.map((r) => new Uint8Array(r))));
		return doc;
	} finally {
		db.close();
	}
}

it('copies the store while two phones type; the copy holds every acknowledged change and restores', { timeout: 90_000 }, async () => {
	const group = await groupWithMembers(server, 2);
	const name = docName(group.groupId);
	// Each writer's state when it last had everything acknowledged (« enregistré »).
	const acked = new Map<YjsClient, Map<number, number>>();
	const clients = group.tokens.map((token) => {
		let c: YjsClient | undefined = undefined;
		c = yjsClient(server, name, token, {
			onState: (state) => {
				if (c && state === 'saved') acked.set(c, Y.decodeStateVector(Y.encodeStateVector(c.doc)));
			}
		});
		return c;
	});
	open.push(...clients);
	const [a, b] = clients as [YjsClient, YjsClient];
	await waitFor('the first sync', () => a.provider.synced && b.provider.synced);
	const id = addItem(a.doc, 1, { id: 'constat', createdAt: 1 });
	await waitFor('the item shared', () => quiescent([a, b]));

	let typing = true;
	const typist = async (c: YjsClient, word: string) => {
		for (let i = 0; typing && i < 100_000; i++) {
			const text = itemText(c.doc, id);
			text?.insert(text.length, `${word}${i} `);
			await sleep(i % 10 === 9 ? 20 : 2);
		}
	};
	const typed = Promise.all([typist(a, 'a'), typist(b, 'b')]);
	await waitFor('some typing acknowledged', () => (itemText(a.doc, id)?.length ?? 0) > 200 && acked.has(a) && acked.has(b));
	// What was acknowledged before the copy begins must be in it.
	const before = new Map<number, number>();
	for (const state of acked.values()) for (const [client, clock] of state) before.set(client, Math.max(clock, before.get(client) ?? 0));
	const run = await backup(server.dataDir);
	typing = false;
	await typed;
	expect(run.output).toMatch(/vérifiée/);
	expect(run.code).toBe(0);
	const file = /backup : (\S+\/backups\/palabre-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.sqlite)/.exec(run.output)?.[1];
	expect(file, run.output).toBeDefined();

	const copy = new Database(file as string, { readonly: true });
	expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
	// One file, no -wal to carry along.
	expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
	expect(copy.prepare('SELECT count(*) FROM participants').pluck().get()).toBe(2);
	copy.close();
	const copied = storedState(file as string, name);
	expect(holds(Y.decodeStateVector(Y.encodeStateVector(copied)), before)).toBe(true);

	// Restoring, as the README says: stop, put the copy in place of the store (without the old -wal), start.
	for (const c of open.splice(0)) c.destroy();
	await server.stop();
	for (const suffix of ['-wal', '-shm']) rmSync(join(server.dataDir, `palabre.sqlite${suffix}`), { force: true });
	copyFileSync(file as string, join(server.dataDir, 'palabre.sqlite'));
	await server.spawn();
	const reader = yjsClient(server, name, group.tokens[0] as string);
	open.push(reader);
	await waitFor('the restored write-up', () => reader.provider.synced);
	expect(itemText(reader.doc, id)?.toString()).toBe(itemText(copied, id)?.toString());
});

it('refuses to overwrite a file, and says so when there is no store', async () => {
	const again = await backup(server.dataDir, join(server.dataDir, 'palabre.sqlite'));
	expect(again.code).toBe(1);
	expect(again.output).toMatch(/existe déjà/);
	const none = await backup(join(server.dataDir, 'nowhere'));
	expect(none.code).toBe(1);
	expect(none.output).toMatch(/Pas de données/);
});

it('names the JSON archive after the event, accents kept (RFC 6266)', async () => {
	const created = await server.api('POST', '/api/events', {
		title: 'Rencontre à Chambéry : « santé »',
		date: '2017-06-15',
		themes: [{ title: 'Salle', statements: ['Un énoncé'] }]
	});
	expect(created.status).toBe(201);
	const res = await fetch(`${server.url}/api/events/${created.body.id}/actes?format=json`, {
		headers: { authorization: `Bearer ${created.body.organiserToken}` }
	});
	expect(res.status).toBe(200);
	expect(res.headers.get('content-disposition')).toBe(
		`attachment; filename="palabre-Rencontre-a-Chambery-_-sante-_-2017-06-15.json"; ` +
			`filename*=UTF-8''palabre-Rencontre-%C3%A0-Chamb%C3%A9ry-%C2%AB-sant%C3%A9-%C2%BB-2017-06-15.json`
	);
	expect((await res.json()).event.title).toBe('Rencontre à Chambéry : « santé »');
});
