/**
 * The write-ups run in a process of their own, forked by the server (server/realtime/yjsProcess.ts).
 * Its life is tied to the server's: if it dies, the server starts another and the phones bring
 * back what they typed meanwhile; if the server dies, even killed, it goes too (no orphan holding
 * the phones' sockets or the store); a clean stop stops both.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addItem, docName, itemText, readWriteup } from '../../src/lib/writeup';
import { processGone, TestServer } from '../helpers/server';
import { describeClients, groupWithMembers, quiescent, storedDoc, waitFor, yjsClient, type YjsClient } from '../helpers/yjsClients';

let server: TestServer;
const open: YjsClient[] = [];

beforeAll(async () => {
	server = await TestServer.start();
});

afterAll(async () => {
	for (const c of open.splice(0)) c.destroy();
	await server?.dispose();
});

it('restarts a killed Yjs process; the phones bring back what they typed meanwhile', async () => {
	const group = await groupWithMembers(server, 2);
	const name = docName(group.groupId);
	const [a, b] = group.tokens.map((token) => yjsClient(server, name, token)) as [YjsClient, YjsClient];
	open.push(a, b);
	await waitFor('the first sync', () => a.provider.synced && b.provider.synced);
	const id = addItem(a.doc, 1, { id: 'constat', createdAt: 1 });
	itemText(a.doc, id)?.insert(0, 'Avant.');
	await waitFor('saved and shared', () => quiescent([a, b]), 10_000, () => describeClients([a, b]));

	const first = server.yjsPid();
	expect(first).toBeDefined();
	process.kill(first as number, 'SIGKILL');
	await processGone(first as number);
	// Typed while the write-ups are down: kept on the phone, sent on reconnecting.
	itemText(b.doc, id)?.insert(0, 'Pendant. ');

	await waitFor('a new Yjs process', () => server.yjsPid() !== undefined && server.yjsPid() !== first);
	await waitFor('both phones back, saved and in step', () => quiescent([a, b]), 10_000, () => describeClients([a, b]));
	expect(itemText(a.doc, id)?.toString()).toBe('Pendant. Avant.');
	expect(readWriteup(storedDoc(server, name))).toEqual(readWriteup(a.doc));
	// The rest of the server never stopped.
	expect((await server.api('GET', '/api/health')).status).toBe(200);
	expect(server.output).toMatch(/processus des écrits s'est arrêté/);
});

it('ends the Yjs process when the server is killed, and a clean stop ends both', async () => {
	// The processes' lives only: the phones of the test above would reconnect in the middle of the stop.
	for (const c of open.splice(0)) c.destroy();
	const killed = server.yjsPid() as number;
	expect(killed).toBeGreaterThan(0);
	// Only the server: the Yjs process notices on its own.
	const main = server.child;
	await new Promise<void>((resolve) => {
		main?.once('exit', () => resolve());
		main?.kill('SIGKILL');
	});
	await processGone(killed, 5_000);

	await server.spawn();
	const stopped = server.yjsPid() as number;
	expect(stopped).toBeGreaterThan(0);
	const child = server.child;
	const exit = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
	child?.kill('SIGTERM');
	expect(await exit, server.output).toBe(0);
	await processGone(stopped, 5_000);
});
