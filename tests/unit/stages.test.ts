import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	EVALUATION_INDEX,
	INITIAL_STAGE,
	STAGE_COUNT,
	StageError,
	adjust,
	adjustGroup,
	adjustRoom,
	advanceGroup,
	durationsFromMinutes,
	effectiveStage,
	finish,
	finishRoom,
	holdGroup,
	initialRoomStages,
	isOvertime,
	next,
	nextRoom,
	pause,
	pauseRoom,
	releaseGroup,
	remainingMs,
	resume,
	resumeGroup,
	resumeRoom,
	setDurations,
	start,
	startRoom,
	writingWarning,
	type RoomStages,
	type StageState
} from '../../src/lib/domain/stages';

const MIN = 60_000;
const D: [number, number, number] = [30 * MIN, 20 * MIN, 10 * MIN];
const T0 = 1_700_000_000_000;

function deepFreeze<T>(value: T): T {
	if (value !== null && typeof value === 'object') {
		for (const v of Object.values(value)) deepFreeze(v);
		Object.freeze(value);
	}
	return value;
}

function expectStageError(fn: () => unknown, message: string): void {
	expect(fn).toThrow(StageError);
	expect(fn).toThrow(message);
}

const running1: StageState = { index: 1, status: 'running', endsAt: T0 + 30 * MIN };

describe('constants and helpers', () => {
	it('has three timed stages then the evaluation', () => {
		expect(STAGE_COUNT).toBe(3);
		expect(EVALUATION_INDEX).toBe(4);
	});
	it('starts before stage 1 with no group override', () => {
		expect(INITIAL_STAGE).toEqual({ index: 0, status: 'waiting' });
		expect(initialRoomStages()).toEqual({ room: { index: 0, status: 'waiting' }, overrides: {} });
	});
	it('converts the settings minutes to milliseconds', () => {
		expect(durationsFromMinutes([30, 30, 30])).toEqual([1_800_000, 1_800_000, 1_800_000]);
		expect(durationsFromMinutes([30, 20, 10])).toEqual(D);
	});
	it('names its errors', () => {
		const e = new StageError('stageEmptyGroup');
		expect(e).toBeInstanceOf(Error);
		expect(e.name).toBe('StageError');
	});
});

describe('start', () => {
	it('runs stage 1 for its full duration', () => {
		expect(start(INITIAL_STAGE, T0, D)).toEqual({ index: 1, status: 'running', endsAt: T0 + 30 * MIN });
	});
	it('refuses to start twice', () => {
		expectStageError(() => start(running1, T0, D), 'impossible de démarrer : les étapes ont déjà commencé');
		expectStageError(() => start({ index: 4, status: 'finished' }, T0, D), 'les étapes ont déjà commencé');
	});
	it('refuses a duration that is not a positive number', () => {
		expectStageError(() => start(INITIAL_STAGE, T0, [0, 1, 1]), 'impossible de démarrer l’étape 1 : durée invalide (0)');
		expectStageError(() => start(INITIAL_STAGE, T0, [Number.NaN, 1, 1]), 'durée invalide (NaN)');
		expectStageError(() => start(INITIAL_STAGE, T0, [-5, 1, 1]), 'durée invalide (-5)');
		expectStageError(() => start(INITIAL_STAGE, T0, [Number.POSITIVE_INFINITY, 1, 1]), 'durée invalide');
	});
});

describe('pause and resume', () => {
	it('keeps the exact remaining time across a pause', () => {
		const paused = pause(running1, T0 + 12 * MIN + 345);
		expect(paused).toEqual({ index: 1, status: 'paused', remainingMs: 18 * MIN - 345 });
		// A pause of 7 minutes does not eat into the stage.
		const resumed = resume(paused, T0 + 19 * MIN);
		expect(resumed).toEqual({ index: 1, status: 'running', endsAt: T0 + 37 * MIN - 345 });
		expect(remainingMs(resumed, T0 + 19 * MIN)).toBe(18 * MIN - 345);
	});
	it('pauses an overtime stage with nothing left', () => {
		expect(pause(running1, T0 + 31 * MIN)).toEqual({ index: 1, status: 'paused', remainingMs: 0 });
		expect(resume({ index: 1, status: 'paused', remainingMs: 0 }, T0 + 40 * MIN)).toEqual({
			index: 1,
			status: 'running',
			endsAt: T0 + 40 * MIN
		});
	});
	it('rejects pausing what does not run', () => {
		expectStageError(() => pause(INITIAL_STAGE, T0), 'impossible de mettre en pause : aucune étape en cours');
		expectStageError(() => pause({ index: 2, status: 'paused', remainingMs: 1 }, T0), 'impossible de mettre en pause : l’étape est déjà en pause');
		expectStageError(() => pause({ index: 4, status: 'finished' }, T0), 'impossible de mettre en pause : aucune étape en cours');
		expectStageError(() => pause({ index: 4, status: 'running' }, T0), 'impossible de mettre en pause : l’évaluation n’a pas de minuteur');
	});
	it('rejects resuming what is not paused', () => {
		expectStageError(() => resume(running1, T0), 'impossible de reprendre : aucune étape en pause');
		expectStageError(() => resume(INITIAL_STAGE, T0), 'impossible de reprendre : aucune étape en pause');
		expectStageError(() => resume({ index: 4, status: 'running' }, T0), 'impossible de reprendre : aucune étape en pause');
	});
});

