import fc from 'fast-check';
import { wordRefusal } from '../../src/lib/domain/refusal';
import { describe, expect, it } from 'vitest';
import {
	RuleError,
	leave,
	merge,
	move,
	pick,
	rebalance,
	suggestions,
	type Group,
	type Placement,
	type SeatingRule
} from '../../src/lib/domain/groups';

const ids = () => {
	let n = 0;
	return () => `g${++n}`;
};

/** Before the stages by default, nothing written yet. */
const rule = (max = 6, opts: { balance?: boolean; locked?: string[] } = {}): SeatingRule => ({
	max,
	balance: opts.balance ?? true,
	locked: new Set(opts.locked ?? [])
});

/** Seats people one after the other on statements, as taps would. */
function seatAll(taps: [string, string][], r: SeatingRule = rule()) {
	const newId = ids();
	let groups: Group[] = [];
	for (const [who, statement] of taps) groups = pick(groups, who, statement, r, newId).groups;
	return { groups, newId };
}

const crowd = (n: number, statement = 's1') => Array.from({ length: n }, (_, i) => [`p${i}`, statement] as [string, string]);

const shape = (groups: readonly Group[]) => groups.map((g) => `${g.statementId}#${g.number}:${g.members.join(',')}`).sort();

const sizes = (groups: readonly Group[], st = 's1') =>
	groups
		.filter((g) => g.statementId === st)
		.sort((a, b) => a.number - b.number)
		.map((g) => g.members.length);

const seats = (groups: readonly Group[]) => new Map(groups.flatMap((g) => g.members.map((m) => [m, g.id] as const)));

/** Any mutation of a frozen input throws in strict mode: the functions must copy. */
function freeze(groups: Group[]): readonly Group[] {
	for (const g of groups) Object.freeze(Object.freeze(g).members);
	return Object.freeze(groups);
}

/**
 * What the store relies on: applying the moves one by one to the old seating gives the new one,
 * each person moves at most once, from a group that existed to one that survives (or nowhere),
 * and surviving groups keep their statement and number; new groups take numbers not in use.
 */
function expectConsistent(before: readonly Group[], after: Placement) {
	const seated = seats(before);
	const people = after.moves.map((m) => m.participantId);
	expect(new Set(people).size).toBe(people.length);
	const beforeIds = new Set(before.map((g) => g.id));
	const afterIds = new Set(after.groups.map((g) => g.id));
	for (const m of after.moves) {
		expect(m.from).not.toBe(m.to);
		expect(m.from).toBe(seated.get(m.participantId) ?? null);
		if (m.from !== null) expect(beforeIds.has(m.from)).toBe(true);
		if (m.to !== null) expect(afterIds.has(m.to)).toBe(true);
		if (m.to === null) seated.delete(m.participantId);
		else seated.set(m.participantId, m.to);
	}
	expect(seated).toEqual(seats(after.groups));
	const old = new Map(before.map((g) => [g.id, g]));
	for (const g of after.groups) {
		const was = old.get(g.id);
		if (was) expect([g.statementId, g.number]).toEqual([was.statementId, was.number]);
		else expect(before.filter((b) => b.statementId === g.statementId).every((b) => b.number < g.number)).toBe(true);
	}
}

/** Invariants that hold in every state the rule leaves. */
function expectSound(groups: readonly Group[], r: SeatingRule) {
	const all = groups.flatMap((g) => g.members);
	expect(new Set(all).size).toBe(all.length);
	for (const g of groups) {
		expect(g.members.length).toBeGreaterThan(0);
		expect(g.members.length).toBeLessThanOrEqual(r.max);
	}
	for (const st of new Set(groups.map((g) => g.statementId))) {
		const mine = groups.filter((g) => g.statementId === st);
		expect(new Set(mine.map((g) => g.number)).size).toBe(mine.length);
		// Nobody alone while another group of the statement has room, unless write-ups forbid both moves.
		for (const lone of mine.filter((g) => g.members.length === 1)) {
			for (const other of mine.filter((g) => g !== lone && g.members.length < r.max)) {
				expect(r.locked.has(lone.id) && r.locked.has(other.id)).toBe(true);
			}
		}
		const n = mine.reduce((k, g) => k + g.members.length, 0);
		if (mine.every((g) => !r.locked.has(g.id))) {
			expect(mine.length).toBe(Math.ceil(n / r.max));
			if (r.balance) {
				const s = mine.map((g) => g.members.length);
				expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
			}
		}
	}
}

