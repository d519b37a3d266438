import fc from 'fast-check';
import type { Category } from '../../src/lib/domain/categories';
import { describe, expect, it } from 'vitest';
import {
	PROMPT_FACTOR,
	PROMPT_WARMUP_MS,
	SpeakingLedger,
	balanceIndex,
	countsUntil,
	durationMs,
	effectiveTaps,
	intervalsFromTaps,
	marksFromLog,
	notYetSpoken,
	speakingNow,
	speakingShares,
	totalsByPerson,
	totalsByStage,
	turnPrompt,
	type Interval,
	type StageMark,
	type Tap
} from '../../src/lib/domain/speaking';
import { advanceGroup, finishRoom, holdGroup, initialRoomStages, nextRoom, pauseRoom, resumeRoom, startRoom } from '../../src/lib/domain/stages';

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
/** Stage 1 running from the start, and no long-turn question: the rules of the taps alone. */
const RUNNING: StageMark[] = [{ at: 0, stage: 1, running: true }];
const run = (taps: readonly Tap[]) => intervalsFromTaps(taps, RUNNING, Infinity);
const replay = run;
const mark = (s: number, stage: number, running = true): StageMark => ({ at: at(s), stage, running });
const confirm = (s: number): Tap => ({ kind: 'confirm', at: at(s) });

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

	it('never mutates its inputs', () => {
		const taps = deepFreeze([speak('b', 10), speak('a', 0), undo(12)]);
		const marks = deepFreeze([mark(-5, 1), mark(5, 2)]);
		expect(intervalsFromTaps(taps, marks, Infinity)).toEqual([iv('a', 0, 5, 1)]);
	});
});

describe('stages: a turn never outlives its stage', () => {
	const stages = [mark(0, 1), mark(30, 2), mark(60, 3), mark(90, 4), mark(100, 4, false)];

	it('ends every turn when the stage ends, and starts none in the next until a tap', () => {
		expect(intervalsFromTaps([speak('a', 10)], stages)).toEqual([iv('a', 10, 30, 1)]);
		expect(intervalsFromTaps([speak('a', 10), speak('b', 40)], stages)).toEqual([iv('a', 10, 30, 1), iv('b', 40, 60, 2)]);
		// A tap at the change belongs to the new stage.
		expect(intervalsFromTaps([speak('a', 30), silence(35)], stages)).toEqual([iv('a', 30, 35, 2)]);
	});

	it('counts nothing before the stages, during the evaluation or once they are over', () => {
		expect(intervalsFromTaps([speak('a', -10), silence(-5)], stages)).toEqual([]);
		expect(intervalsFromTaps([speak('a', 95)], stages)).toEqual([]);
		expect(intervalsFromTaps([speak('a', 0)], [])).toEqual([]);
	});

	it('ends turns at a pause, and the timekeeper taps again after it', () => {
		const paused = [mark(0, 1), mark(20, 1, false), mark(40, 1)];
		expect(intervalsFromTaps([speak('a', 10)], paused)).toEqual([iv('a', 10, 20, 1)]);
		// A tap during the pause changes nothing: « a » was stopped by the pause, this tap starts nobody.
		expect(intervalsFromTaps([speak('a', 10), speak('b', 30)], paused)).toEqual([iv('a', 10, 20, 1)]);
		expect(intervalsFromTaps([speak('a', 10), speak('a', 45), silence(50)], paused)).toEqual([iv('a', 10, 20, 1), iv('a', 45, 50, 1)]);
	});

	it('places a late tap in the stage of its own time, cut at that stage’s end', () => {
		// Sent during stage 2 from an offline queue kept since stage 1.
		const ledger = new SpeakingLedger(Infinity);
		ledger.add([], stages.slice(0, 2));
		ledger.add([speak('b', 40)]);
		ledger.add([speak('a', 20)]);
		expect(ledger.intervals()).toEqual([iv('a', 20, 30, 1), iv('b', 40, null, 2)]);
	});

	it('follows a group held, advanced, or the room finished, from the room’s log', () => {
		const d: [number, number, number] = [30 * S, 30 * S, 30 * S];
		let rs = startRoom(initialRoomStages(), at(0), d);
		const log = [{ at: at(0), stages: rs }];
		rs = holdGroup(rs, 'g', at(10));
		log.push({ at: at(10), stages: rs });
		rs = pauseRoom(rs, at(12));
		log.push({ at: at(12), stages: rs });
		rs = resumeRoom(rs, at(14));
		log.push({ at: at(14), stages: rs });
		rs = advanceGroup(rs, 'g', at(20), d);
		log.push({ at: at(20), stages: rs });
		rs = nextRoom(rs, at(30), d);
		log.push({ at: at(30), stages: rs });
		rs = finishRoom(rs);
		log.push({ at: at(50), stages: rs });
		expect(marksFromLog(log, 'g')).toEqual([mark(0, 1), mark(10, 1, false), mark(20, 2), mark(50, 2, false)]);
		expect(marksFromLog(log, 'other')).toEqual([mark(0, 1), mark(12, 1, false), mark(14, 1), mark(30, 2), mark(50, 2, false)]);
		const taps = [speak('a', 5), speak('b', 15), speak('c', 25)];
		expect(intervalsFromTaps(taps, marksFromLog(log, 'g'))).toEqual([iv('a', 5, 10, 1), iv('c', 25, 50, 2)]);
		// An adjusted timer is no mark: the turn goes on.
		expect(marksFromLog([{ at: at(0), stages: startRoom(initialRoomStages(), at(0), d) }, { at: at(5), stages: startRoom(initialRoomStages(), at(0), [60 * S, 1, 1]) }], 'g')).toHaveLength(1);
	});
});

