/** The results of one scale, and the Markdown table that compares scales side by side. */
import type { PhaseStats, Sample } from './procstat';
import type { Summary } from './stats';
import { STEADY_AFTER_MS } from './workload';

export interface BytesStats {
	clients: number;
	/** Server → phone, bytes per minute: mean and largest over the phones of this role. */
	inMean: number | null;
	inMax: number | null;
	/** Phone → server, bytes per minute, mean. */
	outMean: number | null;
}

export interface ScaleResult {
	participants: number;
	minutes: number;
	clientProcesses: number;
	groups: number;
	rapporteurs: number;
	timekeepers: number;
	timekeeping: 'simulated' | 'not simulated';
	joinMs: Summary | null;
	joinHttpMs: Summary | null;
	pickMs: Summary | null;
	writeupOpenMs: Summary | null;
	/** The opening in parts (bench/workload.ts PrepareResult). */
	writeupOpenParts: { ticketMs: Summary | null; handshakeMs: Summary | null; syncMs: Summary | null };
	keystrokes: number;
	keystrokesPerS: number;
	items: number;
	keyToPeerMs: Summary | null;
	/** After the first STEADY_AFTER_MS of typing (bench/workload.ts). */
	keyToPeerSteadyMs: Summary | null;
	peerLost: number;
	keyToProjectionMs: Summary | null;
	projectionLost: number;
	keyToSavedMs: Summary | null;
	/** GET /api/health round trips every 250 ms while typing: the server's event-loop stalls. */
	serverProbeMs: Summary | null;
	tapAckMs: Summary | null;
	tapsSent: number;
	tapTimeouts: number;
	tapErrors: string[];
	server: { phases: Record<string, PhaseStats>; rssStartMb: number | null; rssPeakMb: number | null; rssEndMb: number | null };
	bytes: Record<'rapporteur' | 'timekeeper' | 'member' | 'projection' | 'organiser', BytesStats> & {
		/** Per phone, joining and picking (socket.io only), mean bytes in and out. */
		rushInMean: number | null;
		rushOutMean: number | null;
	};
	store: { sqliteBytes: number; walBytes: number };
	baseline: {
		/** The same phones opening the same docs on the reference server: no ticket, no pen taken before. */
		writeupOpenMs: Summary | null;
		keyToPeerMs: Summary | null;
		keyToPeerSteadyMs: Summary | null;
		peerLost: number;
		keystrokes: number;
		server: PhaseStats;
		rssPeakMb: number | null;
		bytesMember: BytesStats;
	};
	ratios: { keyToPeerP50: number | null; keyToPeerP95: number | null; keyToPeerP99: number | null; rssPeak: number | null; cpuMean: number | null };
	/** The whole machine while typing (200 % = both cores), what other processes took, hypervisor steal. */
	machine: { cpuTyping: number | null; othersTyping: number | null; stealTyping: number | null; loadAverage: number[] };
	/** The client processes: their CPU and event-loop delay while typing, and their delay in the pick rush. */
	loadGenerator: { cpu: PhaseStats[]; loopDelayMs: (Summary | null)[]; pickLoopDelayMs: (Summary | null)[]; openLoopDelayMs: (Summary | null)[]; coordinatorCpu: PhaseStats };
	notes: string[];
	errors: string[];
	wallSeconds: number;
	series: Record<string, Sample[]>;
	// The flat fields of the one-line JSON (issue 9).
	pickP99Ms: number | null;
	keyToPeerP99Ms: number | null;
	keyToProjectionP99Ms: number | null;
	rssMb: number | null;
	baselineKeyToPeerP99Ms: number | null;
	ratioToBaseline: number | null;
}

const dash = '–';
const n = (v: number | null | undefined, digits = 0) =>
	v == null ? dash : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const triple = (s: Summary | null) => (s ? `${n(s.p50)} / ${n(s.p95)} / ${n(s.p99)}` : dash);
/** Each client process's event-loop delay, p99 / max. */
const delays = (list: (Summary | null)[]) => list.map((s) => (s ? `${n(s.p99)} / ${n(s.max)}` : dash)).join('; ');
const kb = (v: number | null | undefined) => (v == null ? dash : `${n(v / 1024, 1)} kB`);
const mb = (v: number | null | undefined) => (v == null ? dash : `${n(v, 0)} MB`);
const cpu = (p: PhaseStats | undefined) => (p?.cpuMean == null ? dash : `${n(p.cpuMean)} % (max ${n(p.cpuMax)})`);

