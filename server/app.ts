/**
 * One Palabre server: the store, the HTTP API, socket.io and the Yjs endpoint (in a process of
 * its own, ./realtime/yjsProcess.ts), attachable to any Node HTTP server (our own in
 * production, Vite's in development).
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { Server as IoServer } from 'socket.io';
import type { Config } from './config';
import { createApi } from './http/api';
import { securityHeaders } from './http/headers';
import { attachControlPlane } from './realtime/control';
import { startYjsProcess, type YjsHostEntry } from './realtime/yjsProcess';
import { setBridge } from '../src/lib/server/bridge';
import { Palabre } from './service';
import { openSqliteStore } from './store/sqlite';

export interface PalabreServer {
	palabre: Palabre;
	/** Resolves once the Yjs process is up; rejects if it cannot start. */
	ready: Promise<void>;
	/** Handles /api/* (returns true) or leaves the request to the next handler (false). */
	handleHttp(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
	/** Mounts socket.io and the Yjs endpoint; other upgrades (Vite's HMR) are left alone. */
	attach(http: HttpServer): void;
	close(): Promise<void>;
}

/** `yjsHost`: the entry of the Yjs process, next to the bundle in production, the source in development. */
export function createPalabreServer(config: Config, yjsHost: YjsHostEntry): PalabreServer {
	const store = openSqliteStore(config.dataDir);
	const palabre = new Palabre(store, config.publicUrl);
	const api = createApi(palabre, config.limits);
	let io: IoServer | undefined;
	// The optional retention period: checked at start, then every hour.
	const retention = config.limits.retentionDays;
	const sweep = () => {
		if (!retention) return;
		const n = palabre.applyRetention(retention);
		if (n) console.log(`${n} événement(s) effacé(s) : plus de ${retention} jours`);
	};
	sweep();
	const sweeper = retention ? setInterval(sweep, 60 * 60_000) : undefined;
	sweeper?.unref();
	const yjs = startYjsProcess({
		entry: yjsHost,
		dataDir: config.dataDir,
		authorise: (docName, ticket) => palabre.writeups.redeem(docName, ticket),
		onProgress: (docName, counts) => palabre.writeups.progressed(docName, counts)
	});
	palabre.writeups.attach(yjs);
	setBridge({
		eventInfo: (code) => {
			try {
				return palabre.eventInfo(palabre.eventByJoinCode(code));
			} catch {
				return null;
			}
		}
	});
	let control: ReturnType<typeof attachControlPlane> | undefined;

	return {
		palabre,
		ready: yjs.ready,
		async handleHttp(req, res) {
			securityHeaders(res);
			return api(req, res);
		},
		attach(http) {
			io = new IoServer(http, {
				path: '/socket.io',
				serveClient: false,
				maxHttpBufferSize: 64 * 1024,
				// Phones on venue Wi-Fi: tolerate long stalls before declaring a client gone.
				pingInterval: 20_000,
				pingTimeout: 25_000,
				connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 },
				// The Yjs endpoint and Vite share the upgrade event: socket.io must not close theirs.
				destroyUpgrade: false
			});
			http.on('upgrade', (req, socket, head) => yjs.handleUpgrade(req, socket, head));
			control = attachControlPlane(io, palabre, config.limits);
		},
		async close() {
			if (sweeper) clearInterval(sweeper);
			control?.close();
			await yjs.close();
			await new Promise<void>((resolve) => (io ? io.close(() => resolve()) : resolve()));
			store.close();
		}
	};
}
