/**
 * What makes a group need a facilitator's visit, for the dashboard's attention dot and its
 * « needs attention » order: behind the room, held, no rapporteur for its stage, no resident's
 * voice, or someone alone at the table.
 */
import type { StageState } from './stages';

export type AttentionReason = 'alone' | 'behind' | 'held' | 'noRapporteur' | 'noResident';

export interface AttentionInput {
	memberCount: number;
	stage: StageState;
	noResidentVoice: boolean;
	hasRapporteur: boolean;
}

/** Order of progress: finished comes after every stage. */
const progress = (s: StageState) => (s.status === 'finished' ? 5 : s.index);

/** Most pressing first. */
export function attention(group: AttentionInput, room: StageState): AttentionReason[] {
	const reasons: AttentionReason[] = [];
	if (group.memberCount === 1) reasons.push('alone');
	if (progress(group.stage) < progress(room)) reasons.push('behind');
	if (group.stage.status === 'paused' && room.status !== 'paused') reasons.push('held');
	if (!group.hasRapporteur) reasons.push('noRapporteur');
	if (group.noResidentVoice) reasons.push('noResident');
	return reasons;
}

/** Groups needing attention first (more reasons first), then by statement and number. */
export function byAttention<T extends { reasons: AttentionReason[]; statementIndex: number; number: number }>(a: T, b: T): number {
	return b.reasons.length - a.reasons.length || a.statementIndex - b.statementIndex || a.number - b.number;
}
