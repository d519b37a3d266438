/**
 * The 24 group labels of the 2017 actes (the Chambéry template, same as
 * ../shared/fixtures/chambery-2017.json), read back: each group's composition is derived from
 * its label as written, Palabre labels that composition, and the two labels must say the same
 * family words. docs/categories.md lists what differs and why.
 */
import { describe, expect, it } from 'vitest';
import type { Category } from '../../src/lib/domain/categories';
import { LABEL_GLOSSARY, compositionLabel, compositionWarnings, type Member } from '../../src/lib/domain/labels';
import template from '../../src/lib/templates/chambery-2017.json' with { type: 'json' };

/** A label's terms, as written, before gender and number are reduced. */
function rawTerms(label: string): string[] {
	const text = label
		.toLowerCase()
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/’/g, "'")
		.replace(/\u00a0/g, ' ')
		.replace(/\([^)]*\)/g, '')
		.replace(/·[a-z]+/g, '')
		// A heading before the list: « Professionnels : » is the writer's, « Mixte : » a summary word.
		.replace(/^professionnels\s*:\s*/, '')
		.replace(/^(\w+)\s*:\s*/, '$1, ')
		.replace(/\s+et\s+/g, ', ')
		.replace(/-/g, ' ');
	return text
		.split(',')
		.map((t) =>
			t
				.trim()
				.split(/\s+/)
				.filter((w) => w && !['un', 'une', 'des'].includes(w))
				.join(' ')
		)
		.filter(Boolean);
}

/** One stem per gender and number: habitante, habitants → habitant; médiatrices → médiateur; chargée → charge. */
const stem = (word: string) =>
	word
		.replace(/(?<=\w{3})s$/, '')
		.replace(/rice$/, 'eur')
		.replace(/euse$/, 'eur')
		.replace(/ere$/, 'er')
		.replace(/enne$/, 'en')
		.replace(/(?<=\w{4})ante$/, 'ant')
		.replace(/ee$/, 'e')
		.replace(/elle$/, 'el');
const stemTerm = (term: string) => term.split(' ').map(stem).join(' ');

/**
 * The family words of a label, compared without the writer's style: case, accents, apostrophes,
 * asides in parentheses, the « Professionnels : » heading, « et » for a comma, articles, gender
 * and number (inclusive suffixes, feminine and plural forms), order and repetition.
 */
function familyWords(label: string): string[] {
	return [...new Set(rawTerms(label).map(stemTerm))].sort();
}

/** What each named word of 2017 says about who sat there: one person (two when the word is plural). */
const NAMED: Record<string, Category> = {
	habitant: 'habitant',
	usager: 'usager',
	'conseiller citoyen': 'conseiller-citoyen',
	'patient expert': 'patient-expert',
	"representant d'usager": 'representant-usagers',
	medecin: 'medecin',
	infirmier: 'infirmier',
	psychologue: 'psychologue',
	'professionnel de sante': 'sante',
	coordinateur: 'coordinateur',
	administratif: 'administratif',
	"agent d'accueil": 'agent-accueil',
	'cadre du social': 'cadre-social',
	mediateur: 'mediation',
	"representant d'institution": 'institution',
	'charge de mission': 'charge-mission',
	'charge de projet': 'charge-projet',
	chercheur: 'recherche'
};
/** A summary word stands for the smallest group that earns it, by the legend. */
const SUMMARIES: Record<string, Category[]> = {
	pluriprofessionnel: ['medecin', 'infirmier'],
	'pluriprofessionnel intersectoriel': ['medecin', 'infirmier', 'travailleur-social'],
	intersectoriel: ['medecin', 'travailleur-social'],
	mixte: ['sante', 'habitant']
};

