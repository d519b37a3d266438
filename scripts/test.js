// `npm test`: every test — unit, integration (real server, real sockets) and end-to-end
// (headless Chromium). Integration and browser tests run the production build, so build first.
import { spawnSync } from 'node:child_process';
import { buildIfNeeded } from './start.js';

function run(cmd, args) {
	const r = spawnSync(cmd, args, { stdio: 'inherit' });
	if (r.status !== 0) process.exit(r.status ?? 1);
}

await buildIfNeeded();
// The join page's JavaScript budget (phones on weak venue Wi-Fi).
run('node', ['scripts/bundle-size.js']);
// Types first: strict TypeScript across the app, the server and the tests.
run('npx', ['svelte-kit', 'sync']);
run('npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
