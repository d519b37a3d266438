/**
 * Speaking time of a group (« temps de parole »), kept by its timekeeper (« gardien·ne du temps »)
 * on one phone (../../../docs/speaking-time.md). The server stores the group's taps as they come and
 * derives everything else from them, so an undo or a late offline tap only needs a replay.
 *
 * Taps, replayed in order of `at` (server ms; ties keep the order of arrival):
 * - speak X: X now speaks alone (whoever else spoke stops at `at`); if X already spoke alone, X stops;
 * - speak X with `crosstalk` (« plusieurs à la fois »): X starts or stops, the others go on;
 * - silence: everyone stops;
 * - undo (« annuler »): the latest tap still standing before it is removed, as if never made;
 *   repeated undos go further back, an undo with nothing left to remove does nothing.
 *
 * Intervals are half-open [start, end): a tap at t ends one interval and starts the next at the same t.
 * Zero-length intervals are dropped. Crosstalk counts the shared time once for each speaker:
 * every total here is person-time.
 *
 * Per-person figures are for the group and the organisers only; the projection and the actes get `byCategory`.
 */
import { FAMILIES, familiesOf, type Category, type Family } from './categories';

export type Tap =
	| { kind: 'speak'; participantId: string; at: number; crosstalk?: boolean }
	| { kind: 'silence'; at: number }
	| { kind: 'undo'; at: number };
export type ActionTap = Exclude<Tap, { kind: 'undo' }>;

export interface Interval {
	participantId: string;
	stage: number;
	start: number;
	/** null while still speaking. */
	end: number | null;
}

/** The group's stage is `stage` from `at` on. */
export interface StageChange {
	stage: number;
	at: number;
}
/** One fixed stage, or the group's stage changes (before the first one: stage 0, « en attente »). */
export type StageTimeline = number | readonly StageChange[];

export interface SpeakingMember {
	id: string;
	categories: readonly Category[];
}

export interface FamilyShare {
	ms: number;
	/** Share of the members' person-time spoken by members of this family (0–1). */
	timeShare: number;
	/** Share of the members who belong to this family (0–1). */
	memberShare: number;
}
export interface CategoryTotals {
	totalMs: number;
	byCategory: Record<Family, FamilyShare>;
}

/** « Tour de parole » prompt: a share above twice the even share. */
export const PROMPT_FACTOR = 2;
/** No prompt before the group has spoken this long: the first speaker always holds the whole share. */
export const PROMPT_WARMUP_MS = 3 * 60_000;

/** Stable (Array.prototype.sort is), so taps at the same ms keep their order of arrival. */
function byTime<T extends { at: number }>(items: readonly T[]): T[] {
	return [...items].sort((a, b) => a.at - b.at);
}

/** The taps left standing once every undo has removed its target, in replay order. */
export function effectiveTaps(taps: readonly Tap[]): ActionTap[] {
	const kept: ActionTap[] = [];
	for (const tap of byTime(taps)) {
		if (tap.kind === 'undo') kept.pop();
		else kept.push(tap);
	}
	return kept;
}

function nextSpeakers(speaking: ReadonlySet<string>, tap: ActionTap): Set<string> {
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

function stageAt(changes: readonly StageChange[], t: number): number {
	let stage = 0;
	for (const c of changes) {
		if (c.at > t) break;
		stage = c.stage;
	}
	return stage;
}

/** Cuts [start, end) where the stage changes, so that totals by stage need no timeline. */
function pieces(participantId: string, start: number, end: number | null, changes: readonly StageChange[]): Interval[] {
	const out: Interval[] = [];
	let from = start;
	let stage = stageAt(changes, start);
	for (const c of changes) {
		if (c.at <= start || c.stage === stage) continue;
		if (end !== null && c.at >= end) break;
		out.push({ participantId, stage, start: from, end: c.at });
		from = c.at;
		stage = c.stage;
	}
	out.push({ participantId, stage, start: from, end });
	return out.filter((i) => i.end === null || i.end > i.start);
}

/** Replays a group's taps (any order) into its speaking intervals, sorted by start; open ones have `end: null`. */
export function intervalsFromTaps(taps: readonly Tap[], stages: StageTimeline): Interval[] {
	const changes = typeof stages === 'number' ? [{ stage: stages, at: -Infinity }] : byTime(stages);
	const open = new Map<string, number>();
	const out: Interval[] = [];
	for (const tap of effectiveTaps(taps)) {
		const next = nextSpeakers(new Set(open.keys()), tap);
		for (const [id, start] of open) {
			if (next.has(id)) continue;
			out.push(...pieces(id, start, tap.at, changes));
			open.delete(id);
		}
		for (const id of next) if (!open.has(id)) open.set(id, tap.at);
	}
	for (const [id, start] of open) out.push(...pieces(id, start, null, changes));
	return out.sort((a, b) => a.start - b.start);
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
function familiesOfMember(categories: readonly Category[]): Family[] {
	const families = familiesOf(categories);
	return families.length > 0 ? families : ['nsp'];
}

/**
 * Speaking time by family, over the members given (speakers outside the list are left out).
 * A member of several families counts fully in each, for time as for membership, as composition labels do:
 * a resident who is also a nurse is heard as a resident and as a health professional.
 * Shares are per family and do not sum to 1 across families.
 */
export function byCategory(intervals: readonly Interval[], members: readonly SpeakingMember[], now: number): CategoryTotals {
	return categoryTotals(totalsByPerson(intervals, now), members);
}

/** byCategory from totals by person already summed (the server keeps them between taps). */
export function categoryTotals(person: Readonly<Record<string, number>>, members: readonly SpeakingMember[]): CategoryTotals {
	const families = new Map<string, Family[]>();
	for (const m of members) if (!families.has(m.id)) families.set(m.id, familiesOfMember(m.categories));
	const ms = new Map<Family, number>();
	const count = new Map<Family, number>();
	let totalMs = 0;
	for (const [id, fams] of families) {
		const t = timeOf(person, id);
		totalMs += t;
		for (const f of fams) {
			ms.set(f, (ms.get(f) ?? 0) + t);
			count.set(f, (count.get(f) ?? 0) + 1);
		}
	}
	const rows = FAMILIES.map((f): [Family, FamilyShare] => {
		const fms = ms.get(f) ?? 0;
		const n = count.get(f) ?? 0;
		return [f, { ms: fms, timeShare: totalMs > 0 ? fms / totalMs : 0, memberShare: families.size > 0 ? n / families.size : 0 }];
	});
	return { totalMs, byCategory: Object.fromEntries(rows) as Record<Family, FamilyShare> };
}

/**
 * The family least heard for its number: its time share over its member share, capped at 1
 * (1 = every family had at least its share). Ties go to the first family in FAMILIES, residents first.
 * null before anyone has spoken.
 */
export function leastHeardRatio(totals: CategoryTotals): { family: Family; ratio: number } | null {
	if (totals.totalMs <= 0) return null;
	let least: { family: Family; ratio: number } | null = null;
	for (const family of FAMILIES) {
		const { timeShare, memberShare } = totals.byCategory[family];
		if (memberShare === 0) continue;
		const ratio = Math.min(1, timeShare / memberShare);
		if (least === null || ratio < least.ratio) least = { family, ratio };
	}
	return least;
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

/** Members with no interval, in the order given: whom to invite to speak first. */
export function notYetSpoken(members: readonly { id: string }[], intervals: readonly Interval[]): string[] {
	const spoke = new Set(intervals.map((i) => i.participantId));
	return [...new Set(members.map((m) => m.id))].filter((id) => !spoke.has(id));
}
