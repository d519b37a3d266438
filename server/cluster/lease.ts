/**
 * Who owns an event, decided by PostgreSQL (design §4.4). A node registers on a dedicated lease
 * connection and renews a heartbeat row; it owns an event while that session holds the event's
 * advisory lock, and each claim takes a new epoch from a sequence: the fencing token every write
 * transaction checks first (`fence`). A crashed node's locks are freed by PostgreSQL as soon as
 * its session ends; a frozen one (SIGSTOP, a long pause, cut off) loses its events once its
 * heartbeat has expired: the claimant ends its sessions and bumps the epoch, so whatever the
 * frozen node tries to commit when it wakes up is refused.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import { ensureClusterSchema } from './schema';

/** A write whose epoch is no longer the event's: another node owns it now. Nothing was committed. */
export class FencedError extends Error {
	readonly name = 'FencedError';
	constructor(
		readonly eventId: string,
		readonly epoch: number
	) {
		super(`event ${eventId}: epoch ${epoch} is no longer the owner's`);
	}
}

/**
 * The check every write transaction of an owner runs first, inside its transaction: the lease row
 * stays share-locked until COMMIT, so a takeover (which updates it) waits for the write in flight,
 * and any later write at the old epoch finds no row.
 */
export async function fence(client: pg.ClientBase, eventId: string, epoch: number): Promise<void> {
	const { rowCount } = await client.query('SELECT 1 FROM event_leases WHERE event_id = $1 AND epoch = $2 FOR SHARE', [eventId, epoch]);
	if (!rowCount) throw new FencedError(eventId, epoch);
}

/**
 * The name every PostgreSQL session of a node carries (pass it as `application_name` to the
 * node's other pools too): taking over from a frozen node ends all of them, so a transaction it
 * left open cannot hold the lease row.
 */
export const applicationName = (nodeId: string) => `palabre:${nodeId}`.slice(0, 63);

/** A node's name when none is given (NODE_ID): its machine, its pid, and a few random bytes. */
export const newNodeId = () => `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

export interface LeaseOptions {
	databaseUrl: string;
	/** Where other nodes forward this node's events (http://host:port on the internal network). */
	url: string;
	nodeId?: string;
	heartbeatMs?: number;
	/** How long a heartbeat keeps the node alive in others' eyes. */
	ttlMs?: number;
	/** The node lost its lease session or missed its heartbeat: it must stop serving these events at once. */
	onLost?: (eventIds: string[], reason: Error) => void;
}

export interface Owner {
	nodeId: string;
	url: string;
	epoch: number;
}

/** The key of an event's advisory lock, and the pg_locks row that shows who holds it. */
const EVENT_KEY = `hashtextextended('event:' || $1, 0)`;
const HOLDS_EVENT_LOCK = `l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
	AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND l.classid::bigint = ((${EVENT_KEY} >> 32) & 4294967295)
	AND l.objid::bigint = (${EVENT_KEY} & 4294967295)`;

/** PostgreSQL's code for a lock wait that hit `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

export class Leases {
	readonly nodeId: string;
	private readonly held = new Map<string, number>();
	private readonly claiming = new Map<string, Promise<number | null>>();
	private heartbeat?: NodeJS.Timeout;
	private lastBeat = Date.now();
	private beating = false;
	private draining = false;
	private closed = false;

	private constructor(
		private readonly client: pg.Client,
		private readonly opts: Required<Omit<LeaseOptions, 'onLost'>> & Pick<LeaseOptions, 'onLost'>
	) {
		this.nodeId = opts.nodeId;
	}

