/**
 * Palabre's benchmark (issue 9): `npm run bench -- [--participants 100,300,1000] [--minutes 1]
 * [--json] [--workers n] [--cpu-prof] [--seed n] [--database-url url] [--yjs-processes k]`. See bench/README.md for what is measured.
 * Cluster mode (issue 23): `--nodes 3 [--participants 900] [--failover-seconds 30]`, see runCluster.
 *
 * For each scale: the real server (build/palabre.js) in a child process on loopback; N phones
 * in 1–2 client processes (clients.ts) join, pick in a rush, open their group's write-up;
 * rapporteurs type, timekeepers tap, the members and one projection per room receive. Then the
 * same typing against a bare Yjs server, for the ratios. Never part of `npm test`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, get } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Socket as NetSocket } from 'node:net';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { chamberyTemplate } from '../src/lib/domain/eventSettings';
import { ClientMessages, type Ack } from '../src/lib/protocol';
import type { OrganiserDocument, ProgressUpdate, RoomView } from '../src/lib/views';
import { startPostgres, type PostgresCluster } from '../tests/helpers/postgres';
import { Cluster, parseNodes, type ClusterNode } from './cluster';
import { childrenOf, pin, ProcSampler, tree, type PhaseStats } from './procstat';
import { clusterTable, costOf, markdownTable, type BytesStats, type ClusterResult, type FailoverTimeline, type ScaleResult } from './report';
import { ROOT, ServerProcess } from './servers';
import { mean, ratio, round, summarise } from './stats';
import {
	now,
	rng,
	type ClientBytes,
	type Command,
	type JoinResult,
	type PickResult,
	type PlannedParticipant,
	type PrepareResult,
	type TypeResult,
	type WorkerMessage
} from './workload';

// ---- arguments ----
const argv = process.argv.slice(2);
function option(name: string): string | undefined {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 ? argv[i + 1] : undefined;
}
const flag = (name: string) => argv.includes(`--${name}`);
function bounded(name: string, value: number, lo: number, hi: number): number {
	if (!Number.isFinite(value) || value < lo || value > hi) {
		console.error(`--${name} must be between ${lo} and ${hi} (got ${value})`);
		process.exit(2);
	}
	return value;
}
// Bounded in count and time: a benchmark that cannot run away.
// Cluster mode: these node counts side by side (one node always among them), on a throwaway PostgreSQL.
const nodeCounts = option('nodes') === undefined ? null : parseNodesOrExit(option('nodes') as string);
function parseNodesOrExit(value: string): number[] {
	try {
		return parseNodes(value);
	} catch (err) {
		console.error((err as Error).message);
		process.exit(2);
	}
}
const routeOption = option('route') ?? 'round-robin';
if (routeOption !== 'round-robin' && routeOption !== 'event') {
	console.error(`--route must be round-robin or event (got ${routeOption})`);
	process.exit(2);
}
const route: 'round-robin' | 'event' = routeOption;
const failoverSeconds = bounded('failover-seconds', Number(option('failover-seconds') ?? 30), 10, 120);
const scales = (option('participants') ?? (nodeCounts ? '900' : '100,300,1000')).split(',').map((s) => bounded('participants', Number(s), 6, 2000));
const minutes = bounded('minutes', Number(option('minutes') ?? 1), 0.1, 10);
const jsonOut = flag('json');
const cpuProf = flag('cpu-prof');
const seed = Number(option('seed') ?? 1);
const workersOption = option('workers');
const joinSeconds = bounded('join-seconds', Number(option('join-seconds') ?? 5), 0, 120);
const pickSeconds = bounded('pick-seconds', Number(option('pick-seconds') ?? 3), 0, 60);
// The write-ups on PostgreSQL (an existing database: the bench creates none) and in K Yjs processes.
const databaseUrl = option('database-url');
const yjsProcesses = bounded('yjs-processes', Number(option('yjs-processes') ?? 1), 1, 8);
// --pin: each server under test on the first half of the CPUs, everything else (phones, this process) on the rest.
if (flag('pin') && cpus().length < 2) {
	console.error('--pin needs at least two CPUs');
	process.exit(2);
}
const pinned = flag('pin') ? cpuHalves(cpus().length) : null;
function cpuHalves(count: number): { server: string; rest: string } {
	const half = Math.floor(count / 2);
	const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
	return { server: range(0, half - 1), rest: range(half, count - 1) };
}
const RESULTS = join(ROOT, 'bench', 'results');

const log = (text: string) => console.log(text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

// ---- client processes ----
class ClientProcess {
	readonly child: ChildProcess;
	private next = 1;
	private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

	constructor(onItem: (groupId: string, n: number, at: number) => void) {
		// Forked with our own execArgv, so tsx loads the TypeScript; 'advanced' carries big arrays cheaply.
		this.child = fork(join(ROOT, 'bench', 'clients.ts'), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		this.child.on('message', (m: WorkerMessage) => {
			if ('event' in m) {
				if (m.event === 'item') onItem(m.groupId, m.n, m.at);
				else log(m.text);
				return;
			}
			const p = this.pending.get(m.reply);
			if (!p) return;
			this.pending.delete(m.reply);
			if (m.ok) p.resolve(m.result);
			else p.reject(new Error(`client process: ${m.error}`));
		});
		this.child.on('exit', (code) => {
			for (const p of this.pending.values()) p.reject(new Error(`client process exited (${code})`));
			this.pending.clear();
		});
	}

	call<T>(command: Command): Promise<T> {
		const id = this.next++;
		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
			this.child.send({ ...command, id });
		});
	}

	get pid() {
		return this.child.pid as number;
	}

	kill() {
		if (this.child.exitCode === null) this.child.kill('SIGTERM');
	}
}

// ---- the projection: keystroke that makes an item non-empty → the room update that counts it ----
class ProjectionWatch {
	private readonly last = new Map<string, number>();
	private readonly keyAt = new Map<string, number>();
	private readonly seenAt = new Map<string, number>();
	readonly latencies: number[] = [];

	room(view: RoomView) {
		this.progress(view.statements.flatMap((s) => s.groups.map((g) => ({ groupId: g.id, progress: g.progress }))));
	}

	/** Counts from a full room view or from a `progress` message, whichever comes first. */
	progress(updates: ProgressUpdate[]) {
		const t = now();
		for (const { groupId, progress } of updates) {
			const total = progress.reduce((a, b) => a + b, 0);
			const before = this.last.get(groupId) ?? 0;
			// Several items counted in one (coalesced) update were all seen now.
			for (let k = before + 1; k <= total; k++) this.match(`${groupId}:${k}`, t, 'seen');
			if (total > before) this.last.set(groupId, total);
		}
	}

	item(groupId: string, n: number, at: number) {
		this.match(`${groupId}:${n}`, at, 'key');
	}

	/** The keystroke's report (IPC) and the room update may come in either order. */
	private match(key: string, t: number, what: 'seen' | 'key') {
		const other = what === 'seen' ? this.keyAt : this.seenAt;
		const o = other.get(key);
		if (o === undefined) {
			(what === 'seen' ? this.seenAt : this.keyAt).set(key, t);
			return;
		}
		other.delete(key);
		this.latencies.push(what === 'seen' ? t - o : o - t);
	}

	get lost() {
		return this.keyAt.size;
	}
}