export function markdownTable(runs: readonly ScaleResult[]): string {
	const rows: [string, (r: ScaleResult) => string][] = [
		['groups · rapporteurs · timekeepers', (r) => `${r.groups} · ${r.rapporteurs} · ${r.timekeeping === 'simulated' ? r.timekeepers : 'not simulated'}`],
		['client processes', (r) => String(r.clientProcesses)],
		['join p50 / p95 / p99 (ms)', (r) => triple(r.joinMs)],
		['pick p50 / p95 / p99 (ms)', (r) => triple(r.pickMs)],
		['write-up open (Yjs sync) p50 / p95 / p99 (ms)', (r) => triple(r.writeupOpenMs)],
		[
			'… of which ticket · handshake · sync, p50 / p95 (ms)',
			(r) => [r.writeupOpenParts.ticketMs, r.writeupOpenParts.handshakeMs, r.writeupOpenParts.syncMs].map((s) => (s ? `${n(s.p50)} / ${n(s.p95)}` : dash)).join(' · ')
		],
		['keystrokes (per s)', (r) => `${n(r.keystrokes)} (${n(r.keystrokesPerS, 0)}/s)`],
		['key → other member p50 / p95 / p99 (ms)', (r) => triple(r.keyToPeerMs) + (r.peerLost ? ` (${r.peerLost} lost)` : '')],
		[`… after the first ${STEADY_AFTER_MS / 1000} s of typing, p50 / p95 / p99 (ms) · the reference's`, (r) => `${triple(r.keyToPeerSteadyMs)} · ${triple(r.baseline.keyToPeerSteadyMs)}`],
		['key → projection p50 / p95 / p99 (ms)', (r) => triple(r.keyToProjectionMs) + (r.projectionLost ? ` (${r.projectionLost} lost)` : '')],
		['key → saved p50 / p95 / p99 (ms)', (r) => triple(r.keyToSavedMs)],
		[
			'timekeeper tap → ack p50 / p95 / p99 (ms)',
			(r) =>
				r.timekeeping !== 'simulated'
					? 'not simulated'
					: r.tapAckMs
						? triple(r.tapAckMs) + (r.tapTimeouts ? ` (${r.tapTimeouts}/${r.tapsSent} unanswered)` : '')
						: `0/${r.tapsSent} answered`
		],
		['server responsiveness (GET /api/health while typing) p50 / p95 / p99 / max (ms)', (r) => (r.serverProbeMs ? `${triple(r.serverProbeMs)} / ${n(r.serverProbeMs.max)}` : dash)],
		['server CPU, join rush', (r) => cpu(r.server.phases.join)],
		['server CPU, pick rush', (r) => cpu(r.server.phases.pick)],
		['server CPU, typing', (r) => cpu(r.server.phases.typing)],
		['server RSS start / peak / end', (r) => `${mb(r.server.rssStartMb)} / ${mb(r.server.rssPeakMb)} / ${mb(r.server.rssEndMb)}`],
		['per member, down / up per min', (r) => `${kb(r.bytes.member.inMean)} / ${kb(r.bytes.member.outMean)} (max down ${kb(r.bytes.member.inMax)})`],
		['per rapporteur, down / up per min', (r) => `${kb(r.bytes.rapporteur.inMean)} / ${kb(r.bytes.rapporteur.outMean)}`],
		['per timekeeper, down / up per min', (r) => `${kb(r.bytes.timekeeper.inMean)} / ${kb(r.bytes.timekeeper.outMean)}`],
		['per projection, down per min', (r) => kb(r.bytes.projection.inMean)],
		['organiser console, down per min', (r) => kb(r.bytes.organiser.inMean)],
		['per phone, join + pick rush, down / up', (r) => `${kb(r.bytes.rushInMean)} / ${kb(r.bytes.rushOutMean)}`],
		['store: palabre.sqlite + -wal', (r) => `${kb(r.store.sqliteBytes)} + ${kb(r.store.walBytes)}`],
		['reference Yjs server: write-up open p50 / p95 / p99 (ms)', (r) => triple(r.baseline.writeupOpenMs ?? null)],
		['reference Yjs server: key → member p50 / p95 / p99 (ms)', (r) => triple(r.baseline.keyToPeerMs) + (r.baseline.peerLost ? ` (${r.baseline.peerLost} lost)` : '')],
		['reference: CPU typing · RSS peak', (r) => `${cpu(r.baseline.server)} · ${mb(r.baseline.rssPeakMb)}`],
		['reference: per member, down per min', (r) => kb(r.baseline.bytesMember.inMean)],
		['ratio to reference: key → member p50 / p95 / p99', (r) => `${n(r.ratios.keyToPeerP50, 2)} / ${n(r.ratios.keyToPeerP95, 2)} / ${n(r.ratios.keyToPeerP99, 2)}`],
		['ratio to reference: RSS peak · CPU typing', (r) => `${n(r.ratios.rssPeak, 2)} · ${n(r.ratios.cpuMean, 2)}`],
		['client processes: CPU typing', (r) => r.loadGenerator.cpu.map(cpu).join('; ')],
		['client processes: event-loop delay p99 / max (ms)', (r) => delays(r.loadGenerator.loopDelayMs)],
		['client processes: event-loop delay in the pick rush p99 / max (ms)', (r) => delays(r.loadGenerator.pickLoopDelayMs)],
		['client processes: event-loop delay while the write-ups open p99 / max (ms)', (r) => delays(r.loadGenerator.openLoopDelayMs)],
		['machine CPU while typing (of 200 %) · other processes · steal', (r) => `${n(r.machine.cpuTyping)} % · ${n(r.machine.othersTyping)} % · ${n(r.machine.stealTyping)} %`],
		['wall time of the scale (s)', (r) => n(r.wallSeconds)]
	];
	const head = `| participants | ${runs.map((r) => `${r.participants} (${r.minutes} min)`).join(' | ')} |`;
	const rule = `|---|${runs.map(() => '---').join('|')}|`;
	return [head, rule, ...rows.map(([label, f]) => `| ${label} | ${runs.map(f).join(' | ')} |`)].join('\n');
}