	/** Registers this node (creating the cluster's tables if needed) and starts its heartbeat. */
	static async start(options: LeaseOptions): Promise<Leases> {
		const opts = {
			nodeId: newNodeId(),
			heartbeatMs: 2_000,
			ttlMs: 6_000,
			...options
		};
		const client = new pg.Client({
			connectionString: opts.databaseUrl,
			application_name: applicationName(opts.nodeId),
			keepAlive: true,
			// A claim never waits long behind a write in flight: the heartbeat shares this session.
			options: '-c lock_timeout=1000'
		});
		await client.connect();
		const leases = new Leases(client, opts);
		client.on('error', (err) => leases.lost(err));
		client.on('end', () => leases.lost(new Error('lease connection ended')));
		try {
			await ensureClusterSchema(client);
			// A dead node's row may name this backend's pid (pids are reused): it is not this node.
			await client.query('DELETE FROM nodes WHERE lease_pid = pg_backend_pid() OR expires_at < now() - interval \'1 hour\'');
			await client.query(
				`INSERT INTO nodes (node_id, url, lease_pid, expires_at) VALUES ($1, $2, pg_backend_pid(), now() + make_interval(secs => $3))
				 ON CONFLICT (node_id) DO UPDATE SET url = excluded.url, lease_pid = excluded.lease_pid, expires_at = excluded.expires_at`,
				[opts.nodeId, opts.url, opts.ttlMs / 1000]
			);
		} catch (err) {
			leases.closed = true;
			await client.end().catch(() => {});
			throw err;
		}
		leases.lastBeat = Date.now();
		leases.heartbeat = setInterval(() => void leases.beat(), opts.heartbeatMs);
		leases.heartbeat.unref();
		return leases;
	}

	/** The events this node owns, with their epochs. */
	get events(): ReadonlyMap<string, number> {
		return this.held;
	}

	get alive(): boolean {
		return !this.closed;
	}

	/**
	 * Takes the event if nobody alive holds it: resolves with the new epoch (the fencing token), or
	 * null when a live node owns it (forward to `owner(eventId)`) or this node is draining.
	 */
	claim(eventId: string): Promise<number | null> {
		this.assertOpen();
		const held = this.held.get(eventId);
		if (held !== undefined) return Promise.resolve(held);
		if (this.draining) return Promise.resolve(null);
		// One claim at a time per event: the advisory lock is re-entrant within this session.
		let pending = this.claiming.get(eventId);
		if (!pending) {
			pending = this.take(eventId).finally(() => this.claiming.delete(eventId));
			this.claiming.set(eventId, pending);
		}
		return pending;
	}

	private async take(eventId: string): Promise<number | null> {
		for (let attempt = 0; attempt < 3; attempt++) {
			const { rows } = await this.client.query(`SELECT pg_try_advisory_lock(${EVENT_KEY}) AS got`, [eventId]);
			if (rows[0].got) return this.stamp(eventId);
			const holder = await this.holder(eventId);
			if (holder && !holder.expired) return null;
			// Expired: the holder is frozen or cut off. End every session it has, then try again.
			if (holder) await this.terminate(holder.pid, holder.nodeId);
		}
		return null;
	}

