/**
 * Yjs write-up clients from Node against the real server (tests/helpers/server.ts): a group
 * with members, writers that track « enregistré », the doc as stored in SQLite, and a seeded
 * PRNG so randomised tests can be replayed.
 */
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { messageSaved, trackSaved, type SaveState } from '../../src/lib/yjsSaved';
import { connectClient, request } from './clients';
import type { TestServer } from './server';
import { nodeTicketedWebSocket, takePen } from './writeupClient';

/** Small seeded PRNG (mulberry32): the same seed gives the same script of operations. */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** An integer in [0, n). */
export const randInt = (rng: () => number, n: number) => Math.floor(rng() * n);

export interface Group {
	eventId: string;
	organiserToken: string;
	groupId: string;
	/** Participant tokens of the members, all in groupId: each holds the pen of every stage. */
	tokens: string[];
}

/** A new event whose first statement is picked by `members` people (at most 6: one group). */
export async function groupWithMembers(server: TestServer, members: number): Promise<Group> {
	const created = await server.api('POST', '/api/events', {
		title: 'Convergence',
		themes: [{ title: 'Salle', statements: ['L’expérience vécue vaut plus que l’expertise professionnelle', 'Autre'] }]
	});
	if (created.status !== 201 && created.status !== 200) throw new Error(`event not created: ${JSON.stringify(created.body)}`);
	const e = created.body as { id: string; organiserToken: string; joinCode: string; rooms: { id: string }[] };
	const roomId = e.rooms[0]?.id;
	if (!roomId) throw new Error('event without a room');
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	try {
		const opened = await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
		if (!opened.ok) throw new Error(`choice not opened: ${JSON.stringify(opened)}`);
		const event = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
		const statementId = (await event()).rooms[0].statements[0].id as string;
		const tokens: string[] = [];
		for (let i = 0; i < members; i++) {
			const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `Membre ${i + 1}`, roomId });
			const token = joined.body?.token as string | undefined;
			if (!token) throw new Error(`join failed: ${JSON.stringify(joined.body)}`);
			const s = await connectClient(server.url, { role: 'participant', token });
			try {
				const picked = await request(s, 'group:pick', { statementId });
				if (!picked.ok) throw new Error(`pick failed: ${JSON.stringify(picked)}`);
			} finally {
				s.disconnect();
			}
			await takePen(server.url, token, [1, 2, 3]);
			tokens.push(token);
		}
		const groups = (await event()).rooms[0].statements[0].groups as { id: string }[];
		if (groups.length !== 1 || !groups[0]) throw new Error(`expected one group, got ${groups.length}`);
		return { eventId: e.id, organiserToken: e.organiserToken, groupId: groups[0].id, tokens };
	} finally {
		organiser.disconnect();
	}
}

export interface YjsClient {
	doc: Y.Doc;
	provider: WebsocketProvider;
	/** The latest « enregistré » state (always 'saved' for a reader, which gets no acks). */
	state: SaveState;
	destroy(): void;
}

/**
 * A y-websocket client of /yjs/<docName>. Writers get trackSaved (y-websocket would log every
 * ack as an unknown message); onState sees each state change, synchronously.
 */
export function yjsClient(
	server: TestServer,
	docName: string,
	token: string,
	opts: { writer?: boolean; onState?: (state: SaveState) => void } = {}
): YjsClient {
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`${server.url.replace('http', 'ws')}/yjs`, docName, doc, {
		WebSocketPolyfill: nodeTicketedWebSocket(server.url, docName, token),
		// In one process, providers would also sync through BroadcastChannel, around the server.
		disableBc: true,
		// Reconnect quickly after a kill: the backoff would otherwise dominate the runtime.
		maxBackoffTime: 500
	});
	let stop = () => {};
	const client: YjsClient = {
		doc,
		provider,
		state: 'saved',
		destroy: () => {
			stop();
			provider.destroy();
			doc.destroy();
		}
	};
	if (opts.writer ?? true) {
		stop = trackSaved(provider, (s) => {
			client.state = s;
			opts.onState?.(s);
		});
	} else {
		provider.messageHandlers[messageSaved] = () => {};
	}
	return client;
}

export async function waitFor(what: string, ok: () => boolean, ms = 10_000, describe?: () => string) {
	const until = Date.now() + ms;
	while (!ok()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}${describe ? `: ${describe()}` : ''}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** True when every doc has seen exactly the same updates. */
export function sameStateVectors(docs: Y.Doc[]): boolean {
	const [first, ...rest] = docs.map((d) => Y.encodeStateVector(d));
	return first !== undefined && rest.every((sv) => sameBytes(sv, first));
}

/** Connected, synced, everything typed acknowledged, and all at the same state. */
export function quiescent(clients: YjsClient[]): boolean {
	return (
		clients.every((c) => c.provider.wsconnected && c.provider.synced && c.state === 'saved') &&
		sameStateVectors(clients.map((c) => c.doc))
	);
}

/** For timeouts: who is connected, synced, saved, and how much of the doc each one has. */
export function describeClients(clients: YjsClient[]): string {
	const size = (doc: Y.Doc) => [...Y.decodeStateVector(Y.encodeStateVector(doc)).values()].reduce((a, b) => a + b, 0);
	return clients
		.map((c, i) => `#${i} ${c.provider.wsconnected ? 'on' : 'off'}${c.provider.synced ? ' synced' : ''} ${c.state} clock=${size(c.doc)}`)
		.join(', ');
}

/** The doc as the server stored it: its rows in ydoc_updates, merged, read without the server. */
export function storedDoc(server: TestServer, docName: string): Y.Doc {
	const rows = server.rows('SELECT data FROM ydoc_updates WHERE doc = ? ORDER BY seq', [docName]).map((r) => new Uint8Array(r.data as Uint8Array));
	const doc = new Y.Doc();
	if (rows.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(rows));
	return doc;
}

/**
 * The URL of a raw WebSocket to /yjs/<doc> with a fresh ticket got with `token`; or the HTTP
 * status with which the ticket was refused.
 */
export async function ticketedUrl(server: TestServer, doc: string, token?: string): Promise<string | number> {
	const res = await server.api('POST', `/api/yjs-tickets/${encodeURIComponent(doc)}`, undefined, token);
	if (res.status !== 201) return res.status;
	return `${server.url.replace('http', 'ws')}/yjs/${encodeURIComponent(doc)}?ticket=${encodeURIComponent(res.body.ticket as string)}`;
}
