/**
 * The one seam between the SvelteKit server (pages' first render) and the Palabre server (the
 * same Node process, bundled separately): a function published on globalThis. It serves public
 * data only — what the join page shows before any script has run.
 */
import type { EventInfo } from '../views';

export interface Bridge {
	/** Public information for a join code, or null for an unknown code. */
	eventInfo(joinCode: string): EventInfo | null;
}

const KEY = Symbol.for('palabre.bridge');

export function setBridge(bridge: Bridge) {
	(globalThis as Record<symbol, unknown>)[KEY] = bridge;
}

export function getBridge(): Bridge | undefined {
	return (globalThis as Record<symbol, unknown>)[KEY] as Bridge | undefined;
}
