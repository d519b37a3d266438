/**
 * Seating people in subgroups of at most `max` around the statements of one room.
 * Pure: every function takes the room's groups and returns the new list with the moves it made.
 *
 * Rules (GROS-DEBAT.md): a person joins the least-filled group of the statement they chose that
 * still has room, else a new group (Groupe 2, Groupe 3…); numbers never change for a group that
 * survives; a statement never has more groups than ceil(members / max) — when people leave, the
 * smallest group is folded into the others.
 *
 * A consequence worth knowing: while that rule holds, `merge` always refuses (two groups that fit
 * in one would already have been folded). It matters for groups formed otherwise, e.g. a larger
 * `max` than when they were formed.
 */

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
/** A refused request; the message is French and shown to users. */
export class RuleError extends Error {
	override name = 'RuleError';
}

const copy = (groups: readonly Group[]): Group[] => groups.map((g) => ({ ...g, members: [...g.members] }));

const groupOf = (groups: readonly Group[], participantId: string) =>
	groups.find((g) => g.members.includes(participantId));

/** Least-filled first, then lowest number. */
const byRoom = (a: Group, b: Group) => a.members.length - b.members.length || a.number - b.number;

const withRoom = (groups: readonly Group[], statementId: string, max: number) =>
	groups.filter((g) => g.statementId === statementId && g.members.length < max).sort(byRoom);

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
	return [...byPerson.values()];
}

/** Seats `who` in the least-filled group of `statementId` with room, or a new one; mutates `groups`. */
function seat(groups: Group[], who: string, statementId: string, max: number, newId: () => string): Group {
	let target = withRoom(groups, statementId, max)[0];
	if (!target) {
		const numbers = groups.filter((g) => g.statementId === statementId).map((g) => g.number);
		target = { id: newId(), statementId, number: Math.max(0, ...numbers) + 1, members: [] };
		groups.push(target);
	}
	target.members.push(who);
	return target;
}

/** Takes `who` out of their group (deleting it if emptied); mutates `groups`; returns the group left. */
function unseat(groups: Group[], who: string): Group | undefined {
	const g = groupOf(groups, who);
	if (!g) return undefined;
	g.members = g.members.filter((m) => m !== who);
	if (g.members.length === 0) groups.splice(groups.indexOf(g), 1);
	return g;
}

/** Folds the smallest groups of a statement into the others until ceil(members / max) remain; mutates. */
function fold(groups: Group[], statementId: string, max: number, moves: Move[]) {
	for (;;) {
		const mine = groups.filter((g) => g.statementId === statementId);
		const people = mine.reduce((n, g) => n + g.members.length, 0);
		if (mine.length <= Math.ceil(people / max)) return;
		// Smallest first; among equals, the highest number goes (Groupe 1 stays Groupe 1).
		const dissolved = [...mine].sort((a, b) => a.members.length - b.members.length || b.number - a.number)[0] as Group;
		groups.splice(groups.indexOf(dissolved), 1);
		for (const who of dissolved.members) {
			const target = withRoom(groups, statementId, max)[0];
			// More groups than ceil(people / max) leaves at least as many free seats as the smallest holds.
			if (!target) throw new Error('fold: no seat left');
			target.members.push(who);
			moves.push({ participantId: who, from: dissolved.id, to: target.id });
		}
	}
}

/** A tap on a statement: a seat in one of its groups. Already there: nothing changes. */
export function pick(
	groups: readonly Group[],
	participantId: string,
	statementId: string,
	max: number,
	newId: () => string
): Placement {
	if (groupOf(groups, participantId)?.statementId === statementId) return { groups: copy(groups), moves: [] };
	const next = copy(groups);
	const folded: Move[] = [];
	const left = unseat(next, participantId);
	if (left) fold(next, left.statementId, max, folded);
	const target = seat(next, participantId, statementId, max, newId);
	return { groups: next, moves: settle([{ participantId, from: left?.id ?? null, to: target.id }, ...folded]) };
}

/** Leaves one's group; the statement's groups are folded if there are now too many. */
export function leave(groups: readonly Group[], participantId: string, max: number): Placement {
	const next = copy(groups);
	const left = unseat(next, participantId);
	if (!left) return { groups: next, moves: [] };
	const moves: Move[] = [{ participantId, from: left.id, to: null }];
	fold(next, left.statementId, max, moves);
	return { groups: next, moves: settle(moves) };
}

/** Enforces at most ceil(members / max) groups on one statement. */
export function consolidate(groups: readonly Group[], statementId: string, max: number): Placement {
	const next = copy(groups);
	const moves: Move[] = [];
	fold(next, statementId, max, moves);
	return { groups: next, moves: settle(moves) };
}

/** A facilitator seats someone in a given group, possibly from another statement. */
export function move(groups: readonly Group[], participantId: string, targetGroupId: string, max: number): Placement {
	const target = groups.find((g) => g.id === targetGroupId);
	if (!target) throw new RuleError('groupe inconnu');
	if (groupOf(groups, participantId)?.id === targetGroupId) return { groups: copy(groups), moves: [] };
	if (target.members.length >= max) throw new RuleError(`le groupe ${target.number} est complet (${max} personnes)`);
	const next = copy(groups);
	const left = unseat(next, participantId);
	(next.find((g) => g.id === targetGroupId) as Group).members.push(participantId);
	const moves: Move[] = [{ participantId, from: left?.id ?? null, to: targetGroupId }];
	if (left) fold(next, left.statementId, max, moves);
	return { groups: next, moves: settle(moves) };
}

/** Two groups of one statement become one; it keeps the lower number. */
export function merge(groups: readonly Group[], groupIdA: string, groupIdB: string, max: number): Placement {
	const a = groups.find((g) => g.id === groupIdA);
	const b = groups.find((g) => g.id === groupIdB);
	if (!a || !b) throw new RuleError('groupe inconnu');
	if (a.id === b.id) throw new RuleError('impossible de fusionner un groupe avec lui-même');
	if (a.statementId !== b.statementId) throw new RuleError('seuls deux groupes du même énoncé peuvent fusionner');
	const size = a.members.length + b.members.length;
	if (size > max) throw new RuleError(`trop nombreux pour fusionner : ${size} personnes pour ${max} places`);
	const [keep, drop] = a.number < b.number ? [a, b] : [b, a];
	const next = copy(groups).filter((g) => g.id !== drop.id);
	(next.find((g) => g.id === keep.id) as Group).members.push(...drop.members);
	return { groups: next, moves: drop.members.map((participantId) => ({ participantId, from: drop.id, to: keep.id })) };
}

/** How a statement is seated, for the cards people choose from. */
export function seatSummary(groups: readonly Group[], statementId: string, max: number) {
	const mine = groups.filter((g) => g.statementId === statementId);
	const people = mine.reduce((n, g) => n + g.members.length, 0);
	// A full statement still takes people: the next one opens a new group.
	return { people, groups: mine.length, freeSeats: mine.length * max - people };
}
