/**
 * The stages of a theme room (../shared/GROS-DEBAT.md): three timed stages, then the group evaluation.
 * The server holds this state and is the only one to run these transitions; clients display
 * from `endsAt` (while running) or `remainingMs` (while paused) with their offset to the server clock.
 *
 * Room and groups:
 * - every group follows the room state unless it has an override (held, advanced or adjusted on its own);
 * - pause, resume and adjust of the room never touch overrides: a held group stays held,
 *   a group ahead keeps its own timer;
 * - start and next of the room drop the overrides of groups at or behind the new room stage
 *   (moving the room on gathers the late and the held; groups ahead keep their own timer);
 * - finishing the room drops every override.
 *
 * The evaluation (index 4) has no timer: it is 'running' without `endsAt` and cannot be paused or adjusted.
 * A timed stage past its end stays 'running' with 0 remaining: the facilitator decides when to move on.
 * 'finished' keeps the index where the stages stopped.
 */
import type { MessageKey } from '../i18n/words';
import { Refusal } from './refusal';

export const STAGE_COUNT = 3;
export const EVALUATION_INDEX = 4;

export type StageIndex = 0 | 1 | 2 | 3 | 4;
export type StageStatus = 'waiting' | 'running' | 'paused' | 'finished';
export interface StageState {
	index: StageIndex;
	status: StageStatus;
	/** Server epoch ms; only while a timed stage is running. */
	endsAt?: number;
	/** Only while paused. */
	remainingMs?: number;
}
export interface RoomStages {
	room: StageState;
	/** Keyed by group id. */
	overrides: Record<string, StageState>;
	/** The room's own stage durations in minutes, once a facilitator changed them (else the event's). */
	minutes?: StageMinutes;
}
export type StageMinutes = [number, number, number];
export type StageDurations = readonly [number, number, number];

/** A stage command refused by the stage machine. */
export class StageError extends Refusal {
	override name = 'StageError';
}

export const INITIAL_STAGE: StageState = Object.freeze({ index: 0, status: 'waiting' });

export function initialRoomStages(): RoomStages {
	return { room: INITIAL_STAGE, overrides: {} };
}

/** Event settings give minutes; transitions take milliseconds. */
export function durationsFromMinutes(minutes: readonly [number, number, number]): [number, number, number] {
	return [minutes[0] * 60_000, minutes[1] * 60_000, minutes[2] * 60_000];
}

export function isTimedIndex(index: StageIndex): index is 1 | 2 | 3 {
	return index >= 1 && index <= STAGE_COUNT;
}

/** Running or paused on a stage with a timer (1–3). */
function hasTimer(state: StageState): boolean {
	return isTimedIndex(state.index) && (state.status === 'running' || state.status === 'paused');
}

type StageAction = Extract<MessageKey, `stageAction.${string}`> extends `stageAction.${infer A}` ? A : never;
type StageReason = Extract<MessageKey, `stageReason.${string}`> extends `stageReason.${infer R}` ? R : never;

function fail(action: StageAction | { key: StageAction; index: number }, reason: StageReason, value?: number): never {
	const act = typeof action === 'string' ? { key: `stageAction.${action}` as const } : { key: `stageAction.${action.key}` as const, params: { index: action.index } };
	throw new StageError('stageRefused', { action: act, reason: { key: `stageReason.${reason}`, params: { value: String(value) } } });
}

export function remainingMs(state: StageState, now: number): number {
	if (state.status === 'paused') return Math.max(0, state.remainingMs ?? 0);
	if (state.status === 'running' && state.endsAt !== undefined) return Math.max(0, state.endsAt - now);
	return 0;
}

export function isOvertime(state: StageState, now: number): boolean {
	return state.status === 'running' && state.endsAt !== undefined && now >= state.endsAt;
}

