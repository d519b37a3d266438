import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Refusal } from '../../src/lib/domain/refusal';
import { choiceOpened, moved, planStatements } from '../../src/lib/domain/statements';

const current = [
	{ id: 'a', text: 'Ca va' },
	{ id: 'b', text: 'Equipe' },
	{ id: 'c', text: 'Troisième' }
];

function refusalOf(fn: () => unknown): Refusal {
	try {
		fn();
	} catch (err) {
		if (err instanceof Refusal) return err;
		throw err;
	}
	throw new Error('not refused');
}

describe('editing a room’s statements', () => {
	it('says what is reworded, added, removed and in which order', () => {
		const plan = planStatements(current, [{ id: 'b', text: 'Équipe' }, { text: 'Nouveau' }, { id: 'a', text: 'Ca va' }], new Set());
		expect(plan).toEqual({
			list: [{ id: 'b', text: 'Équipe' }, { id: null, text: 'Nouveau' }, { id: 'a', text: 'Ca va' }],
			reworded: [{ id: 'b', before: 'Equipe', after: 'Équipe' }],
			removed: ['c']
		});
	});

	it('refuses removing a chosen statement, an unknown id, or an id twice', () => {
		expect(refusalOf(() => planStatements(current, [{ id: 'a', text: 'Ca va' }], new Set(['c'])))).toMatchObject({
			code: 'statementChosen',
			params: { text: 'Troisième' },
			message: 'impossible de retirer « Troisième » : un groupe l’a déjà choisi'
		});
		expect(refusalOf(() => planStatements(current, [{ id: 'z', text: 'x' }], new Set())).code).toBe('statementUnknown');
		expect(refusalOf(() => planStatements(current, [{ id: 'a', text: 'x' }, { id: 'a', text: 'y' }], new Set())).code).toBe('statementTwice');
	});

	it('logs only once the choice has opened', () => {
		expect(['welcome', 'presentation', 'choice', 'groups'].map((p) => choiceOpened(p as 'choice'))).toEqual([false, false, true, true]);
	});

	it('keeps the wanted order and never removes a chosen statement (property)', () => {
		const ids = ['a', 'b', 'c', 'd', 'e'];
		fc.assert(
			fc.property(
				fc.shuffledSubarray(ids),
				fc.subarray(ids),
				fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
				fc.nat(3),
				(keep, chosen, reword, added) => {
					const now = ids.map((id) => ({ id, text: `texte ${id}` }));
					const wanted = [...keep.map((id, i) => ({ id, text: reword[i] ? `nouveau ${id}` : `texte ${id}` })), ...Array.from({ length: added }, (_, i) => ({ text: `ajout ${i}` }))];
					const taken = chosen.filter((id) => !keep.includes(id));
					if (taken.length) {
						expect(refusalOf(() => planStatements(now, wanted, new Set(chosen))).code).toBe('statementChosen');
						return;
					}
					const plan = planStatements(now, wanted, new Set(chosen));
					expect(plan.list.map((s) => s.text)).toEqual(wanted.map((w) => w.text));
					expect(plan.removed.sort()).toEqual(ids.filter((id) => !keep.includes(id)));
					expect(plan.reworded.map((r) => r.id)).toEqual(keep.filter((_, i) => reword[i]));
					for (const r of plan.removed) expect(chosen).not.toContain(r);
				}
			)
		);
	});

	it('moves one item, as a drag or an up/down button does (property)', () => {
		fc.assert(
			fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 10 }), fc.nat(12), fc.nat(12), (list, from, to) => {
				const out = moved(list, from, to);
				expect([...out].sort()).toEqual([...list].sort());
				if (from < list.length && to < list.length) expect(out[to]).toBe(list[from]);
				else expect(out).toEqual(list);
			})
		);
	});
});
