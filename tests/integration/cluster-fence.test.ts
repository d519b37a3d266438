/**
 * The store's commits on a node of several (server/store/postgres/mirror.ts with `cluster`,
 * server/cluster/schema.ts `palabre_fence`): a commit carries the epochs of the events the node
 * serves; once another node has taken one over, the commit is refused whole (`notSaved`), the
 * node is told (`onFenced`), and PostgreSQL keeps what the new owner wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Leases } from '../../server/cluster/lease';
import { createPalabre } from '../../server/palabre';
import { openPostgresStore } from '../../server/store/postgres/mirror';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';

let cluster: PostgresCluster;
let dir: string;
beforeAll(async () => {
	cluster = await startPostgres();
	dir = mkdtempSync(join(tmpdir(), 'palabre-fence-'));
});
afterAll(async () => {
	await cluster.stop();
	rmSync(dir, { recursive: true, force: true });
});

it('a commit at an epoch another node has replaced stores nothing, and the node is told', async () => {
	const url = await cluster.createDatabase();
	const leases = await Leases.start({ databaseUrl: url, url: 'http://a.invalid', nodeId: 'a' });
	let fences = new Map<string, number>();
	let fenced = 0;
	const store = await openPostgresStore(url, dir, { fences: () => fences, onFenced: () => fenced++ });
	const db = new pg.Client({ connectionString: url });
	await db.connect();
	try {
		const palabre = createPalabre(store, 'http://palabre.test');
		const e = palabre.events.create({ title: 'Clôture', themes: [{ title: 'Salle', statements: ['a', 'b'] }] });
		const roomId = e.rooms[0]?.id as string;
		// A new event has no lease yet: its creation commits unfenced, then the node claims it.
		await store.committed();
		const epoch = (await leases.claim(e.id)) as number;
		expect(epoch).toBeGreaterThan(0);
		fences = new Map([[e.id, epoch]]);
		const phase = async () => (await db.query('SELECT phase FROM rooms WHERE id = $1', [roomId])).rows[0]?.phase;

		store.setRoomPhase(roomId, 'choice', 0);
		await store.committed();
		expect(await phase()).toBe('choice');
		expect(fenced).toBe(0);

		// Another node takes the event over (as Leases.claim does after the owner froze): a new epoch.
		await db.query(`UPDATE event_leases SET epoch = nextval('lease_epoch') WHERE event_id = $1`, [e.id]);
		await db.query(`UPDATE rooms SET phase = 'presentation' WHERE id = $1`, [roomId]);
		store.setRoomPhase(roomId, 'groups', 0);
		await expect(store.committed()).rejects.toMatchObject({ status: 503, code: 'notSaved' });
		expect(fenced).toBe(1);
		expect(await phase()).toBe('presentation');
	} finally {
		await db.end();
		// Its connections closed before the cluster stops, so none is reset under it.
		await store.close();
		await leases.stop();
	}
});
