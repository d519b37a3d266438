/**
 * A phone that saw its idea « enregistré » may send it « au tableau » at once: the server reads
 * the item it was told is saved, whatever the store. With PostgreSQL (project integration-pg) the
 * Yjs process acknowledges after its COMMIT while the main process's copy of the write-ups is fed
 * over IPC; the board waits for that copy to catch up (`caughtUp`), so the send is never refused
 * as « unknown item » nor reads an older text.
 */
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addItem, docName } from '../../src/lib/writeup';
import { trackSaved, type SaveState } from '../../src/lib/yjsSaved';
import { connectClient, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { nodeTicketedWebSocket } from '../helpers/writeupClient';
import { groupWithMembers } from '../helpers/yjsClients';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

const IDEAS = 25;

/** An event in stage 2 with one member holding the pen, their write-up open and « enregistré » tracked. */
async function writingMember() {
	const group = await groupWithMembers(server, 1);
	const token = group.tokens[0] as string;
	const roomId = (await server.api('GET', `/api/events/${group.eventId}`, undefined, group.organiserToken)).body.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: group.eventId, token: group.organiserToken });
	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	const member = await connectClient(server.url, { role: 'participant', token });
	const { groupId } = group;

	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`${server.url.replace('http', 'ws')}/yjs`, docName(groupId), doc, {
		WebSocketPolyfill: nodeTicketedWebSocket(server.url, docName(groupId), token)
	});
	let state: SaveState = 'saving';
	const waiters: (() => void)[] = [];
	const stop = trackSaved(provider, (s) => {
		state = s;
		if (s === 'saved') for (const w of waiters.splice(0)) w();
	});
	await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
	return {
		member,
		/** Adds an idea and resolves when the phone shows it « enregistré ». */
		async type(i: number) {
			const text = `Idée ${i + 1} : une permanence de santé le samedi matin`;
			const itemId = addItem(doc, 2, { id: `idea-${i}`, createdAt: Date.now(), text, via: null });
			state = 'saving';
			await new Promise<void>((resolve) => (state === 'saved' ? resolve() : waiters.push(resolve)));
			return { itemId, text };
		},
		boardTexts: async (): Promise<string[]> =>
			(await server.api('GET', `/api/events/${group.eventId}/actes?format=json`, undefined, group.organiserToken)).body.board.items.map((i: { text: string }) => i.text),
		close() {
			stop();
			provider.destroy();
			doc.destroy();
			member.disconnect();
			organiser.disconnect();
		}
	};
}

it('sends each idea to the board the moment the phone sees it saved, with its saved text', async () => {
	const w = await writingMember();
	try {
		const sent: { text: string; ack: unknown }[] = [];
		for (let i = 0; i < IDEAS; i++) {
			const { itemId, text } = await w.type(i);
			// No pause between « enregistré » and the send, as a quick thumb does.
			sent.push({ text, ack: await request(w.member, 'board:send', { itemId }) });
		}
		for (const s of sent) expect(s.ack, s.text).toMatchObject({ ok: true });
		expect(await w.boardTexts()).toEqual(sent.map((s) => s.text));
	} finally {
		w.close();
	}
});
