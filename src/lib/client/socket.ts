/**
 * The pages' one way to the control plane: `connect` by role (typed both ways), `act` to send a
 * message and get its answer, `onGone` for the end of a connection. Components never hold a
 * socket: pages give them callbacks.
 */
import { io, type Socket } from 'socket.io-client';
import type { ErrorCode, ErrorParams } from '../domain/refusal';
import { wordRefusal } from '../domain/refusal';
import { locale } from '../i18n/index.svelte';
import type { Ack, ClientEvents, ClientMessage, ClientMessageName, Refused, ServerEvents, SocketAuth } from '../protocol';
import type { GoneReason } from '../views';
import { eventQuery } from './eventRoute';
import { RECONNECT_SPREAD_MS, reconnectJitter } from './retry';
import { serverRestart } from './serverRestart.svelte';

export type ControlSocket = Socket<ServerEvents, ClientEvents>;

/** The server's refusal, worded in this device's language; `code` says what it was. */
export class RefusedError extends Error {
	constructor(
		readonly code: ErrorCode,
		readonly params: ErrorParams = {}
	) {
		super(wordRefusal(locale.lang, code, params));
	}
}

/** A refusal as received (an answer, an HTTP error body, a refused handshake), or undefined. */
export function refusedFrom(body: unknown): RefusedError | undefined {
	const r = body as Partial<Refused> | null | undefined;
	return r && typeof r.code === 'string' ? new RefusedError(r.code, r.params) : undefined;
}

/** The open control connection of each token on this page: a write-up asks its tickets over it. */
const byToken = new Map<string, ControlSocket>();

/** The control connection opened with this token, if the page has one. */
export function controlSocketOf(token: string): ControlSocket | undefined {
	return byToken.get(token);
}

/**
 * A control-plane connection; socket.io reconnects by itself when the Wi-Fi drops. When the phone
 * itself knows it is offline, we disconnect at once (rather than after a heartbeat timeout) so that
 * what is typed or tapped is queued, and reconnect once it is back, each phone at its own moment
 * within RECONNECT_SPREAD_MS (./retry.ts).
 */
export function connect(auth: SocketAuth): ControlSocket {
	const socket: ControlSocket = io({
		path: '/socket.io',
		auth,
		query: eventQuery(),
		transports: ['websocket', 'polling'],
		// The first try after a loss anywhere in the spread (socket.io's jitter: ± 100 % of the delay), the next ones
		// further apart: a server that comes back is not met by every phone at once.
		reconnectionDelay: RECONNECT_SPREAD_MS / 2,
		randomizationFactor: 1
	});
	// The event may have become known since (a phone that rejoins with its token only).
	socket.io.on('reconnect_attempt', () => (socket.io.opts.query = eventQuery()));
	const close = socket.close.bind(socket);
	const offline = () => close();
	// The Wi-Fi is back for the whole room at once: each phone waits its turn within the spread.
	let back: ReturnType<typeof setTimeout> | undefined;
	const online = () => {
		clearTimeout(back);
		back = setTimeout(() => socket.connect(), reconnectJitter());
	};
	window.addEventListener('offline', offline);
	window.addEventListener('online', online);
	// A server's planned stop: the pages say it restarts, socket.io reconnects by itself.
	socket.on('restarting', () => (serverRestart.pending = true));
	socket.on('connect', () => (serverRestart.pending = false));
	// Closing for good also stops listening to the network.
	socket.close = socket.disconnect = () => {
		clearTimeout(back);
		window.removeEventListener('offline', offline);
		window.removeEventListener('online', online);
		if (byToken.get(auth.token) === socket) byToken.delete(auth.token);
		return close();
	};
	byToken.set(auth.token, socket);
	return socket;
}

/**
 * The server ends this connection for good and says why (`gone`, then a disconnection): the
 * disconnection that follows is no network loss, so the page's « reconnexion… » must not show.
 */
export function onGone(socket: ControlSocket, then: (reason: GoneReason) => void) {
	socket.on('gone', (reason) => {
		socket.off('disconnect');
		then(reason);
	});
	// A reconnection refused for the same reason (a link renewed while the connection was down).
	socket.on('connect_error', (err: Error & { data?: { gone?: GoneReason } }) => {
		if (err.data?.gone) then(err.data.gone);
	});
}

/** Sends a typed message and resolves with the server's answer (or rejects with its refusal, worded here). */
export function act<N extends ClientMessageName>(socket: ControlSocket, name: N, msg: ClientMessage<N>): Promise<unknown> {
	return new Promise((resolve, reject) => {
		const answer = (err: Error | null, ack: Ack) => {
			if (err) reject(new RefusedError('noAnswer'));
			else if (ack.ok) resolve(ack.data);
			else reject(refusedFrom(ack) ?? new Error(ack.error));
		};
		// socket.io's typed emit cannot follow a generic message name: the names and payloads are
		// checked by this function's signature instead.
		(socket.timeout(10_000) as unknown as { emit(n: N, m: ClientMessage<N>, a: typeof answer): void }).emit(name, msg, answer);
	});
}