describe('adjust', () => {
	it('adds and removes minutes while running', () => {
		expect(adjust(running1, T0 + 10 * MIN, 5 * MIN)).toEqual({ index: 1, status: 'running', endsAt: T0 + 35 * MIN });
		expect(adjust(running1, T0 + 10 * MIN, -5 * MIN)).toEqual({ index: 1, status: 'running', endsAt: T0 + 25 * MIN });
	});
	it('adds and removes minutes while paused', () => {
		const paused: StageState = { index: 2, status: 'paused', remainingMs: 4 * MIN };
		expect(adjust(paused, T0, 2 * MIN)).toEqual({ index: 2, status: 'paused', remainingMs: 6 * MIN });
		expect(adjust(paused, T0, -3 * MIN)).toEqual({ index: 2, status: 'paused', remainingMs: MIN });
	});
	it('never goes below zero', () => {
		expect(adjust(running1, T0 + 28 * MIN, -5 * MIN)).toEqual({ index: 1, status: 'running', endsAt: T0 + 28 * MIN });
		expect(adjust({ index: 3, status: 'paused', remainingMs: MIN }, T0, -5 * MIN)).toEqual({ index: 3, status: 'paused', remainingMs: 0 });
	});
	it('counts minutes given to an overtime stage from now', () => {
		expect(adjust(running1, T0 + 33 * MIN, 2 * MIN)).toEqual({ index: 1, status: 'running', endsAt: T0 + 35 * MIN });
	});
	it('rejects adjusting without a timer or with a bad delta', () => {
		expectStageError(() => adjust(INITIAL_STAGE, T0, MIN), 'impossible d’ajuster le temps : aucune étape en cours');
		expectStageError(() => adjust({ index: 4, status: 'running' }, T0, MIN), 'impossible d’ajuster le temps : l’évaluation n’a pas de minuteur');
		expectStageError(() => adjust({ index: 2, status: 'finished' }, T0, MIN), 'aucune étape en cours');
		expectStageError(() => adjust(running1, T0, Number.NaN), 'impossible d’ajuster le temps : durée invalide (NaN)');
	});
});

describe('next and finish', () => {
	it('walks 0 → 1 → 2 → 3 → evaluation → finished, each timed stage at full duration', () => {
		let s = next(INITIAL_STAGE, T0, D);
		expect(s).toEqual({ index: 1, status: 'running', endsAt: T0 + 30 * MIN });
		s = next(s, T0 + 31 * MIN, D);
		expect(s).toEqual({ index: 2, status: 'running', endsAt: T0 + 51 * MIN });
		s = next(s, T0 + 50 * MIN, D);
		expect(s).toEqual({ index: 3, status: 'running', endsAt: T0 + 60 * MIN });
		s = next(s, T0 + 60 * MIN, D);
		expect(s).toEqual({ index: 4, status: 'running' });
		s = next(s, T0 + 90 * MIN, D);
		expect(s).toEqual({ index: 4, status: 'finished' });
	});
	it('moves on from a paused stage with a fresh timer', () => {
		expect(next({ index: 1, status: 'paused', remainingMs: 3 * MIN }, T0, D)).toEqual({ index: 2, status: 'running', endsAt: T0 + 20 * MIN });
	});
	it('rejects next once finished', () => {
		expectStageError(() => next({ index: 4, status: 'finished' }, T0, D), 'impossible de passer à l’étape suivante : les étapes sont terminées');
		expectStageError(() => next({ index: 2, status: 'finished' }, T0, D), 'les étapes sont terminées');
	});
	it('finishes from any started state, keeping where it stopped', () => {
		expect(finish(running1)).toEqual({ index: 1, status: 'finished' });
		expect(finish({ index: 3, status: 'paused', remainingMs: 5 })).toEqual({ index: 3, status: 'finished' });
		expect(finish({ index: 4, status: 'running' })).toEqual({ index: 4, status: 'finished' });
	});
	it('rejects finishing before the start or twice', () => {
		expectStageError(() => finish(INITIAL_STAGE), 'impossible de terminer : les étapes n’ont pas commencé');
		expectStageError(() => finish({ index: 4, status: 'finished' }), 'impossible de terminer : les étapes sont déjà terminées');
	});
	it('never mutates its input', () => {
		const s = deepFreeze<StageState>({ index: 2, status: 'running', endsAt: T0 + MIN });
		const p = deepFreeze(pause(s, T0));
		expect(() => [resume(p, T0), adjust(s, T0, MIN), adjust(p, T0, MIN), next(s, T0, D), finish(s)]).not.toThrow();
		expect(s).toEqual({ index: 2, status: 'running', endsAt: T0 + MIN });
	});
});

