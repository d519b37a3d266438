/**
 * The one table of who hears what (server/realtime/fanout.ts), row by row: for each kind of
 * change, the views it makes due and what goes at once.
 */
import { describe, expect, it } from 'vitest';
import type { Change } from '../../server/changes';
import { WHO_HEARS, emptyDue, type Due } from '../../server/realtime/fanout';

function hear(change: Change) {
	const due = emptyDue();
	const now: string[] = [];
	(WHO_HEARS[change.kind] as (c: Change, d: Due, n: unknown) => void)(change, due, {
		notice: (groupId: string, text: string) => now.push(`notice ${groupId} ${text}`),
		filling: (f: { groupId: string; filling: { participantId: string }[] }) => now.push(`filling ${f.groupId} ${f.filling.map((m) => m.participantId).join(',')}`),
		erased: (id: string) => now.push(`erased ${id}`),
		gone: (eventId: string, why: string) => now.push(`gone ${eventId} ${why}`)
	});
	// Only what is due, in a readable form.
	return {
		...(due.sessions.size ? { sessions: [...due.sessions].sort() } : {}),
		...(due.groups.size ? { groups: [...due.groups] } : {}),
		...(due.rooms.size ? { rooms: [...due.rooms] } : {}),
		...(due.speaking.size ? { speaking: Object.fromEntries(due.speaking) } : {}),
		...(due.figures.size ? { figures: [...due.figures] } : {}),
		...(due.progress.size ? { progress: Object.fromEntries([...due.progress].map(([r, g]) => [r, [...g]])) } : {}),
		...(due.boards.size ? { boards: [...due.boards] } : {}),
		...(due.organisers.size ? { organisers: [...due.organisers] } : {}),
		...(due.organiserFigures.size ? { organiserFigures: [...due.organiserFigures] } : {}),
		...(due.urgent ? { urgent: true } : {}),
		...(now.length ? { now } : {})
	};
}

const E = 'e1';
const R = 'r1';

