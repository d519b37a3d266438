import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	RuleError,
	consolidate,
	leave,
	merge,
	move,
	pick,
	seatSummary,
	type Group,
	type Placement
} from '../../src/lib/domain/groups';

const ids = () => {
	let n = 0;
	return () => `g${++n}`;
};

/** Seats people one after the other on statements, as taps would. */
function seatAll(taps: [string, string][], max = 6) {
	const newId = ids();
	let groups: Group[] = [];
	for (const [who, statement] of taps) groups = pick(groups, who, statement, max, newId).groups;
	return { groups, newId };
}

const crowd = (n: number, statement = 's1') => Array.from({ length: n }, (_, i) => [`p${i}`, statement] as [string, string]);

const shape = (groups: readonly Group[]) => groups.map((g) => `${g.statementId}#${g.number}:${g.members.join(',')}`).sort();

const seats = (groups: readonly Group[]) => new Map(groups.flatMap((g) => g.members.map((m) => [m, g.id] as const)));

/** Any mutation of a frozen input throws in strict mode: the functions must copy. */
function freeze(groups: Group[]): readonly Group[] {
	for (const g of groups) Object.freeze(Object.freeze(g).members);
	return Object.freeze(groups);
}

/**
 * What the store relies on: applying the moves one by one to the old seating gives the new one,
 * each person moves at most once, from a group that existed to one that survives (or nowhere),
 * and surviving groups keep their statement and number.
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
	}
}

/** The room-wide invariants of the brief. */
function expectBalanced(groups: readonly Group[], max: number) {
	const all = groups.flatMap((g) => g.members);
	expect(new Set(all).size).toBe(all.length);
	for (const g of groups) {
		expect(g.members.length).toBeGreaterThan(0);
		expect(g.members.length).toBeLessThanOrEqual(max);
	}
	for (const st of new Set(groups.map((g) => g.statementId))) {
		const mine = groups.filter((g) => g.statementId === st);
		const n = mine.reduce((k, g) => k + g.members.length, 0);
		expect(mine.length).toBe(Math.ceil(n / max));
		expect(new Set(mine.map((g) => g.number)).size).toBe(mine.length);
	}
}

describe('pick', () => {
	it('fills Groupe 1, opens Groupe 2 for the seventh, then fills the least-filled', () => {
		const { groups } = seatAll(crowd(8));
		expect(shape(groups)).toEqual(['s1#1:p0,p1,p2,p3,p4,p5', 's1#2:p6,p7']);
	});
	it('seats a newcomer from nowhere', () => {
		expect(pick([], 'a', 's1', 6, ids())).toEqual({
			groups: [{ id: 'g1', statementId: 's1', number: 1, members: ['a'] }],
			moves: [{ participantId: 'a', from: null, to: 'g1' }]
		});
	});
	it('reports the move and leaves the input untouched', () => {
		const { groups, newId } = seatAll([['a', 's1']]);
		const frozen = structuredClone(groups);
		const r = pick(groups, 'a', 's2', 6, newId);
		expect(groups).toEqual(frozen);
		expect(r.moves).toEqual([{ participantId: 'a', from: 'g1', to: 'g2' }]);
		expect(shape(r.groups)).toEqual(['s2#1:a']);
	});
	it('does nothing when one picks the statement one is already on', () => {
		const { groups, newId } = seatAll(crowd(8));
		// p7 sits in Groupe 2: picking the statement again does not send them to Groupe 1.
		expect(pick(groups, 'p7', 's1', 6, newId)).toEqual({ groups, moves: [] });
	});
	it('joins the least-filled group, lowest number first', () => {
		const groups: Group[] = [
			{ id: 'x', statementId: 's', number: 1, members: ['a', 'b', 'c'] },
			{ id: 'y', statementId: 's', number: 2, members: ['d', 'e'] },
			{ id: 'z', statementId: 's', number: 3, members: ['f', 'g'] }
		];
		expect(pick(groups, 'new', 's', 6, ids()).moves).toEqual([{ participantId: 'new', from: null, to: 'y' }]);
	});
	it('numbers a new group after the highest number of its statement, never reusing a freed one', () => {
		const groups: Group[] = [
			{ id: 'x', statementId: 's', number: 2, members: ['a', 'b'] },
			{ id: 'y', statementId: 't', number: 5, members: ['c'] }
		];
		expect(shape(pick(groups, 'd', 's', 2, ids()).groups)).toEqual(['s#2:a,b', 's#3:d', 't#5:c']);
		expect(shape(pick(groups, 'd', 'u', 2, ids()).groups)).toEqual(['s#2:a,b', 't#5:c', 'u#1:d']);
	});
	it('folds the statement one leaves', () => {
		const { groups, newId } = seatAll(crowd(7));
		const r = pick(groups, 'p0', 's2', 6, newId);
		expect(shape(r.groups)).toEqual(['s1#1:p1,p2,p3,p4,p5,p6', 's2#1:p0']);
		expect(r.moves).toEqual([
			{ participantId: 'p0', from: 'g1', to: 'g3' },
			{ participantId: 'p6', from: 'g2', to: 'g1' }
		]);
	});
});

