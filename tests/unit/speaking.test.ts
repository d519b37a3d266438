import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	PROMPT_FACTOR,
	PROMPT_WARMUP_MS,
	balanceIndex,
	byCategory,
	durationMs,
	effectiveTaps,
	intervalsFromTaps,
	leastHeardRatio,
	notYetSpoken,
	speakingNow,
	totalsByPerson,
	totalsByStage,
	turnPrompt,
	type Interval,
	type StageChange,
	type Tap
} from '../../src/lib/domain/speaking';

const T0 = 1_700_000_000_000;
const S = 1000;
const MIN = 60_000;

/** Times in seconds after T0, to keep the cases readable. */
const at = (s: number) => T0 + s * S;
const speak = (id: string, s: number): Tap => ({ kind: 'speak', participantId: id, at: at(s) });
const cross = (id: string, s: number): Tap => ({ kind: 'speak', participantId: id, at: at(s), crosstalk: true });
const silence = (s: number): Tap => ({ kind: 'silence', at: at(s) });
const undo = (s: number): Tap => ({ kind: 'undo', at: at(s) });
const iv = (id: string, start: number, end: number | null, stage = 1): Interval => ({
	participantId: id,
	stage,
	start: at(start),
	end: end === null ? null : at(end)
});
const replay = (taps: Tap[]) => intervalsFromTaps(taps, 1);

function deepFreeze<T>(value: T): T {
	if (value !== null && typeof value === 'object') {
		for (const v of Object.values(value)) deepFreeze(v);
		Object.freeze(value);
	}
	return value;
}

