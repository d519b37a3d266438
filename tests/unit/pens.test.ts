import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carriedPens, passedOn, type StagePens } from '../../src/lib/domain/pens';

const ids = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 4 });
const pens = fc.tuple(ids, ids, ids) as fc.Arbitrary<StagePens>;

describe('the pen across stages', () => {
	it('stays with the rapporteur of stage 1 at stages 2 and 3', () => {
		const start: StagePens = [['alice'], [], []];
		const two = carriedPens(start, 1, 2);
		expect(two).toEqual(['alice']);
		expect(carriedPens([['alice'], two, []], 2, 3)).toEqual(['alice']);
	});

	it('goes from the last stage that had one when a group skips or nobody wrote', () => {
		expect(carriedPens([['alice'], [], []], 1, 3)).toEqual(['alice']);
		expect(carriedPens([['alice'], [], []], 2, 3)).toEqual(['alice']);
		expect(carriedPens([[], [], []], 1, 2)).toEqual([]);
	});

	it('is never carried to a stage with its own holders, backwards, from before the stages, or to the evaluation', () => {
		fc.assert(
			fc.property(pens, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), (p, from, to) => {
				const carried = carriedPens(p, from, to);
				if (from < 1 || to <= from || to > 3 || (p[to - 1] ?? []).length) expect(carried).toEqual([]);
				// What is carried is always the holders of one earlier stage.
				else if (carried.length) expect(p.slice(0, to - 1)).toContainEqual(carried);
			})
		);
	});

	it('is passed on when someone who did not write the stage before takes it', () => {
		// Alice carried it from stage 1 to 2; Bruno takes it: Alice gives it up.
		expect(passedOn([['alice'], ['alice'], []], 2, 'bruno')).toEqual(['alice']);
		// Chloé took it at stage 2 herself, beside Alice's carried pen: she keeps it, Alice gives it up.
		expect(passedOn([['alice'], ['alice', 'chloe'], []], 2, 'bruno')).toEqual(['alice']);
		// A co-writer of stage 1 joins, a taker at stage 1 joins.
		expect(passedOn([['alice', 'bruno'], ['alice'], []], 2, 'bruno')).toEqual([]);
		expect(passedOn([['alice'], [], []], 1, 'bruno')).toEqual([]);
	});

	it('only ever takes it from people who held the stage and the one before, never from the taker', () => {
		fc.assert(
			fc.property(pens, fc.integer({ min: 1, max: 3 }), fc.constantFrom('a', 'b', 'g'), (p, stage, taker) => {
				const giving = passedOn(p, stage, taker);
				expect(giving).not.toContain(taker);
				for (const id of giving) {
					expect(p[stage - 1]).toContain(id);
					expect(p[stage - 2]).toContain(id);
				}
			})
		);
	});
});