describe('the long-turn question « toujours X ? »', () => {
	const T = 180 * S;
	const turn = (taps: Tap[], marks = RUNNING) => intervalsFromTaps(taps, marks, T);

	it('closes a turn nobody confirmed at the last tap or « oui »', () => {
		// No answer, then the timekeeper taps someone else: « a » keeps nothing of the unvouched time.
		expect(turn([speak('a', 0), speak('b', 200)])).toEqual([iv('b', 200, null)]);
		expect(turn([speak('a', 0), confirm(170), speak('b', 400)])).toEqual([iv('a', 0, 170), iv('b', 400, null)]);
		// The stage ends with the question unanswered.
		expect(turn([speak('a', 0), confirm(100)], [mark(-1, 1), mark(500, 2)])).toEqual([iv('a', 0, 100, 1)]);
	});

	it('keeps the whole turn when « oui » comes, even late', () => {
		expect(turn([speak('a', 0), confirm(170), confirm(340), speak('b', 400)])).toEqual([iv('a', 0, 400), iv('b', 400, null)]);
		expect(turn([speak('a', 0), confirm(250), silence(300)])).toEqual([iv('a', 0, 300)]);
	});

	it('counts an open turn up to now, then only up to its last proof once the question is due', () => {
		const ledger = new SpeakingLedger(T);
		ledger.add([speak('a', 0)], RUNNING);
		expect(ledger.totals(at(100))).toEqual({ a: 100 * S });
		expect(ledger.totals(at(181))).toEqual({ a: 0 });
		expect(ledger.lastProof()).toBe(at(0));
		ledger.add([confirm(190)]);
		expect(ledger.totals(at(200))).toEqual({ a: 200 * S });
		expect(countsUntil(at(0), at(180), T)).toBe(at(180));
		expect(countsUntil(at(0), at(181), T)).toBe(at(0));
	});

	it('is not undone by « annuler », which removes the last speak or silence', () => {
		expect(effectiveTaps([speak('a', 0), confirm(5), undo(6)])).toEqual([confirm(5)]);
		expect(turn([speak('a', 0), speak('b', 10), confirm(20), undo(30), silence(40)])).toEqual([iv('a', 0, 40)]);
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
		const intervals = intervalsFromTaps([speak('a', 10), cross('b', 20), speak('a', 40), cross('b', 45)], [mark(0, 1), mark(30, 2)], Infinity);
		expect(totalsByStage(intervals, at(60))).toEqual({ 1: 30 * S, 2: 35 * S });
	});

	it('keeps ids that look like Object properties apart', () => {
		const totals = totalsByPerson([iv('constructor', 0, 10), iv('__proto__', 0, 5)], at(99));
		expect(Object.hasOwn(totals, '__proto__')).toBe(true);
		expect(totals['constructor']).toBe(10 * S);
		expect(totals['__proto__']).toBe(5 * S);
	});
});