/**
 * How long the server takes to answer GET /api/health, every 250 ms: the answer waits for
 * whatever holds its event loop, so this shows stalls that per-second CPU averages hide.
 */
class Probe {
	readonly rtt: number[] = [];
	private running = false;
	private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

	start(url: string) {
		this.running = true;
		const loop = async () => {
			while (this.running) {
				const t0 = now();
				await new Promise<void>((resolve) => {
					get(`${url}/api/health`, { agent: this.agent }, (res) => {
						res.resume();
						res.on('end', () => {
							if (this.running) this.rtt.push(now() - t0);
							resolve();
						});
					}).on('error', () => resolve());
				});
				await sleep(250);
			}
		};
		void loop();
	}

	stop() {
		this.running = false;
		this.agent.destroy();
	}
}

// ---- helpers ----
async function http<T>(method: string, url: string, body?: unknown, token?: string): Promise<T> {
	const res = await fetch(url, {
		method,
		headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

/** `eventId`: in the handshake's URL, so that any node of a cluster can forward the socket to the event's owner. */
function connect(url: string, auth: Record<string, string>, eventId?: string): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const query = eventId ? { e: eventId } : undefined;
		const socket = io(url, { path: '/socket.io', auth, query, transports: ['websocket'], forceNew: true, reconnection: false });
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

function wireOf(socket: Socket): NetSocket | null {
	const transport = socket.io.engine?.transport as unknown as { ws?: { _socket?: NetSocket } } | undefined;
	return transport?.ws?._socket ?? null;
}

async function command(socket: Socket, name: string, msg: unknown): Promise<void> {
	const answer = await new Promise<Ack>((resolve, reject) =>
		socket.timeout(30_000).emit(name, msg, (err: Error | null, a: Ack) => (err ? reject(err) : resolve(a)))
	);
	if (!answer.ok) throw new Error(`${name}: ${answer.error}`);
}

/** Who joins: a mix like the 2017 rooms (residents, health and social professionals, mediators…). */
const CATEGORY_MIX: [string[], number][] = [
	[['habitant'], 22],
	[['usager'], 5],
	[['patient-expert'], 4],
	[['conseiller-citoyen'], 3],
	[['medecin'], 10],
	[['infirmier'], 9],
	[['coordinateur'], 6],
	[['pharmacien'], 3],
	[['travailleur-social'], 8],
	[['mediation'], 12],
	[['institution'], 6],
	[['recherche'], 3],
	[['habitant', 'infirmier'], 3],
	[[], 6]
];
function categoriesFor(r: () => number): string[] {
	const total = CATEGORY_MIX.reduce((a, [, w]) => a + w, 0);
	let x = r() * total;
	for (const [cats, w] of CATEGORY_MIX) if ((x -= w) < 0) return cats;
	return [];
}

function bytesStats(list: readonly { in: number; out: number }[]): BytesStats {
	return {
		clients: list.length,
		inMean: mean(list.map((b) => b.in)),
		inMax: list.length ? Math.max(...list.map((b) => b.in)) : null,
		outMean: mean(list.map((b) => b.out))
	};
}

const firstErrors = (lists: string[][]) => [...new Set(lists.flat())].slice(0, 20);

// ---- one scale ----
async function runScale(participants: number): Promise<ScaleResult> {
	const started = performance.now();
	const workers = workersOption ? bounded('workers', Number(workersOption), 1, 4) : participants > 300 ? 2 : 1;
	const typingMs = minutes * 60_000;
	const notes: string[] = [];
	const errors: string[][] = [];
	const timekeeping = 'speaking:taps' in ClientMessages;
	if (!timekeeping) notes.push('Timekeeping is not simulated: src/lib/protocol.ts has no speaking-time message.');

	const profileDir = join(RESULTS, 'profiles');
	if (cpuProf) mkdirSync(profileDir, { recursive: true });
	const server = await ServerProcess.palabre({
		cpuProfDir: cpuProf ? profileDir : undefined,
		env: { YJS_PROCESSES: String(yjsProcesses), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }
	});
	const projection = new ProjectionWatch();
	const clients = Array.from({ length: workers }, () => new ClientProcess((g, n, at) => projection.item(g, n, at)));
	if (pinned) {
		pin(tree(server.pid), pinned.server);
		pin([process.pid, ...clients.flatMap((c) => tree(c.pid))], pinned.rest);
		notes.push(`Pinned (--pin): the server under test on CPU ${pinned.server}, the simulated phones and the coordinator on CPU ${pinned.rest}.`);
	}
	const sampler = new ProcSampler();
	sampler.watch('server', server.pid, { withDescendants: true });
	clients.forEach((c, i) => sampler.watch(`clients${i}`, c.pid));
	sampler.watch('coordinator', process.pid);
	sampler.start();
	const rssStartMb = ProcSampler.rssNow(server.pid);
	const sockets: Socket[] = [];
	try {
		// The event: the three rooms and 21 statements of Chambéry 2017.
		const created = await http<{ id: string; organiserToken: string; joinCode: string; rooms: { id: string; projectionUrl: string }[] }>(
			'POST',
			`${server.url}/api/events`,
			chamberyTemplate()
		);
		const doc = await http<OrganiserDocument>('GET', `${server.url}/api/events/${created.id}`, undefined, created.organiserToken);
		const organiser = await connect(server.url, { role: 'organiser', eventId: created.id, token: created.organiserToken });
		sockets.push(organiser);
		const projections = await Promise.all(
			created.rooms.map(async (room) => {
				const token = new URL(room.projectionUrl).hash.slice(1);
				const socket = await connect(server.url, { role: 'projection', roomId: room.id, token });
				socket.on('projectionRoom', (view: RoomView) => projection.room(view));
				socket.on('progress', (updates: ProgressUpdate[]) => projection.progress(updates));
				socket.on('projection', (view: { room: RoomView }) => projection.room(view.room));
				sockets.push(socket);
				return socket;
			})
		);

		// The phones: rooms in turn, each client process gets its share of every room and
		// picks only among its own statements (so a group never spans two processes).
		const r = rng(seed);
		const plans: PlannedParticipant[][] = clients.map(() => []);
		for (let i = 0; i < participants; i++) {
			const roomIndex = i % doc.rooms.length;
			const room = doc.rooms[roomIndex] as OrganiserDocument['rooms'][number];
			const w = Math.floor(i / doc.rooms.length) % workers;
			const statements = room.statements.filter((_, k) => k % workers === w).map((s) => s.id);
			(plans[w] as PlannedParticipant[]).push({
				index: i,
				roomId: room.id,
				displayName: `Personne ${i + 1}`,
				categories: categoriesFor(r),
				statementIds: statements.length ? statements : room.statements.map((s) => s.id),
				// Every phone has its own address on the venue Wi-Fi: loopback has 127.0.0.0/8.
				address: `127.0.${1 + Math.floor(i / 250)}.${2 + (i % 250)}`
			});
		}

		log(`[${participants}] server pid ${server.pid} on ${server.url}; ${workers} client process(es); joining over ${joinSeconds} s…`);
		sampler.mark('join');
		const joined = await Promise.all(
			clients.map((c, w) => c.call<JoinResult>({ cmd: 'join', url: server.url, joinCode: created.joinCode, participants: plans[w] as PlannedParticipant[], windowMs: joinSeconds * 1000 }))
		);
		errors.push(...joined.map((j) => j.errors));
		const joinedCount = joined.reduce((a, j) => a + j.joinMs.length, 0);
		log(`[${participants}] joined ${joinedCount}/${participants}; picking over ${pickSeconds} s…`);
		sampler.mark('settle');
		await sleep(1000);

		for (const room of doc.rooms) await command(organiser, 'room:setPhase', { roomId: room.id, phase: 'choice' });
		await sleep(500);
		sampler.mark('pick');
		const picked = await Promise.all(clients.map((c) => c.call<PickResult>({ cmd: 'pick', windowMs: pickSeconds * 1000 })));
		errors.push(...picked.map((p) => p.errors));
		sampler.mark('settle');
		await sleep(1000);
		// Stages start: groups are fixed, the write-ups begin.
		for (const room of doc.rooms) await command(organiser, 'stage:control', { roomId: room.id, command: { action: 'start' } });

		sampler.mark('connect');
		const prepared = await Promise.all(clients.map((c) => c.call<PrepareResult>({ cmd: 'prepare', mode: 'palabre', url: server.url, timekeeping })));
		errors.push(...prepared.map((p) => p.errors));
		const groups = prepared.reduce((a, p) => a + p.groups, 0);
		log(`[${participants}] ${groups} groups, ${prepared.reduce((a, p) => a + p.writers, 0)} rapporteurs; typing for ${minutes} min…`);

		const watched = [organiser, ...projections];
		const startAt = now() + 1000;
		const wireBefore = watched.map((s) => wireOf(s)?.bytesRead ?? 0);
		const wireOutBefore = watched.map((s) => wireOf(s)?.bytesWritten ?? 0);
		const probe = new Probe();
		setTimeout(() => {
			sampler.mark('typing');
			probe.start(server.url);
		}, startAt - now());
		setTimeout(() => {
			sampler.mark('drain');
			probe.stop();
		}, startAt + typingMs - now());
		let wireAfter: number[] = [];
		let wireOutAfter: number[] = [];
		setTimeout(() => {
			wireAfter = watched.map((s) => wireOf(s)?.bytesRead ?? 0);
			wireOutAfter = watched.map((s) => wireOf(s)?.bytesWritten ?? 0);
		}, startAt + typingMs - now());
		const typed = await Promise.all(clients.map((c) => c.call<TypeResult>({ cmd: 'type', startAt, typingMs, seed })));
		errors.push(...typed.map((t) => t.errors));
		const store = server.storeBytes();
		const rssEndMb = ProcSampler.rssNow(server.pid);

		sampler.mark('close');
		await Promise.all(clients.map((c) => c.call<null>({ cmd: 'close' })));
		for (const s of sockets) s.disconnect();
		await server.stop();
		sampler.mark('idle');
		if (cpuProf) {
			writeFileSync(join(profileDir, `palabre-${server.pid}.phases.json`), JSON.stringify(sampler.phaseBounds()));
			notes.push(`CPU profile of the server in ${profileDir} (pid ${server.pid}): npx tsx bench/profile.ts <file> typing`);
		}

		// ---- the reference Yjs server, same groups, same typing ----
		log(`[${participants}] same typing against the reference Yjs server…`);
		const baseline = await ServerProcess.baseline();
		if (pinned) pin(tree(baseline.pid), pinned.server);
		sampler.watch('baseline', baseline.pid, { withDescendants: true });
		let baseTyped: TypeResult[];
		let baseOpenMs: number[] = [];
		try {
			sampler.mark('baseline-connect');
			const basePrepared = await Promise.all(clients.map((c) => c.call<PrepareResult>({ cmd: 'prepare', mode: 'baseline', url: baseline.url, timekeeping: false })));
			errors.push(...basePrepared.map((p) => p.errors));
			baseOpenMs = basePrepared.flatMap((p) => p.connectMs);
			const baseStart = now() + 1000;
			setTimeout(() => sampler.mark('baseline-typing'), baseStart - now());
			setTimeout(() => sampler.mark('baseline-drain'), baseStart + typingMs - now());
			baseTyped = await Promise.all(clients.map((c) => c.call<TypeResult>({ cmd: 'type', startAt: baseStart, typingMs, seed })));
			errors.push(...baseTyped.map((t) => t.errors));
			await Promise.all(clients.map((c) => c.call<null>({ cmd: 'close' })));
		} finally {
			await baseline.stop();
		}
		sampler.stop();

		// ---- summary ----
		const keyToPeer = summarise(typed.flatMap((t) => t.keyToPeerMs));
		const baseKeyToPeer = summarise(baseTyped.flatMap((t) => t.keyToPeerMs));
		const steadyKeyToPeer = summarise(typed.flatMap((t) => t.keyToPeerSteadyMs));
		const baseSteadyKeyToPeer = summarise(baseTyped.flatMap((t) => t.keyToPeerSteadyMs));
		const keystrokes = typed.reduce((a, t) => a + t.keystrokes, 0);
		const tapsSent = typed.reduce((a, t) => a + t.tapsSent, 0);
		const tapTimeouts = typed.reduce((a, t) => a + t.tapTimeouts, 0);
		const tapAck = summarise(typed.flatMap((t) => t.tapAckMs));
		const tapErrors = firstErrors(typed.map((t) => t.tapErrors));
		if (timekeeping && tapsSent > 0 && !tapAck) {
			notes.push(
				`Timekeepers tapped (${tapsSent} speaking:taps) but the server answered none within 5 s` +
					(tapErrors.length ? ` (refused: ${tapErrors.join('; ')})` : ': this build has no handler for speaking:taps') +
					'.'
			);
		}
		const bytes: ClientBytes[] = typed.flatMap((t) => t.bytes);
		const baseBytes: ClientBytes[] = baseTyped.flatMap((t) => t.bytes);
		const perMinute = (i: number) => ({
			in: ((wireAfter[i] ?? 0) - (wireBefore[i] ?? 0)) / minutes,
			out: ((wireOutAfter[i] ?? 0) - (wireOutBefore[i] ?? 0)) / minutes
		});
		const phases: Record<string, PhaseStats> = {};
		for (const p of ['join', 'pick', 'connect', 'typing']) phases[p] = sampler.stats('server', p);
		const baseStats = sampler.stats('baseline', 'baseline-typing');
		const peak = (label: string) => {
			const list = sampler.series.get(label) ?? [];
			return list.length ? Math.max(...list.map((s) => s.rssMb)) : null;
		};
		const rssPeakMb = peak('server');
		const baseRssPeak = peak('baseline');
		const keyToProjection = summarise(projection.latencies);
		const typingCpu = (label: string) => sampler.stats(label, 'typing').cpuMean ?? 0;
		const machineCpu = sampler.stats('machine', 'typing').cpuMean;
		const ours = typingCpu('server') + typingCpu('coordinator') + clients.reduce((a, _, i) => a + typingCpu(`clients${i}`), 0);
		const others = machineCpu === null ? null : round(Math.max(0, machineCpu - ours));
		if (others !== null && others > 25) {
			notes.push(`[${participants}] Other processes used ${others} % CPU (of ${cpus().length * 100} %) while typing: these figures are skewed; rerun on a quiet machine.`);
		}
		const pick = summarise(picked.flatMap((p) => p.pickMs));
		const result: ScaleResult = {
			participants,
			minutes,
			clientProcesses: workers,
			groups,
			rapporteurs: prepared.reduce((a, p) => a + p.writers, 0),
			timekeepers: prepared.reduce((a, p) => a + p.timekeepers, 0),
			timekeeping: timekeeping ? 'simulated' : 'not simulated',
			joinMs: summarise(joined.flatMap((j) => j.joinMs)),
			joinHttpMs: summarise(joined.flatMap((j) => j.joinHttpMs)),
			pickMs: pick,
			writeupOpenMs: summarise(prepared.flatMap((p) => p.connectMs)),
			writeupOpenParts: {
				ticketMs: summarise(prepared.flatMap((p) => p.openParts.ticketMs)),
				handshakeMs: summarise(prepared.flatMap((p) => p.openParts.handshakeMs)),
				syncMs: summarise(prepared.flatMap((p) => p.openParts.syncMs))
			},
			keystrokes,
			keystrokesPerS: round(keystrokes / (typingMs / 1000)),
			items: typed.reduce((a, t) => a + t.items, 0),
			keyToPeerMs: keyToPeer,
			keyToPeerSteadyMs: steadyKeyToPeer,
			peerLost: typed.reduce((a, t) => a + t.expectedDeliveries, 0) - (keyToPeer?.n ?? 0),
			keyToProjectionMs: keyToProjection,
			projectionLost: projection.lost,
			keyToSavedMs: summarise(typed.flatMap((t) => t.keyToSavedMs)),
			serverProbeMs: summarise(probe.rtt),
			tapAckMs: tapAck,
			tapsSent,
			tapTimeouts,
			tapErrors,
			server: { phases, rssStartMb, rssPeakMb, rssEndMb },
			bytes: {
				rapporteur: bytesStats(bytes.filter((b) => b.role === 'rapporteur')),
				timekeeper: bytesStats(bytes.filter((b) => b.role === 'timekeeper')),
				member: bytesStats(bytes.filter((b) => b.role === 'member')),
				organiser: bytesStats([perMinute(0)]),
				projection: bytesStats(projections.map((_, i) => perMinute(i + 1))),
				rushInMean: mean(picked.flatMap((p) => p.rushBytesIn)),
				rushOutMean: mean(picked.flatMap((p) => p.rushBytesOut))
			},
			store: { sqliteBytes: store.sqlite, walBytes: store.wal },
			baseline: {
				writeupOpenMs: summarise(baseOpenMs),
				keyToPeerMs: baseKeyToPeer,
				keyToPeerSteadyMs: baseSteadyKeyToPeer,
				peerLost: baseTyped.reduce((a, t) => a + t.expectedDeliveries, 0) - (baseKeyToPeer?.n ?? 0),
				keystrokes: baseTyped.reduce((a, t) => a + t.keystrokes, 0),
				server: baseStats,
				rssPeakMb: baseRssPeak,
				// Every baseline phone only has its Yjs socket: compare with the members' yjsIn.
				bytesMember: bytesStats(baseBytes.filter((b) => b.role === 'member'))
			},
			ratios: {
				keyToPeerP50: ratio(keyToPeer?.p50, baseKeyToPeer?.p50),
				keyToPeerP95: ratio(keyToPeer?.p95, baseKeyToPeer?.p95),
				keyToPeerP99: ratio(keyToPeer?.p99, baseKeyToPeer?.p99),
				rssPeak: ratio(rssPeakMb, baseRssPeak),
				cpuMean: ratio(phases.typing?.cpuMean, baseStats.cpuMean)
			},
			machine: {
				cpuTyping: machineCpu,
				othersTyping: others,
				stealTyping: sampler.stats('steal', 'typing').cpuMean,
				loadAverage: loadavg().map((l) => round(l, 2))
			},
			loadGenerator: {
				cpu: clients.map((_, i) => sampler.stats(`clients${i}`, 'typing')),
				loopDelayMs: typed.map((t) => t.loopDelay),
				pickLoopDelayMs: picked.map((p) => p.loopDelay),
				openLoopDelayMs: prepared.map((p) => p.loopDelay),
				coordinatorCpu: sampler.stats('coordinator', 'typing')
			},
			notes,
			errors: firstErrors(errors),
			wallSeconds: round((performance.now() - started) / 1000),
			series: Object.fromEntries(sampler.series),
			pickP99Ms: pick?.p99 ?? null,
			keyToPeerP99Ms: keyToPeer?.p99 ?? null,
			keyToProjectionP99Ms: keyToProjection?.p99 ?? null,
			rssMb: rssPeakMb,
			baselineKeyToPeerP99Ms: baseKeyToPeer?.p99 ?? null,
			ratioToBaseline: ratio(keyToPeer?.p99, baseKeyToPeer?.p99)
		};
		return result;
	} finally {
		for (const s of sockets) s.disconnect();
		for (const c of clients) c.kill();
		await server.stop();
	}
}

// ---- cluster mode: N nodes on one PostgreSQL, the same load for every N ----
interface BenchEvent {
	id: string;
	joinCode: string;
	organiserToken: string;
	doc: OrganiserDocument;
	/** The node that claimed it (where it was created). */
	node: ClusterNode;
	/** Where its phones, organiser and projections connect (--route). */
	url: string;
}

/**
 * One cluster of `nodeCount` nodes: as many events as there are 300s of participants (at least one
 * per node of the largest cluster measured, so that every node owns some), each created on a node
 * in turn (which claims it); the phones reach them through the round-robin balancer; one client
 * process per event. The steady typing phase gives the CPU per process and the latencies; then,
 * with several nodes, a second typing phase during which the owner of the first event is SIGKILLed.
 */
async function runCluster(
	nodeCount: number,
	participants: number,
	eventCount: number,
	postgres: PostgresCluster,
	/** This run is one node carrying what each node of a cluster of `shareOf` nodes carries. */
	shareOf: number | null = null
): Promise<ClusterResult> {
	const started = performance.now();
	const typingMs = minutes * 60_000;
	const errors: string[][] = [];
	const timekeeping = 'speaking:taps' in ClientMessages;
	const cluster = await Cluster.start(nodeCount, await postgres.createDatabase(), { YJS_PROCESSES: String(yjsProcesses) });
	const projection = new ProjectionWatch();
	const clients = Array.from({ length: eventCount }, () => new ClientProcess((g, n, at) => projection.item(g, n, at)));
	const sampler = new ProcSampler();
	for (const node of cluster.nodes) {
		sampler.watch(`${node.id}`, node.child.pid as number);
		childrenOf(node.child.pid as number).forEach((pid, k) => sampler.watch(`${node.id}-yjs${k + 1}`, pid));
	}
	sampler.watch('postgres', postgres.pid, { withDescendants: true });
	sampler.start();
	const sockets: Socket[] = [];
	try {
		const events: BenchEvent[] = [];
		for (let e = 0; e < eventCount; e++) {
			const node = cluster.nodes[e % nodeCount] as ClusterNode;
			const created = await http<{ id: string; organiserToken: string; joinCode: string }>('POST', `${node.url}/api/events`, chamberyTemplate());
			// Its creator claims it in the background: wait for that, or another node's first request would claim it.
			let owner = await cluster.owner(created.id);
			for (let i = 0; i < 200 && !owner; i++) {
				await sleep(50);
				owner = await cluster.owner(created.id);
			}
			const claimer = cluster.nodes.find((n) => n.id === owner?.nodeId);
			if (!claimer) throw new Error(`event ${created.id}: not claimed within 10 s`);
			const doc = await http<OrganiserDocument>('GET', `${cluster.url}/api/events/${created.id}`, undefined, created.organiserToken);
			events.push({ ...created, doc, node: claimer, url: await cluster.entry(claimer, route === 'event') });
		}
		const organisers = await Promise.all(events.map((ev) => connect(ev.url, { role: 'organiser', eventId: ev.id, token: ev.organiserToken }, ev.id)));
		sockets.push(...organisers);
		for (const ev of events) {
			for (const room of ev.doc.rooms) {
				const token = new URL(room.projectionUrl).hash.slice(1);
				const socket = await connect(ev.url, { role: 'projection', roomId: room.id, token }, ev.id);
				socket.on('projectionRoom', (view: RoomView) => projection.room(view));
				socket.on('progress', (updates: ProgressUpdate[]) => projection.progress(updates));
				socket.on('projection', (view: { room: RoomView }) => projection.room(view.room));
				sockets.push(socket);
			}
		}

		// The phones: event e's in client process e, its rooms in turn.
		const r = rng(seed);
		const plans: PlannedParticipant[][] = events.map(() => []);
		for (let i = 0; i < participants; i++) {
			const e = i % eventCount;
			const rooms = (events[e] as BenchEvent).doc.rooms;
			const room = rooms[Math.floor(i / eventCount) % rooms.length] as OrganiserDocument['rooms'][number];
			(plans[e] as PlannedParticipant[]).push({
				index: i,
				roomId: room.id,
				displayName: `Personne ${i + 1}`,
				categories: categoriesFor(r),
				statementIds: room.statements.map((s) => s.id),
				address: `127.0.${1 + Math.floor(i / 250)}.${2 + (i % 250)}`
			});
		}
		const tag = `[${participants} · ${nodeCount} node${nodeCount > 1 ? 's' : ''}]`;
		log(`${tag} ${eventCount} events (owners ${events.map((ev) => ev.node.id).join(', ')}), phones routed ${route === 'event' ? 'by event' : 'round robin'}; joining over ${joinSeconds} s…`);
		sampler.mark('join');
		const joined = await Promise.all(
			clients.map((c, e) =>
				c.call<JoinResult>({
					cmd: 'join',
					url: (events[e] as BenchEvent).url,
					joinCode: (events[e] as BenchEvent).joinCode,
					eventId: (events[e] as BenchEvent).id,
					reconnect: true,
					participants: plans[e] as PlannedParticipant[],
					windowMs: joinSeconds * 1000
				})
			)
		);
		errors.push(...joined.map((j) => j.errors));
		log(`${tag} joined ${joined.reduce((a, j) => a + j.joinMs.length, 0)}/${participants}; picking…`);
		sampler.mark('settle');
		await sleep(1000);
		for (const [e, ev] of events.entries()) {
			for (const room of ev.doc.rooms) await command(organisers[e] as Socket, 'room:setPhase', { roomId: room.id, phase: 'choice' });
		}
		await sleep(500);
		sampler.mark('pick');
		const picked = await Promise.all(clients.map((c) => c.call<PickResult>({ cmd: 'pick', windowMs: pickSeconds * 1000 })));
		errors.push(...picked.map((p) => p.errors));
		sampler.mark('settle');
		await sleep(1000);
		for (const [e, ev] of events.entries()) {
			for (const room of ev.doc.rooms) await command(organisers[e] as Socket, 'stage:control', { roomId: room.id, command: { action: 'start' } });
		}
		sampler.mark('connect');
		const prepared = await Promise.all(clients.map((c, e) => c.call<PrepareResult>({ cmd: 'prepare', mode: 'palabre', url: (events[e] as BenchEvent).url, timekeeping })));
		errors.push(...prepared.map((p) => p.errors));
		const groups = prepared.reduce((a, p) => a + p.groups, 0);
		log(`${tag} ${groups} groups; typing for ${minutes} min…`);

		// Steady typing: CPU per process, latencies, cross-node bytes.
		const startAt = now() + 1000;
		let crossBefore = 0;
		let crossAfter = 0;
		let commitsBefore: Promise<number> = Promise.resolve(0);
		let commitsAfter: Promise<number> = Promise.resolve(0);
		setTimeout(() => {
			sampler.mark('typing');
			crossBefore = cluster.crossNodeBytes;
			commitsBefore = cluster.commits();
		}, startAt - now());
		setTimeout(() => {
			sampler.mark('drain');
			crossAfter = cluster.crossNodeBytes;
			commitsAfter = cluster.commits();
		}, startAt + typingMs - now());
		const typed = await Promise.all(clients.map((c) => c.call<TypeResult>({ cmd: 'type', startAt, typingMs, seed })));
		errors.push(...typed.map((t) => t.errors));
		// How many keystrokes each PostgreSQL transaction carried (the Yjs processes' group commit).
		const steadyKeystrokes = typed.reduce((a, t) => a + t.keystrokes, 0);
		const commitsPerS = ((await commitsAfter) - (await commitsBefore)) / (typingMs / 1000);
		const keyToProjection = summarise(projection.latencies);

		// Failover: the owner of the first event is SIGKILLed a few seconds into a second typing phase.
		let failover: FailoverTimeline | null = null;
		if (nodeCount > 1) {
			const victim = (events[0] as BenchEvent).node;
			const owned = [];
			for (const ev of events) if ((await cluster.owner(ev.id))?.nodeId === victim.id) owned.push(ev.id);
			const failoverMs = failoverSeconds * 1000;
			const phaseAt = now() + 1000;
			const killAt = phaseAt + 3000;
			log(`${tag} failover: SIGKILL ${victim.id} (owner of ${owned.length} event(s)) while typing…`);
			const claims = new Map<string, number>();
			const watchClaims = (async () => {
				await sleep(killAt - now());
				cluster.kill(victim);
				sampler.mark('failover');
				while (now() < phaseAt + failoverMs && claims.size < owned.length) {
					for (const id of owned) {
						if (claims.has(id)) continue;
						const owner = await cluster.owner(id).catch(() => null);
						if (owner && owner.nodeId !== victim.id) claims.set(id, now() - killAt);
					}
					await sleep(50);
				}
			})();
			const during = await Promise.all(clients.map((c) => c.call<TypeResult>({ cmd: 'type', startAt: phaseAt, typingMs: failoverMs, seed: seed + 1 })));
			await watchClaims;
			errors.push(...during.map((t) => t.errors));
			const outages = during.flatMap((t) => t.outages).filter((o) => o.downAt >= killAt - 50);
			const back = outages.filter((o) => o.backAt !== null).map((o) => (o.backAt as number) - killAt);
			const delivered = during.reduce((a, t) => a + t.keyToPeerMs.length, 0);
			failover = {
				killedNode: victim.id,
				claimMs: owned.map((id) => (claims.has(id) ? round(claims.get(id) as number, 0) : null)),
				phonesDown: outages.length,
				phonesNeverBack: outages.length - back.length,
				backMs: summarise(back),
				peerLost: during.reduce((a, t) => a + t.expectedDeliveries, 0) - delivered,
				keystrokes: during.reduce((a, t) => a + t.keystrokes, 0)
			};
		}
		sampler.mark('close');
		await Promise.all(clients.map((c) => c.call<null>({ cmd: 'close' })));
		sampler.stop();

		const typing = (label: string) => sampler.stats(label, 'typing').cpuMean;
		const sum = (labels: string[]) => {
			const values = labels.map(typing);
			return values.some((v) => v === null) ? null : round(values.reduce<number>((a, v) => a + (v as number), 0));
		};
		const labels = [...sampler.series.keys()];
		const yjsOf = (node: string) => labels.filter((l) => l.startsWith(`${node}-yjs`));
		const mainCpu = sum(cluster.nodes.map((n) => n.id));
		const yjsCpu = sum(cluster.nodes.flatMap((n) => yjsOf(n.id)));
		const pgCpu = typing('postgres');
		const total = mainCpu === null || yjsCpu === null || pgCpu === null ? null : round(mainCpu + yjsCpu + pgCpu);
		const rssPeak = (label: string) => sampler.stats(label, 'typing').rssMaxMb;
		const nodesRss = cluster.nodes.flatMap((n) => [n.id, ...yjsOf(n.id)]).map(rssPeak);
		const keyToPeer = summarise(typed.flatMap((t) => t.keyToPeerMs));
		const crossBytesPerMin = (crossAfter - crossBefore) / minutes;
		return {
			nodes: nodeCount,
			shareOf,
			route,
			participants,
			events: eventCount,
			minutes,
			groups,
			pickMs: summarise(picked.flatMap((p) => p.pickMs)),
			writeupOpenMs: summarise(prepared.flatMap((p) => p.connectMs)),
			keystrokesPerS: round(steadyKeystrokes / (typingMs / 1000)),
			postgresCommitsPerS: round(commitsPerS),
			keyToPeerMs: keyToPeer,
			peerLost: typed.reduce((a, t) => a + t.expectedDeliveries, 0) - (keyToPeer?.n ?? 0),
			keyToProjectionMs: keyToProjection,
			keyToSavedMs: summarise(typed.flatMap((t) => t.keyToSavedMs)),
			cost: {
				node: costOf(mainCpu, participants),
				yjs: costOf(yjsCpu, participants),
				postgres: costOf(pgCpu, participants),
				total: costOf(total, participants)
			},
			perNodeCpu: cluster.nodes.map((n) => ({ node: n.id, main: typing(n.id), yjs: sum(yjsOf(n.id)) })),
			rssPeakMb: {
				nodes: nodesRss.some((v) => v === null) ? null : round(nodesRss.reduce<number>((a, v) => a + (v as number), 0)),
				postgres: rssPeak('postgres')
			},
			crossNode: { bytesPerMin: Math.round(crossBytesPerMin), perParticipantPerMin: Math.round(crossBytesPerMin / participants) },
			failover,
			machineCpuTyping: sampler.stats('machine', 'typing').cpuMean,
			errors: firstErrors(errors),
			wallSeconds: round((performance.now() - started) / 1000)
		};
	} finally {
		for (const s of sockets) s.disconnect();
		for (const c of clients) c.kill();
		await cluster.stop();
	}
}

/** Every node count side by side for each scale, on one throwaway PostgreSQL. */
async function mainCluster(counts: number[]) {
	const eventsFor = (participants: number) => Math.max(Math.max(...counts), Math.ceil(participants / 300));
	const limitMs = scales.length * 2 * counts.length * (minutes * 60_000 + failoverSeconds * 1000 + 5 * 60_000);
	const watchdog = setTimeout(() => {
		console.error(`benchmark aborted: longer than ${Math.round(limitMs / 60_000)} min`);
		process.exit(3);
	}, limitMs);
	watchdog.unref();
	mkdirSync(RESULTS, { recursive: true });
	const base = join(RESULTS, `cluster-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
	const info = machine();
	const postgres = await startPostgres();
	const tables: string[] = [];
	const all: ClusterResult[] = [];
	try {
		for (const participants of scales) {
			const runs: ClusterResult[] = [];
			const events = eventsFor(participants);
			// Each node count, then one node alone with each node's share of it (when the events and the
			// participants divide evenly): what the cluster costs beyond its nodes, apart from what a
			// node's load costs it.
			const plan = [
				...counts.map((n) => ({ nodes: n, participants, events, shareOf: null })),
				...counts.filter((n) => n > 1 && events % n === 0 && participants % n === 0).map((n) => ({ nodes: 1, participants: participants / n, events: events / n, shareOf: n }))
			];
			for (const step of plan) {
				const r = await runCluster(step.nodes, step.participants, step.events, postgres, step.shareOf);
				runs.push(r);
				all.push(r);
				if (r.errors.length) log(`[${step.participants} · ${step.nodes}] errors: ${r.errors.join(' | ')}`);
				writeFileSync(`${base}.json`, JSON.stringify({ machine: info, argv, runs: all }, null, '\t'));
			}
			tables.push(clusterTable(runs));
		}
	} finally {
		await postgres.stop();
	}
	const md = [
		`# Palabre cluster benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
		'',
		`Machine: ${info.cpu}, ${info.memoryGb} GB, Node ${info.node}, Linux ${info.kernel}; every node, PostgreSQL and the phones on it. Definitions: bench/README.md.`,
		'',
		tables.join('\n\n'),
		'',
		...[...new Set(all.flatMap((r) => r.errors))].map((t) => `- error: ${t}`)
	].join('\n');
	writeFileSync(`${base}.md`, `${md}\n`);
	log('');
	log(tables.join('\n\n'));
	log(`Results: ${base}.json, ${base}.md`);
	if (jsonOut) console.log(JSON.stringify(all));
	clearTimeout(watchdog);
	process.exit(0);
}

function machine() {
	const cpu = cpus();
	return {
		cpu: `${cpu.length} × ${cpu[0]?.model ?? '?'}`,
		memoryGb: round(totalmem() / 1024 ** 3, 1),
		node: process.version,
		kernel: release()
	};
}

/** The run without its time series, for the console. */
function brief(r: ScaleResult): Omit<ScaleResult, 'series'> {
	const { series: _series, ...rest } = r;
	return rest;
}

async function main() {
	// Whatever happens, the run ends: minutes of typing twice (Palabre, reference) plus setup.
	const limitMs = scales.length * (2 * minutes * 60_000 + 5 * 60_000);
	const watchdog = setTimeout(() => {
		console.error(`benchmark aborted: longer than ${Math.round(limitMs / 60_000)} min`);
		process.exit(3);
	}, limitMs);
	watchdog.unref();

	mkdirSync(RESULTS, { recursive: true });
	const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
	const base = join(RESULTS, `bench-${stamp}`);
	const runs: ScaleResult[] = [];
	const info = machine();
	for (const n of scales) {
		const r = await runScale(n);
		runs.push(r);
		// Written after each scale, so a later failure keeps what was measured.
		writeFileSync(`${base}.json`, JSON.stringify({ machine: info, argv, runs }, null, '\t'));
		const notes = [...new Set(runs.flatMap((x) => x.notes))];
		const errs = [...new Set(runs.flatMap((x) => x.errors))];
		const md = [
			`# Palabre benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
			'',
			`Machine: ${info.cpu}, ${info.memoryGb} GB, Node ${info.node}, Linux ${info.kernel}. Definitions: bench/README.md.`,
			'',
			markdownTable(runs),
			'',
			...notes.map((t) => `- ${t}`),
			...errs.map((t) => `- error: ${t}`)
		].join('\n');
		writeFileSync(`${base}.md`, `${md}\n`);
		if (r.errors.length) log(`[${n}] errors: ${r.errors.join(' | ')}`);
		log(`[${n}] done in ${r.wallSeconds} s`);
	}
	log('');
	log(markdownTable(runs));
	log('');
	for (const t of new Set(runs.flatMap((x) => x.notes))) log(`Note: ${t}`);
	log(`Results: ${base}.json, ${base}.md`);
	if (jsonOut) {
		const largest = runs[runs.length - 1] as ScaleResult;
		const line = runs.length === 1 ? brief(largest) : { ...brief(largest), runs: runs.map(brief) };
		console.log(JSON.stringify(line));
	}
	clearTimeout(watchdog);
	process.exit(0);
}

(nodeCounts ? mainCluster(nodeCounts) : main()).catch((err: unknown) => {
	console.error(err);
	process.exit(1);
});
