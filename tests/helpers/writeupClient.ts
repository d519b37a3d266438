/** A member's write-up from Node, over the real Yjs endpoint: for tests that need items to exist. */
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { addItem, docName, type WriteupStage } from '../../src/lib/writeup';
import { trackSaved } from '../../src/lib/yjsSaved';

/** Adds items to a group's write-up as a member, and resolves once the server has stored them. */
export async function writeItems(serverUrl: string, token: string, groupId: string, stage: WriteupStage, texts: string[]): Promise<string[]> {
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`${serverUrl.replace('http', 'ws')}/yjs`, docName(groupId), doc, {
		params: { token },
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket
	});
	let state = 'saving';
	const stop = trackSaved(provider, (s) => (state = s));
	await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
	const ids = texts.map((text, i) => addItem(doc, stage, { id: `i${Date.now()}${i}`, createdAt: Date.now(), text }));
	const deadline = Date.now() + 10_000;
	while (state !== 'saved') {
		if (Date.now() > deadline) throw new Error('write-up not saved in time');
		await new Promise((r) => setTimeout(r, 20));
	}
	stop();
	provider.destroy();
	doc.destroy();
	return ids;
}