describe('remainingMs and isOvertime', () => {
	it('counts down while running and stops at zero', () => {
		expect(remainingMs(running1, T0)).toBe(30 * MIN);
		expect(remainingMs(running1, T0 + 29 * MIN + 59_999)).toBe(1);
		expect(remainingMs(running1, T0 + 30 * MIN)).toBe(0);
		expect(remainingMs(running1, T0 + 45 * MIN)).toBe(0);
	});
	it('is frozen while paused and zero without a timer', () => {
		const paused: StageState = { index: 1, status: 'paused', remainingMs: 90_000 };
		expect(remainingMs(paused, T0)).toBe(90_000);
		expect(remainingMs(paused, T0 + 10 * MIN)).toBe(90_000);
		expect(remainingMs(INITIAL_STAGE, T0)).toBe(0);
		expect(remainingMs({ index: 4, status: 'running' }, T0)).toBe(0);
		expect(remainingMs({ index: 4, status: 'finished' }, T0)).toBe(0);
	});
	it('flags a running stage past its end, which stays running', () => {
		expect(isOvertime(running1, T0 + 30 * MIN - 1)).toBe(false);
		expect(isOvertime(running1, T0 + 30 * MIN)).toBe(true);
		expect(isOvertime(running1, T0 + 40 * MIN)).toBe(true);
		expect(isOvertime({ index: 1, status: 'paused', remainingMs: 0 }, T0)).toBe(false);
		expect(isOvertime({ index: 4, status: 'running' }, T0)).toBe(false);
		expect(isOvertime(INITIAL_STAGE, T0)).toBe(false);
	});
});

describe('writingWarning', () => {
	const end = T0 + 30 * MIN;
	it('turns on in the last five minutes, up to the end', () => {
		expect(writingWarning(running1, end - 5 * MIN - 1)).toBe(false);
		expect(writingWarning(running1, end - 5 * MIN)).toBe(true);
		expect(writingWarning(running1, end - 1)).toBe(true);
		// Overtime has its own display.
		expect(writingWarning(running1, end)).toBe(false);
	});
	it('takes another number of minutes', () => {
		expect(writingWarning(running1, end - 3 * MIN - 1, 3)).toBe(false);
		expect(writingWarning(running1, end - 3 * MIN, 3)).toBe(true);
	});
	it('is off when not running a timed stage', () => {
		expect(writingWarning({ index: 1, status: 'paused', remainingMs: MIN }, T0)).toBe(false);
		expect(writingWarning({ index: 4, status: 'running' }, T0)).toBe(false);
		expect(writingWarning(INITIAL_STAGE, T0)).toBe(false);
		expect(writingWarning({ index: 3, status: 'finished' }, T0)).toBe(false);
	});
});

