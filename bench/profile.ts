/**
 * Where the server's time goes, from a V8 CPU profile written by `npm run bench -- --cpu-prof`:
 *
 *   npx tsx bench/profile.ts bench/results/profiles/CPU.….cpuprofile [phase] [--seconds a:b] [--top 30]
 *
 * With a phase (join, pick, connect, typing…), only the samples taken during that phase count
 * (with --seconds, only those from a to b seconds into it: the first seconds of typing, say):
 * run.ts writes the phases' bounds (monotonic clock, the one V8 stamps samples with) next to the
 * profile, as palabre-<pid>.phases.json. Prints self and inclusive time by function, and self
 * time by package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}
interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args[0];
if (!file) {
	console.error('usage: npx tsx bench/profile.ts <file.cpuprofile> [phase] [--top n]');
	process.exit(2);
}
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 30;
const phase = args[1] && !args[1].startsWith('--') ? args[1] : undefined;
const secondsIndex = args.indexOf('--seconds');
const seconds = secondsIndex >= 0 ? (args[secondsIndex + 1] ?? '').split(':').map(Number) : null;
if (seconds && (!phase || seconds.length !== 2 || seconds.some((x) => !Number.isFinite(x)))) throw new Error('--seconds a:b needs a phase, and two numbers');

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
let window: [number, number] | null = null;
if (phase) {
	const pid = /\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(basename(file))?.[1];
	const phasesFile = join(dirname(file), `palabre-${pid}.phases.json`);
	if (!existsSync(phasesFile)) throw new Error(`no ${phasesFile}: cannot select phase ${phase}`);
	const phases = JSON.parse(readFileSync(phasesFile, 'utf8')) as Record<string, [number, number]>;
	const w = phases[phase];
	if (!w) throw new Error(`unknown phase ${phase}; known: ${Object.keys(phases).join(', ')}`);
	// Monotonic microseconds, as V8 stamps its samples.
	window = seconds ? [w[0] + (seconds[0] as number) * 1e6, Math.min(w[1], w[0] + (seconds[1] as number) * 1e6)] : w;
}

// Self time of each node, from the samples (timeDeltas are the µs before each sample).
const self = new Map<number, number>();
let t = profile.startTime;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
	t += profile.timeDeltas[i] ?? 0;
	if (window && (t < window[0] || t > window[1])) continue;
	const dt = profile.timeDeltas[i + 1] ?? 0;
	const id = profile.samples[i] as number;
	self.set(id, (self.get(id) ?? 0) + dt);
	total += dt;
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const short = (url: string) => {
	const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
	if (m) return m[1] as string;
	if (url.includes('build/palabre.js')) return 'palabre (server bundle)';
	if (url.startsWith('node:')) return url;
	return url ? basename(url) : '(native)';
};
const keyOf = (f: CallFrame) => `${f.functionName || '(anonymous)'}  ${short(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

const selfBy = new Map<string, number>();
const inclusiveBy = new Map<string, number>();
const packageBy = new Map<string, number>();
// Inclusive: a node's self time counts once for every distinct function on its stack.
const onPath = new Map<string, number>();
function walk(id: number) {
	const node = byId.get(id);
	if (!node) return;
	const key = keyOf(node.callFrame);
	onPath.set(key, (onPath.get(key) ?? 0) + 1);
	const s = self.get(id) ?? 0;
	if (s) {
		selfBy.set(key, (selfBy.get(key) ?? 0) + s);
		// Frames without a script: V8's own (GC, idle, program) or native bindings (writev…).
		const pkg = node.callFrame.url ? short(node.callFrame.url) : node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : 'native bindings';
		packageBy.set(pkg, (packageBy.get(pkg) ?? 0) + s);
		for (const [k, n] of onPath) if (n > 0) inclusiveBy.set(k, (inclusiveBy.get(k) ?? 0) + s);
	}
	for (const c of node.children ?? []) walk(c);
	onPath.set(key, (onPath.get(key) ?? 1) - 1);
}
walk(profile.nodes[0]?.id as number);

const idle = [...selfBy].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
const busy = total - idle;
const pct = (v: number) => `${((100 * v) / busy).toFixed(1).padStart(5)} %`;
const ms = (v: number) => `${(v / 1000).toFixed(0).padStart(7)} ms`;
const print = (title: string, m: Map<string, number>) => {
	console.log(`\n${title}`);
	for (const [k, v] of [...m].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
		console.log(`${ms(v)} ${pct(v)}  ${k}`);
	}
};
console.log(`${basename(file)}${phase ? ` — phase ${phase}${seconds ? `, ${seconds[0]} to ${seconds[1]} s in` : ''}` : ''}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / total).toFixed(0)} %); percentages are of busy time`);
print('Self time by package', packageBy);
print('Self time by function', selfBy);
print('Inclusive time by function', inclusiveBy);
