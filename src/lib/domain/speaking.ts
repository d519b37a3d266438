/**
 * Speaking time of a group (« temps de parole »), kept by its timekeeper (« gardien·ne du temps »)
 * on one phone (../../../docs/speaking-time.md). The server stores the group's taps as they come and
 * the marks of its stages (when each stage starts, pauses, resumes, ends), and derives everything
 * else from them: an undo or a late offline tap only needs a replay.
 *
 * Taps, replayed in order of `at` (server ms; ties keep the order of arrival):
 * - speak X: X now speaks alone (whoever else spoke stops at `at`); if X already spoke alone, X stops;
 * - speak X with `crosstalk` (« plusieurs à la fois »): X starts or stops, the others go on;
 * - silence: everyone stops;
 * - confirm (« oui », to the pad's « toujours X ? »): whoever speaks still does;
 * - undo (« annuler »): the latest speak or silence still standing before it is removed, as if never
 *   made; repeated undos go further back, an undo with nothing left to remove does nothing.
 *
 * Speech counts only while the group's stage runs (stages 1–3, not paused or held): when it stops
 * (end, pause, hold, advance, « Terminer ») every interval ends, and nobody speaks again until the
 * timekeeper taps. A tap while no stage runs changes nothing. A turn nobody vouched for during
 * `longTurnMs` (no tap, no « oui ») ends at the last tap or « oui » unless a « oui » comes later:
 * the pad asks « toujours X ? » at that point.
 *
 * Intervals are half-open [start, end): a tap at t ends one interval and starts the next at the same t.
 * Zero-length intervals are dropped. Crosstalk counts the shared time once for each speaker:
 * every total here is person-time.
 *
 * Per-person figures are for the group and the organisers only; beyond the group go the shares of
 * `speakingShares`, the one computation of figures by family.
 */
import { FAMILIES, familiesOf, type Category, type Family } from './categories';
import { effectiveStage, isTimedIndex, type RoomStages, type StageIndex } from './stages';

export type Tap =
	| { kind: 'speak'; participantId: string; at: number; crosstalk?: boolean }
	| { kind: 'silence'; at: number }
	| { kind: 'confirm'; at: number }
	| { kind: 'undo'; at: number };
export type ActionTap = Exclude<Tap, { kind: 'undo' }>;

export interface Interval {
	participantId: string;
	/** The stage it was spoken in: an interval never outlives its stage. */
	stage: number;
	start: number;
	/** null while still speaking. */
	end: number | null;
}

/** The group is on `stage` from `at` on; its time counts only while `running` on stage 1–3. */
export interface StageMark {
	at: number;
	stage: number;
	running: boolean;
}

export interface SpeakingMember {
	id: string;
	categories: readonly Category[];
}

/** « Tour de parole » prompt: a share above twice the even share. */
export const PROMPT_FACTOR = 2;
/** No prompt before the group has spoken this long: the first speaker always holds the whole share. */
export const PROMPT_WARMUP_MS = 3 * 60_000;
/** After this long without a tap the pad asks « toujours X ? » (events may set their own). */
export const DEFAULT_LONG_TURN_MS = 3 * 60_000;

/** Stable (Array.prototype.sort is), so taps at the same ms keep their order of arrival. */
function byTime<T extends { at: number }>(items: readonly T[]): T[] {
	return [...items].sort((a, b) => a.at - b.at);
}

/** The taps left standing once every undo has removed its target, in replay order. */
export function effectiveTaps(taps: readonly Tap[]): ActionTap[] {
	const kept: (ActionTap | null)[] = [];
	// Positions of the speaks and silences still standing: a « oui » is not a tap one undoes.
	const undoable: number[] = [];
	for (const tap of byTime(taps)) {
		if (tap.kind === 'undo') {
			const target = undoable.pop();
			if (target !== undefined) kept[target] = null;
			continue;
		}
		if (tap.kind !== 'confirm') undoable.push(kept.length);
		kept.push(tap);
	}
	return kept.filter((t): t is ActionTap => t !== null);
}

