import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, isProfessional, isResidentVoice, type Category } from '../../src/lib/domain/categories';
import { LABEL_GLOSSARY, compositionLabel, compositionWarnings, type Member } from '../../src/lib/domain/labels';

/** `people([['medecin'], 2], [['habitant'], 1])`: two doctors and a resident. */
const people = (...spec: [Category[], number][]): Member[] =>
	spec.flatMap(([categories, n]) => Array.from({ length: n }, () => ({ categories })));

describe('compositionLabel', () => {
	it('uses inclusive forms, singular for one person and plural for several', () => {
		expect(compositionLabel(people([['habitant'], 1]))).toBe('Habitant·e');
		expect(compositionLabel(people([['habitant'], 2]))).toBe('Habitant·e·s');
		expect(compositionLabel(people([['mediation'], 2], [['infirmier'], 1]))).toBe('Médiateur·rice·s, infirmier·e');
		expect(compositionLabel(people([['travailleur-social'], 2]))).toBe('Travailleur·se·s sociaux·ales');
		expect(compositionLabel(people([['sagefemme'], 2], [['autre'], 1]))).toBe('Sages-femmes, autre profil');
	});
	it('puts the summary word first, then terms by number of people, professions before other voices', () => {
		expect(compositionLabel(people([['institution'], 1], [['recherche'], 3]))).toBe('Chercheur·e·s, représentant·e d’institution');
		expect(compositionLabel(people([['patient'], 1], [['habitant'], 1]))).toBe('Habitant·e, patient·e partenaire');
		expect(compositionLabel(people([['habitant'], 3], [['medecin'], 1], [['infirmier'], 1]))).toBe('Mixte\u00a0: pluriprofessionnel, habitant·e·s');
	});
	it('calls two or more distinct care professions « Pluriprofessionnel », whatever their number of people', () => {
		expect(compositionLabel(people([['medecin'], 1], [['kine'], 1]))).toBe('Pluriprofessionnel');
		expect(compositionLabel(people([['medecin'], 4]))).toBe('Médecins');
	});
	it('adds « intersectoriel » with social workers, and says « Intersectoriel » for one care profession and social workers', () => {
		expect(compositionLabel(people([['medecin'], 1], [['psychologue'], 1], [['social'], 1]))).toBe('Pluriprofessionnel intersectoriel');
		expect(compositionLabel(people([['medecin'], 1], [['travailleur-social'], 1]))).toBe('Intersectoriel');
		// Families only, as on today's join screen.
		expect(compositionLabel(people([['sante'], 2], [['social'], 1], [['habitant'], 1]))).toBe('Mixte\u00a0: intersectoriel, habitant·e');
	});
	it('names coordination, administration, reception and social-sector managers outside the summary word', () => {
		expect(compositionLabel(people([['medecin'], 1], [['infirmier'], 1], [['coordinateur'], 1], [['cadre-social'], 1]))).toBe(
			'Pluriprofessionnel, coordinateur·rice, cadre du social'
		);
		expect(compositionLabel(people([['medecin'], 1], [['cadre-social'], 1]))).toBe('Médecin, cadre du social');
	});
	it('does not count « professionnel·le de santé » as one more profession', () => {
		// It may well be a second doctor.
		expect(compositionLabel(people([['medecin'], 1], [['sante'], 1]))).toBe('Médecin, professionnel·le de santé');
		expect(compositionLabel(people([['medecin'], 1], [['infirmier'], 1], [['sante'], 1]))).toBe('Pluriprofessionnel');
	});
	it('counts a person under each thing they declared, but once in a summary word', () => {
		expect(compositionLabel([{ categories: ['habitant', 'infirmier'] }, { categories: ['habitant'] }])).toBe('Mixte\u00a0: habitant·e·s, infirmier·e');
		expect(compositionLabel([{ categories: ['medecin', 'travailleur-social'] }, { categories: ['mediation'] }, { categories: ['mediation'] }])).toBe(
			'Intersectoriel, médiateur·rice·s'
		);
	});
	it('lets a detail replace its family', () => {
		expect(compositionLabel([{ categories: ['sante', 'medecin'] }, { categories: ['institution', 'charge-mission'] }])).toBe(
			'Médecin, chargé·e de mission'
		);
		expect(compositionLabel([{ categories: ['sante', 'medecin'] }])).toBe('Médecin');
	});
	it('says « non précisé » only when nobody said anything', () => {
		expect(compositionLabel([])).toBe('Composition non précisée');
		expect(compositionLabel(people([['nsp'], 2], [[], 1]))).toBe('Composition non précisée');
		expect(compositionLabel(people([['nsp'], 2], [['habitant'], 1]))).toBe('Habitant·e');
		expect(compositionLabel([{ categories: ['nsp', 'habitant'] }])).toBe('Habitant·e');
	});
	it('speaks English', () => {
		expect(compositionLabel(people([['medecin'], 1], [['infirmier'], 1], [['habitant'], 2]), 'en')).toBe('Mixed: multi-professional, residents');
		expect(compositionLabel(people([['medecin'], 1], [['social'], 1]), 'en')).toBe('Cross-sector');
		expect(compositionLabel(people([['kine'], 1], [['medecin'], 1], [['social'], 1], [['recherche'], 1]), 'en')).toBe(
			'Cross-sector multi-professional, researcher'
		);
		expect(compositionLabel(people([['mediation'], 3], [['institution'], 1]), 'en')).toBe('Mediators, institution representative');
		expect(compositionLabel(people([['nsp'], 1]), 'en')).toBe('Composition not given');
	});
	it('calls professionals and residents together « Mixte », with the rest of the label after a colon', () => {
		expect(compositionLabel(people([['medecin'], 1], [['infirmier'], 1], [['mediation'], 1], [['habitant'], 2], [['patient'], 1]))).toBe(
			'Mixte\u00a0: pluriprofessionnel, habitant·e·s, médiateur·rice, patient·e partenaire'
		);
		expect(compositionLabel(people([['medecin'], 2], [['conseiller-citoyen'], 2]))).toBe('Mixte\u00a0: médecins, conseiller·e·s citoyen·ne·s');
		expect(compositionLabel(people([['charge-projet'], 1], [['usager'], 1]))).toBe('Mixte\u00a0: chargé·e de projet, usager·e');
		expect(compositionLabel(people([['recherche'], 1], [['representant-usagers'], 1]), 'en')).toBe('Mixed: researcher, users’ representative');
	});
	it('is « Mixte » only with both: residents with « autre » or unsaid, or professionals alone, are named', () => {
		expect(compositionLabel(people([['habitant'], 2], [['autre'], 1], [['nsp'], 1]))).toBe('Habitant·e·s, autre profil');
		expect(compositionLabel(people([['medecin'], 1], [['infirmier'], 1], [['institution'], 1]))).toBe('Pluriprofessionnel, représentant·e d’institution');
		expect(compositionLabel(people([['habitant'], 1], [['usager'], 1], [['patient-expert'], 1]))).toBe('Habitant·e, usager·e, patient·e expert·e');
	});
	it('has a glossary in both languages, term for term', () => {
		expect(LABEL_GLOSSARY.fr.map((g) => g.term)).toEqual(['Pluriprofessionnel', 'Intersectoriel', 'Mixte']);
		expect(LABEL_GLOSSARY.en.map((g) => g.term)).toEqual(['Multi-professional', 'Cross-sector', 'Mixed']);
	});

	const anyMembers = fc.array(
		fc.record({ categories: fc.uniqueArray(fc.constantFrom(...CATEGORIES), { maxLength: 3 }) }),
		{ maxLength: 8 }
	);
	it('whatever the group: one capitalised line of distinct terms, independent of seating order', () => {
		fc.assert(
			fc.property(anyMembers, fc.constantFrom('fr' as const, 'en' as const), (members, lang) => {
				const label = compositionLabel(members, lang);
				expect(label).toMatch(/^\p{Lu}/u);
				const terms = label.split(', ');
				expect(new Set(terms.map((t) => t.toLowerCase())).size).toBe(terms.length);
				expect(compositionLabel([...members].reverse(), lang)).toBe(label);
			})
		);
	});
	it('whatever the group: « Mixte » exactly when a professional and a resident or patient are in it', () => {
		fc.assert(
			fc.property(anyMembers, (members) => {
				const both = members.some((m) => isProfessional(m.categories)) && members.some((m) => isResidentVoice(m.categories));
				expect(compositionLabel(members).startsWith('Mixte\u00a0: ')).toBe(both);
				expect(compositionLabel(members, 'en').startsWith('Mixed: ')).toBe(both);
			})
		);
	});
});

