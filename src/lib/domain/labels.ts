/**
 * Composition labels in the conventions of the 2017 actes (« Pluriprofessionnel, habitante »,
 * « Médiatrices, infirmière »…), computed from members' declared categories, and the warnings
 * shown while people can still move. Words come from the i18n dictionaries (`label.*`);
 * docs/categories.md explains the rules and how they compare with the 24 labels of 2017.
 *
 * Rules:
 * - each person is counted under what they declared; a detail replaces its family
 *   (« médecin » rather than « professionnel·le de santé »); « je préfère ne pas dire » is left
 *   out unless nobody said anything;
 * - the summary words gather practitioners: two or more distinct care professions (médecin,
 *   infirmier·e…) → « Pluriprofessionnel », plus social workers → « Pluriprofessionnel
 *   intersectoriel »; one care profession (or « professionnel·le de santé ») with social workers
 *   → « Intersectoriel »; coordination, administration, reception and social-sector managers are
 *   always named, as in « Professionnels : coordinateurs, administratif… » and « Médecins, cadre
 *   du social »;
 * - everything else is named, in the plural when several people hold it, after the summary word,
 *   by number of people, then in the order of TERMS (professions before residents);
 * - professionals and residents (or patients) together make the group « Mixte », with the rest
 *   of the label after a colon: « Mixte : pluriprofessionnel, habitant·e »;
 * - gender is never asked, so terms use inclusive forms (habitant·e·s).
 */
import { dictionaries, type Lang, type MessageKey } from '../i18n/words';
import { familiesOf, familyOf, isProfessional, isResidentVoice, type Category } from './categories';

type Named = Exclude<Category, 'nsp'>;

const word = (lang: Lang, key: MessageKey) => dictionaries[lang][key];

/** Among equal numbers of people, terms follow this order: care, practice, social, other professions, then residents. */
const TERMS: readonly Named[] = [
	'medecin',
	'infirmier',
	'pharmacien',
	'kine',
	'psychologue',
	'dieteticien',
	'sagefemme',
	'sante',
	'coordinateur',
	'administratif',
	'agent-accueil',
	'travailleur-social',
	'social',
	'cadre-social',
	'mediation',
	'institution',
	'charge-mission',
	'charge-projet',
	'recherche',
	'habitant',
	'usager',
	'conseiller-citoyen',
	'patient',
	'patient-expert',
	'representant-usagers',
	'autre'
];

/** How a label names a category held by this many people. */
function term(c: Named, people: number, lang: Lang): string {
	const [one, many] = word(lang, `label.${c}`).split('|') as [string, string];
	return people > 1 ? many : one;
}

/** The legend printed with labels (actes). */
export const LABEL_GLOSSARY: Record<Lang, readonly { term: string; meaning: string }[]> = {
	fr: glossary('fr'),
	en: glossary('en')
};
function glossary(lang: Lang) {
	return (['pluri', 'inter', 'mixed'] as const).map((k) => ({ term: word(lang, `label.${k}`), meaning: word(lang, `label.${k}Meaning`) }));
}

const CARE_PROFESSIONS: readonly Named[] = ['medecin', 'infirmier', 'pharmacien', 'kine', 'psychologue', 'dieteticien', 'sagefemme'];
const CARE: readonly Named[] = [...CARE_PROFESSIONS, 'sante'];
const SOCIAL: readonly Named[] = ['travailleur-social', 'social'];

export interface Member {
	categories: readonly Category[];
}

/** What a member is named by: their declarations, a detail replacing its family, without « nsp ». */
function namedBy(m: Member): Named[] {
	const said = new Set(m.categories.filter((c): c is Named => c !== 'nsp'));
	for (const c of said) if (familyOf(c) !== c) said.delete(familyOf(c) as Named);
	return [...said];
}

/** The summary word the group earns, if any, and the categories it stands for. */
function summaryOf(present: ReadonlySet<Named>) {
	const has = (cs: readonly Named[]) => cs.some((c) => present.has(c));
	if (CARE_PROFESSIONS.filter((c) => present.has(c)).length >= 2) {
		return has(SOCIAL) ? { key: 'label.pluriInter' as const, gathers: [...CARE, ...SOCIAL] } : { key: 'label.pluri' as const, gathers: CARE };
	}
	if (has(CARE) && has(SOCIAL)) return { key: 'label.inter' as const, gathers: [...CARE, ...SOCIAL] };
	return undefined;
}

export function compositionLabel(members: readonly Member[], lang: Lang = 'fr'): string {
	const named = members.map(namedBy);
	const present = new Set(named.flat());
	if (present.size === 0) return word(lang, 'label.unknown');
	const holders = (c: Named) => named.filter((n) => n.includes(c)).length;

	const summary = summaryOf(present);
	const terms = [...present]
		.filter((c) => !summary?.gathers.includes(c))
		.map((c) => ({ c, people: holders(c) }))
		.sort((a, b) => b.people - a.people || TERMS.indexOf(a.c) - TERMS.indexOf(b.c))
		.map(({ c, people }) => term(c, people, lang));
	// The summary word heads the list, as in every 2017 label that has one.
	const list = (summary ? [word(lang, summary.key), ...terms] : terms).join(', ');
	const mixed = members.some((m) => isProfessional(m.categories)) && members.some((m) => isResidentVoice(m.categories));
	const text = mixed ? `${word(lang, 'label.mixed')}${word(lang, 'label.colon')}${list.charAt(0).toLowerCase()}${list.slice(1)}` : list;
	return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface CompositionWarnings {
	/** No habitant·e, usager·e or patient·e. Not raised while someone's categories are unknown: they may be one. */
	noResidentVoice: boolean;
	/** Two or more people, all of one single family (and nothing else). Not raised while someone's categories are unknown. */
	singleFamily: boolean;
}

export function compositionWarnings(members: readonly Member[]): CompositionWarnings {
	const families = members.map((m) => familiesOf(m.categories));
	// familiesOf keeps « nsp » only when it is all a person said.
	const unknown = families.some((fs) => fs.length === 0 || fs[0] === 'nsp');
	return {
		noResidentVoice: members.length > 0 && !unknown && !members.some((m) => isResidentVoice(m.categories)),
		singleFamily: members.length >= 2 && !unknown && new Set(families.flat()).size === 1
	};
}
