/** socket.io clients speaking the real protocol, for integration tests and benchmarks. */
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientMessage, ClientMessageName, SocketAuth } from '../../src/lib/protocol';

/** Every payload of each event a test socket received since its creation, so a snapshot sent on connect is never missed. */
const history = new WeakMap<Socket, Map<string, unknown[]>>();

export function connectClient(url: string, auth: SocketAuth): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const socket = io(url, { path: '/socket.io', auth, transports: ['websocket'], forceNew: true, reconnection: false });
		const all = new Map<string, unknown[]>();
		history.set(socket, all);
		// Listening before the connection: the snapshot can arrive in the same read as the
		// handshake, before anything awaiting `connectClient` runs.
		socket.onAny((event: string, payload: unknown) => {
			const list = all.get(event);
			if (list) list.push(payload);
			else all.set(event, [payload]);
		});
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', (err) => reject(err));
	});
}

/** Every payload `socket` received since it was created, by event name (its snapshot included). */
export const received = (socket: Socket): Map<string, unknown[]> => history.get(socket) ?? new Map();

export function request<N extends ClientMessageName>(socket: Socket, name: N, msg: ClientMessage<N> | unknown): Promise<Ack> {
	return new Promise((resolve, reject) => {
		socket.timeout(20_000).emit(name, msg, (err: Error | null, ack: Ack) => (err ? reject(err) : resolve(ack)));
	});
}

/** Resolves with the latest (or next) `event` payload that satisfies `test`. */
export function nextEvent<T>(socket: Socket, event: string, test: (v: T) => boolean = () => true, ms = 10_000): Promise<T> {
	const last = received(socket).get(event)?.at(-1) as T | undefined;
	if (last !== undefined && test(last)) return Promise.resolve(last);
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			socket.off(event, on);
			reject(new Error(`no matching ${event} within ${ms} ms`));
		}, ms);
		const on = (v: T) => {
			if (!test(v)) return;
			clearTimeout(timer);
			socket.off(event, on);
			resolve(v);
		};
		socket.on(event, on);
	});
}
