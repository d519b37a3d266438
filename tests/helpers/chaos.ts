/**
 * Phones for the chaos test (tests/integration/chaos.test.ts): socket.io clients that come back
 * by themselves after a cut, as the app's do; requests that may go unanswered; network cuts;
 * and the database exactly as a killed server left it.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientMessage, ClientMessageName, SocketAuth } from '../../src/lib/protocol';
import type { YjsClient } from './yjsClients';

export interface Phone {
	socket: Socket;
	/** The last payload of each event, whichever connection brought it. */
	latest: Map<string, unknown>;
	/** connect_error messages, for the failure message of a phone that never came back. */
	errors: string[];
}

/** A socket.io client that reconnects on its own, quickly: the backoff would otherwise dominate the runtime. */
export function reconnectingClient(url: string, auth: SocketAuth): Phone {
	const socket = io(url, {
		path: '/socket.io',
		auth,
		transports: ['websocket'],
		forceNew: true,
		reconnectionDelay: 100,
		reconnectionDelayMax: 500
	});
	const latest = new Map<string, unknown>();
	socket.onAny((event: string, payload: unknown) => latest.set(event, payload));
	const errors: string[] = [];
	socket.on('connect_error', (err: Error & { description?: unknown }) => {
		const d = err.description as { message?: string; error?: { message?: string } } | undefined;
		errors.push(`${err.message}${d ? ` (${d.error?.message ?? d.message ?? String(d)})` : ''}`);
	});
	return { socket, latest, errors };
}

/**
 * The server's answer, or null when none came: cut, killed server, or timeout. A null is not a
 * refusal; the message may or may not have been handled, and the caller may send it again.
 */
export function tryRequest<N extends ClientMessageName>(socket: Socket, name: N, msg: ClientMessage<N>, ms: number): Promise<Ack | null> {
	return new Promise((resolve) => {
		socket.timeout(ms).emit(name, msg, (err: Error | null, ack: Ack) => resolve(err ? null : ack));
	});
}

/**
 * A network cut: the transport dies under a connected client, whose manager reconnects by
 * itself. Only when connected: closing the engine during a handshake leaves socket.io-client
 * waiting for its 20 s connect timeout, a quirk of the client, not of a network.
 */
export function cutSocket(socket: Socket): boolean {
	if (!socket.connected) return false;
	socket.io.engine.close();
	return true;
}

/** A cut of a write-up's WebSocket, without a close handshake; y-websocket reconnects by itself. */
export function cutYjs(client: YjsClient) {
	const ws = client.provider.ws as unknown as { terminate?: () => void; close: () => void } | null;
	if (ws?.terminate) ws.terminate();
	else ws?.close();
}

/** Resolves true once ok() holds, false at the deadline: for checks whose failure should show a diff. */
export async function eventually(ok: () => boolean, ms: number): Promise<boolean> {
	const until = Date.now() + ms;
	while (!ok()) {
		if (Date.now() > until) return false;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	return true;
}

/**
 * The database as a killed process left it: a copy of the file and its WAL, opened writable so
 * SQLite replays the WAL as the next start would, while the real files stay untouched.
 */
export function withCrashCopy<T>(dataDir: string, fn: (db: Database.Database) => T): T {
	const dir = mkdtempSync(join(tmpdir(), 'palabre-chaos-'));
	try {
		for (const suffix of ['', '-wal']) {
			const from = join(dataDir, `palabre.sqlite${suffix}`);
			if (existsSync(from)) copyFileSync(from, join(dir, `palabre.sqlite${suffix}`));
		}
		const db = new Database(join(dir, 'palabre.sqlite'));
		try {
			return fn(db);
		} finally {
			db.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