/** « Temps de rédaction »: the rapporteur should start writing (last minutes of a running stage 1–3, before overtime). */
export function writingWarning(state: StageState, now: number, warnMinutes = 5): boolean {
	if (state.status !== 'running' || state.endsAt === undefined) return false;
	const left = state.endsAt - now;
	return left > 0 && left <= warnMinutes * 60_000;
}

function stageStart(index: StageIndex, now: number, durationsMs: StageDurations): StageState {
	if (!isTimedIndex(index)) return { index, status: 'running' };
	const duration = durationsMs[index - 1];
	// Settings are validated upstream; a bad value here would freeze or skip a stage silently.
	if (duration === undefined || !Number.isFinite(duration) || duration <= 0) {
		fail({ key: 'startStage', index }, 'badDuration', duration);
	}
	return { index, status: 'running', endsAt: now + duration };
}

export function start(state: StageState, now: number, durationsMs: StageDurations): StageState {
	// Only from index 0, so that two facilitators clicking at once do not skip a stage.
	if (state.status !== 'waiting') fail('start', 'started');
	return stageStart(1, now, durationsMs);
}

export function pause(state: StageState, now: number): StageState {
	if (state.status === 'paused') fail('pause', 'alreadyPaused');
	if (state.status !== 'running') fail('pause', 'noneRunning');
	if (state.endsAt === undefined) fail('pause', 'evaluationNoTimer');
	return { index: state.index, status: 'paused', remainingMs: remainingMs(state, now) };
}

export function resume(state: StageState, now: number): StageState {
	if (state.status !== 'paused') fail('resume', 'nonePaused');
	return { index: state.index, status: 'running', endsAt: now + remainingMs(state, now) };
}

/** Adds (or removes, when negative) time; an overtime stage given minutes counts them from now. */
export function adjust(state: StageState, now: number, deltaMs: number): StageState {
	if (!Number.isFinite(deltaMs)) fail('adjust', 'badDuration', deltaMs);
	if (!hasTimer(state)) fail('adjust', state.index === EVALUATION_INDEX && state.status === 'running' ? 'evaluationNoTimer' : 'noneRunning');
	const left = Math.max(0, remainingMs(state, now) + deltaMs);
	return state.status === 'paused'
		? { index: state.index, status: 'paused', remainingMs: left }
		: { index: state.index, status: 'running', endsAt: now + left };
}

/** 0 → stage 1, stage n → n+1 with its full duration (from a paused stage too), 3 → evaluation, evaluation → finished. */
export function next(state: StageState, now: number, durationsMs: StageDurations): StageState {
	if (state.status === 'finished') fail('next', 'over');
	if (state.index === EVALUATION_INDEX) return { index: EVALUATION_INDEX, status: 'finished' };
	return stageStart((state.index + 1) as StageIndex, now, durationsMs);
}

export function finish(state: StageState): StageState {
	if (state.status === 'waiting') fail('finish', 'notStarted');
	if (state.status === 'finished') fail('finish', 'alreadyOver');
	return { index: state.index, status: 'finished' };
}

/** Order of progress: finished comes after the evaluation whatever its index. */
function progress(state: StageState): number {
	return state.status === 'finished' ? EVALUATION_INDEX + 1 : state.index;
}

/** Drops the overrides of groups that the new room state has caught up with. */
function gather(room: StageState, overrides: Record<string, StageState>): RoomStages {
	const kept: Record<string, StageState> = {};
	for (const [id, s] of Object.entries(overrides)) if (progress(s) > progress(room)) kept[id] = s;
	return { room, overrides: kept };
}

export function startRoom(rs: RoomStages, now: number, durationsMs: StageDurations): RoomStages {
	return gather(start(rs.room, now, durationsMs), rs.overrides);
}

export function pauseRoom(rs: RoomStages, now: number): RoomStages {
	return { room: pause(rs.room, now), overrides: rs.overrides };
}

export function resumeRoom(rs: RoomStages, now: number): RoomStages {
	return { room: resume(rs.room, now), overrides: rs.overrides };
}