describe('intervalsFromTaps', () => {
	it('has nothing without taps', () => {
		expect(replay([])).toEqual([]);
	});

	it('switches: a tap on another person ends the current speaker at the tap', () => {
		expect(replay([speak('a', 0), speak('b', 10), speak('c', 25)])).toEqual([iv('a', 0, 10), iv('b', 10, 25), iv('c', 25, null)]);
	});

	it('stops a person tapped again, and starts them anew on the next tap', () => {
		expect(replay([speak('a', 0), speak('a', 10)])).toEqual([iv('a', 0, 10)]);
		expect(replay([speak('a', 0), speak('a', 10), speak('a', 20)])).toEqual([iv('a', 0, 10), iv('a', 20, null)]);
	});

	it('stops everyone on silence, and a silence on silence changes nothing', () => {
		expect(replay([speak('a', 0), silence(5)])).toEqual([iv('a', 0, 5)]);
		expect(replay([silence(0), speak('a', 5), silence(8), silence(9)])).toEqual([iv('a', 5, 8)]);
		expect(replay([speak('a', 0), cross('b', 3), cross('c', 4), silence(10)])).toEqual([iv('a', 0, 10), iv('b', 3, 10), iv('c', 4, 10)]);
	});

	it('toggles one person in crosstalk without touching the others', () => {
		const taps = [speak('a', 0), cross('b', 10), cross('a', 20), cross('b', 30)];
		expect(replay(taps)).toEqual([iv('a', 0, 20), iv('b', 10, 30)]);
		// Starting from silence, a crosstalk tap starts the person like a normal one.
		expect(replay([cross('a', 0), cross('b', 1)])).toEqual([iv('a', 0, null), iv('b', 1, null)]);
	});

	it('gives the floor to one person on a normal tap while several speak', () => {
		expect(replay([speak('a', 0), cross('b', 10), speak('c', 20)])).toEqual([iv('a', 0, 20), iv('b', 10, 20), iv('c', 20, null)]);
		// A speaker tapped normally goes on alone, without a break; tapped again alone, they stop.
		expect(replay([speak('a', 0), cross('b', 10), speak('a', 20)])).toEqual([iv('a', 0, null), iv('b', 10, 20)]);
		expect(replay([speak('a', 0), cross('b', 10), speak('a', 20), speak('a', 30)])).toEqual([iv('a', 0, 30), iv('b', 10, 20)]);
	});

	it('undoes the last tap as if it had never been made', () => {
		expect(replay([speak('a', 0), speak('b', 10), undo(12)])).toEqual([iv('a', 0, null)]);
		// The mistaken tap never ended a's turn: a speaks until the next real tap.
		expect(replay([speak('a', 0), speak('b', 10), undo(11), speak('c', 20)])).toEqual([iv('a', 0, 20), iv('c', 20, null)]);
	});

	it('goes further back on repeated undos, and ignores undos with nothing left', () => {
		const taps = [speak('a', 0), speak('b', 10), speak('c', 20), undo(21), undo(22)];
		expect(replay(taps)).toEqual([iv('a', 0, null)]);
		expect(replay([...taps, undo(23)])).toEqual([]);
		expect(replay([...taps, undo(23), undo(24), speak('d', 30)])).toEqual([iv('d', 30, null)]);
		expect(replay([undo(0), speak('a', 1)])).toEqual([iv('a', 1, null)]);
	});

	it('undoes a crosstalk tap, starting or stopping', () => {
		expect(replay([speak('a', 0), cross('b', 10), undo(15)])).toEqual([iv('a', 0, null)]);
		expect(replay([speak('a', 0), cross('b', 10), cross('a', 20), undo(25)])).toEqual([iv('a', 0, null), iv('b', 10, null)]);
	});

	it('undoes a silence: the speakers go on as if never stopped', () => {
		expect(replay([speak('a', 0), cross('b', 5), silence(10), undo(12)])).toEqual([iv('a', 0, null), iv('b', 5, null)]);
		expect(replay([speak('a', 0), silence(10), undo(12), silence(30)])).toEqual([iv('a', 0, 30)]);
	});

	it('replays offline taps at their own time, whatever the order of arrival', () => {
		expect(replay([speak('a', 0), speak('c', 30), speak('b', 10)])).toEqual([iv('a', 0, 10), iv('b', 10, 30), iv('c', 30, null)]);
		// A late undo removes the tap just before it in time, not the last one received.
		expect(replay([speak('a', 0), speak('c', 20), speak('b', 10), undo(11)])).toEqual([iv('a', 0, 20), iv('c', 20, null)]);
	});

	it('keeps the order of arrival for taps at the same ms, and drops zero-length intervals', () => {
		expect(replay([speak('a', 5), speak('b', 5)])).toEqual([iv('b', 5, null)]);
		expect(replay([speak('a', 5), undo(5)])).toEqual([]);
		expect(replay([undo(5), speak('a', 5)])).toEqual([iv('a', 5, null)]);
	});

	it('sorts the intervals by start', () => {
		const intervals = replay([speak('a', 0), cross('b', 5), cross('a', 10), cross('c', 12), silence(20)]);
		expect(intervals).toEqual([iv('a', 0, 10), iv('b', 5, 20), iv('c', 12, 20)]);
	});

	it('cuts intervals at stage changes, and counts before the first change as stage 0', () => {
		const stages: StageChange[] = [
			{ stage: 2, at: at(30) },
			{ stage: 1, at: at(0) }
		];
		expect(intervalsFromTaps([speak('a', 10), silence(40)], stages)).toEqual([iv('a', 10, 30, 1), iv('a', 30, 40, 2)]);
		expect(intervalsFromTaps([speak('a', 10)], stages)).toEqual([iv('a', 10, 30, 1), iv('a', 30, null, 2)]);
		expect(intervalsFromTaps([speak('a', -10), silence(5)], stages)).toEqual([iv('a', -10, 0, 0), iv('a', 0, 5, 1)]);
		// A tap at the change belongs to the new stage.
		expect(intervalsFromTaps([speak('a', 30), silence(35)], stages)).toEqual([iv('a', 30, 35, 2)]);
		expect(intervalsFromTaps([speak('a', 0)], [])).toEqual([iv('a', 0, null, 0)]);
	});

	it('does not cut where the stage stays the same, and lets the last of simultaneous changes win', () => {
		const repeat: StageChange[] = [
			{ stage: 1, at: at(0) },
			{ stage: 1, at: at(20) }
		];
		expect(intervalsFromTaps([speak('a', 10), silence(30)], repeat)).toEqual([iv('a', 10, 30, 1)]);
		const skip: StageChange[] = [
			{ stage: 1, at: at(0) },
			{ stage: 2, at: at(20) },
			{ stage: 3, at: at(20) }
		];
		expect(intervalsFromTaps([speak('a', 10), silence(30)], skip)).toEqual([iv('a', 10, 20, 1), iv('a', 20, 30, 3)]);
	});

	it('never mutates its inputs', () => {
		const taps = deepFreeze([speak('b', 10), speak('a', 0), undo(12)]);
		const stages = deepFreeze([{ stage: 2, at: at(5) }]);
		expect(intervalsFromTaps(taps, stages)).toEqual([iv('a', 0, 5, 0), iv('a', 5, null, 2)]);
	});
});