describe('pick', () => {
	it('splits a full Groupe 1 into 4 + 3 for the seventh, the last seated moving; 5 + 4 + 4 for the thirteenth', () => {
		const seven = seatAll(crowd(7)).groups;
		expect(shape(seven)).toEqual(['s1#1:p0,p1,p2,p3', 's1#2:p6,p5,p4']);
		expect(sizes(seatAll(crowd(13)).groups)).toEqual([5, 4, 4]);
	});
	it('reports the seventh’s seat and the two who join them', () => {
		const { groups, newId } = seatAll(crowd(6));
		expect(pick(groups, 'p6', 's1', rule(), newId).moves).toEqual([
			{ participantId: 'p6', from: null, to: 'g2' },
			{ participantId: 'p5', from: 'g1', to: 'g2' },
			{ participantId: 'p4', from: 'g1', to: 'g2' }
		]);
	});
	it('during the stages, fills the least-filled and opens a new group only when all are full', () => {
		const stages = rule(6, { balance: false });
		expect(shape(seatAll(crowd(8), stages).groups)).toEqual(['s1#1:p0,p1,p2,p3,p4,p5', 's1#2:p6,p7']);
	});
	it('never takes anyone out of a group whose write-up has begun', () => {
		const groups: Group[] = [{ id: 'a', statementId: 's1', number: 1, members: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] }];
		const r = pick(groups, 'p7', 's1', rule(6, { locked: ['a'] }), ids());
		expect(shape(r.groups)).toEqual(['s1#1:p1,p2,p3,p4,p5,p6', 's1#2:p7']);
	});
	it('seats a newcomer from nowhere', () => {
		expect(pick([], 'a', 's1', rule(), ids())).toEqual({
			groups: [{ id: 'g1', statementId: 's1', number: 1, members: ['a'] }],
			moves: [{ participantId: 'a', from: null, to: 'g1' }]
		});
	});
	it('reports the move and leaves the input untouched', () => {
		const { groups, newId } = seatAll([['a', 's1']]);
		const frozen = structuredClone(groups);
		const r = pick(groups, 'a', 's2', rule(), newId);
		expect(groups).toEqual(frozen);
		expect(r.moves).toEqual([{ participantId: 'a', from: 'g1', to: 'g2' }]);
		expect(shape(r.groups)).toEqual(['s2#1:a']);
	});
	it('does nothing when one picks the statement one is already on', () => {
		const { groups, newId } = seatAll(crowd(8));
		expect(pick(groups, 'p7', 's1', rule(), newId)).toEqual({ groups, moves: [] });
	});
	it('joins the least-filled group, lowest number first', () => {
		const groups: Group[] = [
			{ id: 'x', statementId: 's', number: 1, members: ['a', 'b', 'c'] },
			{ id: 'y', statementId: 's', number: 2, members: ['d', 'e'] },
			{ id: 'z', statementId: 's', number: 3, members: ['f', 'g'] }
		];
		expect(pick(groups, 'new', 's', rule(3), ids()).moves).toEqual([{ participantId: 'new', from: null, to: 'y' }]);
	});
	it('numbers a new group after the highest number of its statement, never reusing a freed one', () => {
		const groups: Group[] = [
			{ id: 'x', statementId: 's', number: 2, members: ['a', 'b'] },
			{ id: 'y', statementId: 't', number: 5, members: ['c'] }
		];
		expect(shape(pick(groups, 'd', 's', rule(2, { balance: false }), ids()).groups)).toEqual(['s#2:a,b', 's#3:d', 't#5:c']);
		expect(shape(pick(groups, 'd', 'u', rule(2), ids()).groups)).toEqual(['s#2:a,b', 't#5:c', 'u#1:d']);
	});
	it('folds the statement one leaves', () => {
		const { groups, newId } = seatAll(crowd(7));
		const r = pick(groups, 'p0', 's2', rule(), newId);
		expect(shape(r.groups)).toEqual(['s1#1:p1,p2,p3,p6,p5,p4', 's2#1:p0']);
		expect(r.moves).toEqual([
			{ participantId: 'p0', from: 'g1', to: 'g3' },
			{ participantId: 'p6', from: 'g2', to: 'g1' },
			{ participantId: 'p5', from: 'g2', to: 'g1' },
			{ participantId: 'p4', from: 'g2', to: 'g1' }
		]);
	});
});

