import { sveltekit } from '@sveltejs/kit/vite';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { palabreDevServer } from './server/dev-plugin.js';

/**
 * Files that measure time (acks within 100 ms while an archive loads or taps flood, every screen
 * within a second of a change): they run alone, after the others, so no neighbour's load is
 * measured with them.
 */
const TIMED = [
	'tests/integration/archive-load.test.ts',
	'tests/integration/speaking.test.ts',
	'tests/e2e/facilitator.test.ts',
	// Three nodes and their failover, timed (served again within 10 s).
	'tests/integration/cluster-failover.test.ts'
];

/**
 * Integration files that do not run a second time against PostgreSQL (`integration-pg`), and why.
 * Every other integration file runs against both stores.
 */
const SQLITE_ONLY = [
	// They test both stores themselves, or no server's store at all.
	'tests/integration/store-contract.test.ts',
	'tests/integration/postgres-schema.test.ts',
	'tests/integration/postgres-helper.test.ts',
	'tests/integration/migrate.test.ts',
	'tests/integration/postgres-commit.test.ts',
	'tests/integration/yjs-postgres.test.ts',
	'tests/integration/yjs-postgres-server.test.ts',
	'tests/integration/cluster-lease.test.ts',
	'tests/integration/cluster-forward.test.ts',
	'tests/integration/cluster-ownership.test.ts',
	'tests/integration/cluster-haproxy.test.ts',
	'tests/integration/cluster-failover.test.ts',
	'tests/integration/cluster-fence.test.ts',
	'tests/integration/cluster-retention.test.ts',
	'tests/integration/checkpoint.test.ts',
	'tests/integration/yjs-endpoint.test.ts',
	// `npm start` and `npm run dev` as a newcomer runs them: the default store, SQLite.
	'tests/integration/start-fresh.test.ts',
	'tests/integration/start-stop.test.ts',
	'tests/integration/dev-server.test.ts',
	// The SQLite file itself: its hot backup, corrupt rows in it, a full disk under it, files left by
	// older versions (their migration), a cell poisoned under a running server, the Yjs process's crash.
	'tests/integration/backup.test.ts',
	'tests/integration/corruption.test.ts',
	'tests/integration/storage-full.test.ts',
	'tests/integration/event-dates.test.ts',
	'tests/integration/links.test.ts',
	'tests/integration/isolation.test.ts',
	'tests/integration/yjs-crash.test.ts'
];

export default defineConfig({
	plugins: [sveltekit(), palabreDevServer()],
	server: { host: true },
	test: {
		// Vitest's default is cores - 1 files at a time: one on a 2-core machine, where most files
		// wait on sockets, servers and the browser. As many as cores, at least two, of every kind
		// together (browser tests too); files that disable parallelism (TIMED) run after all others.
		maxWorkers: Math.max(2, availableParallelism()),
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['tests/unit/**/*.test.ts'],
					environment: 'node',
					// Property tests take seconds of CPU; beside a browser test they take longer: bounded, not timed.
					testTimeout: 30_000
				}
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					exclude: TIMED,
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 60_000,
					// A CI machine may be slower than ours: waiting is bounded, not timed.
					expect: { poll: { timeout: 10_000 } }
				}
			},
			{
				extends: true,
				test: {
					// The same integration tests, each server on PostgreSQL (docs/postgres.md); one throwaway
					// cluster for the run, a database per server.
					name: 'integration-pg',
					include: ['tests/integration/**/*.test.ts'],
					exclude: [...TIMED, ...SQLITE_ONLY],
					environment: 'node',
					env: { PALABRE_TEST_STORE: 'postgres' },
					globalSetup: ['tests/helpers/postgresSetup.ts'],
					testTimeout: 60_000,
					hookTimeout: 60_000,
					expect: { poll: { timeout: 10_000 } }
				}
			},
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					exclude: TIMED,
					environment: 'node',
					testTimeout: 90_000,
					hookTimeout: 90_000,
					// A page may take more than vitest's default second to load on a slow CI machine.
					expect: { poll: { timeout: 10_000 } }
				}
			},
			{
				extends: true,
				test: {
					name: 'timed',
					include: TIMED,
					environment: 'node',
					// One file at a time: Vitest runs them after all the others.
					fileParallelism: false,
					testTimeout: 90_000,
					hookTimeout: 90_000,
					expect: { poll: { timeout: 10_000 } }
				}
			}
		]
	}
});
