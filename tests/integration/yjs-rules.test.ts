/**
 * Hostile members and links against the real server's write-ups, over real sockets: updates
 * that break the write-up's shape or a role, oversized docs, a reader that never reads, too many
 * connections, tokens in URLs and replayed tickets. Each is refused with its documented answer
 * (docs/api.md), nothing refused is stored, and the rest of the server keeps serving.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { addComment, addItem, deleteItem, docName, itemText, messageClosed, react, readWriteup, setStar } from '../../src/lib/writeup';
import { messageSaved } from '../../src/lib/yjsSaved';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { groupWithMembers, storedDoc, ticketedUrl, waitFor, yjsClient, type Group, type YjsClient } from '../helpers/yjsClients';

let server: TestServer;
const open: { close(): void }[] = [];
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => {
	for (const c of open.splice(0)) c.close();
	await server?.dispose();
});

const rows = (doc: string) => server.countRowsWhere('ydoc_updates', 'doc = ?', doc);

/** A raw write-up socket: the acks it got, and how it closed. */
async function raw(doc: string, token: string) {
	const url = await ticketedUrl(server, doc, token);
	if (typeof url === 'number') throw new Error(`no ticket for ${doc}: ${url}`);
	const ws = new WebSocket(url);
	open.push(ws);
	ws.on('error', () => {});
	const acks: number[] = [];
	/** The « closed » messages (1 closed, 0 open again), in order. */
	const closings: number[] = [];
	ws.on('message', (data) => {
		const decoder = decoding.createDecoder(new Uint8Array(data as Buffer));
		const type = decoding.readVarUint(decoder);
		if (type === messageSaved) acks.push(decoding.readVarUint(decoder));
		if (type === messageClosed) closings.push(decoding.readVarUint(decoder));
	});
	const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
	await new Promise((resolve, reject) => {
		ws.once('open', resolve);
		ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
	});
	return {
		ws,
		acks,
		closings,
		closed,
		/** Sends what `change` does to a copy of the stored doc, as one update message. */
		send(change: (doc: Y.Doc) => void) {
			const base = storedDoc(server, doc);
			const copy = new Y.Doc();
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(base));
			change(copy);
			const encoder = encoding.createEncoder();
			encoding.writeVarUint(encoder, 0);
			syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(copy, Y.encodeStateVector(base)));
			ws.send(encoding.toUint8Array(encoder));
		}
	};
}

const participantId = async (token: string) => (await server.api('GET', '/api/session', undefined, token)).body.me.id as string;

/** Takes or gives back a member's pens. */
async function pens(token: string, stages: (1 | 2 | 3)[], on: boolean) {
	const socket = await connectClient(server.url, { role: 'participant', token });
	try {
		for (const stage of stages) expect((await request(socket, 'group:setRapporteur', { stage, on })).ok).toBe(true);
	} finally {
		socket.disconnect();
	}
}

/** A writer whose doc is synced; resolves once what `change` did is acknowledged as saved. */
async function writer(group: Group, i: number): Promise<YjsClient> {
	const c = yjsClient(server, docName(group.groupId), group.tokens[i] as string);
	open.push({ close: () => c.destroy() });
	await waitFor('sync', () => c.provider.synced);
	return c;
}
async function saved(c: YjsClient, change: (doc: Y.Doc) => void) {
	change(c.doc);
	await waitFor('saved', () => c.state === 'saved' && c.provider.wsconnected);
}

/** The organiser's document, every format of the actes, the archive: all must answer. */
async function organiserReads(group: Group) {
	const statuses = [(await server.api('GET', `/api/events/${group.eventId}`, undefined, group.organiserToken)).status];
	for (const format of ['md', 'html', 'docx', 'pdf', 'json']) {
		const res = await fetch(`${server.url}/api/events/${group.eventId}/actes?format=${format}`, { headers: { authorization: `Bearer ${group.organiserToken}` } });
		await res.arrayBuffer();
		statuses.push(res.status);
	}
	return statuses;
}

