/** What the projection derives from a room view: its screen and tiles' opening words. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openingWords, projectionScreen, type RoomView } from '../../src/lib/views';

describe('openingWords', () => {
	it('keeps a short statement whole and cuts a long one between words', () => {
		expect(openingWords('Il faut du temps')).toBe('Il faut du temps');
		expect(openingWords('La parole collective existe dans les quartiers, il suffit de la chercher !')).toBe('La parole collective existe dans…');
	});
	it('is a prefix of the text, never longer than the limit and its ellipsis', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 500 }), fc.integer({ min: 10, max: 80 }), (text, max) => {
				const words = openingWords(text, max);
				expect(words.length).toBeLessThanOrEqual(max + 1);
				expect(text.startsWith(words.replace(/…$/, ''))).toBe(true);
			})
		);
	});
});

function room(groups: RoomView['statements'][number]['groups'], stage: RoomView['stages']['room'] = { index: 1, status: 'running' }): RoomView {
	return {
		id: 'r',
		title: 'Salle',
		phase: 'groups',
		presenting: 0,
		maxGroupSize: 6,
		stages: { questions: ['a', 'b', 'c'], names: ['a', 'b', 'c'], minutes: [30, 30, 30], writingWarningMinutes: 5, translations: {}, room: stage },
		statements: [{ id: 's', text: 'x', translations: {}, groups }],
		headcount: { total: 0, byFamily: {} },
		speaking: { totalMs: 0, groups: 0, people: 0, rows: [], balance: null },
		summary: { groups: groups.length, withoutResident: 0, seated: 0, unseated: 0 }
	};
}

describe('projectionScreen', () => {
	it('says finished after « Terminer », whatever the index it stopped at', () => {
		expect(projectionScreen(room([], { index: 4, status: 'finished' }))).toBe('finished');
		expect(projectionScreen(room([], { index: 2, status: 'finished' }))).toBe('finished');
		expect(projectionScreen(room([], { index: 4, status: 'running' }))).toBe('evaluation');
		expect(projectionScreen(room([], { index: 0, status: 'waiting' }))).toBe('groups');
	});
});
