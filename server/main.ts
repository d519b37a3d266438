/**
 * Production entry (`npm start`): one HTTP server on one port for the SvelteKit app
 * (adapter-node handler), the API, socket.io and the Yjs endpoint (whose sockets are handed to
 * the Yjs process, build/yjs-host.js).
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readConfig } from './config';
import { createPalabreServer } from './app';
(await import('./processGuards')).installProcessGuards();

// Built next to this file by `npm run build` (adapter-node output).
const { handler } = (await import(new URL('./handler.js', import.meta.url).href)) as {
	handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next?: () => void) => void;
};

const config = readConfig();
// The Yjs process's bundle is built next to this one (package.json, "build").
const palabre = createPalabreServer(config, { file: fileURLToPath(new URL('./yjs-host.js', import.meta.url)) });
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

for (const row of palabre.palabre.store.setAside) {
	console.warn(`Donnée illisible mise de côté (table quarantine) : ${row.reason}`);
}

try {
	await palabre.ready;
} catch (err) {
	console.error(err);
	process.exit(1);
}
http.listen(config.port, config.host, () => {
	console.log(`Palabre est prêt.`);
	console.log(`  Organisateur·rice·s : ${config.publicUrl}/  (créer un événement)`);
	console.log(`  Sur ce poste        : http://localhost:${config.port}/`);
	console.log(`  Données             : ${config.dataDir}`);
	if (config.loopbackOnly) {
		console.warn(
			'Attention : aucune adresse réseau local trouvée ; les téléphones ne pourront pas rejoindre. ' +
				'Connectez ce poste au Wi-Fi du lieu ou indiquez PUBLIC_URL.'
		);
	}
});

// Stop cleanly on Ctrl-C or a service manager's stop: close sockets, then the store.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		palabre.close().finally(() => process.exit(0));
	});
}
