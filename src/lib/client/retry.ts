/**
 * Waiting before trying a refused request again (a join refused while a whole room arrives): at
 * least what the server asked (`Retry-After`), doubling from 1 s up to 30 s, plus up to half as
 * much again at random, so that phones refused together do not all come back together.
 */
export function retryDelay(attempt: number, retryAfter: string | null, now = Date.now(), random = Math.random): number {
	const header = retryAfter?.trim() ?? '';
	const asked = /^\d+$/.test(header) ? Number(header) * 1000 : header ? Math.max(0, (Date.parse(header) || now) - now) : 0;
	const base = Math.max(asked, Math.min(30_000, 1_000 * 2 ** attempt));
	return Math.round(base + (random() * base) / 2);
}

/** Statuses worth trying again: refused for now (a limit) or the server briefly unavailable. */
export const retryable = (status: number) => status === 429 || status === 503;

/** Tries after which the page stops and shows the server's answer (about five minutes in all). */
export const MAX_RETRIES = 12;

/**
 * Reconnections are spread over this window: when a server stops (a failover, a restart, the
 * venue's Wi-Fi coming back), every phone loses its connections at the same moment, and without
 * a spread they would all come back at the same one too: the node taking over would get a whole
 * event's handshakes, tickets and snapshots in one instant.
 */
export const RECONNECT_SPREAD_MS = 2_000;

/** A random wait within the spread, before a reconnection. */
export function reconnectJitter(random = Math.random): number {
	return Math.floor(random() * RECONNECT_SPREAD_MS);
}