describe('compositionWarnings', () => {
	it('flags groups without residents, users or patients', () => {
		expect(compositionWarnings(people([['medecin'], 3])).noResidentVoice).toBe(true);
		expect(compositionWarnings(people([['mediation'], 2], [['institution'], 1])).noResidentVoice).toBe(true);
		expect(compositionWarnings(people([['medecin'], 3], [['patient'], 1])).noResidentVoice).toBe(false);
		expect(compositionWarnings(people([['medecin'], 3], [['representant-usagers'], 1])).noResidentVoice).toBe(false);
		expect(compositionWarnings(people([['medecin'], 1], [['conseiller-citoyen'], 1])).noResidentVoice).toBe(false);
		expect(compositionWarnings([{ categories: ['infirmier', 'habitant'] }, { categories: ['medecin'] }]).noResidentVoice).toBe(false);
	});
	it('does not guess when someone preferred not to say', () => {
		expect(compositionWarnings(people([['medecin'], 3], [['nsp'], 1]))).toEqual({ noResidentVoice: false, singleFamily: false });
		expect(compositionWarnings(people([['medecin'], 3], [[], 1]))).toEqual({ noResidentVoice: false, singleFamily: false });
	});
	it('flags two or more people who all share one single family', () => {
		expect(compositionWarnings(people([['medecin'], 1], [['infirmier'], 1], [['sante'], 1])).singleFamily).toBe(true);
		expect(compositionWarnings(people([['habitant'], 2], [['usager'], 1])).singleFamily).toBe(true);
		expect(compositionWarnings(people([['medecin'], 1], [['habitant'], 1])).singleFamily).toBe(false);
		expect(compositionWarnings([{ categories: ['medecin', 'habitant'] }, { categories: ['medecin'] }]).singleFamily).toBe(false);
		expect(compositionWarnings(people([['medecin'], 1])).singleFamily).toBe(false);
	});
	it('says nothing about an empty group', () => {
		expect(compositionWarnings([])).toEqual({ noResidentVoice: false, singleFamily: false });
	});
});
