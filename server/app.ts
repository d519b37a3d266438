/**
 * One Palabre server: the store, the HTTP API, socket.io and the Yjs endpoint (in a process of
 * its own, ./realtime/yjsProcess.ts), attachable to any Node HTTP server (our own in
 * production, Vite's in development).
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Server as IoServer } from 'socket.io';
import type { Config } from './config';
import { createApi } from './http/api';
import { clientAddress, isTrustedProxy, normaliseAddress } from './http/clientAddress';
import { securityHeaders } from './http/headers';
import type { ClientEvents, ServerEvents } from '../src/lib/protocol';
import { groupOfDoc } from './records';
import type { ControlServer, SocketData } from './realtime/channels';
import { attachControlPlane } from './realtime/control';
import { startYjsProcess, type YjsHostEntry } from './realtime/yjsProcess';
import { setBridge } from '../src/lib/server/bridge';
import { docName } from '../src/lib/writeup';
import { createPalabre, type Palabre } from './palabre';
import { openSqliteStore } from './store/sqlite';
import { YDocMirror, withYDocs } from './store/postgres/ydocMirror';
import { ensureYDocSchema, type Fence } from './store/postgres/ydocs';
import type { Store } from './store/store';
import pg from 'pg';

export interface PalabreServer {
	palabre: Palabre;
	/** Resolves once the Yjs process is up; rejects if it cannot start. */
	ready: Promise<void>;
	/** Handles /api/* (returns true) or leaves the request to the next handler (false). */
	handleHttp(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
	/** Mounts socket.io and the Yjs endpoint; other upgrades (Vite's HMR) are left alone. */
	attach(http: HttpServer): void;
	/** This node has just claimed the event and loaded its rows: its write-ups are read from PostgreSQL too. */
	arrive(eventId: string): Promise<void>;
	/** These events moved to another node: their sockets and write-ups close, and reconnect there. */
	leave(eventIds: string[]): void;
	close(): Promise<void>;
}

/** On several nodes (server/cluster/node.ts): the lease an event's writes must hold here, and the retention's claims. */
export interface ClusterFences {
	fenceOf(eventId: string): Fence | undefined;
	/** Claims the events created before this time that no node serves, so that this node's retention sweep deletes them. */
	claimExpired(before: number): Promise<void>;
}

const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * `yjsHost`: the entry of the Yjs process, next to the bundle in production, the source in development.
 * `opened`: PostgreSQL's (opened by the caller, asynchronously: server/store/postgres/mirror.ts), or
 * by default the SQLite file in the data directory. `cluster`: the node's leases, whose epochs the
 * Yjs processes' writes carry.
 */