describe('the write-up schema at the endpoint', () => {
	it('refuses items.x = 42 with 4400, stores nothing, and everything else keeps working', async () => {
		const group = await groupWithMembers(server, 3);
		const elsewhere = await groupWithMembers(server, 1);
		const name = docName(group.groupId);
		const yjsPid = server.yjsPid();
		const a = await writer(group, 0);
		await saved(a, (doc) => addItem(doc, 1, { id: 'i1', createdAt: 1, text: 'Le bus passe trop peu' }));
		const before = rows(name);

		const attacker = await raw(name, group.tokens[1] as string);
		attacker.send((doc) => doc.getMap('items').set('x', 42));
		expect(await attacker.closed).toEqual({ code: 4400, reason: 'items.x: attendu un Y.Map' });
		expect(rows(name)).toBe(before);
		expect(storedDoc(server, name).getMap('items').has('x')).toBe(false);

		// The group goes on: its writer's edits are stored, a newcomer reads them.
		await saved(a, (doc) => itemText(doc, 'i1')?.insert(0, '« '));
		const b = await writer(group, 2);
		await waitFor('the newcomer to read', () => itemText(b.doc, 'i1')?.toString() === '« Le bus passe trop peu');
		expect(b.doc.getMap('items').has('x')).toBe(false);
		// Another event's writer, the Yjs process (not restarted) and the organiser's reads.
		const other = await writer(elsewhere, 0);
		await saved(other, (doc) => addItem(doc, 1, { id: 'o1', createdAt: 1, text: 'Ailleurs' }));
		expect(server.yjsPid()).toBe(yjsPid);
		expect(await organiserReads(group)).toEqual([200, 200, 200, 200, 200, 200]);
		const person = await participantId(group.tokens[2] as string);
		expect((await server.api('DELETE', `/api/events/${group.eventId}/participants/${person}`, undefined, group.organiserToken)).status).toBe(204);
	});

	it('reads a doc stored with any shape: organiser, actes, board, deletion, and new edits all work', async () => {
		const group = await groupWithMembers(server, 2);
		const name = docName(group.groupId);
		const a = await writer(group, 0);
		await saved(a, (doc) => addItem(doc, 2, { id: 'ok', createdAt: 1, text: 'Une maison de santé' }));
		a.destroy();
		// Written straight into the store, as a doc stored before the checks or imported could be.
		const poison = new Y.Doc();
		Y.applyUpdate(poison, Y.encodeStateAsUpdate(storedDoc(server, name)));
		poison.transact(() => {
			poison.getMap('items').set('x', 42);
			const bad = new Y.Map<unknown>();
			poison.getMap('items').set('y', bad);
			bad.set('stage', 2);
			bad.set('text', 7);
			bad.set('order', 'premier');
			poison.getMap('reactions').set('ok', 'tous');
			poison.getMap('stars').set('x', 5);
			poison.getMap('comments').set('ok', 'non');
			poison.getText('autre').insert(0, 'racine inconnue');
		});
		await server.stop();
		server.write('INSERT INTO ydoc_updates (doc, seq, data) SELECT ?, MAX(seq) + 1, ? FROM ydoc_updates WHERE doc = ?', name, Buffer.from(Y.encodeStateAsUpdate(poison)), name);
		await server.spawn();

		expect(await organiserReads(group)).toEqual([200, 200, 200, 200, 200, 200]);
		const organiser = await connectClient(server.url, { role: 'organiser', eventId: group.eventId, token: group.organiserToken });
		open.push({ close: () => organiser.disconnect() });
		expect((await request(organiser, 'board:send', { groupId: group.groupId, itemId: 'ok' })).ok).toBe(true);
		// The valid item is still written to: only what an update touches is checked.
		const b = await writer(group, 1);
		await saved(b, (doc) => itemText(doc, 'ok')?.insert(0, 'Ouvrir '));
		expect(readWriteup(storedDoc(server, name)).stages[1]?.items.map((i) => i.text)).toEqual(['', 'Ouvrir Une maison de santé']);
		const person = await participantId(group.tokens[0] as string);
		expect((await server.api('DELETE', `/api/events/${group.eventId}/participants/${person}`, undefined, group.organiserToken)).status).toBe(204);
	});
});