function nextSpeakers(speaking: ReadonlySet<string>, tap: Exclude<ActionTap, { kind: 'confirm' }>): Set<string> {
	if (tap.kind === 'silence') return new Set();
	const id = tap.participantId;
	if (tap.crosstalk) {
		const next = new Set(speaking);
		if (next.has(id)) next.delete(id);
		else next.add(id);
		return next;
	}
	return speaking.size === 1 && speaking.has(id) ? new Set() : new Set([id]);
}

/** A running timed stage's number, or null when nothing counts. */
function countedStage(mark: StageMark): number | null {
	return mark.running && isTimedIndex(mark.stage as StageIndex) ? mark.stage : null;
}

/** Same stage, counted or not alike: a new mark like this changes nothing (an adjusted timer). */
function sameState(a: StageMark, b: StageMark): boolean {
	return a.stage === b.stage && countedStage(a) === countedStage(b);
}

/**
 * A group's marks from its room's log of stage states (each stored when a facilitator changed
 * them): its own state where it is held or advanced, the room's otherwise. Repeats are dropped.
 */
export function marksFromLog(log: readonly { at: number; stages: RoomStages }[], groupId: string): StageMark[] {
	const marks: StageMark[] = [];
	for (const entry of byTime(log)) {
		const s = effectiveStage(entry.stages, groupId);
		const mark = { at: entry.at, stage: s.index, running: s.status === 'running' };
		const last = marks.at(-1);
		if (!last || !sameState(last, mark)) marks.push(mark);
	}
	return marks;
}

/** Where a turn nobody vouched for stops counting, read at `now`. */
export function countsUntil(lastProof: number, now: number, longTurnMs: number): number {
	return now - lastProof > longTurnMs ? lastProof : now;
}

type Step = { at: number; mark: StageMark } | { at: number; tap: ActionTap };

/**
 * A group's speaking time, kept up to date tap by tap: taps and marks that come in order (the
 * usual case) are applied on top of what was replayed; an undo or a late one (an offline queue)
 * replays the group from its start. Either way the result is that of replaying everything.
 */
export class SpeakingLedger {
	private readonly taps: Tap[] = [];
	private readonly marks: StageMark[] = [];
	// The replay so far:
	private closed: Interval[] = [];
	private closedMs = new Map<string, number>();
	private open = new Map<string, number>();
	private stage: number | null = null;
	private proof = -Infinity;
	/** The latest mark kept: one that repeats its state is dropped. */
	private lastMark: StageMark | null = null;
	/** The last step applied, for telling whether new ones come after it. */
	private last: Step | null = null;
	/** The latest undo received: an action before it may be its target, so it needs a replay. */
	private lastUndoAt = -Infinity;

	constructor(readonly longTurnMs: number = DEFAULT_LONG_TURN_MS) {}

	/** Adds taps (in their order of arrival) and marks. */
	add(taps: readonly Tap[], given: readonly StageMark[] = []): void {
		const marks = byTime(given).filter((m) => {
			const last = this.lastMark;
			if (last && m.at >= last.at && sameState(last, m)) return false;
			if (!last || m.at >= last.at) this.lastMark = m;
			return true;
		});
		this.taps.push(...taps);
		this.marks.push(...marks);
		const actions = taps.filter((t): t is ActionTap => t.kind !== 'undo');
		const steps = merge(byTime(marks), byTime(actions));
		const undoneBefore = this.lastUndoAt;
		for (const t of taps) if (t.kind === 'undo') this.lastUndoAt = Math.max(this.lastUndoAt, t.at);
		const fastPath = actions.length === taps.length && actions.every((t) => t.at > undoneBefore) && steps.every((s) => this.follows(s));
		if (fastPath) for (const s of steps) this.apply(s);
		else this.replay();
	}

