/**
 * The tables that decide who owns an event (docs/deploy/README.md, design §4.4): one row per
 * running node with its heartbeat, one row per owned event with its epoch (the fencing token),
 * and the sequence epochs come from. Created idempotently under an advisory lock, so N nodes
 * starting together create them once.
 */
import type pg from 'pg';

/** The advisory lock key under which the cluster's tables are created (any fixed 64-bit value). */
const SCHEMA_LOCK = 0x70616c6162726531n; // 'palabre1'

/** The SQLSTATE of a commit refused by palabre_fence. */
export const FENCED_CODE = 'PF001';

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
-- The fence of a node's commit (server/store/postgres/mirror.ts): the events' leases at these
-- epochs, share-locked until COMMIT (a takeover waits for the commit in flight), or an error that
-- aborts the whole transaction.
CREATE OR REPLACE FUNCTION palabre_fence(ids text[], epochs bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE held int;
BEGIN
	SELECT count(*) INTO held FROM (
		SELECT 1 FROM event_leases l JOIN unnest(ids, epochs) AS f(event_id, epoch) ON l.event_id = f.event_id AND l.epoch = f.epoch
		FOR SHARE OF l
	) AS locked;
	IF held <> cardinality(ids) THEN
		RAISE EXCEPTION 'palabre: an event''s lease moved on' USING ERRCODE = '${FENCED_CODE}';
	END IF;
END $$;
`;

export async function ensureClusterSchema(client: pg.ClientBase): Promise<void> {
	await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK.toString()]);
	try {
		await client.query(CLUSTER_SCHEMA);
	} finally {
		await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK.toString()]);
	}
}
