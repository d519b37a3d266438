/** The shapes derived from a room view: what phones get, and progress applied between full views. */
import { describe, expect, it } from 'vitest';
import { applyProgress, phoneRoomView, type GroupView, type RoomView } from '../../src/lib/views';

const stage: GroupView['stage'] = { index: 1, status: 'running', endsAt: 1_000 };
const group = (id: string, progress: [number, number, number]): GroupView => ({
	id,
	number: 1,
	memberCount: 2,
	members: [{ families: ['habitant'] }, { families: ['sante'] }],
	label: 'Mixte',
	warnings: { noResidentVoice: false, singleFamily: false },
	stage,
	progress,
	balance: 0
});

const room = (): RoomView => ({
	id: 'r1',
	title: 'Salle',
	phase: 'groups',
	presenting: 0,
	maxGroupSize: 6,
	stages: {
		questions: ['Q1', 'Q2', 'Q3'],
		names: ['N1', 'N2', 'N3'],
		minutes: [30, 30, 30],
		writingWarningMinutes: 5,
		translations: { en: { stageQuestions: ['EQ1', '', ''], stageNames: ['', '', ''] } },
		room: stage
	},
	statements: [
		{ id: 's1', text: 'Énoncé', translations: { en: 'Statement' }, groups: [group('g1', [1, 0, 0]), group('g2', [0, 0, 0])] },
		{ id: 's2', text: 'Autre', translations: {}, groups: [] }
	],
	headcount: { total: 4, byFamily: { habitant: 2 } },
	speaking: { totalMs: 5_000, groups: 1, people: 3, rows: [], balance: 0 },
	summary: { groups: 2, withoutResident: 0, seated: 4, unseated: 0 }
});

describe('phoneRoomView', () => {
	it('keeps seats, stages and translations, and drops every figure the phones do not show', () => {
		const phone = phoneRoomView(room());
		expect(phone).not.toHaveProperty('headcount');
		expect(phone).not.toHaveProperty('speaking');
		expect(phone).not.toHaveProperty('summary');
		for (const s of phone.statements) for (const g of s.groups) expect(Object.keys(g).sort()).toEqual(['id', 'label', 'memberCount', 'members', 'number', 'stage', 'warnings']);
		expect(phone.statements[0]?.translations).toEqual({ en: 'Statement' });
		expect(phone.stages).toEqual(room().stages);
		expect(phone.statements.map((s) => s.groups.map((g) => g.id))).toEqual([['g1', 'g2'], []]);
	});

	it('does not change the room view it is made from', () => {
		const r = room();
		phoneRoomView(r);
		expect(r).toEqual(room());
	});
});

describe('applyProgress', () => {
	it('updates the named groups and leaves the others', () => {
		const r = room();
		applyProgress(r, [{ groupId: 'g2', progress: [2, 1, 0] }]);
		expect(r.statements[0]?.groups.map((g) => g.progress)).toEqual([
			[1, 0, 0],
			[2, 1, 0]
		]);
	});

	it('ignores a group the view does not know (it left the room since)', () => {
		const r = room();
		applyProgress(r, [{ groupId: 'gone', progress: [9, 9, 9] }]);
		expect(r).toEqual(room());
	});
});