describe('who hears what', () => {
	it('a join: the newcomer’s session, their room, the organisers', () => {
		expect(hear({ kind: 'joined', eventId: E, roomId: R, participantId: 'p1' })).toEqual({ sessions: ['p1'], rooms: [R], organisers: [E] });
		expect(hear({ kind: 'joined', eventId: E, roomId: null, participantId: 'p1' })).toEqual({ sessions: ['p1'], organisers: [E] });
	});

	it('a change of room: the person, both rooms, the organisers', () => {
		expect(hear({ kind: 'roomChosen', eventId: E, participantId: 'p1', from: 'r0', to: R })).toEqual({ sessions: ['p1'], rooms: ['r0', R], organisers: [E] });
	});

	it('seats: the movers now, the members and the pad of every group touched at the phones’ pace, the room once, the organisers', () => {
		const change: Change = {
			kind: 'seated',
			eventId: E,
			roomId: R,
			moved: ['c'],
			groups: [
				{ groupId: 'g1', memberIds: ['a', 'b', 'c'] },
				{ groupId: 'g2', memberIds: [] }
			]
		};
		expect(hear(change)).toEqual({ sessions: ['c'], groups: ['g1'], rooms: [R], organisers: [E] });
	});

	it('a phase: the room at once', () => {
		expect(hear({ kind: 'phaseChanged', eventId: E, roomId: R })).toEqual({ rooms: [R], urgent: true, organisers: [E] });
	});

	it('stages: the room at once and every group’s speaking pad (turns end with a stage)', () => {
		expect(hear({ kind: 'stagesChanged', eventId: E, roomId: R, groupIds: ['g1', 'g2'] })).toEqual({
			rooms: [R],
			urgent: true,
			speaking: { g1: R, g2: R },
			organisers: [E]
		});
	});

	it('a label: the room and the organisers', () => {
		expect(hear({ kind: 'labelChanged', eventId: E, roomId: R })).toEqual({ rooms: [R], organisers: [E] });
	});

	it('an evaluation: the group’s sessions (one shared form), the room and the organisers', () => {
		expect(hear({ kind: 'evaluated', eventId: E, roomId: R, groupId: 'g1', memberIds: ['a', 'b'] })).toEqual({ sessions: ['a', 'b'], rooms: [R], organisers: [E] });
	});

	it('who fills an evaluation goes at once, to its group only, as no view', () => {
		expect(hear({ kind: 'evaluationFilling', eventId: E, roomId: R, groupId: 'g1', filling: [{ participantId: 'a', until: 5 }] })).toEqual({ now: ['filling g1 a'] });
		expect(hear({ kind: 'evaluationFilling', eventId: E, roomId: R, groupId: 'g1', filling: [] })).toEqual({ now: ['filling g1 '] });
	});

	it('a pen: the group’s sessions, and the room (facilitators see who writes)', () => {
		expect(hear({ kind: 'pensChanged', eventId: E, roomId: R, groupId: 'g1', memberIds: ['a', 'b'] })).toEqual({ sessions: ['a', 'b'], rooms: [R] });
	});

	it('translations: the rooms showing them, the members of groups whose statement changed', () => {
		expect(hear({ kind: 'translated', eventId: E, roomIds: [R, 'r2'], participantIds: ['a'] })).toEqual({ sessions: ['a'], rooms: [R, 'r2'], organisers: [E] });
	});

	it('statements edited: every screen of the room at once, the members of reworded groups, the organisers', () => {
		expect(hear({ kind: 'statementsChanged', eventId: E, roomId: R, participantIds: ['b', 'a'] })).toEqual({
			sessions: ['a', 'b'],
			rooms: [R],
			urgent: true,
			organisers: [E]
		});
	});

	it('a write-up reopened or closed by hand: the room (the facilitators’ sheet), the organisers', () => {
		expect(hear({ kind: 'writeupAccessChanged', eventId: E, roomId: R, groupId: 'g1' })).toEqual({ rooms: [R], organisers: [E] });
	});

	it('taps: the group’s pad now, the room’s figures and the organisers’ at their slower pace', () => {
		expect(hear({ kind: 'tapsStored', eventId: E, roomId: R, groupId: 'g1' })).toEqual({ speaking: { g1: R }, figures: [R], organiserFigures: [E] });
	});

	it('write-up progress: the small progress message, the organisers’ figures', () => {
		expect(hear({ kind: 'progressed', eventId: E, roomId: R, groupId: 'g1' })).toEqual({ progress: { [R]: ['g1'] }, organiserFigures: [E] });
	});

	it('the board: everyone connected to the event, the organisers', () => {
		expect(hear({ kind: 'boardChanged', eventId: E })).toEqual({ boards: [E], organisers: [E] });
	});

	it('verbatims: the organisers; a statement made of one, its room too', () => {
		expect(hear({ kind: 'verbatimsChanged', eventId: E, roomIds: [] })).toEqual({ organisers: [E] });
		expect(hear({ kind: 'verbatimsChanged', eventId: E, roomIds: [R] })).toEqual({ rooms: [R], organisers: [E] });
	});

	it('a notice goes at once, to its group only', () => {
		expect(hear({ kind: 'groupNotified', eventId: E, roomId: R, groupId: 'g1', text: 'Encore 5 minutes', at: 1 })).toEqual({ now: ['notice g1 Encore 5 minutes'] });
	});

	it('an erased person: their phones go at once; groupmates, pad, room, board and organisers follow', () => {
		expect(hear({ kind: 'personErased', eventId: E, participantId: 'b', roomId: R, groupId: 'g1' })).toEqual({
			groups: ['g1'],
			rooms: [R],
			speaking: { g1: R },
			boards: [E],
			organisers: [E],
			now: ['erased b']
		});
	});

	it('an event deleted or its links renewed: the connections go at once', () => {
		expect(hear({ kind: 'eventGone', eventId: E, why: 'links' })).toEqual({ now: ['gone e1 links'] });
		expect(hear({ kind: 'eventGone', eventId: E, why: 'event' })).toEqual({ now: ['gone e1 event'] });
	});
});