describe('groups', () => {
	const started = startRoom(initialRoomStages(), T0, D);

	it('follow the room unless overridden', () => {
		expect(effectiveStage(started, 'g1')).toEqual(running1);
	});
	it('ignore inherited property names as group ids', () => {
		expect(effectiveStage(started, 'toString')).toBe(started.room);
		expect(effectiveStage(started, '__proto__')).toBe(started.room);
		const held = holdGroup(started, '__proto__', T0 + MIN);
		expect(effectiveStage(held, '__proto__')).toEqual({ index: 1, status: 'paused', remainingMs: 29 * MIN });
		expect(Object.getPrototypeOf(held.overrides)).toBe(Object.prototype);
	});

	it('hold freezes one group only', () => {
		const rs = holdGroup(started, 'g1', T0 + 10 * MIN);
		expect(rs.overrides).toEqual({ g1: { index: 1, status: 'paused', remainingMs: 20 * MIN } });
		expect(effectiveStage(rs, 'g2')).toBe(rs.room);
		expect(rs.room).toEqual(running1);
		// The input is left as it was.
		expect(started.overrides).toEqual({});
	});
	it('hold while the room is paused keeps the group frozen when the room resumes', () => {
		let rs = pauseRoom(started, T0 + 10 * MIN);
		rs = holdGroup(rs, 'g1', T0 + 11 * MIN);
		expect(rs.overrides.g1).toEqual({ index: 1, status: 'paused', remainingMs: 20 * MIN });
		rs = resumeRoom(rs, T0 + 12 * MIN);
		expect(rs.room).toEqual({ index: 1, status: 'running', endsAt: T0 + 32 * MIN });
		expect(effectiveStage(rs, 'g1')).toEqual({ index: 1, status: 'paused', remainingMs: 20 * MIN });
	});
	it('hold is rejected twice, before the start and during the evaluation', () => {
		const held = holdGroup(started, 'g1', T0);
		expectStageError(() => holdGroup(held, 'g1', T0), 'impossible de mettre en pause : l’étape est déjà en pause');
		expectStageError(() => holdGroup(initialRoomStages(), 'g1', T0), 'aucune étape en cours');
		expectStageError(() => holdGroup({ room: { index: 4, status: 'running' }, overrides: {} }, 'g1', T0), 'l’évaluation n’a pas de minuteur');
	});

	it('release drops the override: the group rejoins the room timer', () => {
		const held = holdGroup(started, 'g1', T0 + 10 * MIN);
		const rs = releaseGroup(held, 'g1');
		expect(rs.overrides).toEqual({});
		expect(effectiveStage(rs, 'g1')).toEqual(running1);
		expect(held.overrides.g1).toBeDefined();
	});
	it('release of a group without override is rejected', () => {
		expectStageError(() => releaseGroup(started, 'g9'), 'impossible de rattacher le groupe g9 : il suit déjà le minuteur de la salle');
		expectStageError(() => releaseGroup(started, 'toString'), 'impossible de rattacher le groupe toString');
	});
	it('an empty group id is unknown', () => {
		const msg = 'groupe inconnu : identifiant vide';
		expectStageError(() => holdGroup(started, '', T0), msg);
		expectStageError(() => releaseGroup(started, ''), msg);
		expectStageError(() => resumeGroup(started, '', T0), msg);
		expectStageError(() => adjustGroup(started, '', T0, MIN), msg);
		expectStageError(() => advanceGroup(started, '', T0, D), msg);
	});

	it('resume continues a held group on its own timer, keeping its time', () => {
		let rs = holdGroup(started, 'g1', T0 + 10 * MIN);
		rs = resumeGroup(rs, 'g1', T0 + 15 * MIN);
		expect(rs.overrides.g1).toEqual({ index: 1, status: 'running', endsAt: T0 + 35 * MIN });
		expect(rs.room).toEqual(running1);
		expectStageError(() => resumeGroup(rs, 'g1', T0), 'impossible de reprendre : aucune étape en pause');
	});
	it('resume of one group while the room is paused lets that group run alone', () => {
		const rs = resumeGroup(pauseRoom(started, T0 + 10 * MIN), 'g2', T0 + 12 * MIN);
		expect(rs.overrides.g2).toEqual({ index: 1, status: 'running', endsAt: T0 + 32 * MIN });
		expect(rs.room.status).toBe('paused');
	});

	it('adjust gives one group its own time', () => {
		const rs = adjustGroup(started, 'g1', T0 + 10 * MIN, 3 * MIN);
		expect(rs.overrides.g1).toEqual({ index: 1, status: 'running', endsAt: T0 + 33 * MIN });
		expect(rs.room).toEqual(running1);
		const held = adjustGroup(holdGroup(started, 'g2', T0 + 10 * MIN), 'g2', T0 + 11 * MIN, -25 * MIN);
		expect(held.overrides.g2).toEqual({ index: 1, status: 'paused', remainingMs: 0 });
	});

	it('advance moves one group to its next stage with its own timer', () => {
		let rs = advanceGroup(started, 'g1', T0 + 25 * MIN, D);
		expect(rs.overrides.g1).toEqual({ index: 2, status: 'running', endsAt: T0 + 45 * MIN });
		expect(effectiveStage(rs, 'g2')).toEqual(running1);
		rs = advanceGroup(rs, 'g1', T0 + 40 * MIN, D);
		expect(rs.overrides.g1).toEqual({ index: 3, status: 'running', endsAt: T0 + 50 * MIN });
		rs = advanceGroup(rs, 'g1', T0 + 50 * MIN, D);
		expect(rs.overrides.g1).toEqual({ index: 4, status: 'running' });
		rs = advanceGroup(rs, 'g1', T0 + 60 * MIN, D);
		expect(rs.overrides.g1).toEqual({ index: 4, status: 'finished' });
		expectStageError(() => advanceGroup(rs, 'g1', T0, D), 'impossible de passer à l’étape suivante : les étapes sont terminées');
	});
	it('advance a held group starts its next stage afresh', () => {
		const rs = advanceGroup(holdGroup(started, 'g1', T0 + 5 * MIN), 'g1', T0 + 6 * MIN, D);
		expect(rs.overrides.g1).toEqual({ index: 2, status: 'running', endsAt: T0 + 26 * MIN });
	});
	it('advance before the room starts lets a ready table begin', () => {
		const rs = advanceGroup(initialRoomStages(), 'g1', T0, D);
		expect(rs.overrides.g1).toEqual({ index: 1, status: 'running', endsAt: T0 + 30 * MIN });
		expect(rs.room).toEqual(INITIAL_STAGE);
	});
	it('never mutate the room stages they are given', () => {
		const rs = deepFreeze<RoomStages>(holdGroup(advanceGroup(started, 'ahead', T0, D), 'held', T0));
		expect(() => [
			holdGroup(rs, 'g1', T0),
			releaseGroup(rs, 'held'),
			resumeGroup(rs, 'held', T0),
			adjustGroup(rs, 'g1', T0, MIN),
			advanceGroup(rs, 'g1', T0, D),
			pauseRoom(rs, T0),
			adjustRoom(rs, T0, MIN),
			nextRoom(rs, T0, D),
			finishRoom(rs)
		]).not.toThrow();
	});
});