/** The group a 2017 label describes, or the words it cannot be read from. */
function composition(label: string): { members: Member[] } | { unknown: string[] } {
	const members: Member[] = [];
	const unknown: string[] = [];
	for (const raw of rawTerms(label)) {
		const term = stemTerm(raw);
		const summary = SUMMARIES[term];
		const named = NAMED[term];
		if (summary) members.push(...summary.map((c) => ({ categories: [c] })));
		else if (named) for (let k = 0; k < (/s$/.test(raw.split(' ')[0] ?? '') ? 2 : 1); k++) members.push({ categories: [named] });
		else unknown.push(raw);
	}
	return unknown.length ? { unknown } : { members };
}

/** The 2017 labels no composition can be read from, and why. */
const CANNOT_MATCH: Record<string, string> = {
	'Habitants, professionnelle':
		'« professionnelle » names no profession: of health, social work, mediation? Palabre names what the person declared (« médiatrice », « professionnel·le de santé »…), never a bare « professionnel·le ».'
};

/**
 * The 2017 labels of groups with professionals and residents (or patients) that did not say
 * « Mixte »: the writers used the word once, Palabre uses it for every such group (the legend's
 * meaning), with the 2017 words after the colon.
 */
const GAINS_MIXTE = [
	'Pluriprofessionnel, habitante',
	'Pluriprofessionnel, habitants',
	'Pluriprofessionnel, habitant',
	'Médecins, conseillers citoyens',
	'Habitants (ou représentants) et coordinatrice',
	'Pluriprofessionnel, conseillère citoyenne',
	'Pluriprofessionnel intersectoriel, usagers',
	'Pluriprofessionnel, habitants',
	'Représentant d’usager, chargés de mission, chercheuse, agent d’accueil, psychologue',
	'Professionnel de santé, administratif, représentante d’institution, patient-expert',
	'médecins, habitant',
	'Professionnels de santé, administratif, représentante d’institution, Habitante'
];

const ALL = template.themes.flatMap((t) => t.statements.flatMap((s) => s.groupLabels));
const SUMMARY_WORDS = Object.keys(SUMMARIES);
const readable = ALL.flatMap((label) => {
	const c = composition(label);
	return 'members' in c ? [{ label, members: c.members, computed: compositionLabel(c.members) }] : [];
});

describe('family words (the comparison with 2017)', () => {
	it('reduce gender, number, asides and headings', () => {
		expect(familyWords('Habitants (ou représentants) et coordinatrice')).toEqual(['coordinateur', 'habitant']);
		expect(familyWords('Habitant·e·s, coordinateur·rice')).toEqual(['coordinateur', 'habitant']);
		expect(familyWords('Médiatrices, médiateurs, infirmière')).toEqual(['infirmier', 'mediateur']);
		expect(familyWords('Professionnels : coordinateurs, administratif')).toEqual(['administratif', 'coordinateur']);
		expect(familyWords('Mixte\u00a0: pluriprofessionnel, habitant·e')).toEqual(['habitant', 'mixte', 'pluriprofessionnel']);
		expect(familyWords('Pluriprofessionnel intersectoriel, une représentante d’institution')).toEqual([
			'pluriprofessionnel intersectoriel',
			"representant d'institution"
		]);
	});
	it('keep distinct terms distinct', () => {
		expect(familyWords('Médecins, habitant')).not.toEqual(familyWords('Médecins, usager'));
		expect(familyWords('Pluriprofessionnel')).not.toEqual(familyWords('Pluriprofessionnel intersectoriel'));
		expect(familyWords('Chargée de mission')).not.toEqual(familyWords('Chargée de projet'));
	});
	it('read a composition from a label, two people for a plural', () => {
		expect(composition('Médecins, habitante')).toEqual({
			members: [{ categories: ['medecin'] }, { categories: ['medecin'] }, { categories: ['habitant'] }]
		});
		expect(composition('Habitants, professionnelle')).toEqual({ unknown: ['professionnelle'] });
	});
});