describe('effectiveTaps and speakingNow', () => {
	it('lists the taps still standing, in time order', () => {
		expect(effectiveTaps([speak('b', 10), speak('a', 0), silence(20), undo(21)])).toEqual([speak('a', 0), speak('b', 10)]);
	});

	it('names who is speaking now', () => {
		expect(speakingNow(replay([speak('a', 0), cross('b', 5), speak('a', 8), cross('c', 9)]))).toEqual(['a', 'c']);
		expect(speakingNow(replay([speak('a', 0), silence(3)]))).toEqual([]);
	});
});

describe('totals', () => {
	it('counts an open interval up to now, and never below 0', () => {
		expect(durationMs(iv('a', 10, null), at(25))).toBe(15 * S);
		expect(durationMs(iv('a', 10, 12), at(99))).toBe(2 * S);
		expect(durationMs(iv('a', 10, null), at(5))).toBe(0);
	});

	it('totals by person', () => {
		const intervals = [iv('a', 0, 10), iv('b', 10, 25), iv('a', 30, null)];
		expect(totalsByPerson(intervals, at(40))).toEqual({ a: 20 * S, b: 15 * S });
		expect(totalsByPerson([], at(40))).toEqual({});
	});

	it('counts crosstalk once for each speaker: person-time above wall time', () => {
		const intervals = replay([speak('a', 0), cross('b', 10), cross('a', 20), cross('b', 30)]);
		expect(totalsByPerson(intervals, at(99))).toEqual({ a: 20 * S, b: 20 * S });
	});

	it('totals by stage, an open interval up to now', () => {
		const stages: StageChange[] = [
			{ stage: 1, at: at(0) },
			{ stage: 2, at: at(30) }
		];
		const intervals = intervalsFromTaps([speak('a', 10), cross('b', 20), cross('a', 40)], stages);
		expect(totalsByStage(intervals, at(60))).toEqual({ 1: 30 * S, 2: 40 * S });
	});

	it('keeps ids that look like Object properties apart', () => {
		const totals = totalsByPerson([iv('constructor', 0, 10), iv('__proto__', 0, 5)], at(99));
		expect(Object.hasOwn(totals, '__proto__')).toBe(true);
		expect(totals['constructor']).toBe(10 * S);
		expect(totals['__proto__']).toBe(5 * S);
	});
});

