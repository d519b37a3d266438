// `npm run bench`: builds if needed, then runs the benchmark (bench/run.ts, bench/README.md).
// Never part of `npm test`. Arguments go through: npm run bench -- --participants 300 --minutes 1
import { spawnSync } from 'node:child_process';
import { buildIfNeeded } from './start.js';

await buildIfNeeded();
const r = spawnSync('npx', ['tsx', 'bench/run.ts', ...process.argv.slice(2)], {
	cwd: new URL('..', import.meta.url).pathname,
	stdio: 'inherit'
});
process.exit(r.status ?? 1);
