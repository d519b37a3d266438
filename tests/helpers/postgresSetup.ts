/**
 * Vitest's global setup of the `integration-pg` project: one throwaway PostgreSQL cluster for the
 * whole run (each server under test gets a database of its own on it, tests/helpers/server.ts).
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The administration URL of the run's PostgreSQL cluster (`integration-pg` only). */
		postgresAdminUrl: string;
	}
}

export default async function setup(project: TestProject) {
	const cluster = await startPostgres();
	project.provide('postgresAdminUrl', cluster.adminUrl);
	return () => cluster.stop();
}