describe('byCategory', () => {
	const members = [
		{ id: 'h', categories: ['habitant' as const] },
		{ id: 'n', categories: ['habitant' as const, 'infirmier' as const] },
		{ id: 'm', categories: ['medecin' as const] },
		{ id: 'x', categories: [] }
	];
	const intervals = [iv('h', 0, 10), iv('n', 10, 30), iv('m', 30, 60), iv('outsider', 60, 160)];

	it('counts a member of several families fully in each, and a member who declared nothing as nsp', () => {
		const result = byCategory(intervals, members, at(999));
		expect(result.totalMs).toBe(60 * S);
		expect(result.byCategory.habitant).toEqual({ ms: 30 * S, timeShare: 0.5, memberShare: 0.5 });
		expect(result.byCategory.sante).toEqual({ ms: 50 * S, timeShare: 50 / 60, memberShare: 0.5 });
		expect(result.byCategory.nsp).toEqual({ ms: 0, timeShare: 0, memberShare: 0.25 });
		expect(result.byCategory.social).toEqual({ ms: 0, timeShare: 0, memberShare: 0 });
		expect(Object.keys(result.byCategory)).toHaveLength(9);
	});

	it('drops nsp next to a declared family, and counts a repeated member once', () => {
		const result = byCategory(
			[iv('p', 0, 10)],
			[
				{ id: 'p', categories: ['nsp', 'patient-expert'] },
				{ id: 'p', categories: ['medecin'] },
				{ id: 'q', categories: ['patient'] }
			],
			at(99)
		);
		expect(result.totalMs).toBe(10 * S);
		expect(result.byCategory.patient).toEqual({ ms: 10 * S, timeShare: 1, memberShare: 1 });
		expect(result.byCategory.nsp.memberShare).toBe(0);
		expect(result.byCategory.sante.memberShare).toBe(0);
	});

	it('counts an open interval up to now', () => {
		const result = byCategory([iv('h', 0, null), iv('m', 0, 10)], members, at(30));
		expect(result.totalMs).toBe(40 * S);
		expect(result.byCategory.habitant.timeShare).toBe(0.75);
	});

	it('gives zeros without members or speech', () => {
		const empty = byCategory(intervals, [], at(99));
		expect(empty.totalMs).toBe(0);
		expect(empty.byCategory.habitant).toEqual({ ms: 0, timeShare: 0, memberShare: 0 });
		const silent = byCategory([], members, at(99));
		expect(silent.byCategory.habitant).toEqual({ ms: 0, timeShare: 0, memberShare: 0.5 });
	});
});

describe('the worked example of the docs', () => {
	it('gives 0.5 of balance, residents least heard at 2/3, and no prompt yet', () => {
		const members = [
			{ id: 'doctor', categories: ['medecin' as const] },
			{ id: 'nurse', categories: ['infirmier' as const, 'habitant' as const] },
			{ id: 'r1', categories: ['habitant' as const] },
			{ id: 'r2', categories: ['habitant' as const] }
		];
		const intervals = [iv('doctor', 0, 12 * 60), iv('nurse', 12 * 60, 18 * 60), iv('r1', 18 * 60, 24 * 60)];
		const totals = totalsByPerson(intervals, at(99_999));
		expect(balanceIndex(totals, members.map((m) => m.id))).toBe(0.5);
		const shares = byCategory(intervals, members, at(99_999));
		expect(shares.byCategory.habitant).toEqual({ ms: 12 * MIN, timeShare: 0.5, memberShare: 0.75 });
		expect(shares.byCategory.sante).toEqual({ ms: 18 * MIN, timeShare: 0.75, memberShare: 0.5 });
		expect(leastHeardRatio(shares)).toEqual({ family: 'habitant', ratio: 0.5 / 0.75 });
		expect(notYetSpoken(members, intervals)).toEqual(['r2']);
		expect(turnPrompt(totals, members.length)).toEqual([]);
	});
});