describe('roles inside the write-up', () => {
	it('lets only pen holders touch items, members only their own reactions and stars, and nobody comment from a socket', async () => {
		const group = await groupWithMembers(server, 2);
		const name = docName(group.groupId);
		const [penToken, memberToken] = group.tokens as [string, string];
		await pens(memberToken, [1, 2, 3], false);
		const [penId, memberId] = [await participantId(penToken), await participantId(memberToken)];
		const a = await writer(group, 0);
		await saved(a, (doc) => {
			addItem(doc, 1, { id: 'i1', createdAt: 1, text: 'Constat' });
			react(doc, 'i1', penId, 'agree');
			setStar(doc, 'i1', penId, true);
		});
		const stored = () => Y.encodeStateAsUpdate(storedDoc(server, name));
		const before = stored();

		const attacks: [string, (doc: Y.Doc) => void, string][] = [
			['edit an item', (doc) => itemText(doc, 'i1')?.insert(0, 'FAUX '), "items.i1: réservé à qui tient le stylo de l'étape 1"],
			['delete an item', (doc) => deleteItem(doc, 'i1'), "items.i1: réservé à qui tient le stylo de l'étape 1"],
			['add an item', (doc) => addItem(doc, 2, { id: 'i2', createdAt: 2, text: 'Intrus' }), "items.i2: réservé à qui tient le stylo de l'étape 2"],
			['forge a reaction', (doc) => react(doc, 'i1', penId, 'clarify'), `reactions.i1.${penId}: seulement ses propres réactions`],
			['forge a star', (doc) => setStar(doc, 'i1', penId, false), `stars.i1.${penId}: seulement ses propres réactions`],
			['comment as the organiser', (doc) => addComment(doc, 'i1', { text: 'Validé', at: 1, from: 'organiser' }), "comments.i1: les commentaires viennent de l'animation"]
		];
		for (const [what, change, reason] of attacks) {
			const member = await raw(name, memberToken);
			member.send(change);
			expect(await member.closed, what).toEqual({ code: 4401, reason });
		}
		expect(stored()).toEqual(before);

		// Their own reaction and star, through the page's helpers, are stored.
		const b = await writer(group, 1);
		await saved(b, (doc) => {
			react(doc, 'i1', memberId, 'clarify');
			setStar(doc, 'i1', memberId, true);
		});
		expect(readWriteup(storedDoc(server, name)).stages[0]?.items[0]).toMatchObject({ agree: 1, clarify: 1, stars: 2 });
		// A read-only link's changes are dropped unread.
		const reader = await raw(name, group.organiserToken);
		const count = rows(name);
		reader.send((doc) => itemText(doc, 'i1')?.insert(0, 'LECTEUR '));
		reader.send((doc) => react(doc, 'i1', memberId, 'agree'));
		// A writer's ack comes after the reader's messages were read (one event loop, in order).
		await saved(a, (doc) => itemText(doc, 'i1')?.insert(7, ' !'));
		expect(rows(name)).toBe(count + 1);
		expect(itemText(storedDoc(server, name), 'i1')?.toString()).toBe('Constat !');
		// The pen taken while connected: the Yjs process hears of it, and the edit goes through.
		await pens(memberToken, [1], true);
		await saved(b, (doc) => itemText(doc, 'i1')?.insert(0, 'Nouveau '));
		// The organiser's comment comes through the main process; the pen holder deletes the item with it.
		const organiser = await connectClient(server.url, { role: 'organiser', eventId: group.eventId, token: group.organiserToken });
		open.push({ close: () => organiser.disconnect() });
		const roomId = (await server.api('GET', `/api/events/${group.eventId}`, undefined, group.organiserToken)).body.rooms[0].id as string;
		expect((await request(organiser, 'writeup:comment', { roomId, groupId: group.groupId, itemId: 'i1', text: 'Précisez' })).ok).toBe(true);
		await waitFor('the comment', () => readWriteup(a.doc).stages[0]?.items[0]?.comments.length === 1);
		await saved(a, (doc) => deleteItem(doc, 'i1'));
		expect(readWriteup(storedDoc(server, name)).stages[0]?.items).toEqual([]);
		expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);
	});
});