describe('the 24 labels of the 2017 actes', () => {
	it('are all accounted for: 23 read back, 1 cannot be', () => {
		expect(ALL).toHaveLength(24);
		const unreadable = ALL.filter((label) => 'unknown' in composition(label));
		expect(unreadable).toEqual(Object.keys(CANNOT_MATCH));
		expect(readable).toHaveLength(23);
	});
	it('describe groups of at most six', () => {
		for (const { label, members } of readable) expect(members.length, label).toBeLessThanOrEqual(template.maxGroupSize);
	});
	it.each(readable.map((r) => [r.label, r] as const))('« %s » gets the same family words', (label, { computed }) => {
		const was = familyWords(label);
		const now = familyWords(computed);
		if (was.length === 1 && SUMMARY_WORDS.includes(was[0] as string)) {
			// A summary word alone (« Mixte »): the 2017 writer gave no detail to compare.
			expect(now, computed).toContain(was[0]);
			return;
		}
		expect(now.filter((w) => w !== 'mixte'), computed).toEqual(was.filter((w) => w !== 'mixte'));
		if (was.includes('mixte')) expect(now).toContain('mixte');
	});
	it('add « Mixte » exactly where professionals and residents sat together', () => {
		const gained = readable.filter((r) => familyWords(r.computed).includes('mixte') && !familyWords(r.label).includes('mixte'));
		expect(gained.map((r) => r.label)).toEqual(GAINS_MIXTE);
		for (const r of gained) expect(r.computed, r.label).toMatch(/^Mixte\u00a0: /);
	});
	it('label the group 2017 called « Mixte » with its detail after the colon', () => {
		const mixte = readable.find((r) => r.label === 'Mixte');
		expect(mixte?.computed).toBe('Mixte\u00a0: professionnel·le de santé, habitant·e');
	});
	it('show what Palabre writes for each', () => {
		const by = Object.fromEntries(readable.map((r) => [r.label, r.computed]));
		expect(by['Pluriprofessionnel, habitante']).toBe('Mixte\u00a0: pluriprofessionnel, habitant·e');
		expect(by['Professionnels : coordinateurs, administratif, représentant d’institution']).toBe(
			'Coordinateur·rice·s, administratif·ve, représentant·e d’institution'
		);
		expect(by['Médecins, cadre du social']).toBe('Médecins, cadre du social');
		expect(by['Pluriprofessionnel intersectoriel, usagers']).toBe('Mixte\u00a0: pluriprofessionnel intersectoriel, usager·e·s');
		expect(by['Représentant d’usager, chargés de mission, chercheuse, agent d’accueil, psychologue']).toBe(
			'Mixte\u00a0: chargé·e·s de mission, psychologue, agent d’accueil, chercheur·e, représentant·e d’usagers'
		);
		expect(by['Médiatrices, médiateurs, infirmière']).toBe('Médiateur·rice·s, infirmier·e');
		expect(by['Intersectoriel, représentant d’institution']).toBe('Intersectoriel, représentant·e d’institution');
	});
	it('10 of the 23 groups read back had no resident, user or patient voice', () => {
		// GROS-DEBAT.md counts 10 of 24, « Habitants, professionnelle » having residents.
		expect(readable.filter((r) => compositionWarnings(r.members).noResidentVoice).map((r) => r.label)).toEqual([
			'Professionnels : coordinateurs, administratif, représentant d’institution',
			'Médecins, cadre du social',
			'Pluriprofessionnel intersectoriel, une représentante d’institution',
			'Intersectoriel, représentant d’institution',
			'Professionnels de santé, administratif',
			'Médiatrices, chargée de projet, médecin',
			'Médiatrices, médiateurs, infirmière',
			'Médiatrices, infirmière',
			'Médiatrices, médecin, chargée de mission',
			'Pluriprofessionnel, chercheur'
		]);
	});
	it('the legend of the fixture agrees with the glossary', () => {
		for (const [term, meaning] of Object.entries(template.legend)) {
			const entry = LABEL_GLOSSARY.fr.find((g) => g.term === term);
			expect(entry && familyWords(entry.meaning), term).toEqual(familyWords(meaning));
		}
	});
});
