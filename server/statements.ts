/**
 * The organisers edit a room's statements (docs/statements.md): reword, add, remove, reorder.
 * The rules are src/lib/domain/statements.ts; here they are stored in one transaction, logged once
 * the room's choice has opened, and said to have changed.
 */
import { choiceOpened, planStatements, type StatementDraft } from '../src/lib/domain/statements';
import type { Changes } from './changes';
import { newId } from './tokens';
import type { RoomRecord, StatementRecord, Store } from './store/store';

export class Statements {
	constructor(
		private readonly store: Store,
		private readonly changes: Changes
	) {}

	/** Saves `wanted` as the room's statements; returns their ids in order (new ones included). */
	edit(room: RoomRecord, wanted: StatementDraft[], at = Date.now()): { statementIds: string[] } {
		const current = this.store.listStatements(room.id);
		const groups = this.store.listGroups(room.id);
		const plan = planStatements(current, wanted, new Set(groups.map((g) => g.statementId)));
		const byId = new Map(current.map((s) => [s.id, s]));
		const reworded = new Set(plan.reworded.map((r) => r.id));
		const saved: StatementRecord[] = plan.list.map((s, position) => {
			const before = s.id ? byId.get(s.id) : undefined;
			if (!before) return { id: newId(), roomId: room.id, position, text: s.text, translations: {} };
			// A reworded statement keeps its translations, marked to be reviewed.
			const toReview = !!before.translationToReview || (reworded.has(before.id) && Object.values(before.translations).some(Boolean));
			return { ...before, position, text: s.text, translationToReview: toReview };
		});
		const logged = choiceOpened(room.phase);
		this.store.transaction(() => {
			this.store.saveStatements(room.id, saved, plan.removed);
			if (logged) for (const r of plan.reworded) this.store.addStatementEdit({ statementId: r.id, roomId: room.id, at, by: 'organiser', before: r.before, after: r.after });
			// The statement presented may have gone: the presentation stays within the list.
			if (room.presenting >= saved.length) this.store.setRoomPhase(room.id, room.phase, saved.length - 1);
		});
		const members = groups.filter((g) => reworded.has(g.statementId)).flatMap((g) => this.store.listGroupMembers(g.id));
		this.changes.emit({ kind: 'statementsChanged', eventId: room.eventId, roomId: room.id, participantIds: members.map((p) => p.id) });
		return { statementIds: saved.map((s) => s.id) };
	}
}