describe('leastHeardRatio', () => {
	const pair = [
		{ id: 'h', categories: ['habitant' as const] },
		{ id: 'm', categories: ['medecin' as const] }
	];

	it('names the family least heard for its number', () => {
		expect(leastHeardRatio(byCategory([iv('h', 0, 6), iv('m', 6, 24)], pair, at(99)))).toEqual({ family: 'habitant', ratio: 0.5 });
		expect(leastHeardRatio(byCategory([iv('h', 0, 30)], pair, at(99)))).toEqual({ family: 'sante', ratio: 0 });
	});

	it('caps at 1, and breaks ties in the order of the families', () => {
		expect(leastHeardRatio(byCategory([iv('h', 0, 10), iv('m', 10, 20)], pair, at(99)))).toEqual({ family: 'habitant', ratio: 1 });
	});

	it('is null before anyone has spoken', () => {
		expect(leastHeardRatio(byCategory([], pair, at(99)))).toBeNull();
		expect(leastHeardRatio(byCategory([iv('h', 0, 10)], [], at(99)))).toBeNull();
	});
});

describe('balanceIndex', () => {
	const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
	const of = (...times: number[]) => Object.fromEntries(times.map((t, i) => [`p${i}`, t * S]));

	it('is 1 when everyone spoke as much, 0 when one person spoke all the time', () => {
		expect(balanceIndex(of(10, 10), ids(2))).toBe(1);
		expect(balanceIndex(of(30, 0), ids(2))).toBe(0);
		expect(balanceIndex(of(7, 7, 7, 7, 7, 7), ids(6))).toBe(1);
		expect(balanceIndex(of(90), ids(6))).toBe(0);
	});

	it('gives the worked example of the docs', () => {
		// 12, 6, 6 and 0 minutes: gaps 6+6+12+0+6+6 = 36, over (4 − 1) × 24 = 72.
		expect(balanceIndex(of(12 * 60, 6 * 60, 6 * 60, 0), ids(4))).toBe(0.5);
		// 10, 20, 30: gaps 10+20+10 = 40, over 2 × 60.
		expect(balanceIndex(of(10, 20, 30), ids(3))).toBeCloseTo(2 / 3, 12);
	});

	it('counts members who never spoke as 0, and leaves out speakers who are not members', () => {
		expect(balanceIndex(of(10, 10), ids(3))).toBe(0.5);
		expect(balanceIndex({ ...of(10, 10), outsider: 500 * S }, ids(2))).toBe(1);
		expect(balanceIndex(of(10, 10), ['p0', 'p1', 'p1'])).toBe(1);
		expect(balanceIndex({ a: 10 }, ['a', 'constructor'])).toBe(0);
	});

	it('is null before any member has spoken, 1 for a single member who spoke', () => {
		expect(balanceIndex({}, ids(4))).toBeNull();
		expect(balanceIndex(of(10), [])).toBeNull();
		expect(balanceIndex({ outsider: 10 }, ids(2))).toBeNull();
		expect(balanceIndex(of(10), ids(1))).toBe(1);
		expect(balanceIndex(of(0), ids(1))).toBeNull();
	});
});

describe('turnPrompt', () => {
	it('prompts strictly above twice the even share, most heard first', () => {
		expect(PROMPT_FACTOR).toBe(2);
		// 6 members: the threshold is 1/3 of the time.
		expect(turnPrompt({ a: 60_000, b: 120_000 }, 6)).toEqual(['b']);
		expect(turnPrompt({ a: 60_001, b: 119_999 }, 6)).toEqual(['b', 'a']);
		expect(turnPrompt({ a: 59_999, b: 120_001 }, 6)).toEqual(['b']);
	});

	it('waits for the warm-up before prompting anyone', () => {
		expect(PROMPT_WARMUP_MS).toBe(3 * MIN);
		expect(turnPrompt({ a: 3 * MIN - 1 }, 6)).toEqual([]);
		expect(turnPrompt({ a: 3 * MIN }, 6)).toEqual(['a']);
		expect(turnPrompt({ a: 1000 }, 6, 2, 0)).toEqual(['a']);
	});

	it('follows the factor given, and breaks ties by id', () => {
		// 4 members, factor 1.5: above 37.5 %.
		expect(turnPrompt({ a: 375_000, b: 625_000 }, 4, 1.5)).toEqual(['b']);
		expect(turnPrompt({ a: 375_001, b: 624_999 }, 4, 1.5)).toEqual(['b', 'a']);
		expect(turnPrompt({ b: 5 * MIN, a: 5 * MIN, c: 0 }, 5)).toEqual(['a', 'b']);
	});

	it('never prompts in a group of two with the default factor, nor alone or in silence', () => {
		expect(turnPrompt({ a: 99 * MIN, b: MIN }, 2)).toEqual([]);
		expect(turnPrompt({ a: 10 * MIN }, 1)).toEqual([]);
		expect(turnPrompt({ a: 0, b: 0 }, 4, 2, 0)).toEqual([]);
		expect(turnPrompt({}, 4)).toEqual([]);
	});
});