describe('leave', () => {
	it('empties a seat and never renumbers', () => {
		const { groups } = seatAll(crowd(8));
		// 7 left: still two groups needed; Groupe 2 keeps its number.
		expect(shape(leave(groups, 'p0', 6).groups)).toEqual(['s1#1:p1,p2,p3,p4,p5', 's1#2:p6,p7']);
	});
	it('folds the smallest group when fewer groups are enough', () => {
		const { groups } = seatAll(crowd(7));
		const r = leave(groups, 'p0', 6);
		expect(shape(r.groups)).toEqual(['s1#1:p1,p2,p3,p4,p5,p6']);
		expect(r.moves).toEqual([
			{ participantId: 'p0', from: 'g1', to: null },
			{ participantId: 'p6', from: 'g2', to: 'g1' }
		]);
	});
	it('keeps Groupe 2 when Groupe 1 is the one that empties', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['x'] },
			{ id: 'b', statementId: 's', number: 2, members: ['y', 'z'] }
		];
		expect(leave(groups, 'x', 6)).toEqual({
			groups: [{ id: 'b', statementId: 's', number: 2, members: ['y', 'z'] }],
			moves: [{ participantId: 'x', from: 'a', to: null }]
		});
	});
	it('leaves other statements alone', () => {
		const { groups } = seatAll([...crowd(7, 's1'), ['q', 's2']]);
		expect(shape(leave(groups, 'q', 6).groups)).toEqual(['s1#1:p0,p1,p2,p3,p4,p5', 's1#2:p6']);
	});
	it('is a no-op for someone without a group', () => {
		expect(leave([], 'nobody', 6)).toEqual({ groups: [], moves: [] });
	});
});

describe('consolidate', () => {
	it('folds on demand, the highest number going among equals', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p2'] }
		];
		expect(consolidate(groups, 's', 6)).toEqual({
			groups: [{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2'] }],
			moves: [{ participantId: 'p2', from: 'b', to: 'a' }]
		});
	});
	it('dissolves the smallest group, whatever its number', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p2', 'p3'] }
		];
		expect(shape(consolidate(groups, 's', 6).groups)).toEqual(['s#2:p2,p3,p1']);
	});
	it('seats the members of a dissolved group least-filled first', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['a1', 'a2', 'a3'] },
			{ id: 'b', statementId: 's', number: 2, members: ['b1', 'b2'] },
			{ id: 'c', statementId: 's', number: 3, members: ['c1', 'c2'] }
		];
		// 7 people, max 4: two groups; Groupe 3 goes, one to Groupe 2 then one to Groupe 1.
		expect(shape(consolidate(groups, 's', 4).groups)).toEqual(['s#1:a1,a2,a3,c2', 's#2:b1,b2,c1']);
	});
	it('reports one move per person when a fold takes several steps', () => {
		// Groupe 3 goes into Groupe 2, then Groupe 2 (now as large as Groupe 1, higher number) goes too.
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['a1', 'a2'] },
			{ id: 'b', statementId: 's', number: 2, members: ['b1'] },
			{ id: 'c', statementId: 's', number: 3, members: ['c1'] }
		];
		const r = consolidate(groups, 's', 6);
		expect(shape(r.groups)).toEqual(['s#1:a1,a2,b1,c1']);
		expect(r.moves).toEqual([
			{ participantId: 'c1', from: 'c', to: 'a' },
			{ participantId: 'b1', from: 'b', to: 'a' }
		]);
		expectConsistent(groups, r);
	});
	it('changes nothing when the statement is balanced', () => {
		const { groups } = seatAll(crowd(8));
		expect(consolidate(groups, 's1', 6)).toEqual({ groups, moves: [] });
	});
});

