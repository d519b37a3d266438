/**
 * The main process's side of the Yjs processes (./yjsHost.ts): forks them (one by default,
 * YJS_PROCESSES for a large event), routes and authorises the /yjs/ upgrades here (the tokens
 * and groups are this process's), then passes each socket with its doc and access to the doc's
 * process (./yjsRouting.ts), which does the WebSocket handshake. If one dies, its clients
 * reconnect (y-websocket does) to a new one, started at once; the others go on.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Fence } from '../store/postgres/ydocs';
import { refuse, routeUpgrade, type Pens, type YjsAuthorise } from './yjs';
import type { FromYjsHost, ToYjsHost } from './yjsIpc';
import { yjsProcessOf } from './yjsRouting';

/** How to start the child: the built yjs-host.js, or the TypeScript source under a loader in development. */
export interface YjsHostEntry {
	file: string;
	execArgv?: string[];
}

export interface YjsProcessOptions {
	entry: YjsHostEntry;
	dataDir: string;
	authorise: YjsAuthorise;
	onProgress: (docName: string, counts: [number, number, number]) => void;
	/** Caps on open connections (defaults: YJS_CONNECTION_CAPS). */
	caps?: typeof YJS_CONNECTION_CAPS;
	/** How many Yjs processes share the docs (default 1). */
	processes?: number;
	/** The write-ups go to this PostgreSQL (else to the SQLite file in dataDir). */
	databaseUrl?: string;
	/** PostgreSQL: the updates a Yjs process has just committed, in order. */
	onStored?: (updates: { docName: string; update: Uint8Array }[]) => void;
}

/**
 * Open write-up connections, at most: per token and doc (a phone, its reloads and a second
 * device; a facilitator's or organiser's link opens one per group, so the cap is per doc), and
 * per client address (a venue's phones may all share one public address, so it is generous).
 * Beyond either, the upgrade is answered 429.
 */
export const YJS_CONNECTION_CAPS = { perTokenAndDoc: 8, perAddress: 1_000 };

export interface YjsProcess {
	/** Resolves once every child can take sockets. */
	ready: Promise<void>;
	/** True if the URL is ours (/yjs/…): the socket is then passed to the child or refused. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
	/** A server-made change: resolves once stored and sent to the doc's connections. */
	apply(docName: string, update: Uint8Array, fence?: Fence): Promise<void>;
	drop(docName: string): void;
	/**
	 * Resolves once this process's copy of the doc holds everything its writers were told is
	 * saved. With PostgreSQL a writer hears « saved » from the Yjs process while the copy here is
	 * fed over IPC, so a command that reads the write-up right after (« au tableau ») could read it
	 * older; with SQLite the Yjs process stored it in the file read here before answering.
	 */
	caughtUp(docName: string): Promise<void>;
	/** The doc's pen holders changed. */
	setPens(docName: string, pens: Pens): void;
	/** The doc closed or was reopened. */
	setClosed(docName: string, closed: boolean): void;
	/** Closes the holders' open connections, but those to `keep` (see YjsEndpoint.revoke). */
	revoke(holders: string[], keep?: string): void;
	/** An event's lease moved to this epoch (several nodes): its docs' writes carry it. */
	setFence(fence: Fence): void;
	/** An event moved to another node: its docs' connections close (they reconnect there). */
	release(eventId: string): void;
	close(): Promise<void>;
}

const RESTART_DELAY_MS = 200;
/**
 * A larger young generation: every keystroke allocates (frames, updates, Yjs structs), and each
 * scavenge pauses the relay. Measured at 1,000 people (two runs each, `npm run bench`): keystroke
 * → member p99 10 and 10 ms with V8's default, 8 and 6 ms with these, for 30–50 MB more memory.
 */
const YJS_PROCESS_FLAGS = ['--min-semi-space-size=16', '--max-semi-space-size=64'];

/** One forked Yjs process, restarted when it dies. */
interface Slot {
	child: ChildProcess | undefined;
	live: boolean;
	everReady: boolean;
	ready: Promise<void>;
	/** Server-made changes and catch-ups sent to it and not yet answered. */
	waiting: Map<number, { resolve: () => void; reject: (err: Error) => void }>;
}

