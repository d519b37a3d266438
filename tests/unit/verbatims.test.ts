/**
 * The verbatims' rules (src/lib/domain/verbatims.ts): a resent capture stores nothing twice,
 * merging keeps every source one step from the verbatim kept, and a verbatim becomes a statement
 * once, in its new wording if it has one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	MAX_CAPTURE_AGE_MS,
	captureTime,
	checkPromotable,
	filterVerbatims,
	merge,
	newCaptures,
	rootOf,
	sourcesOf,
	statementWording,
	verbatimCounts,
	type Capture,
	type Verbatim
} from '../../src/lib/domain/verbatims';
import { Refusal } from '../../src/lib/domain/refusal';

const NOW = 1_780_000_000_000;

const capture = (id: string, extra: Partial<Capture> = {}): Capture => ({
	id,
	text: `phrase ${id}`,
	workshopId: null,
	roomId: null,
	lively: false,
	category: null,
	at: NOW - 1000,
	...extra
});
const stored = (id: string, extra: Partial<Verbatim> = {}): Verbatim => ({
	...capture(id),
	starred: false,
	reworded: null,
	mergedInto: null,
	statementId: null,
	...extra
});

/** Applies the changed verbatims to the list, as the store does. */
const apply = (all: Verbatim[], changed: Verbatim[]) => all.map((v) => changed.find((c) => c.id === v.id) ?? v);

describe('capture', () => {
	it('a queue resent whole, in part, in any order and with repeats stores each verbatim once, as first sent', () => {
		const ids = fc.uniqueArray(fc.stringMatching(/^[a-z]{8}$/), { minLength: 1, maxLength: 12 });
		fc.assert(
			fc.property(ids, fc.array(fc.nat(), { maxLength: 30 }), (queue, picks) => {
				const first = newCaptures(new Set(), queue.map((id) => capture(id)), NOW);
				const known = new Set(first.map((v) => v.id));
				// The phone resends what it holds: some of it, repeated, reordered, with other texts.
				const resent = picks.map((k) => capture(queue[k % queue.length] as string, { text: 'autre' }));
				expect(newCaptures(known, resent, NOW)).toEqual([]);
				expect(first.map((v) => v.id)).toEqual(queue);
				// Within one batch too, the first copy wins.
				const doubled = newCaptures(new Set(), [...queue, ...queue].map((id, k) => capture(id, { text: `t${k}` })), NOW);
				expect(doubled.map((v) => v.text)).toEqual(queue.map((_, k) => `t${k}`));
			})
		);
	});

	it('keeps the phone’s time unless its clock is clearly wrong', () => {
		expect(captureTime(NOW - 60_000, NOW)).toBe(NOW - 60_000);
		// A queue kept offline for a day keeps its times.
		expect(captureTime(NOW - 24 * 3_600_000, NOW)).toBe(NOW - 24 * 3_600_000);
		expect(captureTime(NOW + 3_600_000, NOW)).toBe(NOW);
		expect(captureTime(NOW - MAX_CAPTURE_AGE_MS - 1, NOW)).toBe(NOW);
	});

	it('a new verbatim is neither starred, reworded, merged nor a statement', () => {
		expect(newCaptures(new Set(), [capture('abcdefgh', { lively: true, category: 'habitant' })], NOW)).toEqual([
			stored('abcdefgh', { lively: true, category: 'habitant' })
		]);
	});
});

