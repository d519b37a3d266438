/**
 * The groups' write-ups on the server: reading them for the organisers (API, actes), the
 * facilitators' comments, and the projection's sign of progress. The Yjs process holds the live
 * docs; this one reads what is stored (every change a writer was told is saved) and sends its
 * own changes there as Yjs updates, so a comment is stored and broadcast like any edit.
 */
import * as Y from 'yjs';
import { effectiveStage, type RoomStages } from '../src/lib/domain/stages';
import { carriedPens, passedOn } from '../src/lib/domain/pens';
import { isWriteupClosed } from '../src/lib/domain/writeupClosing';
import { addComment, docName, readItem, readWriteup, itemCounts, type Comment } from '../src/lib/writeup';
import { holders, type Access } from './access';
import type { Changes } from './changes';
import { PalabreError } from './errors';
import type { YjsGrant } from './realtime/yjs';
import type { YjsProcess } from './realtime/yjsProcess';
import { TICKET_TTL_MS, YjsTickets } from './realtime/yjsTickets';
import { groupOfDoc, groupOfRoom, memberIds } from './records';
import { storedUpdate } from './store/ydocs';
import type { ParticipantRecord, RoomRecord, Store, WriteupAccessEntry } from './store/store';

/** What this module asks of the Yjs process. */
type WriteupsHost = Pick<YjsProcess, 'apply' | 'caughtUp' | 'drop' | 'revoke' | 'setPens' | 'setClosed'>;

/** Whether a group's write-up is closed, and every reopening or closing decided by hand. */
export interface WriteupAccess {
	closed: boolean;
	log: WriteupAccessEntry[];
}

export class Writeups {
	private host: WriteupsHost | undefined;
	/** Items per stage of each group, kept current from the Yjs process's reports. */
	private readonly progressCache = new Map<string, [number, number, number]>();
	private readonly tickets = new YjsTickets();

	constructor(
		private readonly store: Store,
		private readonly changes: Changes,
		private readonly access: Pick<Access, 'doc' | 'mayOpenDoc' | 'pens'>
	) {}

	attach(host: WriteupsHost) {
		this.host = host;
	}

	/**
	 * A ticket to open a write-up's WebSocket once (docs/api.md): the token stays out of URLs.
	 * Refused (403) if the token may not open that doc, as the upgrade would be.
	 */
	ticket(docName: string, token: string | undefined): { ticket: string; expiresInMs: number } {
		if (!token) throw new PalabreError(401, 'missingToken');
		if (!this.access.mayOpenDoc(docName, token)) throw new PalabreError(403, 'badWriteupToken');
		return { ticket: this.tickets.issue(token, docName), expiresInMs: TICKET_TTL_MS };
	}

	/** At the upgrade: the grant of a live ticket for this doc, which is used up. */
	redeem(docName: string, ticket: string): YjsGrant | null {
		const token = this.tickets.redeem(ticket, docName);
		// Access is decided now, not when the ticket was issued: a person moved meanwhile is refused.
		return token === undefined ? null : this.access.doc(docName, token);
	}

	/**
	 * Takes or gives back the pen for one stage of one's group (several rapporteurs may write): the
	 * Yjs process then lets only the pen holders change that stage's items. Taking a pen carried
	 * over from the stage before passes it on: its carrier gives it up (src/lib/domain/pens.ts).
	 */
	setRapporteur(p: ParticipantRecord, stage: number, on: boolean) {
		if (!p.groupId || !p.roomId) throw new PalabreError(409, 'notInGroup');
		const groupId = p.groupId;
		const giving = on ? passedOn(this.access.pens(groupId), stage, p.id) : [];
		this.store.transaction(() => {
			for (const id of giving) this.store.setRapporteur(groupId, stage, id, false);
			this.store.setRapporteur(groupId, stage, p.id, on);
		});
		this.pensChanged(p.eventId, p.roomId, groupId);
	}

	private pensChanged(eventId: string, roomId: string, groupId: string) {
		this.host?.setPens(docName(groupId), this.access.pens(groupId));
		this.changes.emit({ kind: 'pensChanged', eventId, roomId, groupId, memberIds: memberIds(this.store, groupId) });
	}

	/**
	 * A write-up closes when its group's stages are over (« Terminer », or the group moved on past
	 * the evaluation), unless a facilitator or organiser reopened it since (docs/writeup.md).
	 */
	closing(groupId: string, stages: RoomStages): WriteupAccess {
		const log = this.store.listWriteupAccess(groupId);
		return { closed: isWriteupClosed(effectiveStage(stages, groupId), log.at(-1)), log };
	}

	/** Whether the group's write-up is closed now (false for an unknown group). */
	closed(groupId: string): boolean {
		const group = this.store.getGroup(groupId);
		const room = group && this.store.getRoom(group.roomId);
		return room ? this.closing(groupId, room.stages).closed : false;
	}

	/**
	 * After a stage command: a group whose stages end now closes, even one reopened by hand
	 * before (« Terminer » always closes); the Yjs process hears of every group's state. A group
	 * that moved on to its next written stage keeps its rapporteurs (src/lib/domain/pens.ts).
	 */
	stagesChanged(room: RoomRecord, before: RoomStages, after: RoomStages, at: number) {
		const roomEnds = before.room.status !== 'finished' && after.room.status === 'finished';
		for (const g of this.store.listGroups(room.id)) {
			const carried = carriedPens(this.access.pens(g.id), effectiveStage(before, g.id).index, effectiveStage(after, g.id).index);
			if (carried.length) {
				const stage = effectiveStage(after, g.id).index;
				this.store.transaction(() => {
					for (const id of carried) this.store.setRapporteur(g.id, stage, id, true);
				});
				this.pensChanged(room.eventId, room.id, g.id);
			}
			const ends = roomEnds || (effectiveStage(before, g.id).status !== 'finished' && effectiveStage(after, g.id).status === 'finished');
			if (ends && this.store.listWriteupAccess(g.id).at(-1)?.open) this.store.addWriteupAccess(g.id, { at, open: false, by: 'stages' });
			this.host?.setClosed(docName(g.id), this.closing(g.id, after).closed);
		}
	}

