/**
 * One event's failure stays that event's: something that failed while serving one event (a
 * view, a handler) is logged with the event's id, its clients are told by a `fault` message they
 * can show, and nothing else stops.
 */
import type { Fault } from '../../src/lib/protocol';
import type { ControlServer } from './channels';

export class Faults {
	/** When each event's failure of each kind was last logged: a view failing every second logs once a minute. */
	private readonly logged = new Map<string, number>();

	constructor(private readonly io: ControlServer) {}

	/** `eventId` may be read lazily: the failure may be reading the event itself. */
	failed(eventId: string | (() => string | undefined), what: string, err: unknown, to: string[]) {
		let id: string | undefined;
		try {
			id = typeof eventId === 'string' ? eventId : eventId();
		} catch {
			// Unreadable: logged without it.
		}
		const now = Date.now();
		const key = `${id} ${what}`;
		if (now - (this.logged.get(key) ?? 0) >= 60_000) {
			this.logged.set(key, now);
			console.error(`Erreur sur l’événement ${id ?? '?'} (${what}) ; les autres événements continuent :`, err);
		}
		if (to.length) this.io.to(to).emit('fault', { eventId: id ?? null, at: now } satisfies Fault);
	}

	/** Runs one event's unit of work; a throw is that event's `failed`. */
	isolated(eventId: string | (() => string | undefined), what: string, to: string[], work: () => void) {
		try {
			work();
		} catch (err) {
			this.failed(eventId, what, err, to);
		}
	}
}
