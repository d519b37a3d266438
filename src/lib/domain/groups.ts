/**
 * Seating people in subgroups of at most `max` around the statements of one room.
 * Pure: every function takes the room's groups and returns the new list with the moves it made.
 * The rule is described for people in docs/seating.md.
 *
 * - A person joins the least-filled group of the statement they chose that still has room, else a
 *   new group (Groupe 2, Groupe 3…); numbers never change for a group that survives, and a new
 *   group takes the next number of its statement.
 * - A statement never has more groups than ceil(members / max): when people leave, the smallest
 *   group is folded into the others. With that many groups, someone alone means every other group
 *   of the statement is full.
 * - Before the stages (`balance`), the sizes of a statement's groups differ by at most one: the
 *   7th person on a full Groupe 1 opens Groupe 2 and the last two seated in Groupe 1 join them
 *   (4 + 3) instead of leaving them alone.
 * - A group whose write-up has begun (`locked`) is never split nor dissolved by the rule: nobody is
 *   taken out of it to balance or fold, and it cannot be emptied; it can still take people in.
 *
 * A consequence worth knowing: while these rules hold, `merge` only succeeds when write-ups (or a
 * larger `max` than when the groups formed) kept the rule from folding; the facilitators'
 * `suggestions` name those cases.
 */
import { Refusal } from './refusal';

/** A room's phases, driven by its facilitators: welcome → statements presented → free choice → groups fixed. */
export const ROOM_PHASES = ['welcome', 'presentation', 'choice', 'groups'] as const;
export type RoomPhase = (typeof ROOM_PHASES)[number];

export interface Group {
	id: string;
	statementId: string;
	number: number;
	/** Participant ids, in seating order. */
	members: string[];
}
export interface Move {
	participantId: string;
	from: string | null;
	to: string | null;
}
export interface Placement {
	/** The room's full new list of groups. */
	groups: Group[];
	/** At most one per person, from their old group to their new one; `to` is a surviving group or null. */
	moves: Move[];
}
/** What the rule needs to know of the room besides its groups. */
export interface SeatingRule {
	max: number;
	/** Before the stages: keep the sizes of one statement's groups within one of each other. */
	balance: boolean;
	/** Groups whose write-up has begun. */
	locked: ReadonlySet<string>;
}
/** A refused request; the message is French and shown to users. */
/** A seating move refused by its rules. */
export class RuleError extends Refusal {
	override name = 'RuleError';
}

const copy = (groups: readonly Group[]): Group[] => groups.map((g) => ({ ...g, members: [...g.members] }));

const groupOf = (groups: readonly Group[], participantId: string) =>
	groups.find((g) => g.members.includes(participantId));

const ofStatement = (groups: readonly Group[], statementId: string) => groups.filter((g) => g.statementId === statementId);

const peopleIn = (groups: readonly Group[]) => groups.reduce((n, g) => n + g.members.length, 0);

/** Least-filled first, then lowest number. */
const byRoom = (a: Group, b: Group) => a.members.length - b.members.length || a.number - b.number;

const withRoom = (groups: readonly Group[], statementId: string, max: number) =>
	ofStatement(groups, statementId)
		.filter((g) => g.members.length < max)
		.sort(byRoom);

/**
 * One move per person, from where they were to where they end up: the store applies moves one
 * by one, and must never point someone at a group that a later step of the same fold deleted.
 */
function settle(moves: readonly Move[]): Move[] {
	const byPerson = new Map<string, Move>();
	for (const m of moves) {
		const earlier = byPerson.get(m.participantId);
		byPerson.set(m.participantId, earlier ? { ...earlier, to: m.to } : m);
	}
	return [...byPerson.values()].filter((m) => m.from !== m.to);
}

/** Seats `who` in the least-filled group of `statementId` with room, or a new one; mutates `groups`. */
function seat(groups: Group[], who: string, statementId: string, max: number, newId: () => string): Group {
	let target = withRoom(groups, statementId, max)[0];
	if (!target) {
		const numbers = ofStatement(groups, statementId).map((g) => g.number);
		target = { id: newId(), statementId, number: Math.max(0, ...numbers) + 1, members: [] };
		groups.push(target);
	}
	target.members.push(who);
	return target;
}

const writingRefusal = (g: Group) => new RuleError('groupStartedWriting', { number: g.number });