export function startYjsProcess(options: YjsProcessOptions): YjsProcess {
	let closing = false;
	let nextId = 1;
	const caps = options.caps ?? YJS_CONNECTION_CAPS;
	const processes = Math.max(1, Math.floor(options.processes ?? 1));
	/** Open connections, handed to a child and not yet reported gone, with what they count in. */
	const open = new Map<number, { tokenAndDoc: string; address: string; slot: Slot }>();
	const perTokenAndDoc = new Map<string, number>();
	const perAddress = new Map<string, number>();
	const count = (counts: Map<string, number>, key: string, by: number) => {
		const n = (counts.get(key) ?? 0) + by;
		if (n > 0) counts.set(key, n);
		else counts.delete(key);
	};
	const gone = (id: number) => {
		const o = open.get(id);
		if (!o) return;
		open.delete(id);
		count(perTokenAndDoc, o.tokenAndDoc, -1);
		count(perAddress, o.address, -1);
	};
	// The child's environment: DATABASE_URL only when the write-ups go to PostgreSQL.
	const env = { ...process.env };
	delete env.DATABASE_URL;
	if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;

	function startSlot(_: unknown, index: number): Slot {
		let settleReady: (err?: Error) => void = () => {};
		const slot: Slot = {
			child: undefined,
			live: false,
			everReady: false,
			ready: new Promise<void>((resolve, reject) => (settleReady = (err) => (err ? reject(err) : resolve()))),
			waiting: new Map()
		};
		function start() {
			// A restart planned just before close() must not bring it back.
			if (closing) return;
			// Its index says which docs it holds (and tells the processes apart in `ps`).
			const c = fork(options.entry.file, [options.dataDir, String(index)], {
				execArgv: [...process.execArgv, ...YJS_PROCESS_FLAGS, ...(options.entry.execArgv ?? [])],
				env,
				serialization: 'advanced',
				stdio: 'inherit'
			});
			slot.child = c;
			c.on('message', (message: FromYjsHost) => {
				if (message.t === 'ready') {
					slot.live = true;
					slot.everReady = true;
					settleReady();
				} else if (message.t === 'progress') options.onProgress(message.docName, message.counts);
				else if (message.t === 'stored') options.onStored?.(message.updates);
				else if (message.t === 'gone') gone(message.id);
				else if (message.t === 'applied' || message.t === 'caughtUp') {
					const w = slot.waiting.get(message.id);
					slot.waiting.delete(message.id);
					if (message.t === 'caughtUp' || message.error === undefined) w?.resolve();
					else w?.reject(new Error(`yjs: ${message.error}`));
				}
			});
			c.on('exit', (code, signal) => {
				if (slot.child === c) {
					slot.child = undefined;
					slot.live = false;
				}
				for (const w of slot.waiting.values()) w.reject(new Error('yjs: the process stopped'));
				slot.waiting.clear();
				// Its connections died with it.
				for (const [id, o] of [...open]) if (o.slot === slot) gone(id);
				if (closing) return;
				// One that cannot even start (unreadable store, missing file) would fail again: say so.
				if (!slot.everReady) return settleReady(new Error(`yjs: the process could not start (${signal ?? code})`));
				console.error(`yjs: le processus des écrits s'est arrêté (${signal ?? code}) ; redémarrage`);
				setTimeout(start, RESTART_DELAY_MS).unref();
			});
			c.on('error', (err) => console.error('yjs: process', err));
		}
		start();
		return slot;
	}
	const slots = Array.from({ length: processes }, startSlot);
	const slotOf = (docName: string) => slots[yjsProcessOf(docName, processes)] as Slot;

	function send(slot: Slot, message: ToYjsHost, handle?: Duplex): boolean {
		const child = slot.child;
		if (!child || !slot.live) return false;
		if (handle) stopReading(handle);
		// A socket is closed here once the child has it; if it could not be sent, it is dropped.
		child.send(message, handle as never, (err) => {
			if (!err || !handle) return;
			handle.destroy();
			if (message.t === 'socket') gone(message.id);
		});
		return true;
	}

	/** Sends a message the child answers with its id; settles with the answer. */
	function ask(slot: Slot, message: (id: number) => ToYjsHost): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			const id = nextId++;
			slot.waiting.set(id, { resolve, reject });
			if (!send(slot, message(id))) {
				slot.waiting.delete(id);
				reject(new Error('yjs: the process is not running'));
			}
		});
	}

	return {
		ready: Promise.all(slots.map((s) => s.ready)).then(() => {}),
		handleUpgrade(req, socket, head) {
			return routeUpgrade(req, socket, options.authorise, (docName, grant) => {
				const tokenAndDoc = `${grant.holder}\n${docName}`;
				const address = req.socket.remoteAddress ?? '?';
				if ((perTokenAndDoc.get(tokenAndDoc) ?? 0) >= caps.perTokenAndDoc)
					return void refuse(socket, 429, `trop de connexions à cet écrit avec ce lien (${caps.perTokenAndDoc} au plus)`);
				if ((perAddress.get(address) ?? 0) >= caps.perAddress)
					return void refuse(socket, 429, `trop de connexions aux écrits depuis cette adresse (${caps.perAddress} au plus)`);
				const id = nextId++;
				const slot = slotOf(docName);
				const message: ToYjsHost = { t: 'socket', id, req: { method: req.method, url: req.url, headers: req.headers }, head, docName, grant };
				// Between a crash and the restart: the client tries again shortly.
				if (!send(slot, message, socket)) return void refuse(socket, 503);
				open.set(id, { tokenAndDoc, address, slot });
				count(perTokenAndDoc, tokenAndDoc, 1);
				count(perAddress, address, 1);
			});
		},
		apply(docName, update, fence) {
			return ask(slotOf(docName), (id) => ({ t: 'apply', id, docName, update, ...(fence ? { fence } : {}) }));
		},
		caughtUp(docName) {
			if (!options.onStored) return Promise.resolve();
			// Between a crash and the restart nothing is being saved: the copy holds what was.
			return ask(slotOf(docName), (id) => ({ t: 'catchUp', id })).catch(() => {});
		},
		drop(docName) {
			send(slotOf(docName), { t: 'drop', docName });
		},
		setPens(docName, pens) {
			// While it restarts, no doc is loaded: the next connection brings them.
			send(slotOf(docName), { t: 'pens', docName, pens });
		},
		setClosed(docName, closed) {
			// While it restarts, no doc is loaded: the next connection brings it with its grant.
			send(slotOf(docName), { t: 'closed', docName, closed });
		},
		revoke(holders, keep) {
			// A holder may have docs in every process. While one restarts, nobody is connected to it.
			for (const slot of slots) send(slot, { t: 'revoke', holders, ...(keep === undefined ? {} : { keep }) });
		},
		setFence(fence) {
			for (const slot of slots) send(slot, { t: 'fence', fence });
		},
		release(eventId) {
			for (const slot of slots) send(slot, { t: 'release', eventId });
		},
		async close() {
			closing = true;
			await Promise.all(
				slots.map(async ({ child: c }) => {
					if (!c || c.exitCode !== null) return;
					const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
					if (c.connected) c.send({ t: 'close' } satisfies ToYjsHost);
					else c.kill();
					const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
					await exited;
					clearTimeout(timer);
				})
			);
		}
	};
}

/**
 * Node hands a socket over without stopping this process's reads on it: until the child's
 * acknowledgement, bytes arriving here would be read and dropped (child_process sets the
 * handle's onread to a no-op). The client sends nothing before the child's 101 answer, but that
 * can come first, so reading stops here before the socket is sent.
 */
function stopReading(socket: Duplex) {
	const handle = (socket as Duplex & { _handle?: { reading?: boolean; readStop?: () => number } | null })._handle;
	if (handle?.readStop) {
		handle.reading = false;
		handle.readStop();
	}
}