describe('leave', () => {
	it('empties a seat, balances, and never renumbers', () => {
		const { groups } = seatAll(crowd(9));
		expect(sizes(groups)).toEqual([5, 4]);
		// p0 leaves Groupe 1: 4 + 4, nobody moves.
		const r = leave(groups, 'p0', rule());
		expect(sizes(r.groups)).toEqual([4, 4]);
		expect(r.moves).toEqual([{ participantId: 'p0', from: 'g1', to: null }]);
		// Two leave Groupe 2 of 5 + 5: 5 + 3 becomes 4 + 4, the last seated of Groupe 1 moving.
		const ten: Group[] = [
			{ id: 'a', statementId: 's1', number: 1, members: ['a1', 'a2', 'a3', 'a4', 'a5'] },
			{ id: 'b', statementId: 's1', number: 2, members: ['b1', 'b2', 'b3', 'b4', 'b5'] }
		];
		const two = leave(leave(ten, 'b1', rule()).groups, 'b2', rule());
		expect(shape(two.groups)).toEqual(['s1#1:a1,a2,a3,a4', 's1#2:b3,b4,b5,a5']);
	});
	it('folds the smallest group when fewer groups are enough', () => {
		const { groups } = seatAll(crowd(7));
		const r = leave(groups, 'p0', rule());
		expect(shape(r.groups)).toEqual(['s1#1:p1,p2,p3,p6,p5,p4']);
	});
	it('keeps Groupe 2 when Groupe 1 is the one that empties', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['x'] },
			{ id: 'b', statementId: 's', number: 2, members: ['y', 'z'] }
		];
		expect(leave(groups, 'x', rule())).toEqual({
			groups: [{ id: 'b', statementId: 's', number: 2, members: ['y', 'z'] }],
			moves: [{ participantId: 'x', from: 'a', to: null }]
		});
	});
	it('leaves other statements alone', () => {
		const { groups } = seatAll([...crowd(7, 's1'), ['q', 's2']]);
		expect(shape(leave(groups, 'q', rule()).groups)).toEqual(['s1#1:p0,p1,p2,p3', 's1#2:p6,p5,p4']);
	});
	it('is a no-op for someone without a group', () => {
		expect(leave([], 'nobody', rule())).toEqual({ groups: [], moves: [] });
	});
	it('refuses to empty a group whose write-up has begun', () => {
		const groups: Group[] = [{ id: 'a', statementId: 's', number: 1, members: ['x'] }];
		expect(() => leave(groups, 'x', rule(6, { locked: ['a'] }))).toThrow('le groupe 1 a déjà commencé sa synthèse : il ne peut pas disparaître');
	});
	it('folds the group that has not written into the one that has', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p3', 'p4', 'p5'] }
		];
		const r = leave(groups, 'p2', rule(6, { locked: ['a'], balance: false }));
		expect(shape(r.groups)).toEqual(['s#1:p1,p3,p4,p5']);
	});
});