	/** Would this step come after the last one applied in a full replay? Marks go first at equal times. */
	private follows(step: Step): boolean {
		if (!this.last) return true;
		return step.at > this.last.at || (step.at === this.last.at && 'tap' in step);
	}

	private replay() {
		this.closed = [];
		this.closedMs = new Map();
		this.open = new Map();
		this.stage = null;
		this.proof = -Infinity;
		this.last = null;
		for (const s of merge(byTime(this.marks), effectiveTaps(this.taps))) this.apply(s);
	}

	private closeAll(at: number) {
		for (const [id, start] of this.open) this.close(id, start, at);
		this.open.clear();
	}

	private close(participantId: string, start: number, end: number) {
		if (end <= start || this.stage === null) return;
		this.closed.push({ participantId, stage: this.stage, start, end });
		this.closedMs.set(participantId, (this.closedMs.get(participantId) ?? 0) + end - start);
	}

	/** An unanswered « toujours X ? »: the turn ends where it was last vouched for. */
	private lapse(at: number) {
		if (this.open.size && at - this.proof > this.longTurnMs) this.closeAll(this.proof);
	}

	private apply(step: Step) {
		this.last = step;
		if ('mark' in step) {
			this.lapse(step.at);
			this.closeAll(step.at);
			this.stage = countedStage(step.mark);
			return;
		}
		const tap = step.tap;
		if (this.stage === null) return;
		if (tap.kind === 'confirm') {
			if (this.open.size) this.proof = tap.at;
			return;
		}
		this.lapse(tap.at);
		const next = nextSpeakers(new Set(this.open.keys()), tap);
		for (const [id, start] of this.open) {
			if (next.has(id)) continue;
			this.close(id, start, tap.at);
			this.open.delete(id);
		}
		for (const id of next) if (!this.open.has(id)) this.open.set(id, tap.at);
		this.proof = tap.at;
	}

	/** Closed intervals then open ones (`end: null`), sorted by start. */
	intervals(): Interval[] {
		const open = [...this.open].map(([participantId, start]): Interval => ({ participantId, stage: this.stage ?? 0, start, end: null }));
		return [...this.closed, ...open].sort((a, b) => a.start - b.start);
	}

	/** Who speaks now and since when. */
	speaking(): { id: string; since: number }[] {
		return [...this.open].map(([id, since]) => ({ id, since }));
	}

	/** The last tap or « oui » while someone speaks: the pad asks « toujours X ? » longTurnMs after it. */
	lastProof(): number | null {
		return this.open.size ? this.proof : null;
	}

	/** Where the open turns stop counting at `now` (see countsUntil). */
	openUntil(now: number): number {
		return countsUntil(this.proof, now, this.longTurnMs);
	}

	/** Milliseconds per person at `now`. */
	totals(now: number): Record<string, number> {
		const totals = new Map(this.closedMs);
		const until = this.openUntil(now);
		for (const [id, start] of this.open) totals.set(id, (totals.get(id) ?? 0) + Math.max(0, until - start));
		return Object.fromEntries(totals);
	}

	/** Milliseconds per person over the closed intervals only. */
	closedTotals(): Record<string, number> {
		return Object.fromEntries(this.closedMs);
	}
}

/** Marks and taps in replay order: by time, a mark before a tap at the same ms. */
function merge(marks: readonly StageMark[], taps: readonly ActionTap[]): Step[] {
	const steps: Step[] = [];
	let m = 0;
	for (const tap of taps) {
		while (m < marks.length && (marks[m] as StageMark).at <= tap.at) {
			const mark = marks[m++] as StageMark;
			steps.push({ at: mark.at, mark });
		}
		steps.push({ at: tap.at, tap });
	}
	for (; m < marks.length; m++) steps.push({ at: (marks[m] as StageMark).at, mark: marks[m] as StageMark });
	return steps;
}

