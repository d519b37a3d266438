/**
 * CPU and resident memory of processes over time, read from /proc/<pid>/stat (utime + stime,
 * all threads, in clock ticks) and /proc/<pid>/status (VmRSS), sampled every second. A server
 * counts with its descendants: Palabre's is two processes (the Yjs one is its child).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mean, round } from './stats';

const TICKS_PER_S = (() => {
	const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout;
	const n = Number(out?.trim());
	return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** A process's children (Linux's /proc/<pid>/task/<pid>/children): a Palabre node's are its Yjs processes. */
export function childrenOf(pid: number): number[] {
	try {
		return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
	} catch {
		// Gone, or a kernel without the file: none.
		return [];
	}
}

/** The process and its descendants. */
export function tree(pid: number): number[] {
	return [pid, ...childrenOf(pid).flatMap(tree)];
}

/** Sum over the tree; null if the process itself is gone. */
function ofTree(pid: number, read: (pid: number) => number | null): number | null {
	const own = read(pid);
	if (own === null) return null;
	return tree(pid).slice(1).reduce((sum, child) => sum + (read(child) ?? 0), own);
}

/**
 * Confines processes (every thread, `taskset -a`) to these CPUs (`0`, `1-3`): `--pin` gives the
 * server a core the simulated phones cannot take. A child forked later inherits it.
 */
export function pin(pids: number[], cpus: string): void {
	for (const pid of pids) {
		const result = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
		if (result.status !== 0) throw new Error(`taskset -c ${cpus} ${pid} failed: ${result.stderr || result.error}`);
	}
}

function cpuTicks(pid: number): number | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name is in parentheses and may hold spaces: count fields after the last ')'.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return Number(fields[11]) + Number(fields[12]);
	} catch {
		return null;
	}
}

function rssMb(pid: number): number | null {
	try {
		const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) / 1024 : null;
	} catch {
		return null;
	}
}

/** Busy and stolen ticks of the whole machine, all cores (/proc/stat). */
function machineTicks(): { busy: number; steal: number } | null {
	try {
		const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] as string;
		const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
		return { busy: (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0), steal: steal ?? 0 };
	} catch {
		return null;
	}
}

export interface Sample {
	/** Seconds since the sampler started. */
	t: number;
	/** Percent of one core over the last interval (200 = two cores busy). */
	cpu: number;
	rssMb: number;
	phase: string;
}

export interface PhaseStats {
	cpuMean: number | null;
	cpuMax: number | null;
	rssMaxMb: number | null;
	rssEndMb: number | null;
	seconds: number;
}

export class ProcSampler {
	readonly series = new Map<string, Sample[]>();
	private last = new Map<string, { ticks: number; at: number }>();
	private timer: NodeJS.Timeout | undefined;
	private started = performance.now();
	phase = 'start';
	/** When each phase began, on the monotonic clock V8 stamps CPU profile samples with (µs). */
	readonly marks: { phase: string; monoUs: number }[] = [];

	/** Label → the process, and whether its descendants count with it (a server's, not the coordinator's). */
	private readonly pids = new Map<string, { pid: number; withDescendants: boolean }>();

	constructor(private readonly intervalMs = 1000) {}

	start() {
		this.started = performance.now();
		this.sample();
		this.timer = setInterval(() => this.sample(), this.intervalMs);
	}

	stop() {
		this.sample();
		clearInterval(this.timer);
	}

	/** Starts a phase: the samples after it are counted in it. */
	mark(phase: string) {
		this.sample();
		this.phase = phase;
		this.marks.push({ phase, monoUs: Number(process.hrtime.bigint() / 1000n) });
	}

	/** Each phase's [start, end] in monotonic µs (the last occurrence of a repeated phase). */
	phaseBounds(): Record<string, [number, number]> {
		const out: Record<string, [number, number]> = {};
		this.marks.forEach((m, i) => {
			out[m.phase] = [m.monoUs, this.marks[i + 1]?.monoUs ?? Number(process.hrtime.bigint() / 1000n)];
		});
		return out;
	}

	watch(label: string, pid: number, opts: { withDescendants?: boolean } = {}) {
		this.pids.set(label, { pid, withDescendants: opts.withDescendants ?? false });
	}

	private machineBefore: { busy: number; steal: number; at: number } | null = null;

	private sample() {
		const at = performance.now();
		// The whole machine too: other processes (or a busy hypervisor: steal) skew what we measure.
		const m = machineTicks();
		if (m) {
			const before = this.machineBefore;
			this.machineBefore = { ...m, at };
			if (before && at - before.at >= 50) {
				const seconds = (at - before.at) / 1000;
				const t = round((at - this.started) / 1000);
				const push = (label: string, ticks: number) => {
					const list = this.series.get(label) ?? [];
					list.push({ t, cpu: round((ticks / TICKS_PER_S / seconds) * 100), rssMb: 0, phase: this.phase });
					this.series.set(label, list);
				};
				push('machine', m.busy - before.busy);
				push('steal', m.steal - before.steal);
			}
		}
		for (const [label, { pid, withDescendants }] of this.pids) {
			const ticks = withDescendants ? ofTree(pid, cpuTicks) : cpuTicks(pid);
			const rss = withDescendants ? ofTree(pid, rssMb) : rssMb(pid);
			if (ticks === null || rss === null) continue;
			const before = this.last.get(label);
			this.last.set(label, { ticks, at });
			if (!before || at - before.at < 50) continue;
			const cpu = ((ticks - before.ticks) / TICKS_PER_S / ((at - before.at) / 1000)) * 100;
			const list = this.series.get(label) ?? [];
			list.push({ t: round((at - this.started) / 1000), cpu: round(cpu), rssMb: round(rss), phase: this.phase });
			this.series.set(label, list);
		}
	}

	stats(label: string, phase?: string): PhaseStats {
		const all = (this.series.get(label) ?? []).filter((s) => phase === undefined || s.phase === phase);
		const cpus = all.map((s) => s.cpu);
		const m = mean(cpus);
		return {
			cpuMean: m === null ? null : round(m),
			cpuMax: cpus.length ? Math.max(...cpus) : null,
			rssMaxMb: all.length ? Math.max(...all.map((s) => s.rssMb)) : null,
			rssEndMb: all.length ? (all[all.length - 1] as Sample).rssMb : null,
			seconds: all.length * (this.intervalMs / 1000)
		};
	}

	/** The latest resident memory of a process and its descendants, read now. */
	static rssNow(pid: number): number | null {
		const r = ofTree(pid, rssMb);
		return r === null ? null : round(r);
	}
}
