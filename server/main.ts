/**
 * Production entry (`npm start`): one HTTP server on one port for the SvelteKit app
 * (adapter-node handler), the API, socket.io and the Yjs endpoint (whose sockets are handed to
 * the Yjs process, build/yjs-host.js).
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readConfig } from './config';
import { createPalabreServer } from './app';
import { readyBanner } from './banner';
import { installProcessGuards } from './processGuards';
import { openPostgresStore } from './store/postgres/mirror';
import { ClusterNode } from './cluster/node';
import { applicationName, newNodeId } from './cluster/lease';

installProcessGuards();

// `node build/palabre.js migrate --from <dataDir> --to <DATABASE_URL>`: a one-off copy, no server.
if (process.argv[2] === 'migrate') {
	const { migrateCommand } = await import('./migrateToPostgres');
	process.exit(await migrateCommand(process.argv.slice(3)));
}

// Built next to this file by `npm run build` (adapter-node output).
const { handler } = (await import(new URL('./handler.js', import.meta.url).href)) as {
	handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next?: () => void) => void;
};

let config = readConfig();
let store: Awaited<ReturnType<typeof openPostgresStore>> | undefined;
// One node of several (PALABRE_NODE_URL): it serves the events it owns and forwards the others (server/cluster/node.ts).
let cluster: ClusterNode | undefined;
if (config.databaseUrl) {
	try {
		const node = config.node;
		if (node) {
			const nodeId = node.id ?? newNodeId();
			// Every session of the node carries its name: a takeover from a frozen node ends them all.
			const url = new URL(config.databaseUrl);
			url.searchParams.set('application_name', applicationName(nodeId));
			config = { ...config, databaseUrl: url.href };
			cluster = await ClusterNode.start({ databaseUrl: url.href, nodeId, url: node.url });
		}
		store = await openPostgresStore(config.databaseUrl as string, config.dataDir, cluster?.mirror);
	} catch (err) {
		console.error(`PostgreSQL injoignable ou refusé (DATABASE_URL) : ${err instanceof Error ? err.message : String(err)}`);
		process.exit(1);
	}
}
// The Yjs process's bundle is built next to this one (package.json, "build").
const palabre = createPalabreServer(config, { file: fileURLToPath(new URL('./yjs-host.js', import.meta.url)) }, store, cluster);
if (cluster && store) cluster.wire({ store, arrive: (eventId) => palabre.arrive(eventId), leave: (eventIds) => palabre.leave(eventIds) });
const http = createServer((req, res) => {
	palabre.handleHttp(req, res).then(
		(handled) => handled || handler(req, res),
		(err) => {
			console.error(err);
			res.statusCode = 500;
			res.end();
		}
	);
});
palabre.attach(http);
// socket.io and the Yjs endpoint take their own upgrades; nothing else upgrades here.
http.on('upgrade', (req, socket) => {
	if (!/^\/(socket\.io|yjs)\//.test(req.url ?? '')) socket.destroy();
});
// In front of every listener: an event another node owns goes there.
if (cluster && store) cluster.mount(http, store.pool);

for (const row of palabre.palabre.store.setAside) {
	console.warn(`Donnée illisible mise de côté (table quarantine) : ${row.reason}`);
}

try {
	await palabre.ready;
} catch (err) {
	console.error(err);
	process.exit(1);
}
/**
 * Connections waiting to be accepted. Node's default (511) overflowed when a room's phones all
 * opened their write-ups at once (1,000 in `npm run bench`: 380 connections dropped by the kernel,
 * each retried by the phone a second later). The kernel caps it at net.core.somaxconn (4,096 on
 * current Linux).
 */
const LISTEN_BACKLOG = 4096;
http.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
	void readyBanner(config).then((banner) => console.log(banner));
});

/**
 * A stop that hangs (a client that never lets go) must not keep the port: past this, exit anyway.
 * Everything acknowledged is already stored (each change is committed before its ack).
 */
const STOP_TIMEOUT_MS = 4_000;

// Ctrl-C or a service manager's stop: stop taking requests, tell the phones it is a restart
// (they reconnect), close the write-ups after their last commit, then the store, and exit.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		// A second signal (Ctrl-C reaches npm and its children) changes nothing: the stop is under way.
		if (stopping) return;
		stopping = true;
		console.log('Arrêt de Palabre… / Stopping Palabre…');
		setTimeout(() => {
			console.error('Arrêt forcé : des connexions ne se fermaient pas. / Forced stop.');
			process.exit(1);
		}, STOP_TIMEOUT_MS).unref();
		http.close();
		// A node of several drains first: its events' commits land, their leases go to the next owners.
		// Then the connections other nodes keep open to forward here would hold the stop: they go.
		(cluster?.stop().then(() => http.closeAllConnections()) ?? Promise.resolve())
			.catch((err: unknown) => console.error(err))
			.then(() => palabre.close())
			.then(
				() => {
					console.log('Palabre est arrêté. / Palabre stopped.');
					process.exit(0);
				},
				(err) => {
					console.error(err);
					process.exit(1);
				}
			);
	});
}