describe('limits', () => {
	/** Items of `chars` characters, as many as fit in one message of about `bytes`. */
	const bulk = (stage: 1 | 2 | 3, prefix: string, count: number, chars: number) => (doc: Y.Doc) =>
		doc.transact(() => {
			for (let i = 0; i < count; i++) addItem(doc, stage, { id: `${prefix}${i}`, createdAt: i, text: randomBytes(chars).toString('base64').slice(0, chars) });
		});

	it('refuses what would take a write-up past 1 MB with 4413, and keeps its rows compacted', async () => {
		const group = await groupWithMembers(server, 1);
		const name = docName(group.groupId);
		const token = group.tokens[0] as string;
		const writerSocket = await raw(name, token);
		writerSocket.send(bulk(1, 'a', 40, 9_000));
		await waitFor('first ack', () => writerSocket.acks.length === 1);
		writerSocket.send(bulk(1, 'b', 40, 9_000));
		await waitFor('second ack', () => writerSocket.acks.length === 2);
		const size = Y.encodeStateAsUpdate(storedDoc(server, name)).length;
		expect(size).toBeGreaterThan(700_000);
		// Past 256 KB of updates, the rows are merged into one: a read is one snapshot and a short tail.
		expect(rows(name)).toBeLessThanOrEqual(2);
		writerSocket.send(bulk(1, 'c', 40, 9_000));
		expect(await writerSocket.closed).toEqual({ code: 4413, reason: 'écrit trop volumineux (plus de 1024 Ko)' });
		expect(Y.encodeStateAsUpdate(storedDoc(server, name)).length).toBe(size);
		// Small edits still go through; deleting makes room again.
		const c = yjsClient(server, name, token);
		open.push({ close: () => c.destroy() });
		await waitFor('sync', () => c.provider.synced);
		await saved(c, (doc) => itemText(doc, 'a0')?.insert(0, 'Début : '));
		await saved(c, (doc) => {
			for (let i = 0; i < 20; i++) deleteItem(doc, `b${i}`);
		});
		expect(Y.encodeStateAsUpdate(storedDoc(server, name)).length).toBeLessThan(size);
	});

	it('drops a read-only link that sends 150 sync step 1 and never reads: the Yjs process stays bounded', async () => {
		const group = await groupWithMembers(server, 1);
		const name = docName(group.groupId);
		const w = await raw(name, group.tokens[0] as string);
		w.send(bulk(1, 'a', 48, 9_500));
		await waitFor('first ack', () => w.acks.length === 1);
		w.send(bulk(2, 'b', 48, 9_500));
		await waitFor('second ack', () => w.acks.length === 2);
		const docBytes = Y.encodeStateAsUpdate(storedDoc(server, name)).length;
		expect(docBytes).toBeGreaterThan(850_000);

		const pid = server.yjsPid() as number;
		const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
		const url = new URL((await ticketedUrl(server, name, group.organiserToken)) as string);
		const socket = connect(Number(url.port), url.hostname);
		open.push({ close: () => socket.destroy() });
		// Cut by the server with unread frames on its side, the link may end with a reset.
		socket.on('error', () => {});
		await new Promise((resolve) => socket.once('connect', resolve));
		socket.write(
			`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
				`Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
		);
		await new Promise<void>((resolve) => socket.once('data', (d) => (String(d).startsWith('HTTP/1.1 101') ? resolve() : undefined)));
		// From now on nothing is read: what the server sends piles up on its side.
		socket.pause();
		const before = rss();
		// A sync step 1 with an empty state vector asks for the whole doc, each time.
		const step1 = Buffer.from([0, 0, 1, 0]);
		for (let i = 0; i < 150; i++) socket.write(maskedFrame(step1));
		// A writer's ack after them: the Yjs process has read all 150 frames.
		await saved(await writer(group, 0), (doc) => itemText(doc, 'a0')?.insert(0, '!'));
		const after = rss();
		console.log(`yjs process RSS: ${(before / 2 ** 20).toFixed(0)} MB before 150 step 1 of a ${(docBytes / 1024).toFixed(0)} KB doc, ${(after / 2 ** 20).toFixed(0)} MB after (unbounded: +${((150 * docBytes) / 2 ** 20).toFixed(0)} MB)`);
		expect(after - before).toBeLessThan(48 * 2 ** 20);
		// Read now: the server cut the link after a few MB instead of sending 150 copies.
		let received = 0;
		socket.on('data', (d: Buffer) => (received += d.length));
		const ended = new Promise((resolve) => socket.once('close', resolve));
		socket.resume();
		await ended;
		console.log(`the dropped link had ${(received / 2 ** 20).toFixed(1)} MB to read`);
		expect(received).toBeLessThan(30 * docBytes);
	});

	it('caps connections per token and doc at 8 with 429', async () => {
		const group = await groupWithMembers(server, 1);
		const name = docName(group.groupId);
		const sockets = [];
		for (let i = 0; i < 8; i++) sockets.push(await raw(name, group.tokens[0] as string));
		const url = (await ticketedUrl(server, name, group.tokens[0])) as string;
		const refused = await new Promise<{ status: number; body: string }>((resolve) => {
			const ws = new WebSocket(url);
			ws.on('error', () => {});
			ws.on('unexpected-response', (_req, res) => {
				let body = '';
				res.on('data', (d) => (body += d));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
			});
		});
		expect(refused).toEqual({ status: 429, body: 'trop de connexions à cet écrit avec ce lien (8 au plus)' });
		// Another token, and the same one once a connection closed, get in.
		const other = await raw(name, group.organiserToken);
		sockets[0]?.ws.close();
		await expect.poll(async () => {
			try {
				const again = await raw(name, group.tokens[0] as string);
				again.ws.close();
				return true;
			} catch {
				return false;
			}
		}).toBe(true);
		other.ws.close();
		for (const s of sockets) s.ws.close();
	});
});

