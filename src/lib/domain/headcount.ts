import { familiesOf, type Category, type Family } from './categories';

export type FamilyCounts = Partial<Record<Family, number>>;

export interface Headcount {
	total: number;
	byFamily: FamilyCounts;
}

/** People counted once in total and once in each family they declared. */
export function headcount(people: readonly { categories: readonly Category[] }[]): Headcount {
	const byFamily: Headcount['byFamily'] = {};
	for (const p of people) {
		const families = familiesOf(p.categories);
		for (const f of families.length ? families : (['nsp'] as const)) byFamily[f] = (byFamily[f] ?? 0) + 1;
	}
	return { total: people.length, byFamily };
}
