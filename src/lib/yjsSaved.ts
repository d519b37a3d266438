/**
 * « Enregistré » for a shared write-up: whether what this browser typed is stored on the
 * server, not merely sent. The Yjs endpoint (server/realtime/yjs.ts) answers each sync step 2
 * or update message of a writer, in order, with messageSaved once it is in the database; we
 * count the messages the provider sends on its WebSocket and the answers that come back.
 *
 * Install it on every writable provider (y-websocket logs each message it has no handler
 * for); not on read-only ones, which get no answers.
 */
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import type { WebsocketProvider } from 'y-websocket';

/** Our message type beyond y-websocket's, sent by server/realtime/yjs.ts. */
export const messageSaved = 100;
const messageSync = 0;

/** 'saving': sent, not yet stored. 'unsaved': changed while offline, stored after reconnecting. */
export type SaveState = 'saved' | 'saving' | 'unsaved';

/** Calls onChange now and at every change of state; returns a function that stops tracking. */
export function trackSaved(provider: WebsocketProvider, onChange: (state: SaveState) => void): () => void {
	const doc = provider.doc;
	// Counted per connection: answers to messages sent on a lost connection never come.
	let sent = 0;
	let acked = 0;
	// Local changes that no acknowledged message carries yet (made offline, or lost in flight).
	let unsynced = false;
	// The message (sent count) whose answer will cover them: the step 2 sent after reconnecting.
	let resyncAt = 0;
	let state: SaveState = 'saved';

	const refresh = () => {
		const next: SaveState = unsynced
			? provider.wsconnected
				? 'saving'
				: 'unsaved'
			: sent > acked
				? 'saving'
				: 'saved';
		if (next !== state) {
			state = next;
			onChange(state);
		}
	};

	const onUpdate = (_update: Uint8Array, origin: unknown) => {
		// Updates from the provider came from the server; the others are sent now, or on reconnect.
		if (origin === provider) return;
		if (provider.wsconnected) sent++;
		else unsynced = true;
		refresh();
	};

	const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
		if (status !== 'disconnected') return;
		if (sent > acked) unsynced = true;
		sent = acked = resyncAt = 0;
		refresh();
	};

	const sync = provider.messageHandlers[messageSync];
	if (!sync) throw new Error('y-websocket: no sync handler');
	provider.messageHandlers[messageSync] = (encoder, decoder, p, fromSocket, type) => {
		const isStep1 = decoding.peekVarUint(decoder) === syncProtocol.messageYjsSyncStep1;
		sync(encoder, decoder, p, fromSocket, type);
		// The provider answers the server's step 1 with a step 2 holding all we have
		// (fromSocket is false for messages from other tabs, answered among tabs).
		if (fromSocket && isStep1) {
			sent++;
			if (unsynced) resyncAt = sent;
			refresh();
		}
	};
	provider.messageHandlers[messageSaved] = (_encoder, decoder) => {
		decoding.readVarUint(decoder); // seq: which row, not needed to count
		acked++;
		if (unsynced && resyncAt > 0 && acked >= resyncAt) unsynced = false;
		refresh();
	};
	doc.on('update', onUpdate);
	provider.on('status', onStatus);
	onChange(state);

	return () => {
		provider.messageHandlers[messageSync] = sync;
		delete provider.messageHandlers[messageSaved];
		doc.off('update', onUpdate);
		provider.off('status', onStatus);
	};
}
