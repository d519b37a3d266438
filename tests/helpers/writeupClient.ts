/** A member's write-up from Node, over the real Yjs endpoint: for tests that need items to exist. */
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { addItem, docName, type WriteupStage } from '../../src/lib/writeup';
import { ticketedWebSocket } from '../../src/lib/client/yjsTicket';
import { trackSaved } from '../../src/lib/yjsSaved';
import { connectClient, request } from './clients';

/** Takes the pen of stages, as the member's phone does: only pen holders write a stage's items. */
export async function takePen(serverUrl: string, token: string, stages: WriteupStage[]): Promise<void> {
	const socket = await connectClient(serverUrl, { role: 'participant', token });
	try {
		for (const stage of stages) {
			const ack = await request(socket, 'group:setRapporteur', { stage, on: true });
			if (!ack.ok) throw new Error(`pen not taken: ${JSON.stringify(ack)}`);
		}
	} finally {
		socket.disconnect();
	}
}

/** The WebSocket class y-websocket needs in Node to open a doc with a ticket got with `token`. */
export const nodeTicketedWebSocket = (serverUrl: string, name: string, token: string) =>
	ticketedWebSocket(serverUrl, name, token, WebSocket as unknown as Parameters<typeof ticketedWebSocket>[3]);

/**
 * Adds items to a group's write-up as a member (who takes that stage's pen), and resolves once the
 * server has stored them; `via`: the participant id of the member typed for (helper mode).
 */
export async function writeItems(serverUrl: string, token: string, groupId: string, stage: WriteupStage, texts: string[], via: string | null = null): Promise<string[]> {
	await takePen(serverUrl, token, [stage]);
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`${serverUrl.replace('http', 'ws')}/yjs`, docName(groupId), doc, {
		WebSocketPolyfill: nodeTicketedWebSocket(serverUrl, docName(groupId), token)
	});
	let state = 'saving';
	const stop = trackSaved(provider, (s) => (state = s));
	await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
	const ids = texts.map((text, i) => addItem(doc, stage, { id: `i${Date.now()}${i}`, createdAt: Date.now(), text, via }));
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
