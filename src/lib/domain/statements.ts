/**
 * Editing a room's statements after the event was created (issue 22, docs/statements.md): the
 * organisers reword, add, remove and reorder them. Until the room's choice opens a change simply
 * shows everywhere; once people may pick a statement, a rewording is still allowed but logged and
 * shown to the room's facilitators, and a statement a group already chose cannot be removed.
 */
import type { RoomPhase } from './groups';
import { Refusal } from './refusal';

/** A statement as the organiser sends it back: an existing one (by id) or a new one (no id). */
export interface StatementDraft {
	id?: string;
	text: string;
}

export interface PlannedStatements {
	/** The room's statements in their new order: kept ones by id, new ones with id null. */
	list: { id: string | null; text: string }[];
	/** Kept statements whose wording changed. */
	reworded: { id: string; before: string; after: string }[];
	/** Statements no longer in the list. */
	removed: string[];
}

/** Once the room's choice has opened, people may have read or picked a statement: changes are logged. */
export function choiceOpened(phase: RoomPhase): boolean {
	return phase === 'choice' || phase === 'groups';
}

/**
 * What saving `wanted` as the room's statements changes. Refuses an id the room does not hold, an
 * id given twice, and the removal of a statement that a group has chosen (`chosen`).
 */
export function planStatements(
	current: readonly { id: string; text: string }[],
	wanted: readonly StatementDraft[],
	chosen: ReadonlySet<string>
): PlannedStatements {
	const byId = new Map(current.map((s) => [s.id, s]));
	const kept = new Set<string>();
	const reworded: PlannedStatements['reworded'] = [];
	for (const w of wanted) {
		if (w.id === undefined) continue;
		const before = byId.get(w.id);
		if (!before) throw new Refusal('statementUnknown', { id: w.id });
		if (kept.has(w.id)) throw new Refusal('statementTwice', { id: w.id });
		kept.add(w.id);
		if (before.text !== w.text) reworded.push({ id: w.id, before: before.text, after: w.text });
	}
	const removed = current.filter((s) => !kept.has(s.id));
	const taken = removed.find((s) => chosen.has(s.id));
	if (taken) throw new Refusal('statementChosen', { text: taken.text });
	return { list: wanted.map((w) => ({ id: w.id ?? null, text: w.text })), reworded, removed: removed.map((s) => s.id) };
}

/** The list with the item at `from` moved to `to` (drag and drop, or the up/down buttons). */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
	if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return [...list];
	const out = [...list];
	const [item] = out.splice(from, 1);
	out.splice(to, 0, item as T);
	return out;
}
