/** The cluster benchmark's small rules: which node counts run, and the per-participant costs it compares. */
import { describe, expect, it } from 'vitest';
import { parseNodes } from '../../bench/cluster';
import { beyondItsNodes, costOf, relativeToFirst, type ClusterResult } from '../../bench/report';

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

describe('a cluster against its nodes each alone', () => {
	// Only the fields the comparison reads.
	const run = (nodes: number, shareOf: number | null, per1000: number | null) =>
		({ nodes, shareOf, cost: { total: { cpu: per1000, per1000 } } }) as unknown as ClusterResult;

	it('compares N nodes with one node carrying one N-th of the load', () => {
		const whole = run(1, null, 70);
		const three = run(3, null, 110);
		const third = run(1, 3, 125);
		const runs = [whole, three, run(2, null, 90), third];
		expect(beyondItsNodes(three, runs)).toBe(-0.12);
		// No share run for two nodes; a share run and one node are not clusters.
		expect(beyondItsNodes(runs[2] as ClusterResult, runs)).toBeNull();
		expect(beyondItsNodes(third, runs)).toBeNull();
		expect(beyondItsNodes(whole, runs)).toBeNull();
	});
});