describe('tickets instead of tokens in URLs', () => {
	it('refuses a token in the URL, a reused ticket, a ticket for another doc and a bad token', async () => {
		const group = await groupWithMembers(server, 1);
		const name = docName(group.groupId);
		const base = `${server.url.replace('http', 'ws')}/yjs/${encodeURIComponent(name)}`;
		const status = (url: string) =>
			new Promise<number>((resolve) => {
				const ws = new WebSocket(url);
				ws.on('error', () => resolve(-1));
				ws.on('open', () => {
					ws.close();
					resolve(101);
				});
				ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			});
		expect(await status(`${base}?token=${encodeURIComponent(group.organiserToken)}`)).toBe(401);
		const url = (await ticketedUrl(server, name, group.organiserToken)) as string;
		expect(await status(`${url}&token=${encodeURIComponent(group.organiserToken)}`)).toBe(401);
		expect(await status(url)).toBe(101);
		expect(await status(url)).toBe(403);
		const ticket = new URL(url).searchParams.get('ticket') as string;
		const otherDoc = (await ticketedUrl(server, name, group.organiserToken)) as string;
		expect(await status(otherDoc.replace(encodeURIComponent(name), 'group.autre'))).toBe(403);
		expect(await status(`${base}?ticket=${ticket}x`)).toBe(403);
		expect(await ticketedUrl(server, name, 'faux')).toBe(403);
		expect(await ticketedUrl(server, name)).toBe(401);
		expect(await ticketedUrl(server, 'group.inconnu', group.organiserToken)).toBe(403);
	});
});

/** A client's WebSocket frame: binary, final, masked as RFC 6455 requires. */
function maskedFrame(payload: Buffer): Buffer {
	const mask = randomBytes(4);
	const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
	return Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, masked]);
}