// ---- cluster mode (`--nodes`) ----

/** One process kind's CPU while typing: all such processes together, and per 1,000 participants. */
export interface ProcessCost {
	/** Percent of one core, summed over the processes of this kind (mean over the typing phase). */
	cpu: number | null;
	/** Percent of one core per 1,000 participants: what transfers to another machine and size. */
	per1000: number | null;
}

export interface FailoverTimeline {
	killedNode: string;
	/** Its events, and how long until each had a new owner in PostgreSQL (ms after the SIGKILL; null: none within the phase). */
	claimMs: (number | null)[];
	/** Phones that lost a connection, and after how long both of theirs were back and their write-up synced again. */
	phonesDown: number;
	phonesNeverBack: number;
	backMs: Summary | null;
	/** What was typed during the failover phase and not delivered to every other member by its end. */
	peerLost: number;
	keystrokes: number;
}

export interface ClusterResult {
	nodes: number;
	/** One node carrying what each node of a cluster of this many carries (its share of the load); null for the whole load. */
	shareOf: number | null;
	/** How phones reach the nodes: a round-robin balancer, or each event's owner (`--route event`). */
	route: 'round-robin' | 'event';
	participants: number;
	events: number;
	minutes: number;
	groups: number;
	pickMs: Summary | null;
	writeupOpenMs: Summary | null;
	keystrokesPerS: number;
	/** Transactions PostgreSQL committed per second while typing (every node's, the leases' included). */
	postgresCommitsPerS: number;
	keyToPeerMs: Summary | null;
	peerLost: number;
	keyToProjectionMs: Summary | null;
	keyToSavedMs: Summary | null;
	/** Each node's main process, its Yjs processes, PostgreSQL (postmaster and backends): typing phase. */
	cost: { node: ProcessCost; yjs: ProcessCost; postgres: ProcessCost; total: ProcessCost };
	perNodeCpu: { node: string; main: number | null; yjs: number | null }[];
	rssPeakMb: { nodes: number | null; postgres: number | null };
	/** Bytes the nodes forwarded to each other while typing, per minute, and per participant and minute. */
	crossNode: { bytesPerMin: number; perParticipantPerMin: number };
	failover: FailoverTimeline | null;
	machineCpuTyping: number | null;
	errors: string[];
	wallSeconds: number;
}

export function costOf(cpu: number | null, participants: number): ProcessCost {
	return { cpu, per1000: cpu === null ? null : Math.round((cpu / participants) * 1000 * 100) / 100 };
}

/** Each value's relative difference to the first (one node), e.g. 0.08 = 8 % more per participant. */
export function relativeToFirst(values: readonly (number | null)[]): (number | null)[] {
	const first = values[0];
	return values.map((v) => (v == null || first == null || first === 0 ? null : Math.round(((v - first) / first) * 1000) / 1000));
}

const pct = (v: number | null) => (v == null ? dash : `${v > 0 ? '+' : ''}${n(v * 100)} %`);

/**
 * What a cluster of N nodes costs per participant beyond N nodes each alone with its share of the
 * load (0.05 = 5 % more): the cluster's own cost (shared store, leases, forwarding), apart from a
 * node being cheaper per participant the more it carries. Null without a share run for N.
 */