/** Replays a group's taps (any order) and stage marks into its speaking intervals, sorted by start. */
export function intervalsFromTaps(taps: readonly Tap[], marks: readonly StageMark[], longTurnMs = DEFAULT_LONG_TURN_MS): Interval[] {
	const ledger = new SpeakingLedger(longTurnMs);
	ledger.add(taps, marks);
	return ledger.intervals();
}

/** Who is speaking now, for the timekeeper's screen. */
export function speakingNow(intervals: readonly Interval[]): string[] {
	return intervals.filter((i) => i.end === null).map((i) => i.participantId);
}

/** An open interval counts up to `now`; never negative, even against a clock that lags the interval. */
export function durationMs(interval: Interval, now: number): number {
	return Math.max(0, (interval.end ?? now) - interval.start);
}

/** Milliseconds by participant id. Read with Object.hasOwn: ids are keys of a plain object. */
export function totalsByPerson(intervals: readonly Interval[], now: number): Record<string, number> {
	const totals = new Map<string, number>();
	for (const i of intervals) totals.set(i.participantId, (totals.get(i.participantId) ?? 0) + durationMs(i, now));
	return Object.fromEntries(totals);
}

/** Person-milliseconds by stage. */
export function totalsByStage(intervals: readonly Interval[], now: number): Record<number, number> {
	const totals = new Map<number, number>();
	for (const i of intervals) totals.set(i.stage, (totals.get(i.stage) ?? 0) + durationMs(i, now));
	return Object.fromEntries(totals);
}

function timeOf(totals: Readonly<Record<string, number>>, id: string): number {
	return Object.hasOwn(totals, id) ? (totals[id] ?? 0) : 0;
}

/** Declaring nothing reads as « je préfère ne pas dire ». */
export function familiesOfMember(categories: readonly Category[]): Family[] {
	const families = familiesOf(categories);
	return families.length > 0 ? families : ['nsp'];
}

/** A family's figures beyond fewer people than this would tell one person's time: « non publié ». */
export const MIN_PUBLISHED_PEOPLE = 2;
/** A group's own figures beyond the group need at least this many members. */
export const MIN_PUBLISHED_GROUP = 3;

/** One group over the period shown: its members, and milliseconds by person in it. */
export interface MeasuredGroup {
	members: readonly SpeakingMember[];
	totals: Readonly<Record<string, number>>;
}

export interface ShareRow {
	family: Family;
	/** Members of the measured groups in this family. */
	people: number;
	/** people ÷ members of the measured groups (0–1). */
	memberShare: number;
	/** Their speaking time ÷ the measured groups' time (0–1); null: « non publié ». */
	timeShare: number | null;
}

/** Speaking time by family: the figures that leave a group (projection, organisers, CSV, actes). */
export interface SpeakingShares {
	/** Person-time over the measured groups. */
	totalMs: number;
	/** Groups where speaking was measured (some time recorded) over the period. */
	groups: number;
	/** Their members. */
	people: number;
	/** Families with members in the measured groups, in the order of FAMILIES; none measured: absent. */
	rows: ShareRow[];
	/** Mean balance index of the measured groups of MIN_PUBLISHED_GROUP members or more; null if none. */
	balance: number | null;
}

/**
 * The one computation of shares (docs/speaking-time.md): over the groups where speaking was
 * measured, members counted in those groups only, by family. A member of several families counts
 * fully in each. A family of fewer than MIN_PUBLISHED_PEOPLE measured people is « non publié », and
 * when that leaves one family withheld, so is the smallest published one (else the withheld share
 * could be read as what is left); a single group of fewer than MIN_PUBLISHED_GROUP members
 * publishes no share and no balance.
 */
