import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { docName } from '../../src/lib/writeup';
import { yjsProcessOf } from '../../server/realtime/yjsRouting';

describe('routing a write-up to its Yjs process', () => {
	it('puts every doc in exactly one process, the same one every time', () => {
		fc.assert(
			fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (name, k) => {
				const index = yjsProcessOf(name, k);
				expect(Number.isInteger(index)).toBe(true);
				expect(index).toBeGreaterThanOrEqual(0);
				expect(index).toBeLessThan(k);
				expect(yjsProcessOf(name, k)).toBe(index);
			})
		);
	});

	it('with one process, sends everything to it', () => {
		fc.assert(
			fc.property(fc.string(), (name) => {
				expect(yjsProcessOf(name, 1)).toBe(0);
			})
		);
	});

	it('spreads the groups of an event evenly', () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(fc.stringMatching(/^[\w-]{8,21}$/), { minLength: 2_000, maxLength: 2_000 }),
				fc.integer({ min: 2, max: 8 }),
				(groupIds, k) => {
					const per = new Array<number>(k).fill(0);
					for (const id of groupIds) per[yjsProcessOf(docName(id), k)]! += 1;
					const fair = groupIds.length / k;
					// 2,000 docs: a fair hash stays well within ±25 % of the mean in every process.
					for (const n of per) expect(Math.abs(n - fair)).toBeLessThan(fair * 0.25);
				}
			),
			{ numRuns: 20 }
		);
	});
});