describe('a write-up closed with its group’s stages', () => {
	/** The group's room, and a stage or write-up command from its organiser. */
	async function drive(group: Group) {
		const roomId = (await server.api('GET', `/api/events/${group.eventId}`, undefined, group.organiserToken)).body.rooms[0].id as string;
		const organiser = await connectClient(server.url, { role: 'organiser', eventId: group.eventId, token: group.organiserToken });
		open.push({ close: () => organiser.disconnect() });
		return {
			stage: (action: 'start' | 'finish') => request(organiser, 'stage:control', { roomId, command: { action } }),
			advance: () => request(organiser, 'stage:control', { roomId, command: { action: 'advanceGroup', groupId: group.groupId } }),
			setOpen: (open: boolean) => request(organiser, 'writeup:setOpen', { roomId, groupId: group.groupId, open })
		};
	}

	it('refuses every update after « Terminer », stores nothing, and takes them again once reopened (logged)', async () => {
		const group = await groupWithMembers(server, 2);
		const name = docName(group.groupId);
		const a = await writer(group, 0);
		await saved(a, (doc) => addItem(doc, 1, { id: 'c1', createdAt: 1, text: 'Le bus passe trop peu' }));
		a.destroy();
		const organiser = await drive(group);
		expect((await organiser.stage('start')).ok).toBe(true);
		expect(await organiser.setOpen(true)).toMatchObject({ ok: false, error: expect.stringContaining('se clôt avec les étapes') });
		expect((await organiser.stage('finish')).ok).toBe(true);

		const before = rows(name);
		const late = await raw(name, group.tokens[1] as string);
		await waitFor('the newcomer to be told it is closed', () => late.closings.length === 1);
		expect(late.closings).toEqual([1]);
		late.send((doc) => {
			itemText(doc, 'c1')?.delete(0, 5);
			addItem(doc, 1, { id: 'c2', createdAt: 2, text: 'Écrit après la fin' });
		});
		await waitFor('the refusal', () => late.closings.length === 2);
		expect(late.acks).toEqual([]);
		expect(rows(name)).toBe(before);
		const stored = readWriteup(storedDoc(server, name)).stages[0]?.items.map((i) => i.text);
		expect(stored).toEqual(['Le bus passe trop peu']);
		// Refused without being cut off: the socket stays open, to read.
		expect(late.ws.readyState).toBe(WebSocket.OPEN);
		expect(await organiser.setOpen(false)).toMatchObject({ ok: false, error: 'la rédaction de ce groupe est déjà close' });

		// Reopened: told at once, the same kind of update is stored, and the decision is logged.
		expect((await organiser.setOpen(true)).ok).toBe(true);
		await waitFor('the reopening', () => late.closings.at(-1) === 0);
		late.send((doc) => addItem(doc, 1, { id: 'c3', createdAt: 3, text: 'Écrit après la réouverture' }));
		await waitFor('the ack', () => late.acks.length === 1);
		expect(readWriteup(storedDoc(server, name)).stages[0]?.items.map((i) => i.text)).toEqual(['Le bus passe trop peu', 'Écrit après la réouverture']);
		expect(server.countRowsWhere('writeup_access_log', 'group_id = ? AND open = 1', group.groupId)).toBe(1);

		// Closed again by hand: refused again.
		expect((await organiser.setOpen(false)).ok).toBe(true);
		await waitFor('the closing', () => late.closings.at(-1) === 1);
		const again = rows(name);
		late.send((doc) => addItem(doc, 1, { id: 'c4', createdAt: 4, text: 'Encore après' }));
		await waitFor('the refusal', () => late.closings.length === 5);
		expect(rows(name)).toBe(again);
		expect(late.acks).toHaveLength(1);
	});

	it('closes a group that finished on its own, and « Terminer » closes it again after a reopening', async () => {
		const group = await groupWithMembers(server, 1);
		const name = docName(group.groupId);
		const organiser = await drive(group);
		expect((await organiser.stage('start')).ok).toBe(true);
		const member = await raw(name, group.tokens[0] as string);
		for (let i = 0; i < 3; i++) expect((await organiser.advance()).ok).toBe(true);
		// At the evaluation: still open.
		member.send((doc) => addItem(doc, 1, { id: 'e1', createdAt: 1, text: 'Pendant l’évaluation' }));
		await waitFor('the ack', () => member.acks.length === 1);
		expect(member.closings).toEqual([]);
		expect((await organiser.advance()).ok).toBe(true);
		await waitFor('the closing', () => member.closings.length === 1);
		expect((await organiser.setOpen(true)).ok).toBe(true);
		await waitFor('the reopening', () => member.closings.at(-1) === 0);
		expect((await organiser.stage('finish')).ok).toBe(true);
		await waitFor('the closing by « Terminer »', () => member.closings.at(-1) === 1);
		const before = rows(name);
		member.send((doc) => addItem(doc, 1, { id: 'e2', createdAt: 2, text: 'Après la fin' }));
		await waitFor('the refusal', () => member.closings.length === 4);
		expect(rows(name)).toBe(before);
		expect(server.rows('SELECT open, by FROM writeup_access_log WHERE group_id = ? ORDER BY at', [group.groupId])).toEqual([
			{ open: 1, by: 'organiser' },
			{ open: 0, by: 'stages' }
		]);
	});

	it('tells a reader it is closed, and a participant cannot reopen it', async () => {
		const group = await groupWithMembers(server, 1);
		const organiser = await drive(group);
		expect((await organiser.stage('start')).ok).toBe(true);
		expect((await organiser.stage('finish')).ok).toBe(true);
		const reader = await raw(docName(group.groupId), group.organiserToken);
		await waitFor('the reader to be told', () => reader.closings.length === 1);
		const member = await connectClient(server.url, { role: 'participant', token: group.tokens[0] as string });
		open.push({ close: () => member.disconnect() });
		const roomId = (await server.api('GET', `/api/events/${group.eventId}`, undefined, group.organiserToken)).body.rooms[0].id as string;
		expect(await request(member, 'writeup:setOpen', { roomId, groupId: group.groupId, open: true })).toMatchObject({ ok: false });
		expect(server.countRowsWhere('writeup_access_log', 'group_id = ?', group.groupId)).toBe(0);
	});
});

