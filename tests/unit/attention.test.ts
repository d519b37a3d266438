import { describe, expect, it } from 'vitest';
import { attention, byAttention, type AttentionInput } from '../../src/lib/domain/attention';
import type { StageState } from '../../src/lib/domain/stages';

const running = (index: 1 | 2 | 3): StageState => ({ index, status: 'running', endsAt: 1 });
const group = (over: Partial<AttentionInput> = {}): AttentionInput => ({
	memberCount: 4,
	stage: running(2),
	noResidentVoice: false,
	hasRapporteur: true,
	...over
});

describe('attention', () => {
	it('flags nothing for a group of four on the room’s stage with a rapporteur and a resident', () => {
		expect(attention(group(), running(2))).toEqual([]);
	});
	it('names every reason, most pressing first', () => {
		const g = group({ memberCount: 1, stage: { index: 1, status: 'paused', remainingMs: 5 }, noResidentVoice: true, hasRapporteur: false });
		expect(attention(g, running(2))).toEqual(['alone', 'behind', 'held', 'noRapporteur', 'noResident']);
	});
	it('a group paused with the room is not held; a group ahead is not behind; finished is after the evaluation', () => {
		const paused: StageState = { index: 2, status: 'paused', remainingMs: 5 };
		expect(attention(group({ stage: paused }), paused)).toEqual([]);
		expect(attention(group({ stage: running(3) }), running(2))).toEqual([]);
		expect(attention(group({ stage: { index: 4, status: 'running' } }), { index: 4, status: 'finished' })).toEqual(['behind']);
	});
	it('sorts groups needing attention first, then by statement and number', () => {
		const rows = [
			{ id: 'a', reasons: [], statementIndex: 0, number: 1 },
			{ id: 'b', reasons: ['alone' as const], statementIndex: 2, number: 2 },
			{ id: 'c', reasons: ['alone' as const, 'behind' as const], statementIndex: 3, number: 1 },
			{ id: 'd', reasons: ['noResident' as const], statementIndex: 1, number: 1 }
		];
		expect([...rows].sort(byAttention).map((r) => r.id)).toEqual(['c', 'd', 'b', 'a']);
	});
});
