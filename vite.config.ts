import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { palabreDevServer } from './server/dev-plugin.js';

export default defineConfig({
	plugins: [sveltekit(), palabreDevServer()],
	server: { host: true },
	test: {
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
					// One browser at a time on a 2-core machine.
					fileParallelism: false,
					testTimeout: 90_000,
					hookTimeout: 90_000,
					// A page may take more than vitest's default second to load on a slow CI machine.
					expect: { poll: { timeout: 10_000 } }
				}
			}
		]
	}
});
