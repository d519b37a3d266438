/**
 * The tables that decide who owns an event (docs/deploy/README.md, design §4.4): one row per
 * running node with its heartbeat, one row per owned event with its epoch (the fencing token),
 * and the sequence epochs come from. Created idempotently under an advisory lock, so N nodes
 * starting together create them once.
 */
import type pg from 'pg';

/** The advisory lock key under which the cluster's tables are created (any fixed 64-bit value). */
const SCHEMA_LOCK = 0x70616c6162726531n; // 'palabre1'

export const CLUSTER_SCHEMA = `
CREATE TABLE IF NOT EXISTS nodes (
	node_id    text PRIMARY KEY,
	url        text NOT NULL,
	lease_pid  int NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS lease_epoch;
CREATE TABLE IF NOT EXISTS event_leases (
	event_id text PRIMARY KEY,
	node_id  text NOT NULL REFERENCES nodes(node_id) ON DELETE CASCADE,
	epoch    bigint NOT NULL
);
`;

export async function ensureClusterSchema(client: pg.ClientBase): Promise<void> {
	await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK.toString()]);
	try {
		await client.query(CLUSTER_SCHEMA);
	} finally {
		await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK.toString()]);
	}
}