describe('room operations and overrides', () => {
	// g1 held on stage 1, g2 ahead on stage 2, g3 ahead on stage 3, g4 follows the room.
	const base = (): RoomStages => {
		let rs = startRoom(initialRoomStages(), T0, D);
		rs = holdGroup(rs, 'g1', T0 + 10 * MIN);
		rs = advanceGroup(rs, 'g2', T0 + 20 * MIN, D);
		rs = advanceGroup(advanceGroup(rs, 'g3', T0 + 20 * MIN, D), 'g3', T0 + 25 * MIN, D);
		return rs;
	};

	it('pause, resume and adjust of the room leave overrides alone', () => {
		const rs = base();
		const paused = pauseRoom(rs, T0 + 26 * MIN);
		expect(paused.room).toEqual({ index: 1, status: 'paused', remainingMs: 4 * MIN });
		expect(paused.overrides).toEqual(rs.overrides);
		const adjusted = adjustRoom(paused, T0 + 27 * MIN, 5 * MIN);
		expect(adjusted.room).toEqual({ index: 1, status: 'paused', remainingMs: 9 * MIN });
		expect(adjusted.overrides).toEqual(rs.overrides);
		const resumed = resumeRoom(adjusted, T0 + 28 * MIN);
		expect(resumed.room).toEqual({ index: 1, status: 'running', endsAt: T0 + 37 * MIN });
		expect(resumed.overrides).toEqual(rs.overrides);
		expect(effectiveStage(resumed, 'g1')).toEqual({ index: 1, status: 'paused', remainingMs: 20 * MIN });
		expect(effectiveStage(resumed, 'g4')).toBe(resumed.room);
	});
	it('next gathers the groups at or behind the new room stage and keeps those ahead', () => {
		let rs = nextRoom(base(), T0 + 30 * MIN, D);
		expect(rs.room).toEqual({ index: 2, status: 'running', endsAt: T0 + 50 * MIN });
		// g1 was held behind, g2 was on stage 2 already: both rejoin the room timer.
		expect(Object.keys(rs.overrides)).toEqual(['g3']);
		expect(effectiveStage(rs, 'g1')).toBe(rs.room);
		expect(effectiveStage(rs, 'g2')).toBe(rs.room);
		expect(effectiveStage(rs, 'g3')).toEqual({ index: 3, status: 'running', endsAt: T0 + 35 * MIN });
		rs = nextRoom(rs, T0 + 50 * MIN, D);
		expect(rs.overrides).toEqual({});
	});
	it('next keeps a group that finished ahead of the room evaluation', () => {
		let rs: RoomStages = { room: { index: 3, status: 'running', endsAt: T0 }, overrides: { g1: { index: 4, status: 'finished' } } };
		rs = nextRoom(rs, T0, D);
		expect(rs.room).toEqual({ index: 4, status: 'running' });
		expect(rs.overrides).toEqual({ g1: { index: 4, status: 'finished' } });
		rs = nextRoom(rs, T0, D);
		expect(rs.room).toEqual({ index: 4, status: 'finished' });
		expect(rs.overrides).toEqual({});
	});
	it('start gathers tables that began early', () => {
		const early = advanceGroup(advanceGroup(advanceGroup(initialRoomStages(), 'g1', T0, D), 'g2', T0, D), 'g2', T0 + MIN, D);
		const rs = startRoom(early, T0 + 5 * MIN, D);
		expect(rs.room).toEqual({ index: 1, status: 'running', endsAt: T0 + 35 * MIN });
		expect(Object.keys(rs.overrides)).toEqual(['g2']);
	});
	it('finish drops every override', () => {
		const rs = finishRoom(base());
		expect(rs).toEqual({ room: { index: 1, status: 'finished' }, overrides: {} });
	});
	it('room operations reject invalid transitions like the state ones', () => {
		expectStageError(() => startRoom(base(), T0, D), 'impossible de démarrer : les étapes ont déjà commencé');
		expectStageError(() => resumeRoom(base(), T0), 'impossible de reprendre : aucune étape en pause');
		expectStageError(() => pauseRoom(initialRoomStages(), T0), 'impossible de mettre en pause : aucune étape en cours');
		expectStageError(() => adjustRoom(initialRoomStages(), T0, MIN), 'impossible d’ajuster le temps : aucune étape en cours');
		expectStageError(() => nextRoom(finishRoom(base()), T0, D), 'impossible de passer à l’étape suivante : les étapes sont terminées');
		expectStageError(() => finishRoom(initialRoomStages()), 'impossible de terminer : les étapes n’ont pas commencé');
	});
});