describe('speakingShares: the one computation of shares', () => {
	const group = (members: [string, Category[], number][]) => ({
		members: members.map(([id, categories]) => ({ id, categories })),
		totals: Object.fromEntries(members.map(([id, , ms]) => [id, ms]))
	});
	const g1 = group([
		['h1', ['habitant'], 10 * S],
		['h2', ['habitant', 'infirmier'], 20 * S],
		['m1', ['medecin'], 30 * S],
		['x', [], 0]
	]);
	const g2 = group([
		['h3', ['habitant'], 0],
		['m2', ['medecin'], 40 * S],
		['s1', ['travailleur-social'], 0]
	]);
	const unmeasured = group([
		['r1', ['recherche'], 0],
		['r2', ['recherche'], 0],
		['h4', ['habitant'], 0]
	]);

	it('counts only the measured groups and their members, by family, a member of several families in each', () => {
		const shares = speakingShares([g1, g2, unmeasured]);
		expect(shares).toMatchObject({ totalMs: 100 * S, groups: 2, people: 7 });
		const row = (f: string) => shares.rows.find((r) => r.family === f);
		expect(row('habitant')).toEqual({ family: 'habitant', people: 3, memberShare: 3 / 7, timeShare: 0.3 });
		expect(row('sante')).toEqual({ family: 'sante', people: 3, memberShare: 3 / 7, timeShare: 0.9 });
		// Nobody of « recherche » sat in a measured group: absent, not 0 %.
		expect(row('recherche')).toBeUndefined();
	});

	it('withholds a family of one measured person, and the smallest other one so it cannot be read as what is left', () => {
		const shares = speakingShares([g1, g2]);
		const row = (f: string) => shares.rows.find((r) => r.family === f);
		expect(row('social')).toMatchObject({ people: 1, timeShare: null });
		expect(row('nsp')).toMatchObject({ people: 1, timeShare: null });
		expect(row('habitant')?.timeShare).toBe(0.3);
		const single = speakingShares([
			group([
				['a', ['habitant'], 5 * S],
				['b', ['habitant'], 5 * S],
				['c', ['medecin'], 10 * S],
				['d', ['medecin'], 10 * S],
				['e', ['recherche'], 10 * S]
			])
		]);
		expect(single.rows.map((r) => [r.family, r.timeShare])).toEqual([
			['habitant', null],
			['sante', 0.5],
			['recherche', null]
		]);
	});

	it('publishes no share and no balance of a group of fewer than three', () => {
		const pair = speakingShares([
			group([
				['a', ['habitant'], 5 * S],
				['b', ['habitant'], 15 * S]
			])
		]);
		expect(pair.rows).toEqual([{ family: 'habitant', people: 2, memberShare: 1, timeShare: null }]);
		expect(pair.balance).toBeNull();
		expect(speakingShares([g1]).balance).toBeCloseTo(balanceIndex(g1.totals, ['h1', 'h2', 'm1', 'x']) as number, 12);
	});

	it('has nothing to publish before anyone spoke', () => {
		expect(speakingShares([unmeasured])).toEqual({ totalMs: 0, groups: 0, people: 0, rows: [], balance: null });
		expect(speakingShares([])).toEqual({ totalMs: 0, groups: 0, people: 0, rows: [], balance: null });
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
		const shares = speakingShares([{ members, totals }]);
		expect(shares.rows).toEqual([
			{ family: 'habitant', people: 3, memberShare: 0.75, timeShare: 0.5 },
			{ family: 'sante', people: 2, memberShare: 0.5, timeShare: 0.75 }
		]);
		expect(notYetSpoken(members, totals).map((m) => m.id)).toEqual(['r2']);
		expect(turnPrompt(totals, members.length)).toEqual([]);
	});

	it('gives the room example: two measured groups, one family « non publié »', () => {
		const shares = speakingShares([
			{
				members: [
					{ id: 'h1', categories: ['habitant'] },
					{ id: 'h2', categories: ['habitant'] },
					{ id: 'd1', categories: ['medecin'] }
				],
				totals: { h1: 4 * MIN, h2: 2 * MIN, d1: 12 * MIN }
			},
			{
				members: [
					{ id: 'h3', categories: ['habitant'] },
					{ id: 'n1', categories: ['infirmier'] },
					{ id: 'm1', categories: ['mediation'] }
				],
				totals: { h3: 3 * MIN, n1: 6 * MIN, m1: 3 * MIN }
			},
			{ members: [{ id: 'r1', categories: ['recherche'] }, { id: 'r2', categories: ['recherche'] }, { id: 'h4', categories: ['habitant'] }], totals: {} }
		]);
		expect(shares.totalMs).toBe(30 * MIN);
		expect(shares.rows).toEqual([
			{ family: 'habitant', people: 3, memberShare: 0.5, timeShare: 0.3 },
			{ family: 'sante', people: 2, memberShare: 2 / 6, timeShare: null },
			{ family: 'mediation', people: 1, memberShare: 1 / 6, timeShare: null }
		]);
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
	it('lists members with no time yet, in their order', () => {
		const members = [{ id: 'c' }, { id: 'a' }, { id: 'b' }, { id: 'd' }, { id: 'constructor' }];
		const ids = (totals: Record<string, number>) => notYetSpoken(members, totals).map((m) => m.id);
		expect(ids(totalsByPerson([iv('a', 0, 10), iv('d', 10, null), iv('outsider', 0, 5)], at(20)))).toEqual(['c', 'b', 'constructor']);
		expect(ids({ c: 0, a: 1 })).toEqual(['c', 'b', 'd', 'constructor']);
		expect(ids({})).toEqual(['c', 'a', 'b', 'd', 'constructor']);
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
	const withConfirm: fc.Arbitrary<Tap> = fc.oneof({ weight: 8, arbitrary: tap }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('confirm' as const), at: time }) });
	const marks = fc.array(fc.record({ at: time, stage: fc.integer({ min: 0, max: 4 }), running: fc.boolean() }), { maxLength: 6 });
	const longTurn = fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 60 }));
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
				const intervals = run(log);
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
			fc.property(fc.array(withConfirm, { maxLength: 40 }), marks, longTurn, (log, changes, turn) => {
				const intervals = intervalsFromTaps(log, changes, turn);
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
				const intervals = run(used);
				let wall = 0;
				for (let t = 0; t < NOW; t++) if (intervals.some((i) => covers(i, t))) wall++;
				const personTime = Object.values(totalsByPerson(intervals, NOW)).reduce((s, ms) => s + ms, 0);
				expect(personTime).toBeGreaterThanOrEqual(wall);
				if (!allowCrosstalk) expect(personTime).toBe(wall);
			})
		);
	});

	/** The stage counted at t by the marks alone (a mark at t already applies), null when none runs. */
	function countedAt(changes: readonly StageMark[], t: number): number | null {
		const ordered = changes.map((m, i) => ({ m, i })).sort((x, y) => x.m.at - y.m.at || x.i - y.i);
		const current = ordered.filter(({ m }) => m.at <= t).pop()?.m;
		return current && current.running && current.stage >= 1 && current.stage <= 3 ? current.stage : null;
	}

	it('never lets an interval outlive its stage: each lies in one running stage, the stage it names', () => {
		fc.assert(
			fc.property(fc.array(withConfirm, { maxLength: 40 }), marks, longTurn, (log, changes, turn) => {
				for (const i of intervalsFromTaps(log, changes, turn)) {
					expect(countedAt(changes, i.start)).toBe(i.stage);
					const end = i.end ?? NOW;
					for (const m of changes) if (m.at > i.start && m.at < end) expect(countedAt(changes, m.at)).toBe(i.stage);
					if (i.end === null) expect(changes.every((m) => m.at <= i.start || countedAt(changes, m.at) === i.stage)).toBe(true);
				}
			})
		);
	});

	it('never gives a person more time in a stage than the stage ran', () => {
		fc.assert(
			fc.property(fc.array(withConfirm, { maxLength: 40 }), marks, longTurn, (log, changes, turn) => {
				const intervals = intervalsFromTaps(log, changes, turn);
				for (const id of PEOPLE) {
					for (const stage of [1, 2, 3]) {
						let ran = 0;
						for (let t = 0; t < NOW; t++) if (countedAt(changes, t) === stage) ran++;
						const spoke = intervals.filter((i) => i.participantId === id && i.stage === stage).reduce((sum, i) => sum + durationMs(i, NOW), 0);
						expect(spoke).toBeLessThanOrEqual(ran);
					}
				}
				const byStage = Object.values(totalsByStage(intervals, NOW)).reduce((sum, ms) => sum + ms, 0);
				expect(byStage).toBe(Object.values(totalsByPerson(intervals, NOW)).reduce((sum, ms) => sum + ms, 0));
			})
		);
	});

	it('gives the same intervals whatever the delivery: any order, any batches, marks between taps', () => {
		const distinct = fc
			.uniqueArray(time, { maxLength: 30 })
			.chain((times) => fc.tuple(fc.tuple(...times.map((t) => withConfirm.map((tp) => ({ ...tp, at: t })))), fc.nat(), fc.integer({ min: 1, max: 5 })));
		fc.assert(
			fc.property(distinct, marks, longTurn, ([log, seed, batch], changes, turn) => {
				const expected = intervalsFromTaps(log, changes, turn);
				const shuffled = log.map((tp, i) => ({ tp, key: (i * 7919 + seed) % 101 })).sort((x, y) => x.key - y.key).map(({ tp }) => tp);
				const ledger = new SpeakingLedger(turn);
				const markOrder = [...changes].sort((x, y) => x.at - y.at);
				for (let k = 0; k < shuffled.length || markOrder.length; k += batch) {
					ledger.add(shuffled.slice(k, k + batch), markOrder.splice(0, 1));
				}
				expect(ledger.intervals()).toEqual(expected);
			})
		);
	});

	it('lets an undo that arrives before its tap remove it (found by the property above in CI)', () => {
		const ledger = new SpeakingLedger(Infinity);
		const undo: Tap = { kind: 'undo', at: at(194) };
		ledger.add([undo], RUNNING);
		ledger.add([speak('a', 157)]);
		expect(ledger.intervals()).toEqual([]);
		ledger.add([speak('b', 200)]);
		expect(ledger.intervals()).toEqual(intervalsFromTaps([undo, speak('a', 157), speak('b', 200)], RUNNING, Infinity));
		expect(ledger.intervals()).toHaveLength(1);
	});

	it('leaves no trace of a tap undone at once, and a redo gives the tap back', () => {
		fc.assert(
			fc.property(taps, tap, (log, extra) => {
				if (extra.kind === 'undo') return;
				const undone: Tap = { kind: 'undo', at: extra.at };
				expect(run([...log, extra, undone])).toEqual(run(log));
				expect(run([...log, extra, undone, extra])).toEqual(run([...log, extra]));
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
				expect(run(shuffled)).toEqual(run(log));
				expect(run([...log].reverse())).toEqual(run(log));
			})
		);
	});

	it('keeps the balance index between 0 and 1', () => {
		fc.assert(
			fc.property(taps, (log) => {
				const index = balanceIndex(totalsByPerson(run(log), NOW), PEOPLE);
				if (index !== null) {
					expect(index).toBeGreaterThanOrEqual(0);
					expect(index).toBeLessThanOrEqual(1);
				}
			})
		);
	});
});