describe('facilitators', () => {
	const base = (): Group[] => [
		{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] },
		{ id: 'b', statementId: 's', number: 2, members: ['p7', 'p8'] },
		{ id: 'c', statementId: 't', number: 1, members: ['q1'] }
	];
	it('move a person into a group with room', () => {
		const r = move(base(), 'q1', 'b', 6);
		expect(shape(r.groups)).toEqual(['s#1:p1,p2,p3,p4,p5,p6', 's#2:p7,p8,q1']);
		expect(r.moves).toEqual([{ participantId: 'q1', from: 'c', to: 'b' }]);
	});
	it('move someone without a group, e.g. added by a facilitator', () => {
		expect(move(base(), 'new', 'b', 6).moves).toEqual([{ participantId: 'new', from: null, to: 'b' }]);
	});
	it('move within a statement', () => {
		expect(shape(move(base(), 'p1', 'b', 6).groups)).toEqual(['s#1:p2,p3,p4,p5,p6', 's#2:p7,p8,p1', 't#1:q1']);
	});
	it('move consolidates the statement left behind', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 1, members: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] },
			{ id: 'b', statementId: 's', number: 2, members: ['p7'] },
			{ id: 'c', statementId: 't', number: 1, members: ['q1'] }
		];
		const r = move(groups, 'p1', 'c', 6);
		expect(shape(r.groups)).toEqual(['s#1:p2,p3,p4,p5,p6,p7', 't#1:q1,p1']);
		expect(r.moves).toEqual([
			{ participantId: 'p1', from: 'a', to: 'c' },
			{ participantId: 'p7', from: 'b', to: 'a' }
		]);
	});
	it('move into one’s own group is a no-op, even when it is full', () => {
		expect(move(base(), 'p1', 'a', 6)).toEqual({ groups: base(), moves: [] });
	});
	it('cannot overfill a group nor reach an unknown one', () => {
		expect(() => move(base(), 'q1', 'a', 6)).toThrow(new RuleError('le groupe 1 est complet (6 personnes)'));
		expect(() => move(base(), 'q1', 'zz', 6)).toThrow(new RuleError('groupe inconnu'));
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
			const r = merge(groups, x, y, 6);
			expect(shape(r.groups)).toEqual(['s#1:p1,p2,p3']);
			expect(r.moves).toEqual([{ participantId: 'p3', from: 'b', to: 'a' }]);
		}
	});
	it('merge up to exactly max', () => {
		const groups: Group[] = [
			{ id: 'a', statementId: 's', number: 3, members: ['p1', 'p2'] },
			{ id: 'b', statementId: 's', number: 7, members: ['p3', 'p4'] }
		];
		expect(shape(merge(groups, 'a', 'b', 4).groups)).toEqual(['s#3:p1,p2,p3,p4']);
	});
	it('refuse merges across statements, over the maximum, of a group with itself or of unknown groups', () => {
		expect(() => merge(base(), 'b', 'c', 6)).toThrow(new RuleError('seuls deux groupes du même énoncé peuvent fusionner'));
		expect(() => merge(base(), 'a', 'b', 6)).toThrow(new RuleError('trop nombreux pour fusionner : 8 personnes pour 6 places'));
		expect(() => merge(base(), 'a', 'a', 6)).toThrow(new RuleError('impossible de fusionner un groupe avec lui-même'));
		expect(() => merge(base(), 'a', 'zz', 6)).toThrow(new RuleError('groupe inconnu'));
	});
	it('RuleError is an Error with its own name, for the server to tell it apart', () => {
		const err = new RuleError('x');
		expect(err).toBeInstanceOf(Error);
		expect(err.name).toBe('RuleError');
	});
});

describe('seatSummary', () => {
	it('counts people, groups and free seats of one statement', () => {
		const { groups } = seatAll([...crowd(8, 's1'), ['q', 's2']]);
		expect(seatSummary(groups, 's1', 6)).toEqual({ people: 8, groups: 2, freeSeats: 4 });
		expect(seatSummary(groups, 's2', 6)).toEqual({ people: 1, groups: 1, freeSeats: 5 });
		expect(seatSummary(groups, 's3', 6)).toEqual({ people: 0, groups: 0, freeSeats: 0 });
	});
});

