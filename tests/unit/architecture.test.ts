/**
 * The layout's rules (docs/architecture.md), read from the sources: no import circle; the domain
 * imports only the domain (and the dictionaries' words); transports never import the store;
 * components never hold a socket.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClientMessages } from '../../src/lib/protocol';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = ['src', 'server'];
const EXTENSIONS = ['', '.ts', '.js', '.svelte', '.svelte.ts', '/index.ts'];

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return files(path);
		return /\.(ts|js|svelte)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
	});
}

/** Every module specifier a file imports (static, dynamic, type-only and re-exports alike). */
function specifiers(source: string): string[] {
	const found: string[] = [];
	for (const m of source.matchAll(/(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g)) {
		found.push((m[1] ?? m[2] ?? m[3]) as string);
	}
	return found;
}

/** The project file a specifier names, or null for a package. */
function target(from: string, spec: string): string | null {
	let base: string;
	if (spec.startsWith('$lib/') || spec === '$lib') base = join(ROOT, 'src/lib', spec.slice(5));
	// SvelteKit's generated types.
	else if (spec === './$types') return null;
	else if (spec.startsWith('.')) base = resolve(dirname(from), spec);
	else return null;
	for (const ext of EXTENSIONS) {
		const path = base + ext;
		if (existsSync(path) && statSync(path).isFile()) return path;
	}
	throw new Error(`${relative(ROOT, from)}: cannot resolve ${spec}`);
}

const graph = new Map<string, { local: string[]; packages: string[] }>();
for (const file of SOURCES.flatMap((d) => files(join(ROOT, d)))) {
	const local: string[] = [];
	const packages: string[] = [];
	for (const spec of specifiers(readFileSync(file, 'utf8'))) {
		const t = target(file, spec);
		if (t) local.push(t);
		else packages.push(spec);
	}
	graph.set(file, { local, packages });
}
const rel = (p: string) => relative(ROOT, p);

/** Strongly connected components of more than one file (Tarjan), or a file importing itself. */
function circles(): string[][] {
	let index = 0;
	const order = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const found: string[][] = [];
	const visit = (v: string) => {
		order.set(v, index);
		low.set(v, index++);
		stack.push(v);
		onStack.add(v);
		for (const w of graph.get(v)?.local ?? []) {
			if (!order.has(w)) {
				visit(w);
				low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
			} else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, order.get(w) as number));
		}
		if (low.get(v) === order.get(v)) {
			const component: string[] = [];
			let w: string;
			do {
				w = stack.pop() as string;
				onStack.delete(w);
				component.push(rel(w));
			} while (w !== v);
			if (component.length > 1 || graph.get(v)?.local.includes(v)) found.push(component.sort());
		}
	};
	for (const v of graph.keys()) if (!order.has(v)) visit(v);
	return found;
}

/** Each file's imports that break a rule: `allowed` says which project files it may import. */
function breaches(of: (file: string) => boolean, allowed: (target: string) => boolean, packages = true): string[] {
	return [...graph]
		.filter(([file]) => of(rel(file)))
		.flatMap(([file, { local, packages: pkgs }]) => [
			...local.filter((t) => !allowed(rel(t))).map((t) => `${rel(file)} → ${rel(t)}`),
			...(packages ? [] : pkgs.map((p) => `${rel(file)} → ${p}`))
		]);
}

describe('the layout', () => {
	it('reads the sources it checks', () => {
		expect(graph.size).toBeGreaterThan(100);
		expect(graph.get(join(ROOT, 'server/palabre.ts'))?.local.map(rel)).toContain('server/seating.ts');
	});

	it('has no import circle in src/ or server/', () => {
		expect(circles()).toEqual([]);
	});

	it('keeps the domain pure: it imports only the domain and the dictionaries, no package', () => {
		const words = ['src/lib/i18n/words.ts', 'src/lib/i18n/fr.ts', 'src/lib/i18n/en.ts'];
		expect(
			breaches(
				(f) => f.startsWith('src/lib/domain/'),
				(t) => t.startsWith('src/lib/domain/') || words.includes(t) || t.startsWith('src/lib/templates/'),
				false
			)
		).toEqual([]);
	});

	it('keeps transports off the store: HTTP and socket handlers go through the services', () => {
		const transports = (f: string) => f.startsWith('server/http/') || ['server/realtime/control.ts', 'server/realtime/fanout.ts'].includes(f);
		expect(breaches(transports, (t) => !t.startsWith('server/store/'))).toEqual([]);
	});

	it('lets no service import another context’s service', () => {
		const services = ['server/event.ts', 'server/seating.ts', 'server/stages.ts', 'server/speaking.ts', 'server/board.ts', 'server/writeups.ts'];
		expect(breaches((f) => services.includes(f), (t) => !services.includes(t))).toEqual([]);
	});

	it('gives components no socket: pages pass callbacks', () => {
		const components = (f: string) => f.startsWith('src/lib/components/');
		const sockets = [...graph]
			.filter(([file]) => components(rel(file)))
			.flatMap(([file, { local, packages }]) => [
				...packages.filter((p) => p.startsWith('socket.io')).map((p) => `${rel(file)} → ${p}`),
				...local.filter((t) => rel(t) === 'src/lib/client/socket.ts').map((t) => `${rel(file)} → ${rel(t)}`)
			]);
		expect(sockets).toEqual([]);
	});
});

describe('the protocol’s tests', () => {
	it('send every client message at least once over a real socket', () => {
		const integration = files(join(ROOT, 'tests/integration')).map((f) => readFileSync(f, 'utf8')).join('\n');
		const unsent = Object.keys(ClientMessages).filter((name) => !integration.includes(`'${name}'`));
		expect(unsent).toEqual([]);
	});
});
