/**
 * The rule that moves a write-up idea from the actes' body to their annex (« à clarifier »),
 * documented in docs/writeup.md: only when the group says so, never on one tap. At least
 * ANNEX_MIN_CLARIFY members asked « à préciser », and they outnumber those who said « d'accord ».
 * One person's doubt stays visible at the table (a count, a reason) but keeps the idea in the body.
 */
export const ANNEX_MIN_CLARIFY = 2;

export function goesToAnnex(item: { agree: number; clarify: number }): boolean {
	return item.clarify >= ANNEX_MIN_CLARIFY && item.clarify > item.agree;
}
