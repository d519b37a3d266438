/**
 * An event's dates as written on the actes' title page: a Gros Débat event lasts two days
 * (« 16 et 17 novembre 2017 » / « 16–17 November 2017 »). Dates are ISO days (AAAA-MM-JJ).
 */
import type { Lang as Language } from '../i18n/words';

interface Day {
	day: number;
	month: string;
	year: number;
}

function day(iso: string, lang: Language): Day | null {
	const d = new Date(`${iso}T00:00:00Z`);
	if (Number.isNaN(d.getTime())) return null;
	const month = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { month: 'long', timeZone: 'UTC' }).format(d);
	return { day: d.getUTCDate(), month, year: d.getUTCFullYear() };
}

/** French writes the first of the month « 1er ». */
const num = (d: Day, lang: Language) => (lang === 'fr' && d.day === 1 ? '1er' : String(d.day));

function single(d: Day, lang: Language): string {
	return `${num(d, lang)} ${d.month} ${d.year}`;
}

/** Whether `b` is the day after `a` (both ISO days). */
function nextDay(a: string, b: string): boolean {
	return Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`) === 86_400_000;
}

/**
 * The event's dates in its language; null without a start. An end missing, equal to the start or
 * unreadable gives the start alone.
 */
export function formatEventDates(start: string | null, end: string | null, lang: Language): string | null {
	if (!start) return null;
	const a = day(start, lang);
	if (!a) return start;
	const b = end && end !== start ? day(end, lang) : null;
	if (!b) return single(a, lang);
	if (lang === 'fr') {
		if (a.year !== b.year) return `du ${single(a, lang)} au ${single(b, lang)}`;
		if (a.month !== b.month) return `du ${num(a, lang)} ${a.month} au ${single(b, lang)}`;
		return nextDay(start, end as string) ? `${num(a, lang)} et ${single(b, lang)}` : `du ${num(a, lang)} au ${single(b, lang)}`;
	}
	if (a.year !== b.year) return `${single(a, lang)} – ${single(b, lang)}`;
	if (a.month !== b.month) return `${a.day} ${a.month} – ${single(b, lang)}`;
	return `${a.day}–${single(b, lang)}`;
}
