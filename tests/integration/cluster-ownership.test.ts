/**
 * Leases and forwarding together (server/cluster/ownership.ts): two nodes on loopback sharing a
 * real PostgreSQL. Whichever node a request reaches, the event is claimed once and served by its
 * owner; when the owner leaves, the other node takes the event over.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { forwarder, mountForwarder } from '../../server/cluster/forward';
import { Leases } from '../../server/cluster/lease';
import { ownership } from '../../server/cluster/ownership';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { freePort } from '../helpers/server';

interface ClusterNode {
	name: string;
	url: string;
	leases: Leases;
	server: http.Server;
	claimed: string[];
	close(): Promise<void>;
}

let cluster: PostgresCluster;
let databaseUrl: string;
const nodes: ClusterNode[] = [];

async function startNode(name: string): Promise<ClusterNode> {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const leases = await Leases.start({ databaseUrl, nodeId: name, url });
	const claimed: string[] = [];
	const owners = ownership({ leases, onClaimed: (eventId) => void claimed.push(eventId) });
	const forward = forwarder(owners.ownerOf, { onUnreachable: owners.forget });
	const server = http.createServer((req, res) => {
		const eventId = new URL(req.url ?? '/', url).searchParams.get('e') ?? '';
		res.end(JSON.stringify({ by: name, epoch: leases.events.get(eventId) ?? null }));
	});
	mountForwarder(server, forward);
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	const node: ClusterNode = {
		name,
		url,
		leases,
		server,
		claimed,
		async close() {
			server.closeAllConnections();
			await new Promise((r) => server.close(r));
			forward.close();
			await leases.stop();
		}
	};
	nodes.push(node);
	return node;
}

const ask = async (node: ClusterNode, eventId: string) => {
	const res = await fetch(`${node.url}/anything?e=${eventId}`, { signal: AbortSignal.timeout(10_000) });
	return { status: res.status, ...(res.ok ? ((await res.json()) as { by: string; epoch: number | null }) : {}) };
};

let a: ClusterNode;
let b: ClusterNode;
beforeAll(async () => {
	cluster = await startPostgres();
	databaseUrl = await cluster.createDatabase();
	[a, b] = [await startNode('a'), await startNode('b')];
});
afterAll(async () => {
	for (const n of nodes) await n.close().catch(() => {});
	await cluster?.stop();
});

test('the first node asked claims the event; the other forwards to it', async () => {
	const first = await ask(a, 'ev-1');
	expect(first).toMatchObject({ status: 200, by: 'a', epoch: expect.any(Number) });
	expect(await ask(b, 'ev-1')).toEqual(first);
	expect(await ask(a, 'ev-1')).toEqual(first);
	expect(a.claimed).toEqual(['ev-1']);
	expect(b.claimed).toEqual([]);
});

test('many requests at once on both nodes: one claim, one owner, every answer from it', async () => {
	const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(i % 2 ? a : b, 'ev-rush')));
	expect(new Set(answers.map((x) => `${x.status} ${x.by} ${x.epoch}`)).size).toBe(1);
	expect([...a.claimed, ...b.claimed].filter((e) => e === 'ev-rush')).toHaveLength(1);
});

test('when the owner leaves, the other node takes its events over', async () => {
	const before = await ask(b, 'ev-1');
	expect(before.by).toBe('a');
	await a.close();
	await expect.poll(async () => (await ask(b, 'ev-1')).by).toBe('b');
	const after = await ask(b, 'ev-1');
	expect(after.epoch).toBeGreaterThan(before.epoch!);
	expect(b.claimed).toContain('ev-1');
});
