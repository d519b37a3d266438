/**
 * A « node » for the lease tests, as its own process: it registers with server/cluster/lease.ts
 * and obeys JSON lines on stdin (claim, release, owner, write, begin, commit, stop), answering each
 * on stdout. `write` is a fenced write as the store will make it: BEGIN, fence, INSERT, COMMIT, on
 * a pool of its own; `begin` does the same but leaves the transaction open until `commit`. Run with `node --import tsx tests/helpers/leaseNode.ts <databaseUrl> <nodeId>`.
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { applicationName, fence, Leases } from '../../server/cluster/lease';

const [databaseUrl, nodeId] = process.argv.slice(2) as [string, string];
const say = (msg: object) => process.stdout.write(`${JSON.stringify(msg)}\n`);

const pool = new pg.Pool({ connectionString: databaseUrl, application_name: applicationName(nodeId), max: 2 });
// A takeover ends this node's sessions: the pool drops them and opens new ones.
pool.on('error', () => {});

const leases = await Leases.start({
	databaseUrl,
	nodeId,
	url: `http://${nodeId}.invalid`,
	onLost: (events, reason) => say({ lost: events, reason: reason.message })
});

/** The transaction `begin` left open. */
let open: pg.PoolClient | undefined;

/** A session ended under a transaction in flight (a takeover): its next query fails, no crash. */
const ignore = () => {};

async function begin(eventId: string, epoch: number): Promise<number> {
	const client = await pool.connect();
	client.on('error', ignore);
	try {
		await client.query('BEGIN');
		await fence(client, eventId, epoch);
		const { rowCount } = await client.query('INSERT INTO writes (event_id, epoch, node_id) VALUES ($1, $2, $3)', [eventId, epoch, nodeId]);
		open = client;
		return rowCount ?? 0;
	} catch (err) {
		await client.query('ROLLBACK').catch(() => {});
		client.off('error', ignore);
		client.release(true);
		throw err;
	}
}

async function commit(): Promise<void> {
	const client = open!;
	open = undefined;
	try {
		await client.query('COMMIT');
	} finally {
		client.off('error', ignore);
		client.release(true);
	}
}

const write = async (eventId: string, epoch: number) => {
	const rows = await begin(eventId, epoch);
	await commit();
	return rows;
};

type Command = { id: number; op: 'claim' | 'release' | 'owner' | 'write' | 'begin' | 'commit' | 'stop'; eventId: string; epoch: number };

createInterface({ input: process.stdin }).on('line', async (line) => {
	const c = JSON.parse(line) as Command;
	try {
		const result =
			c.op === 'claim' ? await leases.claim(c.eventId)
			: c.op === 'release' ? await leases.release(c.eventId)
			: c.op === 'owner' ? await leases.owner(c.eventId)
			: c.op === 'write' ? await write(c.eventId, c.epoch)
			: c.op === 'begin' ? await begin(c.eventId, c.epoch)
			: c.op === 'commit' ? await commit()
			: await leases.stop().then(() => pool.end());
		say({ id: c.id, ok: true, result: result ?? null });
	} catch (err) {
		say({ id: c.id, ok: false, error: { name: (err as Error).name, message: (err as Error).message } });
	}
});
say({ ready: nodeId });
