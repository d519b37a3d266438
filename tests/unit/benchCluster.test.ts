/** The cluster benchmark's small rules: which node counts run, and the per-participant costs it compares. */
import { describe, expect, it } from 'vitest';
import { parseNodes } from '../../bench/cluster';
import { costOf, relativeToFirst } from '../../bench/report';

describe('--nodes', () => {
	it('always measures one node alongside, each count once, in order', () => {
		expect(parseNodes('3')).toEqual([1, 3]);
		expect(parseNodes('3,2')).toEqual([1, 2, 3]);
		expect(parseNodes('1')).toEqual([1]);
		expect(parseNodes('2, 2')).toEqual([1, 2]);
	});

	it('refuses what is not a small whole number', () => {
		for (const bad of ['0', '6', 'two', '1.5', '', '2,,3']) expect(() => parseNodes(bad), bad).toThrow(/--nodes/);
	});
});

describe('per-participant costs', () => {
	it('gives percent of a core per 1,000 participants', () => {
		expect(costOf(45, 900)).toEqual({ cpu: 45, per1000: 50 });
		expect(costOf(null, 900)).toEqual({ cpu: null, per1000: null });
	});

	it('compares each node count with one node', () => {
		expect(relativeToFirst([50, 55, 45])).toEqual([0, 0.1, -0.1]);
		expect(relativeToFirst([null, 55])).toEqual([null, null]);
		expect(relativeToFirst([50, null])).toEqual([0, null]);
	});
});
