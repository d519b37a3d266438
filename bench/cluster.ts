/**
 * Cluster mode's machinery (`--nodes`): a throwaway PostgreSQL (tests/helpers/postgres.ts), N
 * Palabre nodes on loopback, a round-robin TCP balancer in front (no routing key: the nodes
 * forward what they do not own, the worst case for cross-node traffic) or, with `--route event`,
 * one entry per event that sends it to its owner while that one is up (as HAProxy hashing on the
 * event does), and the cross-node
 * bytes, counted by a relay on each node's internal address (PALABRE_NODE_URL): whatever one
 * node forwards to another goes through it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, ROOT } from './servers';

const PALABRE = join(ROOT, 'build', 'palabre.js');

/** `--nodes 3` → [1, 3]: one node is always measured alongside, at the same load; `--nodes 2,3` → [1, 2, 3]. */
export function parseNodes(value: string): number[] {
	const list = value.split(',').map((s) => Number(s.trim()));
	if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 5)) throw new Error(`--nodes: whole numbers from 1 to 5, comma-separated (got ${value})`);
	return [...new Set([1, ...list])].sort((a, b) => a - b);
}

/** A TCP listener that pipes every connection to `connectTo()` (null: refused) and counts the bytes both ways. */
class Relay {
	bytes = 0;
	private readonly open = new Set<net.Socket>();
	private readonly server: net.Server;

	constructor(connectTo: (tried: number) => number | null) {
		this.server = net.createServer((client) => {
			this.open.add(client);
			client.on('close', () => this.open.delete(client));
			client.on('error', () => client.destroy());
			client.pause();
			const attempt = (tried: number) => {
				const port = connectTo(tried);
				if (port === null) return void client.destroy();
				const upstream = net.connect(port, '127.0.0.1');
				let connected = false;
				// Refused (a dead node): the next one. Once connected, an error ends both sides.
				upstream.on('error', () => (connected ? client.destroy() : attempt(tried + 1)));
				upstream.once('connect', () => {
					connected = true;
					upstream.setNoDelay(true);
					client.on('data', (d: Buffer) => (this.bytes += d.length));
					upstream.on('data', (d: Buffer) => (this.bytes += d.length));
					client.pipe(upstream).pipe(client);
					client.resume();
					upstream.on('close', () => client.destroy());
					client.on('close', () => upstream.destroy());
				});
			};
			attempt(0);
		});
	}

	listen(): Promise<number> {
		return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
	}

	close() {
		for (const s of this.open) s.destroy();
		this.server.close();
	}
}

export interface ClusterNode {
	id: string;
	port: number;
	/** Where the phones' balancer and the other nodes reach it. */
	url: string;
	child: ChildProcess;
	output: string;
	/** What the other nodes forwarded to this one, and its answers. */
	relay: Relay;
	/** SIGKILLed: out of the balancer (as a failed health check would take it). */
	down: boolean;
}

export class Cluster {
	readonly nodes: ClusterNode[] = [];
	private next = 0;
	private readonly balancer = new Relay((tried) => {
		const up = this.nodes.filter((n) => !n.down);
		if (tried >= up.length || up.length === 0) return null;
		return (up[this.next++ % up.length] as ClusterNode).port;
	});
	private readonly dirs: string[] = [];
	private readonly entries: Relay[] = [];
	url = '';
	private pool: pg.Pool | null = null;

	static async start(count: number, databaseUrl: string, env: Record<string, string>): Promise<Cluster> {
		const cluster = new Cluster();
		cluster.url = `http://127.0.0.1:${await cluster.balancer.listen()}`;
		cluster.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
		for (let i = 1; i <= count; i++) await cluster.startNode(`n${i}`, databaseUrl, env);
		return cluster;
	}

	private async startNode(id: string, databaseUrl: string, env: Record<string, string>) {
		const port = await freePort();
		const relay = new Relay((tried) => (tried === 0 ? port : null));
		const internal = `http://127.0.0.1:${await relay.listen()}`;
		const dataDir = mkdtempSync(join(tmpdir(), `palabre-bench-${id}-`));
		this.dirs.push(dataDir);
		const child = spawn(process.execPath, [PALABRE], {
			env: {
				...process.env,
				PORT: String(port),
				HOST: '127.0.0.1',
				DATA_DIR: dataDir,
				PUBLIC_URL: this.url,
				DATABASE_URL: databaseUrl,
				PALABRE_NODE_URL: internal,
				NODE_ID: id,
				JOIN_LIMIT: '100000',
				CREATE_LIMIT: '100000',
				...env
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const node: ClusterNode = { id, port, url: `http://127.0.0.1:${port}`, child, output: '', relay, down: false };
		child.stdout?.on('data', (d) => (node.output += d));
		child.stderr?.on('data', (d) => (node.output += d));
		const deadline = Date.now() + 60_000;
		while (!node.output.includes('Palabre est prêt')) {
			if (child.exitCode !== null || Date.now() > deadline) throw new Error(`node ${id} did not start:\n${node.output}`);
			await new Promise((r) => setTimeout(r, 50));
		}
		this.nodes.push(node);
	}

	/**
	 * Where an event's phones connect: the round-robin balancer, or (`byEvent`) an entry of its own
	 * that sends every connection to `owner` while it is up, and round robin over the others after.
	 */
	async entry(owner: ClusterNode, byEvent: boolean): Promise<string> {
		if (!byEvent) return this.url;
		const relay = new Relay((tried) => {
			if (!owner.down) return tried === 0 ? owner.port : null;
			const up = this.nodes.filter((n) => !n.down);
			return tried < up.length ? (up[this.next++ % up.length] as ClusterNode).port : null;
		});
		this.entries.push(relay);
		return `http://127.0.0.1:${await relay.listen()}`;
	}

	/** Bytes the nodes forwarded to each other so far (requests and answers, WebSockets both ways). */
	get crossNodeBytes(): number {
		return this.nodes.reduce((a, n) => a + n.relay.bytes, 0);
	}

	/** The node holding an event's lease and its epoch; null when nobody does. */
	async owner(eventId: string): Promise<{ nodeId: string; epoch: string } | null> {
		const { rows } = await (this.pool as pg.Pool).query<{ node_id: string; epoch: string }>('SELECT node_id, epoch::text FROM event_leases WHERE event_id = $1', [eventId]);
		const row = rows[0];
		return row ? { nodeId: row.node_id, epoch: row.epoch } : null;
	}

	/** Transactions PostgreSQL committed in the nodes' database so far (its statistics, flushed within a second). */
	async commits(): Promise<number> {
		const { rows } = await (this.pool as pg.Pool).query<{ n: string }>('SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()');
		return Number(rows[0]?.n ?? 0);
	}

	kill(node: ClusterNode) {
		node.down = true;
		node.child.kill('SIGKILL');
	}

	async stop() {
		this.balancer.close();
		for (const e of this.entries) e.close();
		await Promise.all(
			this.nodes.map(
				(n) =>
					new Promise<void>((resolve) => {
						n.relay.close();
						if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve();
						const timer = setTimeout(() => n.child.kill('SIGKILL'), 15_000);
						n.child.once('exit', () => (clearTimeout(timer), resolve()));
						n.child.kill('SIGTERM');
					})
			)
		);
		await this.pool?.end();
		for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
	}
}
