/**
 * The retention period on several nodes (RETENTION_DAYS, server/app.ts and server/cluster/node.ts
 * `claimExpired`): a node's store holds only the events it serves, and an event nobody opens any
 * more is served by none. Its sweep claims the expired events no node serves and deletes them;
 * an expired event another live node serves is left to that node; a recent one is kept.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { TestServer } from '../helpers/server';
import { waitFor } from '../helpers/yjsClients';

let cluster: PostgresCluster;
const nodes: TestServer[] = [];
beforeAll(async () => {
	cluster = await startPostgres();
});
afterAll(async () => {
	for (const n of nodes) await n.dispose();
	await cluster.stop();
});

const DAY_MS = 24 * 60 * 60_000;
const body = (title: string) => ({ title, themes: [{ title: 'Accès aux soins', statements: ['On attend des mois pour un rendez-vous.'] }] });

it('deletes the expired events no node serves, leaves those another node serves, keeps the recent ones', async () => {
	const databaseUrl = await cluster.createDatabase();
	const start = async (id: string, env: Record<string, string> = {}) => {
		const node = await TestServer.startNode(databaseUrl, id, env);
		nodes.push(node);
		return node;
	};
	// Node a creates two events, then is drained (SIGTERM): its leases go, nobody serves them.
	const a = await start('a');
	const forgotten = (await a.api('POST', '/api/events', body('Gros Débat 2024'))).body;
	const recent = (await a.api('POST', '/api/events', body('Gros Débat de ce mois'))).body;
	// Node c creates one and stays up, serving it.
	const c = await start('c');
	const served = (await c.api('POST', '/api/events', body('Gros Débat servi'))).body;
	await waitFor('c serves its event', () => c.output.includes(`Événement ${served.id} servi`), 10_000);
	await a.stop('SIGTERM');
	const ids = [forgotten.id, recent.id, served.id];
	const count = (sql: string) => Number(c.rows(sql, [ids], 'postgres')[0]?.n);
	expect(count('SELECT count(*) AS n FROM events WHERE id = ANY(?)')).toBe(3);
	const old = Date.now() - 40 * DAY_MS;
	c.rows('UPDATE events SET created_at = ? WHERE id = ? OR id = ? RETURNING id', [old, forgotten.id, served.id], 'postgres');

	// Node b starts with a retention of 30 days: its first sweep runs before it serves anything.
	const b = await start('b', { RETENTION_DAYS: '30' });
	expect(b.output).toContain(`Événement ${forgotten.id} servi par ce nœud (b`);
	expect(b.output).toContain('1 événement(s) effacé(s) : plus de 30 jours');
	const left = c.rows('SELECT id FROM events WHERE id = ANY(?) ORDER BY id', [ids], 'postgres').map((r) => r.id);
	expect(left.sort()).toEqual([recent.id, served.id].sort());
	// Everything of the deleted event went with it; the organiser's link to it answers « not found ».
	expect(count(`SELECT count(*) AS n FROM rooms WHERE event_id = ANY(?)`)).toBe(2);
	expect((await b.api('GET', `/api/events/${forgotten.id}`, undefined, forgotten.organiserToken)).status).toBe(404);
	// The event c serves is still served (by c, through b too) and was not touched by b's sweep.
	expect(b.output).not.toContain(`Événement ${served.id} servi`);
	expect((await b.api('GET', `/api/events/${served.id}`, undefined, served.organiserToken)).status).toBe(200);
	expect((await c.api('GET', `/api/events/${recent.id}`, undefined, recent.organiserToken)).status).toBe(200);
});