describe('property: random sequences of operations keep the state coherent', () => {
	const GROUPS = ['g1', 'g2', 'g3'];
	type Op =
		| { kind: 'start' | 'pause' | 'resume' | 'next' | 'finish' }
		| { kind: 'adjust'; delta: number }
		| { kind: 'hold' | 'release' | 'resumeGroup' | 'advance'; group: string }
		| { kind: 'adjustGroup'; group: string; delta: number };
	const delta = fc.integer({ min: -40 * MIN, max: 40 * MIN });
	const group = fc.constantFrom(...GROUPS);
	const op: fc.Arbitrary<Op> = fc.oneof(
		fc.record({ kind: fc.constantFrom('start' as const, 'pause' as const, 'resume' as const, 'next' as const, 'finish' as const) }),
		fc.record({ kind: fc.constant('adjust' as const), delta }),
		fc.record({ kind: fc.constantFrom('hold' as const, 'release' as const, 'resumeGroup' as const, 'advance' as const), group }),
		fc.record({ kind: fc.constant('adjustGroup' as const), group, delta })
	);
	const step = fc.record({ op, elapsed: fc.integer({ min: 0, max: 45 * MIN }) });
	const duration = fc.integer({ min: 1, max: 60 * MIN });
	const durations = fc.tuple(duration, duration, duration);
	const rank = (s: StageState): number => (s.status === 'finished' ? 5 : s.index);

	function apply(rs: RoomStages, o: Op, now: number, d: [number, number, number]): RoomStages {
		switch (o.kind) {
			case 'start':
				return startRoom(rs, now, d);
			case 'pause':
				return pauseRoom(rs, now);
			case 'resume':
				return resumeRoom(rs, now);
			case 'next':
				return nextRoom(rs, now, d);
			case 'finish':
				return finishRoom(rs);
			case 'adjust':
				return adjustRoom(rs, now, o.delta);
			case 'hold':
				return holdGroup(rs, o.group, now);
			case 'release':
				return releaseGroup(rs, o.group);
			case 'resumeGroup':
				return resumeGroup(rs, o.group, now);
			case 'advance':
				return advanceGroup(rs, o.group, now, d);
			case 'adjustGroup':
				return adjustGroup(rs, o.group, now, o.delta);
		}
	}

	function checkState(s: StageState, now: number): void {
		expect([0, 1, 2, 3, 4]).toContain(s.index);
		expect(remainingMs(s, now)).toBeGreaterThanOrEqual(0);
		const timed = s.index >= 1 && s.index <= 3;
		expect(s.endsAt !== undefined).toBe(s.status === 'running' && timed);
		expect(s.remainingMs !== undefined).toBe(s.status === 'paused');
		if (s.remainingMs !== undefined) expect(s.remainingMs).toBeGreaterThanOrEqual(0);
		if (s.status === 'paused') expect(timed).toBe(true);
		expect(s.status === 'waiting').toBe(s.index === 0);
	}

	it('holds for any sequence, invalid steps being rejected with a StageError and no change', () => {
		fc.assert(
			fc.property(durations, fc.array(step, { maxLength: 40 }), (d, steps) => {
				let rs = initialRoomStages();
				let now = T0;
				for (const { op: o, elapsed } of steps) {
					now += elapsed;
					const prev = rs;
					const snapshot = structuredClone(rs);
					try {
						rs = apply(rs, o, now, d);
					} catch (e) {
						expect(e).toBeInstanceOf(StageError);
						expect((e as Error).message).toMatch(/^(impossible|groupe inconnu)/);
					}
					expect(prev).toEqual(snapshot);
					checkState(rs.room, now);
					for (const g of GROUPS) checkState(effectiveStage(rs, g), now);
					if (rs === prev) continue;
					// Only groups ahead of the room keep an override after the room moves on.
					if (o.kind === 'next' || o.kind === 'start') {
						for (const s of Object.values(rs.overrides)) expect(rank(s)).toBeGreaterThan(rank(rs.room));
					}
					if (o.kind === 'finish') expect(rs.overrides).toEqual({});
				}
			}),
			{ numRuns: 500 }
		);
	});
});

