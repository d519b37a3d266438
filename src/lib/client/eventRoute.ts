/**
 * The routing key (docs/deploy/README.md): the event this page is about, sent as `e=` with its
 * control-plane connection, its write-ups' connections and tickets, and its event calls, so that
 * when Palabre runs on several nodes the proxy and the nodes bring them to the event's owner.
 * Pages set it as soon as they know the event; one Palabre process on its own ignores it.
 */
let eventId: string | undefined;

export function routeToEvent(id: string | null | undefined) {
	eventId = id ?? undefined;
}

/** `{ e }` for a connection's query, or nothing while the event is unknown. */
export function eventQuery(): Record<string, string> {
	return eventId ? { e: eventId } : {};
}

/** The URL with the event's `e=` added (same-origin paths or absolute URLs). */
export function withEvent(url: string): string {
	return eventId ? `${url}${url.includes('?') ? '&' : '?'}e=${encodeURIComponent(eventId)}` : url;
}
