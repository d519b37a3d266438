/**
 * The words of the actes, in the event's language: every sentence comes from the i18n dictionaries
 * (`actes.*` keys in src/lib/i18n/fr.ts and en.ts, plus the screens' own words for categories,
 * levels and the evaluation), so the actes and the screens never say the same thing two ways.
 * Only the grammar of counts lives here: French takes the singular for 0 and 1, English for 1 only.
 */
import type { Level } from '../board';
import type { Family } from '../categories';
import { format, type Lang } from '../../i18n/words';
import type { MessageKey } from '../../i18n/fr';

/** The counted words: keys with a `.one` and a `.many` form, each holding `{n}`. */
type Counted = { [K in MessageKey]: K extends `actes.n.${infer W}.one` ? (`actes.n.${W}.many` extends MessageKey ? W : never) : never }[MessageKey];

export type ActesWords = ReturnType<typeof actesWords>;

export function actesWords(lang: Lang) {
	const w = (key: MessageKey, params?: Record<string, string | number>) => format(lang, key, params);
	const singular = (n: number) => (lang === 'fr' ? n <= 1 : n === 1);
	const count = (word: Counted, n: number) => w(`actes.n.${word}.${singular(n) ? 'one' : 'many'}`, { n });
	const quote = (text: string) => w('actes.quote', { text });
	const and = w('actes.and');
	return {
		/** A word of the screens, for what the actes and the phones both name (evaluation questions…). */
		screen: (key: MessageKey) => w(key),
		family: (f: Family) => w(`cat.${f}`),
		level: (l: Level) => w(`board.level.${l}`),
		actes: w('actes.title'),
		colon: w('actes.colon'),
		semicolon: w('actes.semicolon'),
		and,
		quote,
		method: w('actes.method'),
		methodIntro: (people: number, rooms: number, statements: number) =>
			w('actes.methodIntro', { people: count('participant', people), rooms: count('room', rooms), statements: count('statement', statements) }),
		methodVerbatims: (collected: number, statements: number) =>
			w('actes.methodVerbatims', { verbatims: count('verbatim', collected), statements: count('statement', statements) }),
		/** Where a statement made from a verbatim comes from: its workshop, its words if reworded. */
		statementSource: (workshop: string | null, original: string | null) =>
			[workshop ? w('actes.sourceWorkshop', { workshop }) : w('actes.sourceVerbatim'), original ? w('actes.sourceOriginal', { text: quote(original) }) : '']
				.filter(Boolean)
				.join(w('actes.semicolon')),
		methodGroups: (max: number, groups: number) => w('actes.methodGroups', { max, groups: count('group', groups) }),
		themes: w('actes.themes'),
		themeLine: (statements: number, groups: number) => w('actes.themeLine', { statements: count('statement', statements), groups: count('group', groups) }),
		stages: w('actes.stages'),
		stagesIntro: w('actes.stagesIntro'),
		clarifyRule: (n: number) => w('actes.clarifyRule', { items: count('item', n) }),
		summary: w('actes.summary'),
		statement: w('actes.statement'),
		composition: w('actes.composition'),
		group: (n: number) => w('actes.group', { n }),
		notWorked: w('actes.notWorked'),
		legend: w('actes.legend'),
		voices: w('actes.voices'),
		constats: w('actes.constats'),
		ilFaudrait: w('actes.ilFaudrait'),
		ideal: w('actes.ideal'),
		concretement: w('actes.concretement'),
		nothing: w('actes.nothing'),
		who: w('actes.who'),
		when: w('actes.when'),
		clarifyNote: (n: number) => w('actes.clarifyNote', { items: count('itemToClarify', n) }),
		askedBy: (n: number) => w('actes.askedBy', { members: count('member', n) }),
		preconisations: w('actes.preconisations'),
		precoIntro: (total: number, clarify: number) => w('actes.precoIntro', { preconisations: count('preconisation', total), clarify }),
		noPreco: w('actes.noPreco'),
		noHeading: w('actes.noHeading'),
		/** The heading of one level's list, or of the items without a level. */
		forLevel: (l: Level | null) => (l === null ? w('actes.noLevel') : w('actes.forLevel', { level: w(`board.level.${l}`) })),
		/** The other levels of an item, named after it: « aussi pour… » under a level, « pour… » elsewhere. */
		otherLevels: (levels: readonly Level[], listedUnder: Level | null) =>
			w(listedUnder === null ? 'actes.toLevels' : 'actes.also', { levels: levels.map((l) => w(`board.level.${l}`)).join(and) }),
		original: w('actes.original'),
		support: (n: number) => w('actes.support', { people: count('person', n) }),
		source: (statement: string | null, group: number, stage: 2 | 3, text: string | null) =>
			w('actes.source', { statement: statement === null ? '' : `${quote(statement)}, `, group, stage, text: text === null ? '' : ` — ${quote(text)}` }),
		precoToClarify: w('actes.precoToClarify'),
		reason: w('actes.reason'),
		participation: w('actes.participation'),
		participationIntro: (total: number, unassigned: number) =>
			w('actes.participationIntro', { tookPart: count('tookPart', total), unassigned: unassigned ? w('actes.unassigned', { n: unassigned }) : '' }),
		byCategory: w('actes.byCategory'),
		category: w('actes.category'),
		total: w('actes.total'),
		people: w('actes.people'),
		residents: w('actes.residents'),
		residentsIntro: (without: number, groups: number) =>
			w('actes.residentsIntro', { without, withoutGroups: count('group', without), groups, allGroups: count('group', groups) }),
		theme: w('actes.theme'),
		residentsColumn: w('actes.residentsColumn'),
		yesNo: (yes: boolean) => w(yes ? 'actes.yes' : 'actes.no'),
		speaking: w('actes.speaking'),
		speakingIntro: w('actes.speakingIntro'),
		memberShare: w('actes.memberShare'),
		timeShare: w('actes.timeShare'),
		withheld: w('actes.withheld'),
		notRecorded: w('actes.notRecorded'),
		speakingTotal: (minutes: number, balance: string | null) =>
			w('actes.speakingTotal', { minutes, balance: balance === null ? '' : w('actes.speakingBalance', { balance }) }),
		noEvaluation: w('actes.noEvaluation'),
		evaluationIntro: (groups: number) => w('actes.evaluationIntro', { answered: count('answered', groups) }),
		question: w('actes.question'),
		mean: w('actes.mean'),
		names: w('actes.names'),
		annex: w('actes.annex'),
		annexIntro: (n: number, outOf: number, percent: string) =>
			n
				? w(n === 1 ? 'actes.annexIntro.one' : 'actes.annexIntro.many', { n, outOf, allItems: count('item', outOf), percent })
				: w('actes.annexNone', { outOf, allItems: count('item', outOf) })
	};
}
