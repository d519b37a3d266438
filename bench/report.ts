/** The results of one scale, and the Markdown table that compares scales side by side. */
import type { PhaseStats, Sample } from './procstat';
import type { Summary } from './stats';

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
	keystrokes: number;
	keystrokesPerS: number;
	items: number;
	keyToPeerMs: Summary | null;
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
		peerLost: number;
		keystrokes: number;
		server: PhaseStats;
		rssPeakMb: number | null;
		bytesMember: BytesStats;
	};
	ratios: { keyToPeerP50: number | null; keyToPeerP95: number | null; keyToPeerP99: number | null; rssPeak: number | null; cpuMean: number | null };
	/** The whole machine while typing (200 % = both cores), what other processes took, hypervisor steal. */
	machine: { cpuTyping: number | null; othersTyping: number | null; stealTyping: number | null; loadAverage: number[] };
	loadGenerator: { cpu: PhaseStats[]; loopDelayMs: (Summary | null)[]; coordinatorCpu: PhaseStats };
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
		['keystrokes (per s)', (r) => `${n(r.keystrokes)} (${n(r.keystrokesPerS, 0)}/s)`],
		['key → other member p50 / p95 / p99 (ms)', (r) => triple(r.keyToPeerMs) + (r.peerLost ? ` (${r.peerLost} lost)` : '')],
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
		['client processes: event-loop delay p99 / max (ms)', (r) => r.loadGenerator.loopDelayMs.map((s) => (s ? `${n(s.p99)} / ${n(s.max)}` : dash)).join('; ')],
		['machine CPU while typing (of 200 %) · other processes · steal', (r) => `${n(r.machine.cpuTyping)} % · ${n(r.machine.othersTyping)} % · ${n(r.machine.stealTyping)} %`],
		['wall time of the scale (s)', (r) => n(r.wallSeconds)]
	];
	const head = `| participants | ${runs.map((r) => `${r.participants} (${r.minutes} min)`).join(' | ')} |`;
	const rule = `|---|${runs.map(() => '---').join('|')}|`;
	return [head, rule, ...rows.map(([label, f]) => `| ${label} | ${runs.map(f).join(' | ')} |`)].join('\n');
}
