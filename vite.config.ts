import { sveltekit } from '@sveltejs/kit/vite';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { palabreDevServer } from './server/dev-plugin.js';

export default defineConfig({
	plugins: [sveltekit(), palabreDevServer()],
	server: { host: true },
	test: {
		// Vitest's default is one file at a time on two cores (cores - 1), and it runs files that
		// disable parallelism after all the others: most files wait on sockets, servers and the
		// browser, so two at a time, of every kind together, use the machine's two cores.
		maxWorkers: Math.max(2, availableParallelism()),
		projects: [
			{
				extends: true,
				test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' }
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
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
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					testTimeout: 90_000,
					hookTimeout: 90_000,
					// A page may take more than vitest's default second to load on a slow CI machine.
					expect: { poll: { timeout: 10_000 } }
				}
			}
		]
	}
});
