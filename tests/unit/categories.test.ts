import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	DETAILS,
	FAMILIES,
	MAX_DECLARED_CATEGORIES,
	detailsOf,
	familyOf,
	holdsFamily,
	isProfessional,
	normaliseCategories,
	withDetail,
	withFamily,
	type Category
} from '../../src/lib/domain/categories';
import { LIMITS } from '../../src/lib/protocol';

describe('the families and their details', () => {
	it('every detail is offered under its family, once', () => {
		const offered = FAMILIES.flatMap((f) => detailsOf(f));
		expect(offered.sort()).toEqual(Object.keys(DETAILS).sort());
		for (const f of FAMILIES) for (const d of detailsOf(f)) expect(familyOf(d)).toBe(f);
		expect(detailsOf('sante')).toContain('medecin');
		expect(detailsOf('mediation')).toEqual([]);
	});
	it('professionals are of health, social care, mediation, institutions, research, or a chargé·e de projet', () => {
		expect(isProfessional(['kine'])).toBe(true);
		expect(isProfessional(['mediation'])).toBe(true);
		expect(isProfessional(['charge-projet'])).toBe(true);
		expect(isProfessional(['habitant', 'infirmier'])).toBe(true);
		expect(isProfessional(['autre'])).toBe(false);
		expect(isProfessional(['patient-expert'])).toBe(false);
		expect(isProfessional(['nsp'])).toBe(false);
	});
	it('the server accepts what the forms can send', () => {
		expect(LIMITS.categoriesPerPerson).toBe(MAX_DECLARED_CATEGORIES);
	});
});

describe('the forms, tap by tap', () => {
	it('a family, then one tap further its detail, which replaces it', () => {
		let v: Category[] = [];
		v = withFamily(v, 'sante', true);
		expect(v).toEqual(['sante']);
		v = withDetail(v, 'medecin');
		expect(v).toEqual(['medecin']);
		v = withDetail(v, 'infirmier');
		expect(v).toEqual(['infirmier']);
		// « Je préfère ne pas préciser »: the family alone again.
		v = withDetail(v, 'sante');
		expect(v).toEqual(['sante']);
	});
	it('several families, each with its own detail; unticking a family drops its detail', () => {
		let v = withFamily(withFamily([], 'habitant', true), 'sante', true);
		v = withDetail(withDetail(v, 'conseiller-citoyen'), 'infirmier');
		expect(v).toEqual(['conseiller-citoyen', 'infirmier']);
		expect(holdsFamily(v, 'habitant')).toBe(true);
		// Ticking a family already said through its detail keeps the detail.
		expect(withFamily(v, 'habitant', true)).toEqual(v);
		expect(withFamily(v, 'habitant', false)).toEqual(['infirmier']);
	});
	it('« je préfère ne pas dire » stands alone', () => {
		const v = withFamily(withDetail([], 'medecin'), 'nsp', true);
		expect(v).toEqual(['nsp']);
		expect(withFamily(v, 'habitant', true)).toEqual(['habitant']);
		expect(withDetail(v, 'usager')).toEqual(['usager']);
		expect(withDetail(['medecin'], 'nsp')).toEqual(['nsp']);
	});
	it('whatever the taps: one category per family, what the server keeps as is', () => {
		const tap = fc.oneof(
			fc.record({ family: fc.constantFrom(...FAMILIES), on: fc.boolean() }),
			fc.record({ detail: fc.constantFrom(...(Object.keys(DETAILS) as Category[]), ...FAMILIES) })
		);
		fc.assert(
			fc.property(fc.array(tap, { maxLength: 30 }), (taps) => {
				let v: Category[] = [];
				for (const t of taps) v = 'family' in t ? withFamily(v, t.family, t.on) : withDetail(v, t.detail);
				const families = v.map(familyOf);
				expect(new Set(families).size).toBe(v.length);
				if (v.includes('nsp')) expect(v).toEqual(['nsp']);
				expect(normaliseCategories(v)).toEqual(v);
			}),
			{ numRuns: 1000 }
		);
	});
});