/** Takes `who` out of their group (deleting it if emptied); mutates `groups`; returns the group left. */
function unseat(groups: Group[], who: string, rule: SeatingRule): Group | undefined {
	const g = groupOf(groups, who);
	if (!g) return undefined;
	g.members = g.members.filter((m) => m !== who);
	if (g.members.length === 0) {
		// Its write-up would lose its group.
		if (rule.locked.has(g.id)) throw writingRefusal(g);
		groups.splice(groups.indexOf(g), 1);
	}
	return g;
}

/** Folds the smallest unlocked groups of a statement into the others until ceil(members / max) remain; mutates. */
function fold(groups: Group[], statementId: string, rule: SeatingRule, moves: Move[]) {
	for (;;) {
		const mine = ofStatement(groups, statementId);
		if (mine.length <= Math.ceil(peopleIn(mine) / rule.max)) return;
		// Smallest first; among equals, the highest number goes (Groupe 1 stays Groupe 1).
		const dissolved = mine
			.filter((g) => !rule.locked.has(g.id))
			.sort((a, b) => a.members.length - b.members.length || b.number - a.number)[0];
		if (!dissolved) return;
		groups.splice(groups.indexOf(dissolved), 1);
		for (const who of dissolved.members) {
			const target = withRoom(groups, statementId, rule.max)[0];
			// More groups than ceil(people / max) leaves at least as many free seats as the dissolved one held.
			if (!target) throw new Error('fold: no seat left');
			target.members.push(who);
			moves.push({ participantId: who, from: dissolved.id, to: target.id });
		}
	}
}

/**
 * Moves the last seated of the largest unlocked groups to the smallest until no unlocked group
 * has two more than the smallest; `pinned` (someone a facilitator just placed) stays; mutates.
 */
function even(groups: Group[], statementId: string, rule: SeatingRule, moves: Move[], pinned?: string) {
	// Each move lowers the sum of squared sizes, so this ends.
	for (;;) {
		const mine = ofStatement(groups, statementId);
		const smallest = [...mine].sort(byRoom)[0];
		if (!smallest) return;
		const donor = mine
			.filter((g) => !rule.locked.has(g.id) && g.members.length - smallest.members.length >= 2)
			.sort((a, b) => b.members.length - a.members.length || b.number - a.number)[0];
		const who = donor?.members.findLast((m) => m !== pinned);
		if (!donor || who === undefined) return;
		donor.members = donor.members.filter((m) => m !== who);
		smallest.members.push(who);
		moves.push({ participantId: who, from: donor.id, to: smallest.id });
	}
}

/** Brings one statement back under the rule; mutates. */
function arrange(groups: Group[], statementId: string, rule: SeatingRule, moves: Move[], pinned?: string) {
	fold(groups, statementId, rule, moves);
	if (rule.balance) even(groups, statementId, rule, moves, pinned);
}

/** A tap on a statement: a seat in one of its groups. Already there: nothing changes. */
export function pick(groups: readonly Group[], participantId: string, statementId: string, rule: SeatingRule, newId: () => string): Placement {
	if (groupOf(groups, participantId)?.statementId === statementId) return { groups: copy(groups), moves: [] };
	const next = copy(groups);
	const moves: Move[] = [];
	const left = unseat(next, participantId, rule);
	if (left) arrange(next, left.statementId, rule, moves);
	const target = seat(next, participantId, statementId, rule.max, newId);
	const mine = [{ participantId, from: left?.id ?? null, to: target.id }];
	arrange(next, statementId, rule, moves);
	return { groups: next, moves: settle([...mine, ...moves]) };
}

/** Leaves one's group; the statement's groups are folded and balanced again. */
export function leave(groups: readonly Group[], participantId: string, rule: SeatingRule): Placement {
	const next = copy(groups);
	const left = unseat(next, participantId, rule);
	if (!left) return { groups: next, moves: [] };
	const moves: Move[] = [{ participantId, from: left.id, to: null }];
	arrange(next, left.statementId, rule, moves);
	return { groups: next, moves: settle(moves) };
}

/** One statement seated by the rule as if before the stages: what a facilitator's « équilibrer » does. */
export function rebalance(groups: readonly Group[], statementId: string, rule: SeatingRule): Placement {
	const next = copy(groups);
	const moves: Move[] = [];
	arrange(next, statementId, { ...rule, balance: true }, moves);
	return { groups: next, moves: settle(moves) };
}

/**
 * A facilitator seats someone in a given group, possibly from another statement. The person
 * stays where they were put: when balance needs a move, someone else of that group goes.
 */
