import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientMessage, ClientMessageName, SocketAuth } from '../protocol';
import type { GoneReason } from '../views';
import { serverRestart } from './serverRestart.svelte';

/**
 * A control-plane connection; socket.io reconnects by itself when the Wi-Fi drops. When the phone
 * itself knows it is offline, we disconnect at once (rather than after a heartbeat timeout) so that
 * what is typed or tapped is queued, and reconnect as soon as it is back.
 */
export function connect(auth: SocketAuth): Socket {
	const socket = io({ path: '/socket.io', auth, transports: ['websocket', 'polling'] });
	const close = socket.close.bind(socket);
	const offline = () => close();
	const online = () => socket.connect();
	window.addEventListener('offline', offline);
	window.addEventListener('online', online);
	// A server's planned stop: the pages say it restarts, socket.io reconnects by itself.
	socket.on('restarting', () => (serverRestart.pending = true));
	socket.on('connect', () => (serverRestart.pending = false));
	// Closing for good also stops listening to the network.
	socket.close = socket.disconnect = () => {
		window.removeEventListener('offline', offline);
		window.removeEventListener('online', online);
		return close();
	};
	return socket;
}

/**
 * The server ends this connection for good and says why (`gone`, then a disconnection): the
 * disconnection that follows is no network loss, so the page's « reconnexion… » must not show.
 */
export function onGone(socket: Socket, then: (reason: GoneReason) => void) {
	socket.on('gone', (reason: GoneReason) => {
		socket.off('disconnect');
		then(reason);
	});
	// A reconnection refused for the same reason (a link renewed while the connection was down).
	socket.on('connect_error', (err: Error & { data?: { gone?: GoneReason } }) => {
		if (err.data?.gone) then(err.data.gone);
	});
}

/** Sends a typed message and resolves with the server's answer (or rejects with its error). */
export function send<N extends ClientMessageName>(socket: Socket, name: N, msg: ClientMessage<N>): Promise<unknown> {
	return new Promise((resolve, reject) => {
		socket.timeout(10_000).emit(name, msg, (err: Error | null, ack: Ack) => {
			if (err) reject(new Error('pas de réponse du serveur'));
			else if (ack.ok) resolve(ack.data);
			else reject(new Error(ack.error));
		});
	});
}