	/** A facilitator or organiser reopens a closed write-up, or closes it again: logged. */
	setOpen(room: RoomRecord, groupId: string, open: boolean, by: 'facilitator' | 'organiser') {
		groupOfRoom(this.store, room, groupId);
		if (effectiveStage(room.stages, groupId).status !== 'finished') throw new PalabreError(409, 'writeupClosesWithStages');
		const { closed } = this.closing(groupId, room.stages);
		if (closed !== open) throw new PalabreError(409, open ? 'writeupAlreadyOpen' : 'writeupAlreadyClosed');
		this.store.addWriteupAccess(groupId, { at: Date.now(), open, by });
		this.host?.setClosed(docName(groupId), !open);
		this.changes.emit({ kind: 'writeupAccessChanged', eventId: room.eventId, roomId: room.id, groupId });
	}

	/** Reported by the Yjs process when a doc's items per stage changed. */
	progressed(name: string, counts: [number, number, number]) {
		const found = groupOfDoc(this.store, name);
		if (!found) return;
		const { group, room } = found;
		this.progressCache.set(group.id, counts);
		this.changes.emit({ kind: 'progressed', eventId: room.eventId, roomId: room.id, groupId: group.id });
	}

	/** After a deletion: drop the cached counts and close the doc without storing anything. */
	forget(groupId: string) {
		this.progressCache.delete(groupId);
		this.host?.drop(docName(groupId));
	}

	/**
	 * A person left their group (moved, deleted: `groupId` null) or joined another: their open
	 * write-up connections close, but the one to their group's write-up.
	 */
	withdraw(participantId: string, groupId: string | null) {
		this.host?.revoke([holders.participant(participantId)], groupId ? docName(groupId) : undefined);
	}

	/** Rotated links: whoever opened a write-up with the old ones is disconnected. */
	withdrawLinks(eventId: string, roomIds: string[]) {
		this.host?.revoke([holders.organiser(eventId), ...roomIds.map(holders.facilitation)]);
	}

	/** Removes one person's reactions and stars from a group's write-up. */
	forgetPerson(groupId: string, participantId: string): Promise<void> {
		return this.change(groupId, (doc) => {
			for (const name of ['reactions', 'stars']) {
				for (const perItem of doc.getMap<unknown>(name).values()) if (perItem instanceof Y.Map) perItem.delete(participantId);
			}
		});
	}

	/** Whether the group began writing (then seating never splits nor dissolves it). */
	hasWriting(groupId: string): boolean {
		return this.progress(groupId).some((n) => n > 0);
	}

	progress(groupId: string): [number, number, number] {
		let counts = this.progressCache.get(groupId);
		if (!counts) {
			counts = this.stored(groupId, itemCounts);
			this.progressCache.set(groupId, counts);
		}
		return counts;
	}

	read(groupId: string) {
		return this.stored(groupId, (doc) => readWriteup(doc));
	}

	/**
	 * One item's stage and text, or undefined if the group's write-up has no such item, as of at
	 * least everything its writers were told is saved: a phone that saw its idea saved may send it
	 * to the board at once.
	 */
	async item(groupId: string, itemId: string): Promise<{ stage: number; text: string } | undefined> {
		await this.host?.caughtUp(docName(groupId));
		return this.stored(groupId, (doc) => readItem(doc, itemId));
	}

	async comment(room: RoomRecord, groupId: string, itemId: string, text: string, from: Comment['from']): Promise<void> {
		groupOfRoom(this.store, room, groupId);
		if (!(await this.item(groupId, itemId))) throw new PalabreError(400, 'fieldUnknownItem');
		return this.change(groupId, (doc) => addComment(doc, itemId, { text, at: Date.now(), from }));
	}

	/** Reads the group's doc as stored. */
	private stored<T>(groupId: string, fn: (doc: Y.Doc) => T): T {
		// Named, a doc needs no random guid: drawing one costs 0.16 ms here, the rest of the doc 0.01 ms.
		const doc = new Y.Doc({ guid: docName(groupId) });
		try {
			const update = storedUpdate(this.store.ydocs, docName(groupId));
			if (update) Y.applyUpdate(doc, update);
			return fn(doc);
		} finally {
			doc.destroy();
		}
	}

	/** Makes a change on the stored doc and sends it, as an update, to the live one. */
	private async change(groupId: string, fn: (doc: Y.Doc) => void): Promise<void> {
		if (!this.host) throw new Error('the Yjs process is not attached');
		const changes: Uint8Array[] = [];
		this.stored(groupId, (doc) => {
			doc.on('update', (u: Uint8Array) => changes.push(u));
			doc.transact(() => fn(doc));
		});
		if (changes.length === 0) return;
		try {
			await this.host.apply(docName(groupId), Y.mergeUpdates(changes));
		} catch (err) {
			// The Yjs process stopped (another is starting) or could not store: the user can try again.
			console.error(err);
			throw new PalabreError(503, 'writeupsUnavailable');
		}
	}
}
