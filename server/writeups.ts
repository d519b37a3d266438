/**
 * The groups' write-ups on the server: reading them for the organisers (API, actes), the
 * facilitators' comments, and the projection's sign of progress. The Yjs endpoint holds the
 * docs; this module only goes through it, so a comment is stored and broadcast like any edit.
 */
import type * as Y from 'yjs';
import { addComment, docName, itemCounts, readWriteup, type Comment } from '../src/lib/writeup';
import type { YjsEndpoint } from './realtime/yjs';
import { PalabreError, type Palabre } from './service';
import type { RoomRecord } from './store/store';

const GROUP_DOC = /^group\.([\w-]{1,40})$/;

export class Writeups {
	private endpoint: YjsEndpoint | undefined;
	/** Items per stage of each group, kept current from the endpoint's changes. */
	private readonly progressCache = new Map<string, [number, number, number]>();

	constructor(private readonly palabre: Palabre) {}

	attach(endpoint: YjsEndpoint) {
		this.endpoint = endpoint;
	}

	private get yjs(): YjsEndpoint {
		if (!this.endpoint) throw new Error('the Yjs endpoint is not attached');
		return this.endpoint;
	}

	/** Called by the endpoint after each accepted change of a doc. */
	changed(name: string, doc: Y.Doc) {
		const groupId = GROUP_DOC.exec(name)?.[1];
		if (!groupId) return;
		const counts = itemCounts(doc);
		const before = this.progressCache.get(groupId);
		this.progressCache.set(groupId, counts);
		if (before && before.every((n, i) => n === counts[i])) return;
		const group = this.palabre.store.getGroup(groupId);
		const room = group && this.palabre.store.getRoom(group.roomId);
		if (room) this.palabre.notify({ eventId: room.eventId, roomIds: [], participantIds: [], progress: [{ roomId: room.id, groupId }] });
	}

	/** After a deletion: drop the cached counts and close the doc without storing anything. */
	forget(groupId: string) {
		this.progressCache.delete(groupId);
		this.endpoint?.drop(docName(groupId));
	}

	/** Removes one person's reactions and stars from a group's write-up. */
	forgetPerson(groupId: string, participantId: string) {
		this.yjs.change(docName(groupId), (doc) => {
			for (const name of ['reactions', 'stars']) {
				for (const perItem of doc.getMap<Y.Map<unknown>>(name).values()) perItem.delete(participantId);
			}
		});
	}

	progress(groupId: string): [number, number, number] {
		let counts = this.progressCache.get(groupId);
		if (!counts) {
			counts = this.endpoint ? this.yjs.read(docName(groupId), itemCounts) : [0, 0, 0];
			this.progressCache.set(groupId, counts);
		}
		return counts;
	}

	read(groupId: string) {
		return this.yjs.read(docName(groupId), (doc) => readWriteup(doc));
	}

	/** One item's stage and text, or undefined if the group's write-up has no such item. */
	item(groupId: string, itemId: string): { stage: number; text: string } | undefined {
		return this.yjs.read(docName(groupId), (doc) => {
			const m = doc.getMap<Y.Map<unknown>>('items').get(itemId);
			return m ? { stage: m.get('stage') as number, text: String(m.get('text') ?? '') } : undefined;
		});
	}

	comment(room: RoomRecord, groupId: string, itemId: string, text: string, from: Comment['from']) {
		const group = this.palabre.store.getGroup(groupId);
		if (!group || group.roomId !== room.id) throw new PalabreError(400, 'groupId: groupe inconnu dans cette salle');
		const known = this.yjs.read(docName(groupId), (doc) => doc.getMap('items').has(itemId));
		if (!known) throw new PalabreError(400, 'itemId: élément inconnu');
		this.yjs.change(docName(groupId), (doc) => addComment(doc, itemId, { text, at: Date.now(), from }));
	}
}
