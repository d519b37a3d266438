/**
 * A facilitator's verbatims on this phone (docs/verbatims.md): kept in localStorage from the tap
 * on « Noter » until the server has stored them, so a capture made offline (or before a reload)
 * is sent later with its own id and time. The server stores an id once, so resending is harmless.
 * The last ones sent stay listed, for the facilitator to see what went.
 */
import type { Capture } from '../domain/verbatims';
import { LIMITS } from '../protocol';

export interface Noted {
	capture: Capture;
	sent: boolean;
}

/** Sent verbatims kept for the list: the facilitator sees their last ones, not the whole day. */
const KEEP_SENT = 20;
const key = (workshopId: string) => `palabre.verbatims.${workshopId}`;

export function loadNoted(workshopId: string): Noted[] {
	try {
		const list = JSON.parse(localStorage.getItem(key(workshopId)) ?? '[]') as unknown;
		return Array.isArray(list) ? (list as Noted[]) : [];
	} catch {
		return [];
	}
}

function save(workshopId: string, list: Noted[]) {
	const sent = list.filter((n) => n.sent);
	const keep = new Set(sent.slice(-KEEP_SENT));
	localStorage.setItem(key(workshopId), JSON.stringify(list.filter((n) => !n.sent || keep.has(n))));
}

export function note(workshopId: string, capture: Capture): Noted[] {
	const list = [...loadNoted(workshopId), { capture, sent: false }];
	save(workshopId, list);
	return loadNoted(workshopId);
}

/**
 * Sends what waits, a batch at a time; what the server acknowledged is marked sent. Throws what
 * the sending throws (offline, refused): what waits stays. Safe to call often.
 */
export async function flushNoted(workshopId: string, send: (batch: Capture[]) => Promise<string[]>): Promise<Noted[]> {
	for (;;) {
		const waiting = loadNoted(workshopId).filter((n) => !n.sent);
		if (!waiting.length) return loadNoted(workshopId);
		const stored = new Set(await send(waiting.slice(0, LIMITS.verbatimsPerMessage).map((n) => n.capture)));
		// Verbatims noted while this batch travelled stay waiting.
		const list = loadNoted(workshopId).map((n) => (stored.has(n.capture.id) ? { ...n, sent: true } : n));
		save(workshopId, list);
		if (!stored.size) return loadNoted(workshopId);
	}
}