export function createPalabreServer(
	config: Config,
	yjsHost: YjsHostEntry,
	opened: Store & { onReloaded?(fn: () => void): void } = openSqliteStore(config.dataDir),
	cluster?: ClusterFences
): PalabreServer {
	// With PostgreSQL the write-ups are read from the copy the Yjs processes keep current (docs/postgres-yjs.md).
	const ydocPool = config.databaseUrl ? new pg.Pool({ connectionString: config.databaseUrl, max: 2 }) : null;
	ydocPool?.on('error', (err) => console.error('yjs: postgres', err.message));
	const mirror = ydocPool ? new YDocMirror(ydocPool) : null;
	const store: Store = mirror ? withYDocs(opened, mirror) : opened;
	const palabre = createPalabre(store, config.publicUrl);
	const addressOf = (req: IncomingMessage) => clientAddress(config.trustProxy, req.socket.remoteAddress, req.headers['x-forwarded-for']);
	const api = createApi(palabre, config.limits, addressOf);
	let io: ControlServer | undefined;
	// The optional retention period: checked at start, then every hour.
	const retention = config.limits.retentionDays;
	const sweep = async () => {
		if (!retention) return;
		const before = Date.now() - retention * 24 * 60 * 60_000;
		// On several nodes the store holds the events this node serves: an event nobody opens any
		// more is served by none, so it is claimed first (those another node serves are its own to sweep).
		await cluster?.claimExpired(before).catch((err: unknown) => console.error('rétention :', err));
		const n = palabre.events.applyRetention(before);
		if (!n) return;
		// Said once the deletion is durable (with PostgreSQL, committed there), not merely queued; a
		// failed commit is the next sweep's to redo, not a reason to stop starting.
		await store.committed().then(
			() => console.log(`${n} événement(s) effacé(s) : plus de ${retention} jours`),
			(err: unknown) => console.error('rétention : effacement non enregistré, repris dans une heure :', err)
		);
	};
	const sweeper = retention ? setInterval(() => void sweep().catch((err: unknown) => console.error('rétention :', err)), 60 * 60_000) : undefined;
	sweeper?.unref();
	/** The lease a group doc's writes must hold (several nodes): its event's, at this node's epoch. */
	const fenceOfDoc = (docName: string) => {
		if (!cluster) return undefined;
		const room = groupOfDoc(store, docName)?.room;
		return room && cluster.fenceOf(room.eventId);
	};
	const yjs = startYjsProcess({
		entry: yjsHost,
		dataDir: config.dataDir,
		authorise: (docName, ticket) => {
			const grant = palabre.writeups.redeem(docName, ticket);
			const fence = grant && fenceOfDoc(docName);
			return grant && fence ? { ...grant, fence } : grant;
		},
		onProgress: (docName, counts) => palabre.writeups.progressed(docName, counts),
		processes: config.yjsProcesses,
		...(mirror ? { databaseUrl: config.databaseUrl, onStored: (updates) => mirror.stored(updates) } : {})
	});
	// A deleted doc leaves the copy as its rows leave PostgreSQL.
	palabre.writeups.attach({
		...yjs,
		apply: (docName, update) => yjs.apply(docName, update, fenceOfDoc(docName)),
		...(mirror ? { drop: (docName: string) => (mirror.forget(docName), yjs.drop(docName)) } : {})
	});
	// A node of several reads the write-ups of the events it claims, when it claims them (`arrive`).
	const filled = ydocPool && mirror ? ensureYDocSchema(ydocPool).then(() => (cluster ? undefined : mirror.fill())) : Promise.resolve();
	const docsOf = (eventId: string) => store.listRooms(eventId).flatMap((r) => store.listGroups(r.id).map((g) => docName(g.id)));
	setBridge({
		eventInfo: (code) => {
			try {
				return palabre.views.eventInfo(palabre.access.joinCode(code));
			} catch {
				return null;
			}
		}
	});
	let control: ReturnType<typeof attachControlPlane> | undefined;
	/** The HTTP server closed already (a drained node closes its connections itself): nothing to wait for. */
	let httpClosed = false;
	/**
	 * Tells these sockets the server restarts and closes their transport (not a server-side
	 * disconnect, after which socket.io clients would stay away): they reconnect by themselves.
	 */
	const restart = (which: (s: { data: Partial<SocketData> }) => boolean) => {
		for (const s of io?.sockets.sockets.values() ?? []) {
			if (!which(s)) continue;
			s.emit('restarting');
			s.conn.close();
		}
	};

	return {
		palabre,
		// The first retention sweep before anything is served.
		ready: Promise.all([yjs.ready, filled]).then(() => sweep()),
		async handleHttp(req, res) {
			securityHeaders(res);
			return api(req, res);
		},
		attach(http) {
			// Slow headers (or a body trickling in) hold a connection and its memory: closed within
			// seconds. A whole request may take longer (an archive of 50 MB on a slow line). Node
			// checks these timeouts every `connectionsCheckingInterval` (30 s by default, read when
			// the server starts listening), hence the shorter check.
			http.once('close', () => (httpClosed = true));
			http.headersTimeout = HEADERS_TIMEOUT_MS;
			http.requestTimeout = REQUEST_TIMEOUT_MS;
			(http as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1_000;
			const cap = config.limits.connectionsPerAddress;
			// Idle TCP connections from one address (20,000 would exhaust file descriptors): over the
			// cap, closed at once. A trusted proxy's connections are everybody's: not counted.
			const tcp = new Map<string, number>();
			http.on('connection', (socket: Socket) => {
				if (isTrustedProxy(config.trustProxy, socket.remoteAddress)) return;
				const from = normaliseAddress(socket.remoteAddress);
				const n = (tcp.get(from) ?? 0) + 1;
				if (n > cap) return void socket.destroy();
				tcp.set(from, n);
				socket.once('close', () => {
					const left = (tcp.get(from) ?? 1) - 1;
					if (left > 0) tcp.set(from, left);
					else tcp.delete(from);
				});
			});
			// socket.io sessions per address too (long-polling ones hold no TCP connection of their own).
			const sessions = new Map<string, number>();
			io = new IoServer<ClientEvents, ServerEvents, Record<string, never>, SocketData>(http, {
				allowRequest: (req, callback) => {
					const allowed = (sessions.get(addressOf(req)) ?? 0) < cap;
					callback(allowed ? null : 'trop de connexions depuis cette adresse', allowed);
				},
				path: '/socket.io',
				serveClient: false,
				maxHttpBufferSize: 64 * 1024,
				// Phones on venue Wi-Fi: tolerate long stalls before declaring a client gone.
				pingInterval: 20_000,
				pingTimeout: 25_000,
				// No connection state recovery: it would let a connection resume without passing the
				// handshake's authorisation again (links rotated meanwhile), and keep every dropped
				// session's packets for minutes. Palabre sends whole snapshots on connect anyway.
				// The Yjs endpoint and Vite share the upgrade event: socket.io must not close theirs.
				destroyUpgrade: false
			});
			io.engine.on('connection', (raw: { request: IncomingMessage; once(e: 'close', fn: () => void): void }) => {
				const from = addressOf(raw.request);
				sessions.set(from, (sessions.get(from) ?? 0) + 1);
				raw.once('close', () => {
					const left = (sessions.get(from) ?? 1) - 1;
					if (left > 0) sessions.set(from, left);
					else sessions.delete(from);
				});
			});
			http.on('upgrade', (req, socket, head) => yjs.handleUpgrade(req, socket, head));
			control = attachControlPlane(io, palabre, config.limits);
			// PostgreSQL refused a commit and the memory was reloaded from it: every client's view may
			// hold what was refused, so all reconnect and get fresh snapshots.
			opened.onReloaded?.(() => restart(() => true));
		},
		async arrive(eventId) {
			await mirror?.reload(docsOf(eventId));
		},
		leave(eventIds) {
			const gone = new Set(eventIds);
			restart((s) => gone.has(s.data.who?.eventId ?? ''));
			for (const id of eventIds) {
				yjs.release(id);
				for (const doc of docsOf(id)) mirror?.forget(doc);
			}
		},
		async close() {
			if (sweeper) clearInterval(sweeper);
			// The disconnection that follows is a restart, not the end: pages say so and reconnect.
			io?.emit('restarting');
			control?.close();
			await yjs.close();
			// socket.io waits for the HTTP server's 'close', which does not come twice.
			await new Promise<void>((resolve) => (io && !httpClosed ? io.close(() => resolve()) : (io?.close(), resolve())));
			// Writes still on their way land first (PostgreSQL's commits; with SQLite, the WAL's last sync).
			await store.committed().catch(() => {});
			await store.close();
			await ydocPool?.end();
		}
	};
}

/** The store, with its write-ups read from `ydocs` (a Proxy, so the store's own methods keep their `this`). */