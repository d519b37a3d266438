/**
 * A group's write-up on this device: the Yjs doc, kept in IndexedDB for writers (so what is
 * typed offline survives a reload and is merged on reconnect), synced over the project's Yjs
 * endpoint, with a save state that only says « enregistré » once the server has stored it.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { docName, messageClosed, readWriteup, type WriteupItem } from '../writeup';
import { trackSaved, type SaveState } from '../yjsSaved';
import { eventQuery } from './eventRoute';
import { controlSocketOf } from './socket';
import { ticketedWebSocket } from './yjsTicket';

export interface WriteupHandle {
	readonly doc: Y.Doc;
	readonly stages: { items: WriteupItem[] }[];
	readonly saveState: SaveState;
	readonly connected: boolean;
	/** Why the server refused this device's changes (close codes 4400, 4401, 4413), or null. */
	readonly refused: string | null;
	/**
	 * The server closed the write-up (the group's stages are over): it takes no change until a
	 * facilitator reopens it; what this device holds unsent stays here (docs/writeup.md).
	 */
	readonly closed: boolean;
	destroy(): void;
}

/** The IndexedDB name of a group's write-up on this device. */
const localName = (groupId: string) => `palabre.${docName(groupId)}`;

/** Deletes this device's copy of a group's write-up (once any open handle has closed it). */
export function forgetWriteupCopy(groupId: string) {
	indexedDB.deleteDatabase(localName(groupId));
}

export function openWriteup(opts: { groupId: string; token: string; participantId?: string; write: boolean }): WriteupHandle {
	const doc = new Y.Doc();
	const name = docName(opts.groupId);
	const local = opts.write ? new IndexeddbPersistence(localName(opts.groupId), doc) : undefined;
	const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
	const provider = new WebsocketProvider(url, name, doc, {
		params: eventQuery(),
		WebSocketPolyfill: ticketedWebSocket(location.origin, name, opts.token, WebSocket as never, () => controlSocketOf(opts.token))
	});
	const state = $state({
		stages: readWriteup(doc, opts.participantId).stages,
		saveState: 'saved' as SaveState,
		connected: false,
		refused: null as string | null,
		closed: false
	});
	const refresh = () => (state.stages = readWriteup(doc, opts.participantId).stages);
	doc.on('update', refresh);
	// Until this device's copy is loaded, what it holds (items typed offline before a reload) is
	// unknown: never « enregistré » before that.
	let tracked: SaveState = 'saved';
	let loaded = !local;
	const showSaveState = () => (state.saveState = loaded ? tracked : 'saving');
	const stopTracking = opts.write
		? trackSaved(provider, (s) => {
				tracked = s;
				showSaveState();
			})
		: () => {};
	const localLoaded = () => {
		loaded = true;
		showSaveState();
	};
	// A device that refuses storage (some private modes) has no copy to wait for.
	local?.whenSynced.then(localLoaded, localLoaded);
	local?._db.catch(localLoaded);
	const onStatus = ({ status }: { status: string }) => (state.connected = status === 'connected');
	provider.on('status', onStatus);
	// The server refused what this device holds: it would be refused again at every reconnection,
	// so the local copy goes, and the page says so (a reload starts from the server's copy).
	const onClosed = ({ code, reason }: { code: number; reason: string }) => {
		if (code !== 4400 && code !== 4401 && code !== 4413) return;
		state.refused = reason || String(code);
		void local?.clearData();
	};
	provider.on('closed', onClosed);
	provider.messageHandlers[messageClosed] = (_encoder, decoder) => {
		const closed = decoding.readVarUint(decoder) === 1;
		// Reopened: a new connection sends again what this device holds (its sync step 2).
		if (state.closed && !closed && provider.wsconnected) {
			provider.disconnect();
			provider.connect();
		}
		state.closed = closed;
	};
	// When the phone knows it lost the network, say so at once rather than after a timeout,
	// and reconnect as soon as it is back.
	const offline = () => provider.disconnect();
	const online = () => provider.connect();
	window.addEventListener('offline', offline);
	window.addEventListener('online', online);

	return {
		doc,
		get stages() {
			return state.stages;
		},
		get saveState() {
			return state.saveState;
		},
		get connected() {
			return state.connected;
		},
		get refused() {
			return state.refused;
		},
		get closed() {
			return state.closed;
		},
		destroy() {
			stopTracking();
			window.removeEventListener('offline', offline);
			window.removeEventListener('online', online);
			provider.off('status', onStatus);
			provider.off('closed', onClosed);
			doc.off('update', refresh);
			provider.destroy();
			void local?.destroy();
			doc.destroy();
		}
	};
}