export function adjustRoom(rs: RoomStages, now: number, deltaMs: number): RoomStages {
	return { room: adjust(rs.room, now, deltaMs), overrides: rs.overrides };
}

export function nextRoom(rs: RoomStages, now: number, durationsMs: StageDurations): RoomStages {
	return gather(next(rs.room, now, durationsMs), rs.overrides);
}

export function finishRoom(rs: RoomStages): RoomStages {
	return { room: finish(rs.room), overrides: {} };
}

// Group ids come from clients: own keys only, so « toString » is not mistaken for an override.
function overrideOf(rs: RoomStages, groupId: string): StageState | undefined {
	return Object.hasOwn(rs.overrides, groupId) ? rs.overrides[groupId] : undefined;
}

function checkGroupId(groupId: string): void {
	if (groupId === '') throw new StageError('stageEmptyGroup');
}

/** What a group lives: its override, or the room state. */
export function effectiveStage(rs: RoomStages, groupId: string): StageState {
	return overrideOf(rs, groupId) ?? rs.room;
}

function setOverride(rs: RoomStages, groupId: string, state: StageState): RoomStages {
	return { room: rs.room, overrides: { ...rs.overrides, [groupId]: state } };
}

/** Freezes one group; also when the room is paused, so that it stays frozen when the room resumes. */
export function holdGroup(rs: RoomStages, groupId: string, now: number): RoomStages {
	checkGroupId(groupId);
	const own = overrideOf(rs, groupId);
	if (own === undefined && rs.room.status === 'paused') return setOverride(rs, groupId, rs.room);
	return setOverride(rs, groupId, pause(effectiveStage(rs, groupId), now));
}

/** The group rejoins the room timer (time spent held is lost; use resumeGroup to keep it). */
export function releaseGroup(rs: RoomStages, groupId: string): RoomStages {
	checkGroupId(groupId);
	if (overrideOf(rs, groupId) === undefined) {
		throw new StageError('stageFollowsRoom', { groupId });
	}
	const overrides = { ...rs.overrides };
	delete overrides[groupId];
	return { room: rs.room, overrides };
}

/** The group goes on with its own timer where it was held. */
export function resumeGroup(rs: RoomStages, groupId: string, now: number): RoomStages {
	checkGroupId(groupId);
	return setOverride(rs, groupId, resume(effectiveStage(rs, groupId), now));
}

/** More or less time for one group, which then runs on its own timer. */
export function adjustGroup(rs: RoomStages, groupId: string, now: number, deltaMs: number): RoomStages {
	checkGroupId(groupId);
	return setOverride(rs, groupId, adjust(effectiveStage(rs, groupId), now, deltaMs));
}

/** One group moves to its next stage with its own timer (a table ready before the others). */
export function advanceGroup(rs: RoomStages, groupId: string, now: number, durationsMs: StageDurations): RoomStages {
	checkGroupId(groupId);
	return setOverride(rs, groupId, next(effectiveStage(rs, groupId), now, durationsMs));
}

/**
 * New durations for the room's stages. A timer under way moves by the change of its stage's
 * duration (30 → 40 minutes: 10 more minutes on every screen), the room's and each group's on
 * its own timer; a stage not yet begun simply gets the new duration.
 */
export function setDurations(rs: RoomStages, now: number, before: StageMinutes, after: StageMinutes): RoomStages {
	for (const m of after) if (!Number.isInteger(m) || m < 1) fail('durations', 'badDuration', m);
	const change = (index: 1 | 2 | 3) => ((after[index - 1] ?? 0) - (before[index - 1] ?? 0)) * 60_000;
	const shift = (s: StageState) => (hasTimer(s) && isTimedIndex(s.index) ? adjust(s, now, change(s.index)) : s);
	const overrides: Record<string, StageState> = {};
	for (const [id, s] of Object.entries(rs.overrides)) overrides[id] = shift(s);
	return { room: shift(rs.room), overrides, minutes: [...after] };
}
