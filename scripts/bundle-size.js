// The JavaScript a phone downloads to join (route /j/[code]), compressed, against its budget.
// Reads the production build's Vite manifest: the SvelteKit entry points, the root layout and the
// join page, with every chunk they import. Exits non-zero when the budget is exceeded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 150;
const root = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, '.svelte-kit/output/client/.vite/manifest.json'), 'utf8'));
const app = readFileSync(join(root, '.svelte-kit/generated/client-optimized/app.js'), 'utf8');

function nodeOf(route) {
	// `[~5]`: node 5, with data from the server.
	const m = new RegExp(`"${route.replace(/[[\]]/g, '\\$&')}": \\[~?(-?\\d+)`).exec(app);
	if (!m) throw new Error(`route ${route} not found in the build`);
	return Number(m[1]);
}

const entries = [
	'node_modules/@sveltejs/kit/src/runtime/client/entry.js',
	'.svelte-kit/generated/client-optimized/app.js',
	'.svelte-kit/generated/client-optimized/nodes/0.js',
	`.svelte-kit/generated/client-optimized/nodes/${nodeOf('/j/[code]')}.js`
];

const files = new Set();
(function walk(keys) {
	for (const key of keys) {
		const chunk = manifest[key];
		if (!chunk || files.has(chunk.file)) continue;
		files.add(chunk.file);
		walk(chunk.imports ?? []);
	}
})(entries);

let total = 0;
const rows = [...files].map((file) => {
	const size = gzipSync(readFileSync(join(root, '.svelte-kit/output/client', file)), { level: 9 }).length;
	total += size;
	return [file, size];
});
rows.sort((a, b) => b[1] - a[1]);
for (const [file, size] of rows.slice(0, 8)) console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${file}`);
console.log(`Join page JavaScript: ${(total / 1024).toFixed(1)} KB gzip in ${files.size} files (budget ${BUDGET_KB} KB).`);
if (total > BUDGET_KB * 1024) {
	console.error(`Over budget by ${((total - BUDGET_KB * 1024) / 1024).toFixed(1)} KB.`);
	process.exit(1);
}
