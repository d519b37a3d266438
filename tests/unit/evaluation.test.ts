import { expect, it } from 'vitest';
import { summariseEvaluations } from '../../src/lib/domain/evaluation';

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
