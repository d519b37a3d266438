/**
 * Tickets for the write-ups' WebSocket: a token must never travel in a URL (proxies and servers
 * log URLs), so a client first asks for a ticket over HTTP, with its token in the Authorization
 * header, then opens /yjs/<doc>?ticket=…. A ticket opens that one doc, once, within its lifetime;
 * it is kept only in this process's memory.
 */
import { newToken } from '../tokens';

export const TICKET_TTL_MS = 60_000;
/** Live tickets per token (a page opens one per doc and per reconnection) and in all. */
const PER_TOKEN = 32;
const IN_ALL = 20_000;

interface Ticket {
	token: string;
	docName: string;
	expires: number;
}

export class YjsTickets {
	/** In order of issue, so of expiry: the oldest are first. */
	private readonly live = new Map<string, Ticket>();
	private readonly byToken = new Map<string, string[]>();

	constructor(private readonly now: () => number = Date.now) {}

	/** A new ticket for one connection to `docName` with `token` (already checked by the caller). */
	issue(token: string, docName: string): string {
		this.sweep();
		// One token asking again and again pushes out only its own oldest tickets.
		const mine = this.byToken.get(token) ?? [];
		for (const old of mine.slice(0, Math.max(0, mine.length - PER_TOKEN + 1))) this.forget(old);
		if (this.live.size >= IN_ALL) this.forget(this.live.keys().next().value as string);
		const ticket = newToken();
		this.live.set(ticket, { token, docName, expires: this.now() + TICKET_TTL_MS });
		this.byToken.set(token, [...(this.byToken.get(token) ?? []), ticket]);
		return ticket;
	}

	/** The token a ticket was issued for, if it is live and for this doc; it is used up either way. */
	redeem(ticket: string, docName: string): string | undefined {
		const t = this.live.get(ticket);
		if (!t) return undefined;
		this.forget(ticket);
		return t.expires > this.now() && t.docName === docName ? t.token : undefined;
	}

	get size() {
		return this.live.size;
	}

	private sweep() {
		const now = this.now();
		for (const [ticket, t] of this.live) {
			if (t.expires > now) break;
			this.forget(ticket);
		}
	}

	private forget(ticket: string) {
		const t = this.live.get(ticket);
		if (!t) return;
		this.live.delete(ticket);
		const rest = (this.byToken.get(t.token) ?? []).filter((x) => x !== ticket);
		if (rest.length) this.byToken.set(t.token, rest);
		else this.byToken.delete(t.token);
	}
}
