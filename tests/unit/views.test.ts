/** The shapes derived from a room view: what phones get, and progress applied between full views. */
import { describe, expect, it } from 'vitest';
import { applyProgress, phoneGroupStage, phoneRoomView, type GroupView, type PhoneSeatView, type RoomView } from '../../src/lib/views';

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
	it('keeps seats, stages and translations, and drops every figure and label the phones do not show', () => {
		const phone = phoneRoomView(room());
		expect(phone).not.toHaveProperty('headcount');
		expect(phone).not.toHaveProperty('speaking');
		expect(phone).not.toHaveProperty('summary');
		for (const s of phone.statements) for (const g of s.groups) expect(Object.keys(g).sort()).toEqual(['id', 'memberCount', 'members', 'noResidentVoice', 'number']);
		expect(phone.statements[0]?.groups[0]).toEqual({ id: 'g1', number: 1, memberCount: 2, members: [{ families: ['habitant'] }, { families: ['sante'] }], noResidentVoice: false });
		expect(phone.statements[0]?.translations).toEqual({ en: 'Statement' });
		expect(phone.stages).toEqual(room().stages);
		expect(phone.statements.map((s) => s.groups.map((g) => g.id))).toEqual([['g1', 'g2'], []]);
	});

	it("gives a group's stage only when it is not the room's, and phones read each group's stage as the room view had it", () => {
		const r = room();
		const held: GroupView['stage'] = { index: 1, status: 'paused', remainingMs: 60_000 };
		const advanced: GroupView['stage'] = { index: 2, status: 'running', endsAt: 9_000 };
		const [g1, g2] = r.statements[0]?.groups as [GroupView, GroupView];
		g1.stage = held;
		g2.stage = advanced;
		r.statements[1]?.groups.push({ ...group('g3', [0, 0, 0]), stage: { ...stage } });
		const phone = phoneRoomView(r);
		expect(phone.statements.map((s) => s.groups.map((g) => g.stage))).toEqual([[held, advanced], [undefined]]);
		for (const [i, s] of r.statements.entries()) {
			for (const [j, g] of s.groups.entries()) expect(phoneGroupStage(phone, phone.statements[i]?.groups[j] as PhoneSeatView)).toEqual(g.stage);
		}
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
