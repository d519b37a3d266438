/**
 * The préconisations board on the server. It is server-authoritative, not a Yjs doc: merging,
 * splitting and tagging are operations on whole items whose sources must never be lost, so one
 * place applies them in arrival order (src/lib/domain/board.ts) and stores the result before
 * anyone sees it. Two organisers acting at once both land, in order (docs/board.md).
 */
import { nanoid } from 'nanoid';
import { apply, sourcesLabel, summary, type Board, type BoardOp } from '../src/lib/domain/board';
import { effectiveStage } from '../src/lib/domain/stages';
import { LIMITS } from '../src/lib/protocol';
import type { PublicBoard } from '../src/lib/views';
import { docName } from '../src/lib/writeup';
import type { Changes } from './changes';
import { PalabreError } from './errors';
import type { ParticipantRecord, Store } from './store/store';

function tooLong(field: string, length: number) {
	return new PalabreError(400, 'boardTextTooLong', { field, length, max: LIMITS.boardText });
}

export class BoardService {
	constructor(
		private readonly store: Store,
		private readonly changes: Changes,
		/** A write-up item as stored (the board reads the source itself: provenance cannot be forged). */
		private readonly writeupItem: (groupId: string, itemId: string) => Promise<{ stage: number; text: string } | undefined>
	) {}

	private commit(eventId: string, op: BoardOp): Board {
		const { board, version } = this.store.getBoard(eventId);
		const next = apply(board, op);
		// Every board text is capped like every other text, whatever built it (merged reasons join).
		const before = new Map(board.items.map((i) => [i.id, i]));
		for (const item of next.items) {
			const was = before.get(item.id);
			if (item.text !== was?.text && item.text.length > LIMITS.boardText) throw tooLong('text', item.text.length);
			if (item.reason !== was?.reason && (item.reason?.length ?? 0) > LIMITS.boardText) throw tooLong('reason', item.reason?.length ?? 0);
		}
		this.store.saveBoard(eventId, next, version + 1);
		this.changes.emit({ kind: 'boardChanged', eventId });
		return next;
	}

	/** An organiser's or facilitator's operation (everything but sending and supporting). */
	operate(eventId: string, op: Exclude<BoardOp, { kind: 'addFromWriteup' } | { kind: 'support' }>) {
		this.commit(eventId, op);
	}

	/**
	 * A stage 2 or 3 item of a write-up goes to the board. The server reads the item itself, so
	 * the provenance (statement, group, stage, original text) cannot be forged by a client.
	 */
	async send(eventId: string, groupId: string, itemId: string): Promise<{ boardItemId: string }> {
		const item = await this.writeupItem(groupId, itemId);
		// Read after the wait: the group may have gone meanwhile.
		const group = this.store.getGroup(groupId);
		const room = group && this.store.getRoom(group.roomId);
		if (!group || !room || room.eventId !== eventId) throw new PalabreError(400, 'fieldUnknownGroup');
		if (!item) throw new PalabreError(400, 'fieldUnknownItem');
		if (item.stage !== 2 && item.stage !== 3) throw new PalabreError(409, 'boardStagesOnly');
		if (!item.text.trim()) throw new PalabreError(409, 'emptyItem');
		if (item.text.length > LIMITS.boardText) throw tooLong('itemId', item.text.length);
		const boardItemId = nanoid(12);
		this.commit(eventId, {
			kind: 'addFromWriteup',
			itemId: boardItemId,
			source: {
				id: `${docName(groupId)}/${itemId}`,
				statementId: group.statementId,
				groupNumber: group.number,
				groupId,
				stage: item.stage,
				itemId,
				text: item.text,
				at: Date.now()
			}
		});
		return { boardItemId };
	}

	/** A member may send their own group's items; facilitators and organisers any group's. */
	sendAsMember(p: ParticipantRecord, itemId: string) {
		if (!p.groupId) throw new PalabreError(409, 'notInGroup');
		return this.send(p.eventId, p.groupId, itemId);
	}

	/** « Je soutiens », once the participant's group has finished its three stages. */
	support(p: ParticipantRecord, itemId: string, on: boolean) {
		const room = p.roomId ? this.store.getRoom(p.roomId) : undefined;
		const stage = room && p.groupId ? effectiveStage(room.stages, p.groupId) : room?.stages.room;
		if (!stage || (stage.index < 4 && stage.status !== 'finished')) {
			throw new PalabreError(409, 'supportNotOpen');
		}
		const board = this.commit(p.eventId, { kind: 'support', itemId, participantId: p.id, on });
		return { mySupports: this.supportsOf(board, p.id) };
	}

	/** Takes a deleted person's support off every item. */
	forgetPerson(eventId: string, participantId: string) {
		const { board, version } = this.store.getBoard(eventId);
		if (!board.items.some((i) => i.support.includes(participantId))) return;
		const next = { ...board, items: board.items.map((i) => ({ ...i, support: i.support.filter((s) => s !== participantId) })) };
		this.store.saveBoard(eventId, next, version + 1);
	}

	/** The items a person supports, for their phone's « je soutiens » buttons. */
	supportsOfPerson(eventId: string, participantId: string): string[] {
		return this.supportsOf(this.store.getBoard(eventId).board, participantId);
	}

	private supportsOf(board: Board, participantId: string): string[] {
		return board.items.filter((i) => i.support.includes(participantId)).map((i) => i.id);
	}

	/** The board as everyone may see it: counts of support, never who. */
	publicBoard(eventId: string): PublicBoard {
		const { board, version } = this.store.getBoard(eventId);
		// Sources named as the screens number statements: room and statement by their place, from 1.
		const numbers = new Map<string, { roomNumber: number; statementNumber: number }>();
		for (const [r, room] of this.store.listRooms(eventId).entries()) {
			for (const [i, s] of this.store.listStatements(room.id).entries()) numbers.set(s.id, { roomNumber: r + 1, statementNumber: i + 1 });
		}
		return {
			version,
			headings: board.headings,
			summary: summary(board),
			items: board.items.map((i) => ({
				id: i.id,
				text: i.text,
				originalText: i.originalText,
				heading: i.heading,
				levels: i.levels,
				status: i.status,
				...(i.reason !== undefined ? { reason: i.reason } : {}),
				support: i.support.length,
				sourcesLabel: sourcesLabel(i),
				sources: i.sources.map((s) => ({
					from: s.id,
					statementId: s.statementId,
					...numbers.get(s.statementId),
					groupNumber: s.groupNumber,
					stage: s.stage,
					text: s.text
				}))
			}))
		};
	}
}