describe('invariants under any sequence of operations', () => {
	const people = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n'];
	const statements = ['s1', 's2', 's3'];
	const op = fc.oneof(
		{ arbitrary: fc.record({ kind: fc.constant('pick' as const), who: fc.constantFrom(...people), st: fc.constantFrom(...statements) }), weight: 4 },
		{ arbitrary: fc.record({ kind: fc.constant('leave' as const), who: fc.constantFrom(...people) }), weight: 2 },
		{ arbitrary: fc.record({ kind: fc.constant('move' as const), who: fc.constantFrom(...people), target: fc.nat(20) }), weight: 2 },
		{ arbitrary: fc.record({ kind: fc.constant('merge' as const), a: fc.nat(20), b: fc.nat(20) }), weight: 1 }
	);

	it('no group over max, nobody twice, no empty group, ceil(n/max) groups, stable numbers, everyone who picked is seated', () => {
		fc.assert(
			fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), (ops, max) => {
				const newId = ids();
				let groups: Group[] = [];
				const seated = new Set<string>();
				for (const o of ops) {
					const before = freeze(groups);
					const at = (i: number) => before[i % Math.max(1, before.length)];
					let r: Placement;
					try {
						if (o.kind === 'pick') {
							r = pick(before, o.who, o.st, max, newId);
							seated.add(o.who);
						} else if (o.kind === 'leave') {
							r = leave(before, o.who, max);
							seated.delete(o.who);
						} else if (o.kind === 'move') {
							const target = at(o.target);
							if (!target) continue;
							r = move(before, o.who, target.id, max);
							seated.add(o.who);
						} else {
							const a = at(o.a);
							const b = at(o.b);
							if (!a || !b) continue;
							r = merge(before, a.id, b.id, max);
						}
					} catch (err) {
						if (!(err instanceof RuleError)) throw err;
						continue;
					}
					expectConsistent(before, r);
					expectBalanced(r.groups, max);
					expect(new Set(r.groups.flatMap((g) => g.members))).toEqual(seated);
					groups = r.groups;
				}
			}),
			{ numRuns: 400 }
		);
	});

	it('merge always refuses while the invariant holds: two groups that fit in one are already folded', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.constantFrom(...people), fc.constantFrom(...statements))), fc.integer({ min: 1, max: 6 }), (taps, max) => {
				const { groups } = seatAll(taps, max);
				for (const a of groups) {
					for (const b of groups) expect(() => merge(groups, a.id, b.id, max)).toThrow(RuleError);
				}
			})
		);
	});

	/** Any seating whose groups fit, balanced or not: what an earlier, smaller `max` could have left. */
	const anySeating = fc.integer({ min: 1, max: 6 }).chain((max) =>
		fc
			.array(fc.record({ st: fc.constantFrom(...statements), size: fc.integer({ min: 1, max }), gap: fc.nat(2) }), { maxLength: 10 })
			.map((specs) => {
				let person = 0;
				const last = new Map<string, number>();
				const groups: Group[] = specs.map((s, i) => {
					const number = (last.get(s.st) ?? 0) + 1 + s.gap;
					last.set(s.st, number);
					return { id: `x${i}`, statementId: s.st, number, members: Array.from({ length: s.size }, () => `p${person++}`) };
				});
				return { groups, max };
			})
	);

	it('consolidate balances one statement of any seating and touches no other', () => {
		fc.assert(
			fc.property(anySeating, fc.constantFrom(...statements), ({ groups, max }, st) => {
				const r = consolidate(freeze(groups), st, max);
				expectConsistent(groups, r);
				expectBalanced(
					r.groups.filter((g) => g.statementId === st),
					max
				);
				expect(r.groups.filter((g) => g.statementId !== st)).toEqual(groups.filter((g) => g.statementId !== st));
				expect(new Set(r.groups.flatMap((g) => g.members))).toEqual(new Set(groups.flatMap((g) => g.members)));
			})
		);
	});

	it('merge of any two groups keeps everyone, the lower number, and the maximum', () => {
		fc.assert(
			fc.property(anySeating, fc.nat(), fc.nat(), ({ groups, max }, i, j) => {
				const a = groups[i % Math.max(1, groups.length)];
				const b = groups[j % Math.max(1, groups.length)];
				if (!a || !b) return;
				let r: Placement;
				try {
					r = merge(freeze(groups), a.id, b.id, max);
				} catch (err) {
					expect(err).toBeInstanceOf(RuleError);
					expect(a.id === b.id || a.statementId !== b.statementId || a.members.length + b.members.length > max).toBe(true);
					return;
				}
				expectConsistent(groups, r);
				expect(r.groups).toHaveLength(groups.length - 1);
				const kept = r.groups.find((g) => g.id === a.id || g.id === b.id);
				expect(kept?.number).toBe(Math.min(a.number, b.number));
				expect(kept?.members).toEqual(a.number < b.number ? [...a.members, ...b.members] : [...b.members, ...a.members]);
				expect(kept && kept.members.length <= max).toBe(true);
			})
		);
	});
});
