/**
 * The forwarder's `ownerOf` for a node in a cluster (design §4.3): an event this node owns is
 * served here; one owned by another live node goes to that node's URL; one nobody owns is claimed
 * here, loaded (`onClaimed`), then served. Other nodes' ownership is cached briefly, and
 * forgotten as soon as their owner does not answer.
 */
import type { OwnerOf } from './forward';
import type { Leases } from './lease';

export interface OwnershipOptions {
	leases: Leases;
	/**
	 * This node has just claimed the event, with this epoch: load it before anything is served.
	 * False: there is no such event; the lease goes and the request is served here (refused).
	 */
	onClaimed?: (eventId: string, epoch: number) => Promise<boolean | void> | boolean | void;
	/** How long another node's ownership is trusted without asking PostgreSQL again. */
	cacheMs?: number;
}

export interface Ownership {
	ownerOf: OwnerOf;
	/** The owner did not answer (a forwarding failure): ask PostgreSQL next time. */
	forget(eventId: string): void;
}

export function ownership({ leases, onClaimed, cacheMs = 2_000 }: OwnershipOptions): Ownership {
	const known = new Map<string, { url: string; until: number }>();
	const pending = new Map<string, Promise<string>>();

	async function resolve(eventId: string): Promise<string> {
		const owner = await leases.owner(eventId);
		if (owner && owner.nodeId !== leases.nodeId) {
			known.set(eventId, { url: owner.url, until: Date.now() + cacheMs });
			return owner.url;
		}
		const epoch = await leases.claim(eventId);
		if (epoch !== null) {
			let exists: boolean | void;
			try {
				exists = await onClaimed?.(eventId, epoch);
			} catch (err) {
				await leases.release(eventId);
				throw err;
			}
			if (exists === false) await leases.release(eventId);
			return 'me';
		}
		// Claimed by another node in between (or this node is draining): ask once more.
		const now = await leases.owner(eventId);
		if (now && now.nodeId !== leases.nodeId) return now.url;
		throw new Error(`event ${eventId}: no owner for now`);
	}

	return {
		ownerOf(eventId) {
			// A claim under way (the event still loading) is waited for, even once the lease is held.
			const waiting = pending.get(eventId);
			if (waiting) return waiting;
			if (leases.events.has(eventId)) return 'me';
			const cached = known.get(eventId);
			if (cached && cached.until > Date.now()) return cached.url;
			const p = resolve(eventId).finally(() => pending.delete(eventId));
			pending.set(eventId, p);
			return p;
		},
		forget(eventId) {
			known.delete(eventId);
		}
	};
}