export function speakingShares(groups: readonly MeasuredGroup[]): SpeakingShares {
	const measured = groups
		.map((g) => ({ members: [...new Map(g.members.map((m) => [m.id, m])).values()], totals: g.totals }))
		.filter((g) => g.members.some((m) => timeOf(g.totals, m.id) > 0));
	const people = new Map<Family, number>();
	const ms = new Map<Family, number>();
	let totalMs = 0;
	let count = 0;
	for (const g of measured) {
		for (const m of g.members) {
			const t = timeOf(g.totals, m.id);
			totalMs += t;
			count++;
			for (const f of familiesOfMember(m.categories)) {
				people.set(f, (people.get(f) ?? 0) + 1);
				ms.set(f, (ms.get(f) ?? 0) + t);
			}
		}
	}
	const tooSmall = measured.length === 1 && count < MIN_PUBLISHED_GROUP;
	const rows = FAMILIES.filter((f) => people.has(f)).map(
		(f): ShareRow => ({
			family: f,
			people: people.get(f) ?? 0,
			memberShare: (people.get(f) ?? 0) / count,
			timeShare: tooSmall || (people.get(f) ?? 0) < MIN_PUBLISHED_PEOPLE ? null : (ms.get(f) ?? 0) / totalMs
		})
	);
	const published = rows.filter((r) => r.timeShare !== null);
	if (rows.length - published.length === 1) {
		const smallest = published.reduce<ShareRow | null>((a, r) => (a === null || r.people < a.people ? r : a), null);
		if (smallest) smallest.timeShare = null;
	}
	const balances = measured
		.filter((g) => g.members.length >= MIN_PUBLISHED_GROUP)
		.map((g) => balanceIndex(g.totals, g.members.map((m) => m.id)))
		.filter((b): b is number => b !== null);
	return {
		totalMs,
		groups: measured.length,
		people: count,
		rows,
		balance: balances.length ? balances.reduce((a, b) => a + b, 0) / balances.length : null
	};
}

/**
 * Balance of the group (« équilibre de la parole »): 1 − the Gini coefficient of the members' speaking times,
 * normalised by n/(n−1) so that 0 means one person spoke all the time whatever the group size
 * and 1 means everyone spoke equally. Members who never spoke count as 0; speakers outside `memberIds` are left out.
 * null when no member has spoken (nothing to judge yet); 1 for a single member who spoke.
 */
export function balanceIndex(totals: Readonly<Record<string, number>>, memberIds: readonly string[]): number | null {
	const times = [...new Set(memberIds)].map((id) => timeOf(totals, id)).sort((a, b) => a - b);
	const sum = times.reduce((s, t) => s + t, 0);
	if (sum <= 0) return null;
	const n = times.length;
	if (n === 1) return 1;
	// Σ_{i<j} |x_i − x_j| on sorted values: the i-th smallest is added i times and subtracted n−1−i times.
	const gaps = times.reduce((s, t, i) => s + (2 * i - n + 1) * t, 0);
	return 1 - gaps / ((n - 1) * sum);
}

/**
 * The gentle « tour de parole » prompt: ids whose share of the time exceeds `thresholdFactor` × the even share
 * (1 / memberCount), most heard first. Nothing under two members or before `minTotalMs` of speech.
 */
export function turnPrompt(
	totals: Readonly<Record<string, number>>,
	memberCount: number,
	thresholdFactor = PROMPT_FACTOR,
	minTotalMs = PROMPT_WARMUP_MS
): string[] {
	if (memberCount < 2) return [];
	const entries = Object.entries(totals);
	const total = entries.reduce((s, [, ms]) => s + ms, 0);
	if (total <= 0 || total < minTotalMs) return [];
	// ms / total > factor / n, multiplied out so that the boundary is exact.
	return entries
		.filter(([, ms]) => ms * memberCount > thresholdFactor * total)
		.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
		.map(([id]) => id);
}

/** Members who have not spoken yet, in the order given: whom to invite to speak first. */
export function notYetSpoken<M extends { id: string }>(members: readonly M[], totals: Readonly<Record<string, number>>): M[] {
	return members.filter((m) => !Object.hasOwn(totals, m.id) || (totals[m.id] ?? 0) === 0);
}