describe('rebalance and suggestions', () => {
	it('balances a statement seated during the stages: 6 + 1 becomes 4 + 3', () => {
		const stages = rule(6, { balance: false });
		const { groups } = seatAll(crowd(7), stages);
		expect(sizes(groups)).toEqual([6, 1]);
		expect(suggestions(groups, stages)).toEqual([{ kind: 'rebalance', statementId: 's1', sizes: [6, 1], after: [4, 3] }]);
		expect(sizes(rebalance(groups, 's1', stages).groups)).toEqual([4, 3]);
	});
	it('offers « Groupe 3 a 1 personne : la fusionner avec Groupe 2 ? » when write-ups kept the rule from folding', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p7', 'p8', 'p9'] },
			{ id: 'c', statementId: 's', number: 3, members: ['q1'] }
		];
		const r = rule(6, { balance: false, locked: ['a', 'b', 'c'] });
		expect(suggestions(groups, r)).toEqual([]);
		const open = rule(6, { balance: false, locked: ['a', 'b'] });
		expect(suggestions(groups, open)).toEqual([
			{ kind: 'merge', statementId: 's', keep: { id: 'b', number: 2, size: 3 }, drop: { id: 'c', number: 3, size: 1 } }
		]);
		// Applied: the one who was alone sits in Groupe 2.
		expect(shape(merge(groups, 'c', 'b', open).groups)).toEqual(['s#1:p1,p2,p3,p4,p5,p6', 's#2:p7,p8,p9,q1']);
	});
	it('suggests nothing for a seating that holds the rule', () => {
		const { groups } = seatAll([...crowd(13), ...crowd(4, 's2').map(([p, s]) => [`${p}b`, s] as [string, string])]);
		expect(suggestions(groups, rule())).toEqual([]);
	});
});

describe('facilitators', () => {
	const base = (): Group[] => [
		{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] },
		{ id: 'b', statementId: 's', number: 2, members: ['p7', 'p8'] },
		{ id: 'c', statementId: 't', number: 1, members: ['q1'] }
	];
	const stages = rule(6, { balance: false });
	it('move a person into a group with room', () => {
		const r = move(base(), 'q1', 'b', stages);
		expect(shape(r.groups)).toEqual(['s#1:p1,p2,p3,p4,p5,p6', 's#2:p7,p8,q1']);
		expect(r.moves).toEqual([{ participantId: 'q1', from: 'c', to: 'b' }]);
	});
	it('before the stages, the person moved stays and someone else of that group balances', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2', 'p3', 'p4'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p5', 'p6', 'p7'] }
		];
		const r = move(groups, 'p7', 'a', rule());
		expect(shape(r.groups)).toEqual(['s#1:p1,p2,p3,p7', 's#2:p5,p6,p4']);
		expectConsistent(groups, r);
	});
	it('move someone without a group, e.g. added by a facilitator', () => {
		expect(move(base(), 'new', 'b', stages).moves).toEqual([{ participantId: 'new', from: null, to: 'b' }]);
	});
	it('move consolidates the statement left behind', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p7'] },
			{ id: 'c', statementId: 't', number: 1, members: ['q1'] }
		];
		const r = move(groups, 'p1', 'c', stages);
		expect(shape(r.groups)).toEqual(['s#1:p2,p3,p4,p5,p6,p7', 't#1:q1,p1']);
		expect(r.moves).toEqual([
			{ participantId: 'p1', from: 'a', to: 'c' },
			{ participantId: 'p7', from: 'b', to: 'a' }
		]);
	});
	it('move into one’s own group is a no-op, even when it is full', () => {
		expect(move(base(), 'p1', 'a', stages)).toEqual({ groups: base(), moves: [] });
	});
	it('cannot overfill a group nor reach an unknown one', () => {
		expect(() => move(base(), 'q1', 'a', stages)).toThrow('le groupe 1 est complet (6 personnes)');
		expect(() => move(base(), 'q1', 'zz', stages)).toThrow('groupe inconnu');
	});
	it('merge two small groups of one statement into the lower number, whichever is named first', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p3'] }
		];
		for (const [x, y] of [
			['a', 'b'],
			['b', 'a']
		] as const) {
			const r = merge(groups, x, y, rule());
			expect(shape(r.groups)).toEqual(['s#1:p1,p2,p3']);
			expect(r.moves).toEqual([{ participantId: 'p3', from: 'b', to: 'a' }]);
		}
	});
	it('merge keeps the group whose write-up has begun, and refuses when both have', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p3'] }
		];
		expect(shape(merge(groups, 'a', 'b', rule(6, { locked: ['b'] })).groups)).toEqual(['s#2:p3,p1,p2']);
		expect(() => merge(groups, 'a', 'b', rule(6, { locked: ['a', 'b'] }))).toThrow('les groupes 1 et 2 ont tous deux commencé leur synthèse');
	});
	it('merge up to exactly max', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 3, members: ['p1', 'p2'] },
			{ id: 'b', statementId: 's', number: 7, members: ['p3', 'p4'] }
		];
		expect(shape(merge(groups, 'a', 'b', rule(4)).groups)).toEqual(['s#3:p1,p2,p3,p4']);
	});
	it('refuse merges across statements, over the maximum, of a group with itself or of unknown groups', () => {
		expect(() => merge(base(), 'b', 'c', rule())).toThrow('seuls deux groupes du même énoncé peuvent fusionner');
		expect(() => merge(base(), 'a', 'b', rule())).toThrow('trop nombreux pour fusionner : 8 personnes pour 6 places');
		expect(() => merge(base(), 'a', 'a', rule())).toThrow('impossible de fusionner un groupe avec lui-même');
		expect(() => merge(base(), 'a', 'zz', rule())).toThrow('groupe inconnu');
	});
	it('RuleError is a refusal with its own name and code, for each device to word it', () => {
		const err = new RuleError('groupFull', { number: 2, max: 6 });
		expect(err.code).toBe('groupFull');
		expect(err.message).toBe('le groupe 2 est complet (6 personnes)');
		expect(wordRefusal('en', err.code, err.params)).toBe('group 2 is full (6 people)');
		expect(err).toBeInstanceOf(Error);
		expect(err.name).toBe('RuleError');
	});
});

