import fc from 'fast-check';
import { expect, it } from 'vitest';
import { EMPTY_EVALUATION, mergeEvaluation, summariseEvaluations, type EvaluationPatch, type GroupEvaluation } from '../../src/lib/domain/evaluation';

it('aggregates scores and keeps every non-empty text', () => {
	expect(
		summariseEvaluations([
			{ everyoneSpoke: 4, feltHeard: 3, worked: 'Écoute', didNotWork: '' },
			{ everyoneSpoke: 2, feltHeard: null, worked: '', didNotWork: 'Trop de bruit' },
			{ everyoneSpoke: 3, feltHeard: 3, worked: 'Mélange', didNotWork: 'Pas assez de temps' }
		])
	).toEqual({
		groups: 3,
		everyoneSpoke: 3,
		feltHeard: 3,
		everyoneSpokeCounts: [0, 1, 1, 1],
		feltHeardCounts: [0, 0, 2, 0],
		declined: { everyoneSpoke: 0, feltHeard: 0 },
		worked: ['Écoute', 'Mélange'],
		didNotWork: ['Trop de bruit', 'Pas assez de temps']
	});
});

it('says nothing rather than zero when nobody answered', () => {
	expect(summariseEvaluations([])).toMatchObject({ groups: 0, everyoneSpoke: null, feltHeard: null });
	expect(summariseEvaluations([{ everyoneSpoke: null, feltHeard: null, worked: '', didNotWork: '' }]).everyoneSpoke).toBeNull();
});

it('rounds means to one decimal', () => {
	const e = (n: number) => ({ everyoneSpoke: n, feltHeard: n, worked: '', didNotWork: '' });
	expect(summariseEvaluations([e(1), e(2), e(2)]).everyoneSpoke).toBe(1.7);
});

it('counts « je préfère ne pas répondre » apart, never in a mean or the 1–4 counts', () => {
	const summary = summariseEvaluations([
		{ everyoneSpoke: 'declined', feltHeard: 2, worked: '', didNotWork: '' },
		{ everyoneSpoke: 4, feltHeard: 'declined', worked: '', didNotWork: '' },
		{ everyoneSpoke: 'declined', feltHeard: null, worked: '', didNotWork: '' }
	]);
	expect(summary).toMatchObject({ groups: 3, everyoneSpoke: 4, feltHeard: 2, everyoneSpokeCounts: [0, 0, 0, 1], feltHeardCounts: [0, 1, 0, 0] });
	expect(summary.declined).toEqual({ everyoneSpoke: 2, feltHeard: 1 });
});

const scale = fc.oneof(fc.constant(null), fc.constant('declined' as const), fc.integer({ min: 1, max: 4 }));
const evaluation: fc.Arbitrary<GroupEvaluation> = fc.record({ everyoneSpoke: scale, feltHeard: scale, worked: fc.string(), didNotWork: fc.string() });
const patch: fc.Arbitrary<EvaluationPatch> = fc.record(
	{ everyoneSpoke: scale, feltHeard: scale, worked: fc.string(), didNotWork: fc.string() },
	{ requiredKeys: [] }
);
const FIELDS = Object.keys(EMPTY_EVALUATION) as (keyof GroupEvaluation)[];

it('merges field by field: each field is the last value sent for it, or what the group had', () => {
	fc.assert(
		fc.property(fc.option(evaluation, { nil: null }), fc.array(patch, { maxLength: 6 }), (start, patches) => {
			const merged = patches.reduce<GroupEvaluation | null>((e, p) => mergeEvaluation(e, p), start) ?? EMPTY_EVALUATION;
			for (const field of FIELDS) {
				const last = patches.findLast((p) => field in p);
				expect(merged[field]).toEqual(last ? last[field] : (start ?? EMPTY_EVALUATION)[field]);
			}
		})
	);
});

it('two members sending different fields keep both answers, in either order', () => {
	fc.assert(
		fc.property(fc.option(evaluation, { nil: null }), patch, patch, (start, a, b) => {
			const bOnly = Object.fromEntries(Object.entries(b).filter(([k]) => !(k in a))) as EvaluationPatch;
			const ab = mergeEvaluation(mergeEvaluation(start, a), bOnly);
			const ba = mergeEvaluation(mergeEvaluation(start, bOnly), a);
			expect(ab).toEqual(ba);
			expect(ab).toMatchObject({ ...a, ...bOnly });
		})
	);
});

it('a cleared scale is null again, and a patch never adds a field', () => {
	const answered = mergeEvaluation(null, { everyoneSpoke: 3, worked: 'Écoute' });
	expect(mergeEvaluation(answered, { everyoneSpoke: null })).toEqual({ ...EMPTY_EVALUATION, worked: 'Écoute' });
	expect(Object.keys(mergeEvaluation(null, { extra: 1 } as EvaluationPatch))).toEqual(FIELDS);
});