describe('notYetSpoken', () => {
	it('lists members without any interval, in their order, once', () => {
		const members = [{ id: 'c' }, { id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }];
		expect(notYetSpoken(members, [iv('a', 0, 10), iv('d', 10, null), iv('outsider', 0, 5)])).toEqual(['c', 'b']);
		expect(notYetSpoken(members, [])).toEqual(['c', 'a', 'b', 'd']);
	});
});

describe('properties of the replay', () => {
	const PEOPLE = ['a', 'b', 'c', 'd'];
	// A small range of times so that ties and same-ms taps happen.
	const time = fc.integer({ min: 0, max: 200 });
	const tap: fc.Arbitrary<Tap> = fc.oneof(
		{
			weight: 5,
			arbitrary: fc.record({ kind: fc.constant('speak' as const), participantId: fc.constantFrom(...PEOPLE), at: time, crosstalk: fc.boolean() })
		},
		{ weight: 1, arbitrary: fc.record({ kind: fc.constant('silence' as const), at: time }) },
		{ weight: 2, arbitrary: fc.record({ kind: fc.constant('undo' as const), at: time }) }
	);
	const taps = fc.array(tap, { maxLength: 40 });
	const stages = fc.array(fc.record({ stage: fc.integer({ min: 0, max: 4 }), at: time }), { maxLength: 5 });
	const NOW = 1000;

	/** Who speaks at t by the rules alone: undos resolved over the whole log, then the taps up to t folded. */
	function speakersAt(log: readonly Tap[], t: number): Set<string> {
		const ordered = log.map((tp, i) => ({ tp, i })).sort((x, y) => x.tp.at - y.tp.at || x.i - y.i);
		const stack: Tap[] = [];
		for (const { tp } of ordered) {
			if (tp.kind === 'undo') stack.pop();
			else stack.push(tp);
		}
		let speaking = new Set<string>();
		for (const tp of stack) {
			if (tp.at > t) break;
			if (tp.kind === 'silence') speaking = new Set();
			else if (tp.kind === 'speak' && tp.crosstalk) {
				if (speaking.has(tp.participantId)) speaking.delete(tp.participantId);
				else speaking.add(tp.participantId);
			} else if (tp.kind === 'speak') {
				speaking = speaking.size === 1 && speaking.has(tp.participantId) ? new Set() : new Set([tp.participantId]);
			}
		}
		return speaking;
	}

	const covers = (i: Interval, t: number) => i.start <= t && (i.end === null || t < i.end);

	it('matches the rules at every tap time', () => {
		fc.assert(
			fc.property(taps, (log) => {
				const intervals = intervalsFromTaps(log, 1);
				for (const t of new Set(log.map((tp) => tp.at))) {
					const covering = intervals.filter((i) => covers(i, t)).map((i) => i.participantId);
					expect(new Set(covering)).toEqual(speakersAt(log, t));
					expect(covering).toHaveLength(new Set(covering).size);
				}
			})
		);
	});

	it('gives well-formed intervals: positive, never overlapping for one person, open only at the end', () => {
		fc.assert(
			fc.property(taps, stages, (log, changes) => {
				const intervals = intervalsFromTaps(log, changes);
				for (const id of PEOPLE) {
					const own = intervals.filter((i) => i.participantId === id);
					own.forEach((i, k) => {
						if (i.end !== null) expect(i.end).toBeGreaterThan(i.start);
						const next = own[k + 1];
						if (next !== undefined) {
							expect(i.end).not.toBeNull();
							expect(next.start).toBeGreaterThanOrEqual(i.end ?? Infinity);
						}
					});
				}
				for (const i of intervals) expect(durationMs(i, NOW)).toBeGreaterThanOrEqual(0);
			})
		);
	});

	it('counts at least the wall time someone spoke, and exactly it without crosstalk', () => {
		fc.assert(
			fc.property(taps, fc.boolean(), (log, allowCrosstalk) => {
				const used = allowCrosstalk ? log : log.map((tp) => (tp.kind === 'speak' ? { ...tp, crosstalk: false } : tp));
				const intervals = intervalsFromTaps(used, 1);
				let wall = 0;
				for (let t = 0; t < NOW; t++) if (intervals.some((i) => covers(i, t))) wall++;
				const personTime = Object.values(totalsByPerson(intervals, NOW)).reduce((s, ms) => s + ms, 0);
				expect(personTime).toBeGreaterThanOrEqual(wall);
				if (!allowCrosstalk) expect(personTime).toBe(wall);
			})
		);
	});

	it('cuts at stage changes without losing or adding time, each piece in the stage of its start', () => {
		fc.assert(
			fc.property(taps, stages, (log, changes) => {
				const cut = intervalsFromTaps(log, changes);
				expect(totalsByPerson(cut, NOW)).toEqual(totalsByPerson(intervalsFromTaps(log, 1), NOW));
				const ordered = changes.map((c, i) => ({ c, i })).sort((x, y) => x.c.at - y.c.at || x.i - y.i);
				for (const piece of cut) {
					const current = ordered.filter(({ c }) => c.at <= piece.start).pop()?.c.stage ?? 0;
					expect(piece.stage).toBe(current);
				}
				const byStage = Object.values(totalsByStage(cut, NOW)).reduce((s, ms) => s + ms, 0);
				const byPerson = Object.values(totalsByPerson(cut, NOW)).reduce((s, ms) => s + ms, 0);
				expect(byStage).toBe(byPerson);
			})
		);
	});

	it('leaves no trace of a tap undone at once, and a redo gives the tap back', () => {
		fc.assert(
			fc.property(taps, tap, (log, extra) => {
				if (extra.kind === 'undo') return;
				const undone: Tap = { kind: 'undo', at: extra.at };
				expect(intervalsFromTaps([...log, extra, undone], 1)).toEqual(intervalsFromTaps(log, 1));
				expect(intervalsFromTaps([...log, extra, undone, extra], 1)).toEqual(intervalsFromTaps([...log, extra], 1));
			})
		);
	});

	it('does not depend on the order of arrival when times differ', () => {
		const distinct = fc
			.uniqueArray(time, { maxLength: 30 })
			.chain((times) => fc.tuple(fc.tuple(...times.map((t) => tap.map((tp) => ({ ...tp, at: t })))), fc.nat()));
		fc.assert(
			fc.property(distinct, ([log, seed]) => {
				const shuffled = log.map((tp, i) => ({ tp, key: (i * 7919 + seed) % 101 })).sort((x, y) => x.key - y.key).map(({ tp }) => tp);
				expect(intervalsFromTaps(shuffled, 1)).toEqual(intervalsFromTaps(log, 1));
				expect(intervalsFromTaps([...log].reverse(), 1)).toEqual(intervalsFromTaps(log, 1));
			})
		);
	});

	it('keeps the balance index between 0 and 1', () => {
		fc.assert(
			fc.property(taps, (log) => {
				const index = balanceIndex(totalsByPerson(intervalsFromTaps(log, 1), NOW), PEOPLE);
				if (index !== null) {
					expect(index).toBeGreaterThanOrEqual(0);
					expect(index).toBeLessThanOrEqual(1);
				}
			})
		);
	});
});
