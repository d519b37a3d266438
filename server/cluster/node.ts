/**
 * A Palabre process as one node of several (DATABASE_URL with PALABRE_NODE_URL, docs/deploy/README.md):
 * the leases (./lease.ts), the ownership of events (./ownership.ts) and the forwarding
 * (./forward.ts), wired to the store and the transports.
 *
 * - A request, socket.io connection or write-up connection for an event is served here if this
 *   node owns the event, forwarded to the owner otherwise. Nobody owns it: this node claims it and
 *   loads its rows from PostgreSQL before serving anything.
 * - The store's commits and the Yjs processes' writes carry the epochs of the events this node
 *   serves (`fences`): once another node has taken an event over, nothing of this one commits.
 * - An event lost (its lease session gone, a heartbeat missed, a commit fenced) is dropped from
 *   memory and its sockets closed: phones reconnect, through the proxy or any node, to the new
 *   owner. The leases then start again, as a fresh member of the cluster.
 * - `stop()` drains: no more claims, each event's clients sent on, its commits land, then its
 *   lease is released.
 */
import type { IncomingMessage, Server } from 'node:http';
import type pg from 'pg';
import { normaliseJoinCode } from '../../src/lib/domain/joinCode';
import { splitParticipantToken } from '../tokens';
import type { PostgresStore } from '../store/postgres/mirror';
import { forwarder, mountForwarder, type Forwarder } from './forward';
import { Leases } from './lease';
import { ownership, type Ownership } from './ownership';

export interface ClusterNodeOptions {
	databaseUrl: string;
	nodeId: string;
	/** This node's internal address, where the others forward its events. */
	url: string;
}

/** What the node needs of the rest of the process, known once the store and the server exist. */
export interface ClusterParts {
	store: PostgresStore;
	/** Reads the write-ups of an event just loaded (server/app.ts `arrive`). */
	arrive(eventId: string): Promise<void>;
	/** Closes the sockets and write-ups of events moved elsewhere (server/app.ts `leave`). */
	leave(eventIds: string[]): void;
}

/** Pauses between two attempts to rejoin the cluster after the leases were lost. */
const REJOIN_MS = 500;

export class ClusterNode {
	/** The events served here, with the epoch they were claimed at (set once loaded). */
	readonly serving = new Map<string, number>();
	private leases!: Leases;
	private own!: Ownership;
	private parts?: ClusterParts;
	private forward?: Forwarder;
	private stopping = false;
	private rejoining?: Promise<void>;

	private constructor(private readonly opts: ClusterNodeOptions) {}

	/** Registers the node (its heartbeat starts); `wire` then connects it to the store and transports. */
	static async start(opts: ClusterNodeOptions): Promise<ClusterNode> {
		const node = new ClusterNode(opts);
		await node.join();
		return node;
	}

	/** For the store (server/store/postgres/mirror.ts): the leases its commits must hold. */
	readonly mirror = {
		fences: (): ReadonlyMap<string, number> => this.serving,
		// A fenced commit: this node's idea of what it owns is out of date. All goes; clients come back through the owners.
		onFenced: () => void this.fenced()
	};

	/** For the transports (server/app.ts): the lease a write of this event must hold here. */
	fenceOf = (eventId: string) => {
		const epoch = this.serving.get(eventId);
		return epoch === undefined ? undefined : { eventId, epoch };
	};

	wire(parts: ClusterParts) {
		this.parts = parts;
		// An event created here (a new one, an import) has no owner yet: this node claims it.
		const create = parts.store.createEvent;
		parts.store.createEvent = (input) => {
			create(input);
			void this.adopt(input.event.id);
		};
	}

	/** Claims a new event once its creation is committed; another node was quicker: forgotten here. */
	private async adopt(eventId: string) {
		const store = this.parts?.store;
		if (!store) return;
		try {
			// The creation is queued when the store call that made it returns, just after this.
			await null;
			await store.committed();
			if ((await this.own.ownerOf(eventId)) === 'me') return;
		} catch {
			// Refused, or no owner for now: the next request for it claims it (and loads it).
		}
		if (!this.serving.has(eventId)) store.dropEvents([eventId]);
	}

	/**
	 * Retention on several nodes (server/app.ts): the events created before `before` that no node
	 * serves are claimed here (and loaded), so that this node's sweep deletes them. An event nobody
	 * opens any more has no owner, and would otherwise be kept for ever. Those another node serves
	 * are left to that node's sweep; one that cannot be claimed now waits for the next sweep.
	 */
	async claimExpired(before: number): Promise<void> {
		const store = this.parts?.store;
		if (!store || this.stopping) return;
		const expired = await store.pool.query<{ id: string }>('SELECT id FROM events WHERE created_at < $1', [before]);
		for (const { id } of expired.rows) {
			if (this.serving.has(id)) continue;
			try {
				await this.own.ownerOf(id);
			} catch {
				// No owner for now (this node draining, a claim racing another): the next sweep.
			}
		}
	}

