/**
 * The WebSocket y-websocket opens for a write-up, but authorised by a one-time ticket rather
 * than a token in its URL (URLs end up in proxies' logs): before each connection, including
 * every reconnection, it asks for a ticket — over the page's control connection when it is open
 * (`writeup:ticket`), else POST /api/yjs-tickets/<doc> with the token in the Authorization
 * header — then opens /yjs/<doc>?ticket=…. Works in browsers and, given `ws`, in Node.
 */

import type { Ack } from '../protocol';
import { withEvent } from './eventRoute';
import { reconnectJitter } from './retry';

/** Close code y-websocket takes as final (4400–4499): the token may not open this doc. */
const ACCESS_REFUSED = 4403;

interface SocketLike {
	binaryType: string;
	readyState: number;
	onopen: ((event: unknown) => void) | null;
	onmessage: ((event: unknown) => void) | null;
	onerror: ((event: unknown) => void) | null;
	onclose: ((event: unknown) => void) | null;
	send(data: ArrayBufferLike | ArrayBufferView): void;
	close(code?: number, reason?: string): void;
}

type SocketClass = new (url: string, protocols?: string | string[]) => SocketLike;

/**
 * The page's control connection (socket.io), when one is open with the same token: a ticket asked
 * over it needs no new HTTP request (on a venue's Wi-Fi, a round trip and maybe a TLS handshake
 * less; when a whole room opens at once, a thousand requests less).
 */
export interface TicketChannel {
	readonly connected: boolean;
	timeout(ms: number): { emit(event: 'writeup:ticket', msg: { doc: string }, ack: (err: Error | null, answer: Ack) => void): void };
}

/** A ticket over the control connection; null when it cannot say (no answer, refused: HTTP then decides). */
function ticketOver(channel: TicketChannel, docName: string): Promise<string | null> {
	return new Promise((resolve) =>
		channel.timeout(TICKET_OVER_SOCKET_MS).emit('writeup:ticket', { doc: docName }, (err, answer) =>
			resolve(!err && answer.ok ? (answer.data as { ticket: string }).ticket : null)
		)
	);
}
const TICKET_OVER_SOCKET_MS = 5_000;

/** Asks for a ticket; resolves with it, or with the close code to report (4403 when refused, 1006 otherwise). */
async function ticket(origin: string, docName: string, token: string, channel?: TicketChannel): Promise<string | number> {
	if (channel?.connected) {
		const over = await ticketOver(channel, docName);
		if (over !== null) return over;
	}
	try {
		const res = await fetch(withEvent(`${origin}/api/yjs-tickets/${encodeURIComponent(docName)}`), {
			method: 'POST',
			headers: { authorization: `Bearer ${token}` }
		});
		if (res.status === 401 || res.status === 403 || res.status === 404) return ACCESS_REFUSED;
		if (!res.ok) return 1006;
		return ((await res.json()) as { ticket: string }).ticket;
	} catch {
		// Offline, or the server restarting: y-websocket tries again with its backoff.
		return 1006;
	}
}

/** A WebSocket class for y-websocket's `WebSocketPolyfill` option. `origin`: http(s)://host of the server. */
export function ticketedWebSocket(
	origin: string,
	docName: string,
	token: string,
	Base: SocketClass = WebSocket as unknown as SocketClass,
	channel?: () => TicketChannel | undefined
): typeof WebSocket {
	/** Connections opened so far: each one after the first is a reconnection. */
	let opened = 0;
	class TicketedWebSocket implements SocketLike {
		readonly CONNECTING = 0;
		readonly OPEN = 1;
		readonly CLOSING = 2;
		readonly CLOSED = 3;
		binaryType = 'arraybuffer';
		onopen: ((event: unknown) => void) | null = null;
		onmessage: ((event: unknown) => void) | null = null;
		onerror: ((event: unknown) => void) | null = null;
		onclose: ((event: unknown) => void) | null = null;
		private ws: SocketLike | null = null;
		private closed = false;

		constructor(url: string, protocols?: string | string[]) {
			// y-websocket retries on a fixed schedule: a reconnection waits its turn within the spread
			// first, so a server that comes back is not asked for every phone's ticket at once.
			if (opened++ === 0) this.open(url, protocols);
			else
				setTimeout(() => {
					if (!this.closed) this.open(url, protocols);
				}, reconnectJitter());
		}

		private open(url: string, protocols?: string | string[]) {
			void ticket(origin, docName, token, channel?.()).then((t) => {
				if (this.closed) return;
				if (typeof t === 'number') return this.end(t, t === ACCESS_REFUSED ? 'accès refusé' : '');
				const u = new URL(url);
				u.searchParams.set('ticket', t);
				const ws = new Base(u.toString(), protocols);
				ws.binaryType = this.binaryType;
				ws.onopen = (e) => this.onopen?.(e);
				ws.onmessage = (e) => this.onmessage?.(e);
				ws.onerror = (e) => this.onerror?.(e);
				ws.onclose = (e) => this.onclose?.(e);
				this.ws = ws;
			});
		}

		get readyState() {
			return this.ws?.readyState ?? (this.closed ? this.CLOSED : this.CONNECTING);
		}

		send(data: ArrayBufferLike | ArrayBufferView) {
			this.ws?.send(data);
		}

		close(code?: number, reason?: string) {
			if (this.ws) this.ws.close(code, reason);
			// Closed while it waits for its ticket: it ends as a WebSocket closed while connecting does.
			else if (!this.closed) setTimeout(() => this.end(1006, ''));
			this.closed = true;
		}

		private end(code: number, reason: string) {
			this.closed = true;
			this.onclose?.({ code, reason, wasClean: false });
		}
	}
	return TicketedWebSocket as unknown as typeof WebSocket;
}