describe('merge', () => {
	const list = (n: number) => Array.from({ length: n }, (_, k) => stored(`v${k}`, { at: NOW + k }));
	/** A sequence of merges: indices of what is merged, into what. */
	const merges = fc.array(fc.record({ ids: fc.array(fc.nat(9), { minLength: 1, maxLength: 4 }), into: fc.nat(9) }), { maxLength: 8 });

	it('never loses a verbatim, never chains, and every merged one is a source of the one kept', () => {
		fc.assert(
			fc.property(merges, (steps) => {
				let all = list(10);
				for (const step of steps) all = apply(all, merge(all, step.ids.map((k) => `v${k}`), `v${step.into}`));
				expect(all).toHaveLength(10);
				for (const v of all) {
					if (!v.mergedInto) continue;
					// One step: the one kept is not merged itself.
					expect(all.find((x) => x.id === v.mergedInto)?.mergedInto).toBeNull();
					expect(sourcesOf(all, v.mergedInto).map((x) => x.id)).toContain(v.id);
				}
				// Each verbatim is shown once: at its root.
				const shown = filterVerbatims(all, {});
				expect(shown.length + shown.reduce((n, v) => n + sourcesOf(all, v.id).length, 0)).toBe(10);
				// The texts as noted never change.
				expect(all.map((v) => v.text)).toEqual(list(10).map((v) => v.text));
			})
		);
	});

	it('is idempotent: merging the same again changes nothing', () => {
		fc.assert(
			fc.property(fc.array(fc.nat(9), { minLength: 1, maxLength: 5 }), fc.nat(9), (ids, into) => {
				const all = list(10);
				const once = apply(all, merge(all, ids.map((k) => `v${k}`), `v${into}`));
				const again = merge(once, ids.map((k) => `v${k}`), `v${into}`);
				expect(apply(once, again)).toEqual(once);
			})
		);
	});

	it('merging into a merged verbatim goes to the one that keeps it; its group follows', () => {
		let all = list(4);
		all = apply(all, merge(all, ['v1'], 'v0'));
		all = apply(all, merge(all, ['v0'], 'v2'));
		expect(rootOf(all, 'v1')?.id).toBe('v2');
		expect(sourcesOf(all, 'v2').map((v) => v.id)).toEqual(['v0', 'v1']);
		all = apply(all, merge(all, ['v3'], 'v1'));
		expect(rootOf(all, 'v3')?.id).toBe('v2');
	});

	it('a star survives the merge; a verbatim that became a statement is not merged away', () => {
		let all = [stored('a', { starred: true }), stored('b'), stored('c', { statementId: 's1' })];
		all = apply(all, merge(all, ['a'], 'b'));
		expect(all.find((v) => v.id === 'b')?.starred).toBe(true);
		expect(() => merge(all, ['c'], 'b')).toThrow(Refusal);
		// Merging others into it is fine: it keeps them as sources.
		expect(apply(all, merge(all, ['b'], 'c')).filter((v) => v.mergedInto === 'c').map((v) => v.id)).toEqual(['a', 'b']);
		expect(() => merge(all, ['zz'], 'b')).toThrow(/verbatim inconnu/);
	});
});

describe('statements', () => {
	it('a verbatim becomes a statement once, from its root, in its new wording if any', () => {
		expect(statementWording(stored('a'))).toBe('phrase a');
		expect(statementWording(stored('a', { reworded: 'Ça va mieux ?' }))).toBe('Ça va mieux ?');
		expect(checkPromotable(stored('a')).id).toBe('a');
		expect(() => checkPromotable(stored('a', { statementId: 's' }))).toThrow(expect.objectContaining({ code: 'verbatimIsStatement' }));
		expect(() => checkPromotable(stored('a', { mergedInto: 'b' }))).toThrow(expect.objectContaining({ code: 'verbatimMerged' }));
		expect(() => checkPromotable(undefined)).toThrow(expect.objectContaining({ code: 'unknownVerbatim' }));
	});

	it('counts what was collected and what became statements', () => {
		expect(verbatimCounts([stored('a'), stored('b', { statementId: 's' }), stored('c', { mergedInto: 'b' })])).toEqual({ collected: 3, statements: 1 });
	});
});

describe('filters', () => {
	const all = [
		stored('a', { roomId: 'r1', workshopId: 'w1', text: 'Ça bouge au quartier', starred: true }),
		stored('b', { roomId: 'r2', workshopId: 'w2', text: 'On ne nous écoute pas', lively: true }),
		stored('c', { roomId: null, workshopId: 'w1', text: 'Les médiatrices font le lien', mergedInto: 'a', lively: true }),
		stored('d', { roomId: 'r1', workshopId: null, text: 'Le bus passe trop peu', reworded: 'Comment venir sans voiture ?' })
	];
	const ids = (f: Parameters<typeof filterVerbatims>[1]) => filterVerbatims(all, f).map((v) => v.id);

	it('by theme, workshop (its sources’ too), star and « très animé » (any of the group)', () => {
		expect(ids({})).toEqual(['a', 'b', 'd']);
		expect(ids({ roomId: 'r1' })).toEqual(['a', 'd']);
		expect(ids({ workshopId: 'w1' })).toEqual(['a']);
		expect(ids({ workshopId: 'none' })).toEqual(['d']);
		expect(ids({ starred: true })).toEqual(['a']);
		expect(ids({ lively: true })).toEqual(['a', 'b']);
	});

	it('search ignores case and accents, and reads sources and new wordings', () => {
		expect(ids({ search: 'ca BOUGE' })).toEqual(['a']);
		expect(ids({ search: 'mediatrices' })).toEqual(['a']);
		expect(ids({ search: 'voiture' })).toEqual(['d']);
		expect(ids({ search: '  ' })).toEqual(['a', 'b', 'd']);
	});
});