describe('setDurations', () => {
	it('moves the running stage by the change of its duration, for the room and groups on their own timer', () => {
		let rs = startRoom(initialRoomStages(), T0, D);
		rs = holdGroup(rs, 'g1', T0 + 5 * MIN);
		rs = advanceGroup(rs, 'g2', T0 + 5 * MIN, D);
		const after = setDurations(deepFreeze(rs), T0 + 10 * MIN, [30, 20, 10], [40, 15, 10]);
		expect(after.minutes).toEqual([40, 15, 10]);
		expect(after.room).toEqual({ index: 1, status: 'running', endsAt: T0 + 40 * MIN });
		// Held at 25 minutes left, now 35; stage 2 ahead, 5 minutes shorter.
		expect(after.overrides.g1).toEqual({ index: 1, status: 'paused', remainingMs: 35 * MIN });
		expect(after.overrides.g2).toEqual({ index: 2, status: 'running', endsAt: T0 + 20 * MIN });
	});
	it('leaves a stage not begun, the evaluation and the finished alone; shortening below the time spent ends the stage now', () => {
		const waiting = initialRoomStages();
		expect(setDurations(waiting, T0, [30, 20, 10], [5, 5, 5])).toEqual({ ...waiting, minutes: [5, 5, 5] });
		const rs = startRoom(initialRoomStages(), T0, D);
		expect(setDurations(rs, T0 + 20 * MIN, [30, 20, 10], [10, 20, 10]).room).toEqual({ index: 1, status: 'running', endsAt: T0 + 20 * MIN });
		const evaluation: RoomStages = { room: { index: EVALUATION_INDEX, status: 'running' }, overrides: {} };
		expect(setDurations(evaluation, T0, [30, 20, 10], [1, 1, 1]).room).toEqual(evaluation.room);
	});
	it('refuses a duration that is not a positive whole number of minutes', () => {
		expectStageError(() => setDurations(initialRoomStages(), T0, [30, 20, 10], [0, 20, 10]), 'durée invalide (0)');
	});
});
