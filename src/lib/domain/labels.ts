/**
 * Composition labels in the style of the 2017 actes (« Pluriprofessionnel, habitante »,
 * « Médiatrices, infirmière »…), computed from members' declared categories, and the warnings
 * shown while people can still move. The glossary of the summary words is defined here, once.
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
 * - gender is never asked, so terms use inclusive forms (habitant·e·s).
 */
import { familiesOf, familyOf, isResidentVoice, type Category } from './categories';

export type Lang = 'fr' | 'en';
type Named = Exclude<Category, 'nsp'>;
type Forms = readonly [singular: string, plural: string];

/** How labels name each category; among equal numbers of people, terms follow this order. */
const TERMS: Record<Named, Record<Lang, Forms>> = {
	medecin: { fr: ['médecin', 'médecins'], en: ['doctor', 'doctors'] },
	infirmier: { fr: ['infirmier·e', 'infirmier·e·s'], en: ['nurse', 'nurses'] },
	pharmacien: { fr: ['pharmacien·ne', 'pharmacien·ne·s'], en: ['pharmacist', 'pharmacists'] },
	kine: { fr: ['kinésithérapeute', 'kinésithérapeutes'], en: ['physiotherapist', 'physiotherapists'] },
	psychologue: { fr: ['psychologue', 'psychologues'], en: ['psychologist', 'psychologists'] },
	dieteticien: { fr: ['diététicien·ne', 'diététicien·ne·s'], en: ['dietitian', 'dietitians'] },
	sagefemme: { fr: ['sage-femme', 'sages-femmes'], en: ['midwife', 'midwives'] },
	sante: { fr: ['professionnel·le de santé', 'professionnel·le·s de santé'], en: ['health professional', 'health professionals'] },
	coordinateur: { fr: ['coordinateur·rice', 'coordinateur·rice·s'], en: ['coordinator', 'coordinators'] },
	administratif: { fr: ['administratif·ve', 'administratif·ve·s'], en: ['administrative staff', 'administrative staff'] },
	'agent-accueil': { fr: ['agent d’accueil', 'agents d’accueil'], en: ['receptionist', 'receptionists'] },
	'travailleur-social': { fr: ['travailleur·se social·e', 'travailleur·se·s sociaux·ales'], en: ['social worker', 'social workers'] },
	social: { fr: ['professionnel·le du social', 'professionnel·le·s du social'], en: ['social care professional', 'social care professionals'] },
	'cadre-social': { fr: ['cadre du social', 'cadres du social'], en: ['social care manager', 'social care managers'] },
	mediation: { fr: ['médiateur·rice', 'médiateur·rice·s'], en: ['mediator', 'mediators'] },
	institution: { fr: ['représentant·e d’institution', 'représentant·e·s d’institution'], en: ['institution representative', 'institution representatives'] },
	'charge-mission': { fr: ['chargé·e de mission', 'chargé·e·s de mission'], en: ['policy officer', 'policy officers'] },
	'charge-projet': { fr: ['chargé·e de projet', 'chargé·e·s de projet'], en: ['project manager', 'project managers'] },
	recherche: { fr: ['chercheur·e', 'chercheur·e·s'], en: ['researcher', 'researchers'] },
	habitant: { fr: ['habitant·e', 'habitant·e·s'], en: ['resident', 'residents'] },
	usager: { fr: ['usager·e', 'usager·e·s'], en: ['service user', 'service users'] },
	'conseiller-citoyen': { fr: ['conseiller·e citoyen·ne', 'conseiller·e·s citoyen·ne·s'], en: ['citizen councillor', 'citizen councillors'] },
	patient: { fr: ['patient·e partenaire', 'patient·e·s partenaires'], en: ['partner patient', 'partner patients'] },
	'patient-expert': { fr: ['patient·e expert·e', 'patient·e·s expert·e·s'], en: ['expert patient', 'expert patients'] },
	'representant-usagers': { fr: ['représentant·e d’usagers', 'représentant·e·s d’usagers'], en: ['users’ representative', 'users’ representatives'] },
	autre: { fr: ['autre profil', 'autres profils'], en: ['other', 'others'] }
};
const ORDER = Object.keys(TERMS) as Named[];

/** The legend printed with labels (projection, actes); « Mixte » is never computed but organisers write it. */
export const LABEL_GLOSSARY: Record<Lang, readonly { term: string; meaning: string }[]> = {
	fr: [
		{ term: 'Pluriprofessionnel', meaning: 'plusieurs professions de santé' },
		{ term: 'Intersectoriel', meaning: 'professionnel·le·s de la santé et du social' },
		{ term: 'Mixte', meaning: 'professionnel·le·s et habitant·e·s ensemble' }
	],
	en: [
		{ term: 'Multi-professional', meaning: 'several health professions' },
		{ term: 'Cross-sector', meaning: 'health and social care professionals' },
		{ term: 'Mixed', meaning: 'professionals and residents together' }
	]
};

const WORDS = {
	pluri: { fr: 'Pluriprofessionnel', en: 'Multi-professional' },
	pluriInter: { fr: 'Pluriprofessionnel intersectoriel', en: 'Cross-sector multi-professional' },
	inter: { fr: 'Intersectoriel', en: 'Cross-sector' },
	unknown: { fr: 'Composition non précisée', en: 'Composition not given' }
} as const;

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
		return has(SOCIAL) ? { words: WORDS.pluriInter, gathers: [...CARE, ...SOCIAL] } : { words: WORDS.pluri, gathers: CARE };
	}
	if (has(CARE) && has(SOCIAL)) return { words: WORDS.inter, gathers: [...CARE, ...SOCIAL] };
	return undefined;
}

export function compositionLabel(members: readonly Member[], lang: Lang = 'fr'): string {
	const named = members.map(namedBy);
	const present = new Set(named.flat());
	if (present.size === 0) return WORDS.unknown[lang];
	const holders = (cs: readonly Named[]) => named.filter((n) => n.some((c) => cs.includes(c))).length;

	const summary = summaryOf(present);
	const terms = [...present]
		.filter((c) => !summary?.gathers.includes(c))
		.map((c) => ({ c, people: holders([c]) }))
		.sort((a, b) => b.people - a.people || ORDER.indexOf(a.c) - ORDER.indexOf(b.c))
		.map(({ c, people }) => TERMS[c][lang][people > 1 ? 1 : 0]);
	// The summary word heads the label, as in every 2017 label that has one.
	const text = (summary ? [summary.words[lang], ...terms] : terms).join(', ');
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
