/**
 * Ownership of events across processes (server/cluster/lease.ts, design §4.4), against a real
 * PostgreSQL with real node processes: claim and release, a killed owner's event claimable at
 * once, a frozen owner losing its event after its heartbeat expires and unable to commit when it
 * wakes up, and racing claimants that never both win. The takeover times are printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Leases } from '../../server/cluster/lease';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';

interface Answer {
	ok: boolean;
	result: unknown;
	error?: { name: string; message: string };
}

/** One node process (tests/helpers/leaseNode.ts) and the lines it answers. */
class LeaseNode {
	readonly lost: string[][] = [];
	private readonly waiting = new Map<number, (a: Answer) => void>();
	private next = 0;

	private constructor(readonly child: ChildProcess) {}

	static async start(databaseUrl: string, nodeId: string): Promise<LeaseNode> {
		const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'helpers', 'leaseNode.ts'), databaseUrl, nodeId], {
			stdio: ['pipe', 'pipe', 'inherit']
		});
		const node = new LeaseNode(child);
		started.push(node);
		// A node that dies answers nothing more: what waits for it fails rather than hangs.
		child.once('exit', (code, signal) => {
			for (const answer of node.waiting.values()) answer({ ok: false, result: null, error: { name: 'Exited', message: `${nodeId}: ${code ?? signal}` } });
		});
		await new Promise<void>((resolve, reject) => {
			child.once('exit', (code) => reject(new Error(`node ${nodeId} exited (${code}) before it was ready`)));
			createInterface({ input: child.stdout! }).on('line', (line) => {
				const msg = JSON.parse(line);
				if (msg.ready) resolve();
				else if (msg.lost) node.lost.push(msg.lost);
				else node.waiting.get(msg.id)?.(msg);
			});
		});
		return node;
	}

	send(op: string, eventId = '', epoch = 0): Promise<Answer> {
		const id = ++this.next;
		return new Promise((resolve) => {
			this.waiting.set(id, resolve);
			this.child.stdin!.write(`${JSON.stringify({ id, op, eventId, epoch })}\n`);
		});
	}

	async claim(eventId: string): Promise<number | null> {
		const a = await this.send('claim', eventId);
		if (!a.ok) throw new Error(a.error?.message);
		return a.result as number | null;
	}

	signal(signal: NodeJS.Signals) {
		this.child.kill(signal);
	}
}

const started: LeaseNode[] = [];
let cluster: PostgresCluster;
let databaseUrl: string;
let db: pg.Client;

beforeAll(async () => {
	cluster = await startPostgres();
	databaseUrl = await cluster.createDatabase();
	db = new pg.Client({ connectionString: databaseUrl });
	await db.connect();
	await db.query('CREATE TABLE writes (event_id text NOT NULL, epoch bigint NOT NULL, node_id text NOT NULL)');
});

afterAll(async () => {
	for (const n of started) {
		n.signal('SIGCONT');
		n.signal('SIGKILL');
	}
	await db?.end();
	await cluster?.stop();
});

const writesAt = async (eventId: string, epoch: number) =>
	(await db.query('SELECT count(*)::int AS n FROM writes WHERE event_id = $1 AND epoch = $2', [eventId, epoch])).rows[0].n as number;