	/** Holding the lock: a new epoch. Waits (bounded) for the old owner's write in flight to commit. */
	private async stamp(eventId: string): Promise<number | null> {
		try {
			const { rows } = await this.client.query(
				`INSERT INTO event_leases (event_id, node_id, epoch) VALUES ($1, $2, nextval('lease_epoch'))
				 ON CONFLICT (event_id) DO UPDATE SET node_id = excluded.node_id, epoch = excluded.epoch
				 RETURNING epoch`,
				[eventId, this.nodeId]
			);
			const epoch = Number(rows[0].epoch);
			this.held.set(eventId, epoch);
			return epoch;
		} catch (err) {
			await this.client.query(`SELECT pg_advisory_unlock(${EVENT_KEY})`, [eventId]).catch(() => {});
			if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) return null;
			throw err;
		}
	}

	/** The session holding an event's lock, the node it belongs to, and whether its heartbeat expired. */
	private async holder(eventId: string): Promise<{ pid: number; nodeId: string | null; expired: boolean } | null> {
		const { rows } = await this.client.query(
			`SELECT l.pid, n.node_id, coalesce(n.expires_at < now(), false) AS expired
			 FROM pg_locks l
			 LEFT JOIN LATERAL (SELECT node_id, expires_at FROM nodes WHERE lease_pid = l.pid ORDER BY expires_at DESC LIMIT 1) n ON true
			 WHERE ${HOLDS_EVENT_LOCK}`,
			[eventId]
		);
		const row = rows[0];
		return row ? { pid: row.pid, nodeId: row.node_id, expired: row.expired } : null;
	}

	private async terminate(pid: number, nodeId: string | null) {
		await this.client.query(
			`SELECT pg_terminate_backend(pid, 1000) FROM pg_stat_activity
			 WHERE pid <> pg_backend_pid() AND (pid = $1 OR application_name = $2)`,
			[pid, nodeId === null ? '' : applicationName(nodeId)]
		);
	}

	/**
	 * Gives the event up (once its writes are committed): its lease row goes, so a write at this
	 * epoch is refused even before anyone claims it, then the lock is freed.
	 */
	async release(eventId: string): Promise<void> {
		const epoch = this.held.get(eventId);
		if (epoch === undefined || this.closed) return;
		this.held.delete(eventId);
		try {
			await this.client.query('DELETE FROM event_leases WHERE event_id = $1 AND epoch = $2', [eventId, epoch]);
		} finally {
			await this.client.query(`SELECT pg_advisory_unlock(${EVENT_KEY})`, [eventId]);
		}
	}

	/** The live node that owns the event (possibly this one), or null when nobody does. */
	async owner(eventId: string): Promise<Owner | null> {
		this.assertOpen();
		const { rows } = await this.client.query(
			`SELECT el.node_id, n.url, el.epoch FROM event_leases el JOIN nodes n USING (node_id)
			 WHERE el.event_id = $1 AND n.expires_at > now()
			   AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = n.lease_pid AND ${HOLDS_EVENT_LOCK})`,
			[eventId]
		);
		const row = rows[0];
		return row ? { nodeId: row.node_id, url: row.url, epoch: Number(row.epoch) } : null;
	}

	/** Draining: claims no more events from now on (those held stay until released). */
	drain() {
		this.draining = true;
	}

	/** Releases every event, leaves the cluster and closes the lease session. */
	async stop(): Promise<void> {
		if (this.closed) return;
		this.drain();
		await Promise.allSettled(this.claiming.values());
		for (const eventId of [...this.held.keys()]) await this.release(eventId);
		this.closed = true;
		clearInterval(this.heartbeat);
		await this.client.query('DELETE FROM nodes WHERE node_id = $1', [this.nodeId]).catch(() => {});
		await this.client.end().catch(() => {});
	}

	private async beat() {
		if (this.beating || this.closed) return;
		// Longer than the TTL without a heartbeat (frozen, or PostgreSQL out of reach): another node
		// may have taken our events already, so they go now, before anything else is served.
		if (Date.now() - this.lastBeat > this.opts.ttlMs) return this.lost(new Error('heartbeat missed'));
		this.beating = true;
		try {
			const { rowCount } = await this.client.query(
				'UPDATE nodes SET expires_at = now() + make_interval(secs => $2) WHERE node_id = $1 AND lease_pid = pg_backend_pid()',
				[this.nodeId, this.opts.ttlMs / 1000]
			);
			if (rowCount) this.lastBeat = Date.now();
			else this.lost(new Error('node row gone'));
		} catch (err) {
			this.lost(err as Error);
		} finally {
			this.beating = false;
		}
	}

	/** The lease session is gone or untrustworthy: every event goes, and this instance is done. */
	private lost(reason: Error) {
		if (this.closed) return;
		this.closed = true;
		clearInterval(this.heartbeat);
		const events = [...this.held.keys()];
		this.held.clear();
		this.client.end().catch(() => {});
		this.opts.onLost?.(events, reason);
	}

	private assertOpen() {
		if (this.closed) throw new Error('this node has lost its lease session');
	}
}
