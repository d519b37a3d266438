/**
 * Verbatims (docs/verbatims.md): sentences facilitators note during the day-1 workshops, from
 * which the organisers choose the next morning's statements. Pure rules:
 * - a capture carries an id made by the phone, so a queue resent after a network cut stores each
 *   verbatim once (the first copy wins);
 * - who said it is a category, never a name;
 * - merging keeps every source: the merged ones point at the one kept (`mergedInto`), never at a
 *   verbatim that is itself merged, so the sources of a verbatim are one lookup away;
 * - rewording keeps the original (`text`); the statement made from it reads the new wording
 *   (`reworded`) and points back at the verbatim.
 */
import type { Category } from './categories';
import { Refusal } from './refusal';

export interface Verbatim {
	id: string;
	workshopId: string | null;
	/** The theme (room) it speaks to, as the facilitator or the team said. */
	roomId: string | null;
	/** As noted, never changed. */
	text: string;
	lively: boolean;
	/** Who said it, as a category only. */
	category: Category | null;
	/** When it was noted (the phone's time, within reason: captureTime). */
	at: number;
	starred: boolean;
	/** The team's wording, if they changed it; the statement reads this. */
	reworded: string | null;
	/** The verbatim this one was merged into (a source of it). */
	mergedInto: string | null;
	/** The statement it became. */
	statementId: string | null;
}

/** What a phone sends for one verbatim. */
export type Capture = Pick<Verbatim, 'id' | 'workshopId' | 'roomId' | 'text' | 'lively' | 'category' | 'at'>;

/** A phone kept offline keeps its queue this long; an older time is a clock gone wrong. */
export const MAX_CAPTURE_AGE_MS = 7 * 24 * 60 * 60_000;
const MAX_AHEAD_MS = 5 * 60_000;

/** The time stored: the phone's own, unless its clock is clearly wrong (then the arrival's). */
export function captureTime(at: number, now: number): number {
	return at > now + MAX_AHEAD_MS || at < now - MAX_CAPTURE_AGE_MS ? now : at;
}

/**
 * The verbatims of a batch not stored yet, once each, times checked: resending a queue, whole or
 * in part, in any order, adds nothing the first sending added.
 */
export function newCaptures(known: ReadonlySet<string>, batch: readonly Capture[], now: number): Verbatim[] {
	const seen = new Set(known);
	const fresh: Verbatim[] = [];
	for (const c of batch) {
		if (seen.has(c.id)) continue;
		seen.add(c.id);
		fresh.push({ ...c, at: captureTime(c.at, now), starred: false, reworded: null, mergedInto: null, statementId: null });
	}
	return fresh;
}

/** The verbatim a list shows for this one: itself, or the one it was merged into. */
export function rootOf(all: readonly Verbatim[], id: string): Verbatim | undefined {
	const v = all.find((x) => x.id === id);
	return v?.mergedInto ? all.find((x) => x.id === v.mergedInto) : v;
}

/** The verbatims merged into this one, in order of capture. */
export function sourcesOf(all: readonly Verbatim[], id: string): Verbatim[] {
	return all.filter((v) => v.mergedInto === id).sort((a, b) => a.at - b.at);
}

/**
 * Merges `ids` into `into`: the changed verbatims. Each is taken at its root (a verbatim already
 * merged brings its whole group); the sources of the others move to `into`, so no chain forms.
 * A verbatim that became a statement cannot be merged away (its statement points at it).
 */
export function merge(all: readonly Verbatim[], ids: readonly string[], into: string): Verbatim[] {
	const target = rootOf(all, into);
	if (!target) throw new Refusal('unknownVerbatim');
	const roots = new Set<string>();
	for (const id of ids) {
		const root = rootOf(all, id);
		if (!root) throw new Refusal('unknownVerbatim');
		if (root.id !== target.id) roots.add(root.id);
	}
	if (!roots.size) return [];
	for (const id of roots) if (all.find((v) => v.id === id)?.statementId) throw new Refusal('verbatimIsStatement');
	const changed: Verbatim[] = [];
	for (const v of all) {
		if (roots.has(v.id) || (v.mergedInto && roots.has(v.mergedInto))) changed.push({ ...v, mergedInto: target.id });
	}
	// A starred verbatim stays starred once merged.
	if (!target.starred && changed.some((v) => v.starred)) changed.push({ ...target, starred: true });
	return changed;
}

/** The wording a statement made of this verbatim reads. */
export function statementWording(v: Pick<Verbatim, 'text' | 'reworded'>): string {
	return v.reworded ?? v.text;
}

/** Whether a verbatim may become a statement: once, and only at its root. */
export function checkPromotable(v: Verbatim | undefined): Verbatim {
	if (!v) throw new Refusal('unknownVerbatim');
	if (v.mergedInto) throw new Refusal('verbatimMerged');
	if (v.statementId) throw new Refusal('verbatimIsStatement');
	return v;
}

export interface VerbatimFilter {
	roomId?: string | 'none';
	workshopId?: string | 'none';
	starred?: boolean;
	lively?: boolean;
	search?: string;
}

/** Lower case, accents removed: « Ça » finds « ca ». */
export function fold(text: string): string {
	return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/**
 * The list the team works on: each root verbatim (merged ones shown with it) that passes the
 * filter. A group counts as « très animé » if any of its verbatims was, and the search reads the
 * sources and the new wording too.
 */
export function filterVerbatims(all: readonly Verbatim[], f: VerbatimFilter): Verbatim[] {
	const needle = f.search ? fold(f.search.trim()) : '';
	return all.filter((v) => {
		if (v.mergedInto) return false;
		const group = [v, ...sourcesOf(all, v.id)];
		if (f.roomId && (v.roomId ?? 'none') !== f.roomId) return false;
		if (f.workshopId && !group.some((x) => (x.workshopId ?? 'none') === f.workshopId)) return false;
		if (f.starred && !v.starred) return false;
		if (f.lively && !group.some((x) => x.lively)) return false;
		if (needle && !group.some((x) => fold(`${x.text} ${x.reworded ?? ''}`).includes(needle))) return false;
		return true;
	});
}

/** What the actes' method chapter counts. */
export function verbatimCounts(all: readonly Pick<Verbatim, 'statementId'>[]): { collected: number; statements: number } {
	return { collected: all.length, statements: all.filter((v) => v.statementId).length };
}