/** Claims until it succeeds (bounded); the milliseconds it took from `since`. */
async function claimUntilTaken(node: LeaseNode, eventId: string, since: number, ms = 20_000): Promise<{ epoch: number; after: number; refusals: number }> {
	let refusals = 0;
	while (Date.now() - since < ms) {
		const epoch = await node.claim(eventId);
		if (epoch !== null) return { epoch, after: Date.now() - since, refusals };
		refusals++;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error(`${eventId} not taken over within ${ms} ms`);
}

test('a claimed event has one owner until it is released; a released epoch cannot write', async () => {
	const [a, b] = await Promise.all([LeaseNode.start(databaseUrl, 'n-a1'), LeaseNode.start(databaseUrl, 'n-b1')]);
	const first = await a.claim('ev-claim');
	expect(first).toEqual(expect.any(Number));
	expect(await a.claim('ev-claim')).toBe(first); // claiming again what it holds changes nothing
	expect(await b.claim('ev-claim')).toBeNull();
	expect((await b.send('owner', 'ev-claim')).result).toEqual({ nodeId: 'n-a1', url: 'http://n-a1.invalid', epoch: first });
	expect((await a.send('write', 'ev-claim', first!)).result).toBe(1);
	expect((await b.send('write', 'ev-claim', first!)).result).toBe(1); // the epoch is the token, whoever holds it

	await a.send('release', 'ev-claim');
	expect((await b.send('owner', 'ev-claim')).result).toBeNull();
	const refused = await a.send('write', 'ev-claim', first!);
	expect(refused.error?.name).toBe('FencedError');
	const second = await b.claim('ev-claim');
	expect(second).toBeGreaterThan(first!);
	expect((await a.send('owner', 'ev-claim')).result).toMatchObject({ nodeId: 'n-b1', epoch: second });
	expect(await writesAt('ev-claim', first!)).toBe(2);
	await Promise.all([a.send('stop'), b.send('stop')]);
});

test("a killed owner's event can be claimed at once", async () => {
	const [a, b] = await Promise.all([LeaseNode.start(databaseUrl, 'n-a2'), LeaseNode.start(databaseUrl, 'n-b2')]);
	const epoch = (await a.claim('ev-kill'))!;
	expect(await b.claim('ev-kill')).toBeNull();
	const killed = Date.now();
	a.signal('SIGKILL');
	const taken = await claimUntilTaken(b, 'ev-kill', killed);
	console.log(`takeover after SIGKILL: ${taken.after} ms (${taken.refusals} claims refused first)`);
	expect(taken.epoch).toBeGreaterThan(epoch);
	// « At once »: PostgreSQL frees the lock when the session ends, no heartbeat to wait for.
	expect(taken.after).toBeLessThan(3_000);
	await b.send('stop');
});

test('a frozen owner loses its event once its heartbeat expires, and commits nothing when it wakes up', async () => {
	const [a, b] = await Promise.all([LeaseNode.start(databaseUrl, 'n-a3'), LeaseNode.start(databaseUrl, 'n-b3')]);
	const old = (await a.claim('ev-stop'))!;
	expect((await a.send('write', 'ev-stop', old)).result).toBe(1);
	const stopped = Date.now();
	a.signal('SIGSTOP');
	const taken = await claimUntilTaken(b, 'ev-stop', stopped);
	console.log(`takeover after SIGSTOP: ${taken.after} ms (${taken.refusals} claims refused while the heartbeat was fresh)`);
	expect(taken.refusals).toBeGreaterThan(0); // not before the heartbeat expired…
	expect(taken.after).toBeLessThan(12_000); // …and soon after (6 s expiry, 2 s heartbeat)
	expect(taken.epoch).toBeGreaterThan(old);

	a.signal('SIGCONT');
	const late = await a.send('write', 'ev-stop', old);
	expect(late.ok).toBe(false);
	expect(late.error?.name).toBe('FencedError');
	await expect.poll(() => a.lost).toEqual([['ev-stop']]);
	expect(await writesAt('ev-stop', old)).toBe(1); // only the write made before the freeze
	expect((await b.send('write', 'ev-stop', taken.epoch)).result).toBe(1);
	expect((await a.send('owner', 'ev-stop')).ok).toBe(false); // its lease session is gone
	expect((await b.send('owner', 'ev-stop')).result).toMatchObject({ nodeId: 'n-b3', epoch: taken.epoch });
	await b.send('stop');
});

test('an owner frozen in the middle of a write does not block the takeover, and its write never commits', async () => {
	const [a, b] = await Promise.all([LeaseNode.start(databaseUrl, 'n-a5'), LeaseNode.start(databaseUrl, 'n-b5')]);
	const old = (await a.claim('ev-open'))!;
	// The write holds the lease row FOR SHARE until it commits: a takeover would wait for it.
	expect((await a.send('begin', 'ev-open', old)).result).toBe(1);
	const stopped = Date.now();
	a.signal('SIGSTOP');
	const taken = await claimUntilTaken(b, 'ev-open', stopped);
	console.log(`takeover after SIGSTOP inside a transaction: ${taken.after} ms`);
	expect(taken.epoch).toBeGreaterThan(old);
	a.signal('SIGCONT');
	// Its sessions were ended with its lease: the COMMIT finds no connection, nothing was written.
	const late = await a.send('commit');
	expect(late.ok).toBe(false);
	expect(late.error?.name).not.toBe('Exited'); // refused, the node alive
	expect(await writesAt('ev-open', old)).toBe(0);
	await expect.poll(() => a.lost).toEqual([['ev-open']]);
	await b.send('stop');
});

test('two node processes claiming at the same moment never both get the event', async () => {
	const [a, b] = await Promise.all([LeaseNode.start(databaseUrl, 'n-a4'), LeaseNode.start(databaseUrl, 'n-b4')]);
	let last = 0;
	for (let round = 0; round < 15; round++) {
		const eventId = `ev-race-${round % 3}`;
		const [ea, eb] = await Promise.all([a.claim(eventId), b.claim(eventId)]);
		const winners = [ea, eb].filter((e) => e !== null);
		expect(winners).toHaveLength(1);
		expect(winners[0]).toBeGreaterThan(last);
		last = winners[0]!;
		await (ea !== null ? a : b).send('release', eventId);
	}
	await Promise.all([a.send('stop'), b.send('stop')]);
});

test('property: whatever the order of claims and releases, an event has at most one owner and epochs only grow', async () => {
	const nodes = await Promise.all(['p-a', 'p-b', 'p-c'].map((nodeId) => Leases.start({ databaseUrl, nodeId, url: `http://${nodeId}.invalid` })));
	const step = fc.record({
		who: fc.subarray([0, 1, 2], { minLength: 1 }),
		op: fc.constantFrom('claim', 'release'),
		eventId: fc.constantFrom('ev-p1', 'ev-p2')
	});
	const lastEpoch = new Map<string, number>();
	try {
		await fc.assert(
			fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
				for (const s of steps) {
					const results = await Promise.all(s.who.map((i) => (s.op === 'claim' ? nodes[i]!.claim(s.eventId) : nodes[i]!.release(s.eventId))));
					const holders = nodes.filter((n) => n.events.has(s.eventId));
					expect(holders.length).toBeLessThanOrEqual(1);
					const owner = await nodes[0]!.owner(s.eventId);
					expect(owner?.nodeId ?? null).toBe(holders[0]?.nodeId ?? null);
					if (s.op === 'claim') {
						const fresh = results.filter((e): e is number => typeof e === 'number' && e !== lastEpoch.get(s.eventId));
						expect(fresh.length).toBeLessThanOrEqual(1);
						for (const e of fresh) {
							expect(e).toBeGreaterThan(lastEpoch.get(s.eventId) ?? 0);
							lastEpoch.set(s.eventId, e);
						}
					}
				}
				for (const n of nodes) for (const e of [...n.events.keys()]) await n.release(e);
			}),
			{ numRuns: 25 }
		);
	} finally {
		await Promise.all(nodes.map((n) => n.stop()));
	}
});