describe('invariants under any sequence of operations', () => {
	const people = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p'];
	const statements = ['s1', 's2', 's3'];
	const op = fc.oneof(
		{ arbitrary: fc.record({ kind: fc.constant('pick' as const), who: fc.constantFrom(...people), st: fc.constantFrom(...statements) }), weight: 5 },
		{ arbitrary: fc.record({ kind: fc.constant('leave' as const), who: fc.constantFrom(...people) }), weight: 2 },
		{ arbitrary: fc.record({ kind: fc.constant('move' as const), who: fc.constantFrom(...people), target: fc.nat(20) }), weight: 2 },
		{ arbitrary: fc.record({ kind: fc.constant('merge' as const), a: fc.nat(20), b: fc.nat(20) }), weight: 1 },
		{ arbitrary: fc.record({ kind: fc.constant('rebalance' as const), st: fc.constantFrom(...statements) }), weight: 1 },
		// A group starts writing; the stages start (balance off) or the room goes back to choice.
		{ arbitrary: fc.record({ kind: fc.constant('write' as const), g: fc.nat(20) }), weight: 1 },
		{ arbitrary: fc.record({ kind: fc.constant('stages' as const), on: fc.boolean() }), weight: 1 }
	);

	/**
	 * No group over the maximum, nobody twice, no empty group, nobody alone while another group of
	 * the statement has room, balanced statements before the stages, stable numbers, every move
	 * consistent, everyone who picked seated, and no group that began writing split or dissolved.
	 */
	it('hold after every operation, with or without write-ups, before and during the stages', () => {
		fc.assert(
			fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 2, max: 6 }), (ops, max) => {
				const newId = ids();
				let groups: Group[] = [];
				let balance = true;
				const locked = new Set<string>();
				const seated = new Set<string>();
				for (const o of ops) {
					const before = freeze(groups);
					const r: SeatingRule = { max, balance, locked: new Set(locked) };
					const at = (i: number) => before[i % Math.max(1, before.length)];
					let actor: string | undefined;
					let result: Placement;
					try {
						if (o.kind === 'write' || o.kind === 'stages') {
							if (o.kind === 'stages') balance = !o.on;
							else if (at(o.g)) locked.add((at(o.g) as Group).id);
							continue;
						} else if (o.kind === 'pick') {
							actor = o.who;
							result = pick(before, o.who, o.st, r, newId);
							seated.add(o.who);
						} else if (o.kind === 'leave') {
							actor = o.who;
							result = leave(before, o.who, r);
							seated.delete(o.who);
						} else if (o.kind === 'move') {
							const target = at(o.target);
							if (!target) continue;
							actor = o.who;
							result = move(before, o.who, target.id, r);
							seated.add(o.who);
						} else if (o.kind === 'rebalance') {
							result = rebalance(before, o.st, r);
						} else {
							const a = at(o.a);
							const b = at(o.b);
							if (!a || !b) continue;
							result = merge(before, a.id, b.id, r);
						}
					} catch (err) {
						if (!(err instanceof RuleError)) throw err;
						continue;
					}
					expectConsistent(before, result);
					expect(new Set(result.groups.flatMap((g) => g.members))).toEqual(seated);
					// A group that began writing survives and only loses the person who acted.
					for (const g of before.filter((b) => locked.has(b.id))) {
						const now = result.groups.find((x) => x.id === g.id);
						expect(now).toBeDefined();
						for (const m of g.members) if (m !== actor && o.kind !== 'merge') expect(now?.members).toContain(m);
					}
					if (o.kind !== 'merge') expectSound(result.groups, r);
					groups = result.groups;
				}
			}),
			{ numRuns: 400 }
		);
	});

	/**
	 * What lets the server read only part of a room (server/seating.ts `place`): given the groups of
	 * the statements an operation names (the one the person sits at, the one they go to, the merged
	 * or rebalanced one), every rule decides exactly as it does on the whole room, and leaves the
	 * other statements' groups as they were.
	 */
	it('decide on the statements they name as on the whole room (the server reads only those)', () => {
		fc.assert(
			fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 2, max: 6 }), (ops, max) => {
				let n = 0;
				// Both calls of one operation draw the same new ids.
				const idsFrom = (k: number) => () => `g${++k}`;
				let groups: Group[] = [];
				let balance = true;
				const locked = new Set<string>();
				for (const o of ops) {
					const before = freeze(groups);
					const r: SeatingRule = { max, balance, locked: new Set(locked) };
					const at = (i: number) => before[i % Math.max(1, before.length)];
					const sitsAt = (who: string) => before.find((g) => g.members.includes(who))?.statementId;
					let decide: (gs: readonly Group[], newId: () => string) => Placement;
					let named: (string | undefined)[];
					if (o.kind === 'write' || o.kind === 'stages') {
						if (o.kind === 'stages') balance = !o.on;
						else if (at(o.g)) locked.add((at(o.g) as Group).id);
						continue;
					} else if (o.kind === 'pick') {
						decide = (gs, newId) => pick(gs, o.who, o.st, r, newId);
						named = [sitsAt(o.who), o.st];
					} else if (o.kind === 'leave') {
						decide = (gs) => leave(gs, o.who, r);
						named = [sitsAt(o.who)];
					} else if (o.kind === 'move') {
						const target = at(o.target);
						if (!target) continue;
						decide = (gs) => move(gs, o.who, target.id, r);
						named = [sitsAt(o.who), target.statementId];
					} else if (o.kind === 'rebalance') {
						decide = (gs) => rebalance(gs, o.st, r);
						named = [o.st];
					} else {
						const a = at(o.a);
						const b = at(o.b);
						if (!a || !b) continue;
						decide = (gs) => merge(gs, a.id, b.id, r);
						named = [a.statementId, b.statementId];
					}
					const part = (gs: readonly Group[]) => gs.filter((g) => named.includes(g.statementId));
					const outcome = (gs: readonly Group[]) => {
						try {
							return decide(gs, idsFrom(n));
						} catch (err) {
							if (!(err instanceof RuleError)) throw err;
							return err.code;
						}
					};
					const whole = outcome(before);
					const narrowed = outcome(freeze(part(before).map((g) => ({ ...g, members: [...g.members] }))));
					if (typeof whole === 'string') {
						expect(narrowed).toBe(whole);
						continue;
					}
					expect(narrowed).toEqual({ groups: part(whole.groups), moves: whole.moves });
					expect(whole.groups.filter((g) => !named.includes(g.statementId))).toEqual(before.filter((g) => !named.includes(g.statementId)));
					n += whole.groups.length;
					groups = whole.groups;
				}
			}),
			{ numRuns: 300 }
		);
	});

	it('7 then 13 people on one statement: nobody alone, sizes within one, Groupe 1 keeps its first members', () => {
		fc.assert(
			fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 8 }), (n, max) => {
				const { groups } = seatAll(crowd(n), rule(max));
				const s = sizes(groups);
				expect(s.length).toBe(Math.ceil(n / max));
				expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
				// Alone only when every other group is full (max 2, an odd number of people).
				if (s.length > 1 && Math.min(...s) === 1) expect(s.filter((k) => k < max)).toEqual([1]);
				expect(groups.find((g) => g.number === 1)?.members[0]).toBe('p0');
			})
		);
	});

	it('merge never succeeds on a seating the rule made before any write-up', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.constantFrom(...people), fc.constantFrom(...statements))), fc.integer({ min: 1, max: 6 }), (taps, max) => {
				const { groups } = seatAll(taps, rule(max));
				expect(suggestions(groups, rule(max))).toEqual([]);
				for (const a of groups) {
					for (const b of groups) expect(() => merge(groups, a.id, b.id, rule(max))).toThrow(RuleError);
				}
			})
		);
	});

	/** Any seating whose groups fit, balanced or not: what an earlier, smaller `max` could have left. */
	const anySeating = fc.integer({ min: 1, max: 6 }).chain((max) =>
		fc
			.array(fc.record({ st: fc.constantFrom(...statements), size: fc.integer({ min: 1, max }), gap: fc.nat(2), locked: fc.boolean() }), { maxLength: 10 })
			.map((specs) => {
				let person = 0;
				const last = new Map<string, number>();
				const groups: Group[] = specs.map((s, i) => {
					const number = (last.get(s.st) ?? 0) + 1 + s.gap;
					last.set(s.st, number);
					return { id: `x${i}`, statementId: s.st, number, members: Array.from({ length: s.size }, () => `p${person++}`) };
				});
				return { groups, max, locked: groups.filter((_, i) => specs[i]?.locked).map((g) => g.id) };
			})
	);

	it('rebalance brings one statement of any seating under the rule and touches no other', () => {
		fc.assert(
			fc.property(anySeating, fc.constantFrom(...statements), ({ groups, max, locked }, st) => {
				const r = rule(max, { locked });
				const result = rebalance(freeze(groups), st, r);
				expectConsistent(groups, result);
				expectSound(
					result.groups.filter((g) => g.statementId === st),
					r
				);
				expect(result.groups.filter((g) => g.statementId !== st)).toEqual(groups.filter((g) => g.statementId !== st));
				expect(new Set(result.groups.flatMap((g) => g.members))).toEqual(new Set(groups.flatMap((g) => g.members)));
			})
		);
	});

	it('every suggestion applies, and a merge suggestion leaves fewer groups', () => {
		fc.assert(
			fc.property(anySeating, fc.boolean(), ({ groups, max, locked }, balance) => {
				const r = rule(max, { locked, balance });
				for (const s of suggestions(groups, r)) {
					const result = s.kind === 'merge' ? merge(groups, s.keep.id, s.drop.id, r) : rebalance(groups, s.statementId, r);
					expectConsistent(groups, result);
					if (s.kind === 'merge') expect(result.groups).toHaveLength(groups.length - 1);
					else expect(sizes(result.groups, s.statementId)).toEqual(s.after);
				}
			})
		);
	});

	it('merge of any two groups keeps everyone, the maximum, and a group that began writing', () => {
		fc.assert(
			fc.property(anySeating, fc.nat(), fc.nat(), ({ groups, max, locked }, i, j) => {
				const a = groups[i % Math.max(1, groups.length)];
				const b = groups[j % Math.max(1, groups.length)];
				if (!a || !b) return;
				const r = rule(max, { locked });
				let result: Placement;
				try {
					result = merge(freeze(groups), a.id, b.id, r);
				} catch (err) {
					expect(err).toBeInstanceOf(RuleError);
					const both = r.locked.has(a.id) && r.locked.has(b.id);
					expect(a.id === b.id || a.statementId !== b.statementId || a.members.length + b.members.length > max || both).toBe(true);
					return;
				}
				expectConsistent(groups, result);
				expect(result.groups).toHaveLength(groups.length - 1);
				const kept = result.groups.find((g) => g.id === a.id || g.id === b.id);
				if (r.locked.has(a.id) || r.locked.has(b.id)) expect(r.locked.has(kept?.id ?? '')).toBe(true);
				else expect(kept?.number).toBe(Math.min(a.number, b.number));
				expect(kept && kept.members.length <= max).toBe(true);
			})
		);
	});
});
