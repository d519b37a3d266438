/**
 * The main process's side of the Yjs process (./yjsHost.ts): forks it, routes and authorises
 * the /yjs/ upgrades here (the tokens and groups are this process's), then passes each socket
 * with its doc and access to the child, which does the WebSocket handshake. If the child dies,
 * its clients reconnect (y-websocket does) to a new one, started at once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { refuse, routeUpgrade, type Pens, type YjsAuthorise } from './yjs';
import type { FromYjsHost, ToYjsHost } from './yjsIpc';

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
}

/**
 * Open write-up connections, at most: per token and doc (a phone, its reloads and a second
 * device; a facilitator's or organiser's link opens one per group, so the cap is per doc), and
 * per client address (a venue's phones may all share one public address, so it is generous).
 * Beyond either, the upgrade is answered 429.
 */
export const YJS_CONNECTION_CAPS = { perTokenAndDoc: 8, perAddress: 1_000 };

export interface YjsProcess {
	/** Resolves once the child can take sockets. */
	ready: Promise<void>;
	/** True if the URL is ours (/yjs/…): the socket is then passed to the child or refused. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
	/** A server-made change: resolves once stored and sent to the doc's connections. */
	apply(docName: string, update: Uint8Array): Promise<void>;
	drop(docName: string): void;
	/** The doc's pen holders changed. */
	setPens(docName: string, pens: Pens): void;
	/** The doc closed or was reopened. */
	setClosed(docName: string, closed: boolean): void;
	/** Closes the holders' open connections, but those to `keep` (see YjsEndpoint.revoke). */
	revoke(holders: string[], keep?: string): void;
	close(): Promise<void>;
}

const RESTART_DELAY_MS = 200;
/**
 * A larger young generation: every keystroke allocates (frames, updates, Yjs structs), and each
 * scavenge pauses the relay. Measured at 1,000 people (two runs each, `npm run bench`): keystroke
 * → member p99 10 and 10 ms with V8's default, 8 and 6 ms with these, for 30–50 MB more memory.
 */
const YJS_PROCESS_FLAGS = ['--min-semi-space-size=16', '--max-semi-space-size=64'];

export function startYjsProcess(options: YjsProcessOptions): YjsProcess {
	let child: ChildProcess | undefined;
	let live = false;
	let closing = false;
	let nextId = 1;
	const caps = options.caps ?? YJS_CONNECTION_CAPS;
	/** Open connections, handed to the child and not yet reported gone, with what they count in. */
	const open = new Map<number, { tokenAndDoc: string; address: string }>();
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
	const waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
	let everReady = false;
	let settleReady: (err?: Error) => void = () => {};
	const ready = new Promise<void>((resolve, reject) => (settleReady = (err) => (err ? reject(err) : resolve())));

	function start() {
		// A restart planned just before close() must not bring it back.
		if (closing) return;
		const c = fork(options.entry.file, [options.dataDir], {
			execArgv: [...process.execArgv, ...YJS_PROCESS_FLAGS, ...(options.entry.execArgv ?? [])],
			serialization: 'advanced',
			stdio: 'inherit'
		});
		child = c;
		c.on('message', (message: FromYjsHost) => {
			if (message.t === 'ready') {
				live = true;
				everReady = true;
				settleReady();
			} else if (message.t === 'progress') options.onProgress(message.docName, message.counts);
			else if (message.t === 'gone') gone(message.id);
			else if (message.t === 'applied') {
				const w = waiting.get(message.id);
				waiting.delete(message.id);
				if (message.error === undefined) w?.resolve();
				else w?.reject(new Error(`yjs: ${message.error}`));
			}
		});
		c.on('exit', (code, signal) => {
			if (child === c) {
				child = undefined;
				live = false;
			}
			for (const w of waiting.values()) w.reject(new Error('yjs: the process stopped'));
			waiting.clear();
			// Its connections died with it.
			for (const id of [...open.keys()]) gone(id);
			if (closing) return;
			// One that cannot even start (unreadable store, missing file) would fail again: say so.
			if (!everReady) return settleReady(new Error(`yjs: the process could not start (${signal ?? code})`));
			console.error(`yjs: le processus des écrits s'est arrêté (${signal ?? code}) ; redémarrage`);
			setTimeout(start, RESTART_DELAY_MS).unref();
		});
		c.on('error', (err) => console.error('yjs: process', err));
	}
	start();

	function send(message: ToYjsHost, handle?: Duplex): boolean {
		if (!child || !live) return false;
		if (handle) stopReading(handle);
		// A socket is closed here once the child has it; if it could not be sent, it is dropped.
		child.send(message, handle as never, (err) => {
			if (!err || !handle) return;
			handle.destroy();
			if (message.t === 'socket') gone(message.id);
		});
		return true;
	}

	return {
		ready,
		handleUpgrade(req, socket, head) {
			return routeUpgrade(req, socket, options.authorise, (docName, grant) => {
				const tokenAndDoc = `${grant.holder}\n${docName}`;
				const address = req.socket.remoteAddress ?? '?';
				if ((perTokenAndDoc.get(tokenAndDoc) ?? 0) >= caps.perTokenAndDoc)
					return void refuse(socket, 429, `trop de connexions à cet écrit avec ce lien (${caps.perTokenAndDoc} au plus)`);
				if ((perAddress.get(address) ?? 0) >= caps.perAddress)
					return void refuse(socket, 429, `trop de connexions aux écrits depuis cette adresse (${caps.perAddress} au plus)`);
				const id = nextId++;
				const message: ToYjsHost = { t: 'socket', id, req: { method: req.method, url: req.url, headers: req.headers }, head, docName, grant };
				// Between a crash and the restart: the client tries again shortly.
				if (!send(message, socket)) return void refuse(socket, 503);
				open.set(id, { tokenAndDoc, address });
				count(perTokenAndDoc, tokenAndDoc, 1);
				count(perAddress, address, 1);
			});
		},
		apply(docName, update) {
			return new Promise<void>((resolve, reject) => {
				const id = nextId++;
				waiting.set(id, { resolve, reject });
				if (!send({ t: 'apply', id, docName, update })) {
					waiting.delete(id);
					reject(new Error('yjs: the process is not running'));
				}
			});
		},
		drop(docName) {
			send({ t: 'drop', docName });
		},
		setPens(docName, pens) {
			// While it restarts, no doc is loaded: the next connection brings them.
			send({ t: 'pens', docName, pens });
		},
		setClosed(docName, closed) {
			// While it restarts, no doc is loaded: the next connection brings it with its grant.
			send({ t: 'closed', docName, closed });
		},
		revoke(holders, keep) {
			// While it restarts, nobody is connected: nothing to close.
			send({ t: 'revoke', holders, keep });
		},
		async close() {
			closing = true;
			const c = child;
			if (!c || c.exitCode !== null) return;
			const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
			if (c.connected) c.send({ t: 'close' } satisfies ToYjsHost);
			else c.kill();
			const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
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