export function move(groups: readonly Group[], participantId: string, targetGroupId: string, rule: SeatingRule): Placement {
	const target = groups.find((g) => g.id === targetGroupId);
	if (!target) throw new RuleError('unknownGroup');
	if (groupOf(groups, participantId)?.id === targetGroupId) return { groups: copy(groups), moves: [] };
	if (target.members.length >= rule.max) throw new RuleError('groupFull', { number: target.number, max: rule.max });
	const next = copy(groups);
	const moves: Move[] = [];
	const left = unseat(next, participantId, rule);
	(next.find((g) => g.id === targetGroupId) as Group).members.push(participantId);
	const mine = [{ participantId, from: left?.id ?? null, to: targetGroupId }];
	if (left && left.statementId !== target.statementId) arrange(next, left.statementId, rule, moves);
	arrange(next, target.statementId, rule, moves, participantId);
	return { groups: next, moves: settle([...mine, ...moves]) };
}

/**
 * Two groups of one statement become one. The group whose write-up has begun is kept (its text
 * stays with it), else the lower number; two groups that both began writing are not merged.
 */
export function merge(groups: readonly Group[], groupIdA: string, groupIdB: string, rule: SeatingRule): Placement {
	const a = groups.find((g) => g.id === groupIdA);
	const b = groups.find((g) => g.id === groupIdB);
	if (!a || !b) throw new RuleError('unknownGroup');
	if (a.id === b.id) throw new RuleError('mergeSelf');
	if (a.statementId !== b.statementId) throw new RuleError('mergeOtherStatement');
	const size = a.members.length + b.members.length;
	if (size > rule.max) throw new RuleError('mergeTooMany', { size, max: rule.max });
	const [keep, drop] = mergeOrder(a, b, rule);
	if (rule.locked.has(drop.id)) throw new RuleError('mergeBothWriting', { a: a.number, b: b.number });
	const next = copy(groups).filter((g) => g.id !== drop.id);
	(next.find((g) => g.id === keep.id) as Group).members.push(...drop.members);
	return { groups: next, moves: drop.members.map((participantId) => ({ participantId, from: drop.id, to: keep.id })) };
}

/** [kept, dissolved] of a merge. */
function mergeOrder(a: Group, b: Group, rule: SeatingRule): [Group, Group] {
	const lockedA = rule.locked.has(a.id);
	if (lockedA !== rule.locked.has(b.id)) return lockedA ? [a, b] : [b, a];
	return a.number < b.number ? [a, b] : [b, a];
}

/** What the facilitators are offered to apply in one tap. */
export type Suggestion =
	| { kind: 'merge'; statementId: string; keep: { id: string; number: number; size: number }; drop: { id: string; number: number; size: number } }
	| { kind: 'rebalance'; statementId: string; sizes: number[]; after: number[] };

/**
 * Merges that would seat small groups together (the smallest first, someone alone above all),
 * and statements whose groups the rule would balance if asked (during the stages it does not
 * move people on its own).
 */
export function suggestions(groups: readonly Group[], rule: SeatingRule): Suggestion[] {
	const out: Suggestion[] = [];
	for (const statementId of new Set(groups.map((g) => g.statementId))) {
		const mine = ofStatement(groups, statementId).sort(byRoom);
		const taken = new Set<string>();
		for (const small of mine) {
			if (taken.has(small.id)) continue;
			const partner = mine.find(
				(o) =>
					o !== small &&
					!taken.has(o.id) &&
					o.members.length + small.members.length <= rule.max &&
					!(rule.locked.has(o.id) && rule.locked.has(small.id))
			);
			if (!partner) continue;
			taken.add(small.id).add(partner.id);
			const [keep, drop] = mergeOrder(small, partner, rule);
			const brief = (g: Group) => ({ id: g.id, number: g.number, size: g.members.length });
			out.push({ kind: 'merge', statementId, keep: brief(keep), drop: brief(drop) });
		}
		if (taken.size) continue;
		const balanced = rebalance(groups, statementId, rule);
		if (balanced.moves.length) {
			const sizes = (list: readonly Group[]) => ofStatement(list, statementId).sort((a, b) => a.number - b.number).map((g) => g.members.length);
			out.push({ kind: 'rebalance', statementId, sizes: sizes(groups), after: sizes(balanced.groups) });
		}
	}
	// Someone alone first.
	const alone = (s: Suggestion) => Number(s.kind === 'merge' && Math.min(s.keep.size, s.drop.size) === 1);
	return out.sort((x, y) => alone(y) - alone(x));
}