	/**
	 * Puts forwarding in front of every listener of the server (call it last). `lookup` is the pool
	 * that finds the event of a request whose URL does not name it.
	 */
	mount(http: Server, lookup: pg.Pool) {
		this.forward = forwarder((eventId) => this.own.ownerOf(eventId), {
			onUnreachable: (eventId) => this.own.forget(eventId),
			eventOf: (req) => eventOfRequest(lookup, req)
		});
		mountForwarder(http, this.forward);
	}

	private async join(): Promise<void> {
		const leases = await Leases.start({
			databaseUrl: this.opts.databaseUrl,
			nodeId: this.opts.nodeId,
			url: this.opts.url,
			onLost: (_events, reason) => this.lose(reason)
		});
		this.leases = leases;
		this.own = ownership({
			leases,
			onClaimed: async (eventId, epoch) => {
				const parts = this.parts;
				if (!parts) throw new Error('the node is not ready yet');
				// What an earlier owner committed, read after our claim: nothing can commit after it.
				await parts.store.loadEvents([eventId]);
				if (!parts.store.getEvent(eventId)) return false;
				await parts.arrive(eventId);
				// Lost meanwhile (the leases went while loading): not served.
				if (leases.events.get(eventId) !== epoch) throw new Error(`event ${eventId}: lost while loading`);
				this.serving.set(eventId, epoch);
				console.log(`Événement ${eventId} servi par ce nœud (${this.opts.nodeId}, époque ${epoch}).`);
			}
		});
	}

	/** The leases are gone (onLost): every event goes, and the node rejoins as a fresh member. */
	private lose(reason: Error) {
		this.drop([...this.serving.keys()], reason);
		this.rejoin();
	}

	/** A commit was fenced while the leases look fine: everything is given up (by epoch, so nothing of another owner's), then the node rejoins. */
	private async fenced() {
		this.drop([...this.serving.keys()], new Error('a commit was fenced'));
		if (this.leases.alive) await this.leases.stop().catch(() => {});
		this.rejoin();
	}

	/** Events this node may no longer write: forgotten, their clients sent on. */
	private drop(eventIds: string[], reason: Error) {
		const gone = eventIds.filter((id) => this.serving.delete(id));
		if (!gone.length) return;
		console.error(`Ce nœud (${this.opts.nodeId}) ne sert plus ${gone.length} événement(s) : ${reason.message}`);
		this.parts?.leave(gone);
		this.parts?.store.dropEvents(gone);
	}

	private rejoin() {
		if (this.stopping || this.rejoining) return;
		this.rejoining = (async () => {
			while (!this.stopping) {
				try {
					await this.join();
					console.log(`Ce nœud (${this.opts.nodeId}) a rejoint le cluster.`);
					return;
				} catch (err) {
					console.error(`Le nœud ne peut pas rejoindre le cluster : ${(err as Error).message}`);
					await new Promise((r) => setTimeout(r, REJOIN_MS));
				}
			}
		})().finally(() => (this.rejoining = undefined));
	}

	/**
	 * Drains the node (SIGTERM, an upgrade): claims nothing more, closes each event's clients and
	 * those it forwards (they reconnect through the proxy), lets its commits land, releases its
	 * leases, leaves the cluster.
	 */
	async stop(): Promise<void> {
		this.stopping = true;
		// The phones this node forwards elsewhere reconnect through the proxy.
		this.forward?.close();
		await this.rejoining;
		if (!this.leases.alive) return;
		this.leases.drain();
		const events = [...this.serving.keys()];
		this.serving.clear();
		this.parts?.leave(events);
		// Nothing of these events is written after this: they go with what is committed.
		await this.parts?.store.committed().catch(() => {});
		await this.leases.stop();
	}
}

/**
 * The event of a request whose URL does not name it, from PostgreSQL: the join and registration
 * pages and calls (join code), the capture page's calls (workshop), a phone's session (its token
 * names the participant), a write-up's ticket and WebSocket (its group). Null for anything else,
 * and for what does not exist (served here, and refused).
 */
async function eventOfRequest(pool: pg.Pool, req: IncomingMessage): Promise<string | null> {
	const path = (req.url ?? '/').split('?')[0] as string;
	const one = async (sql: string, key: string) => ((await pool.query<{ id: string }>(sql, [key])).rows[0]?.id ?? null);
	const code = /^\/(?:api\/(?:join|register)|[jr])\/([^/]+?)(?:\/__data\.json)?$/.exec(path)?.[1];
	if (code) {
		let typed: string;
		try {
			typed = decodeURIComponent(code);
		} catch {
			return null;
		}
		return one('SELECT id FROM events WHERE join_code = $1', normaliseJoinCode(typed));
	}
	const group = /^\/(?:api\/yjs-tickets|yjs)\/group\.([\w-]+)$/.exec(path)?.[1];
	if (group) return one('SELECT r.event_id AS id FROM groups g JOIN rooms r ON r.id = g.room_id WHERE g.id = $1', group);
	const workshop = /^\/api\/capture\/([\w-]+)$/.exec(path)?.[1];
	if (workshop) return one('SELECT event_id AS id FROM workshops WHERE id = $1', workshop);
	if (path === '/api/session') {
		const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
		const participant = token && splitParticipantToken(token)?.id;
		if (participant) return one('SELECT event_id AS id FROM participants WHERE id = $1', participant);
	}
	return null;
}
