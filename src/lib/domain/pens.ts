/**
 * Who holds the pen of a group's write-up (docs/writeup.md): the rapporteur of one stage stays
 * rapporteur at the next unless someone else takes the pen. Pens are per stage (1–3), each a list
 * of participant ids: several may write at once.
 */
export type StagePens = [string[], string[], string[]];

/**
 * A group moved on from stage `from` to stage `to`: who gets the pen of `to`, carried from the
 * last earlier stage that had holders. Nothing is carried to a stage that already has its own,
 * nor outside the written stages (1–3), nor backwards.
 */
export function carriedPens(pens: StagePens, from: number, to: number): string[] {
	if (from < 1 || to <= from || to > 3 || (pens[to - 1] ?? []).length) return [];
	for (let s = from; s >= 1; s--) {
		const holders = pens[s - 1] ?? [];
		if (holders.length) return [...holders];
	}
	return [];
}

/**
 * Someone who did not write the stage before takes the pen of `stage`: those who carry it from
 * that stage pass it on to them. Returns who gives it up. A co-writer of the stage before takes
 * it beside them (several may write), as does anyone at stage 1.
 */
export function passedOn(pens: StagePens, stage: number, taker: string): string[] {
	if (stage < 2) return [];
	const before = pens[stage - 2] ?? [];
	if (before.includes(taker)) return [];
	return (pens[stage - 1] ?? []).filter((id) => before.includes(id));
}
