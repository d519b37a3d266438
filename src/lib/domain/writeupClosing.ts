/**
 * When a group's write-up closes (docs/writeup.md): with the group's stages (« Terminer », or
 * the group moved on past its evaluation), unless a facilitator or organiser reopened it since.
 */
import type { StageState } from './stages';

export function isWriteupClosed(stage: StageState, lastDecision: { open: boolean } | undefined): boolean {
	return stage.status === 'finished' && lastDecision?.open !== true;
}