export function beyondItsNodes(run: ClusterResult, runs: readonly ClusterResult[]): number | null {
	const alone = runs.find((r) => r.shareOf === run.nodes);
	if (run.shareOf !== null || !alone) return null;
	return relativeToFirst([alone.cost.total.per1000, run.cost.total.per1000])[1] ?? null;
}

export function clusterTable(runs: readonly ClusterResult[]): string {
	const totals = relativeToFirst(runs.map((r) => r.cost.total.per1000));
	const cost = (c: ProcessCost) => (c.cpu == null ? dash : `${n(c.per1000, 1)} (${n(c.cpu)} %)`);
	const rows: [string, (r: ClusterResult, i: number) => string][] = [
		['events · groups · phones routed', (r) => `${r.events} · ${r.groups} · ${r.route === 'event' ? 'by event' : 'round robin'}`],
		['pick p50 / p95 / p99 (ms)', (r) => triple(r.pickMs)],
		['write-up open p50 / p95 / p99 (ms)', (r) => triple(r.writeupOpenMs)],
		['keystrokes per s', (r) => n(r.keystrokesPerS)],
		['PostgreSQL commits per s (keystrokes per commit)', (r) => `${n(r.postgresCommitsPerS)} (${r.postgresCommitsPerS ? n(r.keystrokesPerS / r.postgresCommitsPerS, 1) : dash})`],
		['key → other member p50 / p95 / p99 (ms)', (r) => triple(r.keyToPeerMs) + (r.peerLost ? ` (${r.peerLost} lost)` : '')],
		['key → projection p50 / p95 / p99 (ms)', (r) => triple(r.keyToProjectionMs)],
		['key → saved p50 / p95 / p99 (ms)', (r) => triple(r.keyToSavedMs)],
		['CPU per 1,000 participants, main processes (all nodes)', (r) => cost(r.cost.node)],
		['CPU per 1,000 participants, Yjs processes (all nodes)', (r) => cost(r.cost.yjs)],
		['CPU per 1,000 participants, PostgreSQL', (r) => cost(r.cost.postgres)],
		['CPU per 1,000 participants, total', (r) => cost(r.cost.total)],
		['total per participant vs 1 node', (_r, i) => pct(totals[i] ?? null)],
		['total per participant vs its nodes each alone with their share', (r) => pct(beyondItsNodes(r, runs))],
		['PostgreSQL share of the total', (r) => (r.cost.postgres.cpu == null || !r.cost.total.cpu ? dash : `${n((r.cost.postgres.cpu / r.cost.total.cpu) * 100)} %`)],
		['each node: main · Yjs (% of a core)', (r) => r.perNodeCpu.map((p) => `${p.node} ${n(p.main)} · ${n(p.yjs)}`).join('; ')],
		['RSS peak: nodes (sum) · PostgreSQL', (r) => `${mb(r.rssPeakMb.nodes)} · ${mb(r.rssPeakMb.postgres)}`],
		['cross-node bytes per min (per participant)', (r) => `${kb(r.crossNode.bytesPerMin)} (${n(r.crossNode.perParticipantPerMin)} B)`],
		['failover: owner SIGKILLed', (r) => r.failover?.killedNode ?? dash],
		['failover: its events claimed after (ms)', (r) => (r.failover ? r.failover.claimMs.map((c) => n(c)).join(', ') : dash)],
		[
			'failover: phones back and synced p50 / p95 / p99 / max (ms)',
			(r) => (r.failover?.backMs ? `${triple(r.failover.backMs)} / ${n(r.failover.backMs.max)}` : dash)
		],
		['failover: phones cut off · never back', (r) => (r.failover ? `${r.failover.phonesDown} · ${r.failover.phonesNeverBack}` : dash)],
		['failover: keystrokes · not delivered', (r) => (r.failover ? `${r.failover.keystrokes} · ${r.failover.peerLost}` : dash)],
		['machine CPU while typing (of 200 %)', (r) => `${n(r.machineCpuTyping)} %`],
		['wall time (s)', (r) => n(r.wallSeconds)]
	];
	const column = (r: ClusterResult) => (r.shareOf ? `1 node, 1/${r.shareOf} of the load (${r.participants})` : `${r.nodes} node${r.nodes > 1 ? 's' : ''}`);
	const head = `| ${runs[0]?.participants ?? ''} participants | ${runs.map(column).join(' | ')} |`;
	const rule = `|---|${runs.map(() => '---').join('|')}|`;
	return [head, rule, ...rows.map(([label, f]) => `| ${label} | ${runs.map(f).join(' | ')} |`)].join('\n');
}
