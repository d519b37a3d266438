import { familiesOf, type Category } from './categories';
import type { Headcount } from '../views';

/** People counted once in total and once in each family they declared. */
export function headcount(people: readonly { categories: readonly Category[] }[]): Headcount {
	const byFamily: Headcount['byFamily'] = {};
	for (const p of people) {
		const families = familiesOf(p.categories);
		for (const f of families.length ? families : (['nsp'] as const)) byFamily[f] = (byFamily[f] ?? 0) + 1;
	}
	return { total: people.length, byFamily };
}
