/**
 * Participant categories, declared by each person (never required).
 * Nine families are offered on the join screen; one tap further, an optional detail (médecin,
 * coordinatrice…) refines a family so that composition labels can read like those of the 2017
 * actes (docs/categories.md).
 * This module is the one glossary of categories: UI, labels, statistics and exports read it.
 */

export const FAMILIES = [
	'habitant',
	'patient',
	'sante',
	'social',
	'mediation',
	'institution',
	'recherche',
	'autre',
	'nsp'
] as const;
export type Family = (typeof FAMILIES)[number];

/** Optional refinements, each belonging to one family. */
export const DETAILS = {
	usager: 'habitant',
	'conseiller-citoyen': 'habitant',
	'patient-expert': 'patient',
	'representant-usagers': 'patient',
	medecin: 'sante',
	infirmier: 'sante',
	pharmacien: 'sante',
	kine: 'sante',
	psychologue: 'sante',
	dieteticien: 'sante',
	sagefemme: 'sante',
	coordinateur: 'sante',
	administratif: 'sante',
	'agent-accueil': 'sante',
	'travailleur-social': 'social',
	'cadre-social': 'social',
	'charge-mission': 'institution',
	'charge-projet': 'autre'
} as const satisfies Record<string, Family>;
export type Detail = keyof typeof DETAILS;

export type Category = Family | Detail;
export const CATEGORIES: readonly Category[] = [...FAMILIES, ...(Object.keys(DETAILS) as Detail[])];

export function isCategory(value: string): value is Category {
	return (CATEGORIES as readonly string[]).includes(value);
}

export function familyOf(category: Category): Family {
	return (FAMILIES as readonly string[]).includes(category)
		? (category as Family)
		: DETAILS[category as Detail];
}

/** The families a person belongs to (a resident who is also a nurse belongs to two). */
export function familiesOf(categories: readonly Category[]): Family[] {
	const out = new Set<Family>();
	for (const c of categories) out.add(familyOf(c));
	// « je préfère ne pas dire » only stands when nothing else was said.
	if (out.size > 1) out.delete('nsp');
	return FAMILIES.filter((f) => out.has(f));
}

/** Residents, users and patients: the voices the Gros Débat must not lose. */
export function isResidentVoice(categories: readonly Category[]): boolean {
	return familiesOf(categories).some((f) => f === 'habitant' || f === 'patient');
}

const PROFESSIONAL_FAMILIES: readonly Family[] = ['sante', 'social', 'mediation', 'institution', 'recherche'];

/** Professionals of any sector (« autre » only as a chargé·e de projet): with residents, a group is « Mixte ». */
export function isProfessional(categories: readonly Category[]): boolean {
	return categories.includes('charge-projet') || familiesOf(categories).some((f) => PROFESSIONAL_FAMILIES.includes(f));
}

/** At most this many categories per person; the forms stop offering more families there. */
export const MAX_DECLARED_CATEGORIES = 6;

/** A family's details, in the order the forms offer them. */
export function detailsOf(family: Family): Detail[] {
	return (Object.keys(DETAILS) as Detail[]).filter((d) => DETAILS[d] === family);
}

/** Whether a person said this family, alone or through one of its details. */
export function holdsFamily(declared: readonly Category[], family: Family): boolean {
	return declared.some((c) => familyOf(c) === family);
}

/**
 * The forms' rules, one per tap. Ticking a family adds it (« je préfère ne pas dire » then goes;
 * ticked itself, it clears the rest); unticking it drops its detail too.
 */
export function withFamily(declared: readonly Category[], family: Family, on: boolean): Category[] {
	if (!on) return declared.filter((c) => familyOf(c) !== family);
	if (family === 'nsp') return ['nsp'];
	return holdsFamily(declared, family) ? [...declared] : [...declared.filter((c) => c !== 'nsp'), family];
}

/** Says a family as one detail, or as the family alone (« je préfère ne pas préciser »): one per family. */
export function withDetail(declared: readonly Category[], chosen: Category): Category[] {
	if (chosen === 'nsp') return ['nsp'];
	const family = familyOf(chosen);
	return [...declared.filter((c) => familyOf(c) !== family && c !== 'nsp'), chosen];
}

/** Normalises a declared list: known ids only, no repeats, nsp alone when nothing else is said. */
export function normaliseCategories(values: readonly string[]): Category[] {
	const known = [...new Set(values.filter(isCategory))];
	return known.length > 1 ? known.filter((c) => c !== 'nsp') : known;
}

/** Markers drawn on the projection: a letter as well as a colour, so colour never carries meaning alone. */
export const FAMILY_MARKERS: Record<Family, { letter: string; colour: string }> = {
	habitant: { letter: 'H', colour: '#b3261e' },
	patient: { letter: 'P', colour: '#8e24aa' },
	sante: { letter: 'S', colour: '#1565c0' },
	social: { letter: 'T', colour: '#00796b' },
	mediation: { letter: 'M', colour: '#e65100' },
	institution: { letter: 'I', colour: '#4e342e' },
	recherche: { letter: 'R', colour: '#37474f' },
	autre: { letter: 'A', colour: '#5d4037' },
	nsp: { letter: '?', colour: '#616161' }
};
