/**
 * The careful-words check (docs/writeup.md): an idea that looks like it names a person or a
 * health condition gets a hint, while it is typed and in the facilitators' reader, with a way to
 * anonymise it. A hint, never a block: the rapporteur decides. Pure and local — the text is read
 * here, on the device that shows it, and sent nowhere.
 *
 * What counts, on purpose:
 * - a person: a civility or title followed by a capitalised word (« Mme Dupont », « Dr Martin »,
 *   « Mr Smith »), but not a function (« Madame la Maire », « Monsieur le Préfet »,
 *   « Madame Maire »); or a member's first name (from the group's display names), as a whole word;
 *   a place alone (« Chambéry ») is not a person;
 * - health: a short list of diagnoses and medicines, French and English, matched from the start
 *   of a word whatever the accents and case. A diagnosis is flagged even in a general sentence
 *   (« le diabète touche le quartier »): the hint costs a glance, and telling a general sentence
 *   from one about someone is beyond a word list.
 */

export type CarefulKind = 'person' | 'health';

export interface CarefulFlag {
	kind: CarefulKind;
	/** The words as typed, and where they start in the text. */
	match: string;
	index: number;
}

const CIVILITY = String.raw`(?:M\.|Mr\.?|Mrs\.?|Ms\.?|Mme\.?|Mlle\.?|Madame|Monsieur|Mademoiselle|Miss|Dr\.?|Docteure?|Doctor|Pr\.?|Professeure?|Professor|Maître)`;
/** A civility then a capitalised word of two letters or more (an initial alone names less). */
const CIVIL_NAME = new RegExp(String.raw`(?<![\p{L}\p{N}])${CIVILITY}\s+(\p{Lu}[\p{L}'’-]+)`, 'gu');
/** Functions after a civility: « Madame Maire » addresses a role, not a person. */
const FUNCTIONS = new Set(
	[
		'maire', 'adjoint', 'adjointe', 'préfet', 'préfète', 'ministre', 'président', 'présidente', 'directeur', 'directrice',
		'député', 'députée', 'sénateur', 'sénatrice', 'conseiller', 'conseillère', 'mayor', 'president', 'minister', 'director', 'chair'
	]
);

/**
 * Word starts, accents and case aside: a diagnosis or medicine begins with one of these. Short
 * on purpose (docs/writeup.md): a longer list flags more ordinary words than it catches.
 */
const HEALTH_STEMS = [
	// diagnoses
	'diabet', 'cancer', 'hepatit', 'tubercul', 'epilep', 'schizophren', 'bipolai', 'bipolar', 'alzheimer', 'parkinson',
	'autism', 'autist', 'asthm', 'depress', 'psychos', 'anorexi', 'boulimi', 'bulimi', 'obesit', 'obese', 'cirrhos',
	'toxicoman', 'alcooliq', 'alcoholic', 'dialys', 'seropositi', 'hiv-positive', 'sclerose en plaques', 'multiple sclerosis',
	// medicines
	'insulin', 'antidepress', 'methadon', 'chimiotherap', 'chemotherap', 'antiretrovir', 'neuroleptiq', 'antipsychoti',
	'anxiolyti', 'morphin', 'subutex', 'buprenorphin'
];
/** Whole words only: short, and parts of other words otherwise. */
const HEALTH_WORDS = ['vih', 'hiv', 'sida', 'avc', 'tdah', 'adhd'];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const HEALTH = new RegExp(
	String.raw`(?<![\p{L}\p{N}])(?:(?:${HEALTH_STEMS.map(escape).join('|')})\p{L}*|(?:${HEALTH_WORDS.join('|')})(?![\p{L}\p{N}]))`,
	'gu'
);

/** Lower case without accents, one character for one, so that indices stay those of the text. */
function folded(text: string): string {
	let out = '';
	for (const ch of text) {
		const base = ch.normalize('NFD')[0] ?? ch;
		// A character outside the BMP is two code units: keep its length.
		out += ch.length === 1 ? base.toLowerCase() : ch;
	}
	return out;
}

/** A member's first name as the check looks for it: the first word of their name, three letters or more. */
function firstNames(names: readonly string[]): string[] {
	const first = names.map((n) => n.trim().split(/[\s,]+/u)[0] ?? '').filter((n) => [...n].length >= 3 && /\p{L}/u.test(n));
	return [...new Set(first)];
}

/** The flags of one idea's text, in order; `names`: the group's members' display names. */
export function carefulWords(text: string, names: readonly string[] = []): CarefulFlag[] {
	const flags: CarefulFlag[] = [];
	for (const m of text.matchAll(CIVIL_NAME)) {
		if (FUNCTIONS.has((m[1] ?? '').toLowerCase())) continue;
		flags.push({ kind: 'person', match: m[0], index: m.index });
	}
	const first = firstNames(names);
	if (first.length) {
		const byName = new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${first.map((n) => escape(folded(n))).join('|')})(?![\p{L}\p{N}])`, 'gu');
		for (const m of folded(text).matchAll(byName)) flags.push({ kind: 'person', match: text.slice(m.index, m.index + m[0].length), index: m.index });
	}
	for (const m of folded(text).matchAll(HEALTH)) flags.push({ kind: 'health', match: text.slice(m.index, m.index + m[0].length), index: m.index });
	// In order, and a name already inside a civility's match (« Mme Karima ») counted once.
	flags.sort((a, b) => a.index - b.index || b.match.length - a.match.length);
	return flags.filter((f, i) => !flags.slice(0, i).some((g) => g.index + g.match.length > f.index));
}

/** How many of these texts carry at least one flag: what the organiser sees before exporting. */
export function countFlagged(texts: readonly { text: string; names?: readonly string[] }[]): number {
	return texts.filter(({ text, names }) => carefulWords(text, names).length > 0).length;
}

/** The text with one flag's words replaced (the « anonymiser » suggestion, in the reader's language). */
export function anonymise(text: string, flag: CarefulFlag, replacement: string): string {
	return text.slice(0, flag.index) + replacement + text.slice(flag.index + flag.match.length);
}
