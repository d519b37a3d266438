/**
 * The reference: a bare Yjs WebSocket server (@y/websocket-server's setupWSConnection), docs in
 * memory (run.ts starts it without YPERSISTENCE), no auth, no storage. run.ts bundles it with esbuild and runs it with plain node, like
 * build/palabre.js, so both are measured the same way. Env: PORT, HOST.
 */
import { createServer } from 'node:http';
import { setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const wss = new WebSocketServer({ noServer: true });
const http = createServer((_req, res) => {
	res.writeHead(200, { 'content-type': 'text/plain' });
	res.end('ok');
});
http.on('upgrade', (req, socket, head) => {
	// The doc name is the path: /group.<id>.
	wss.handleUpgrade(req, socket, head, (ws) => setupWSConnection(ws, req));
});
// The same accept backlog as Palabre's (server/main.ts), so both meet a rush alike.
http.listen({ port, host, backlog: 4096 }, () => console.log('baseline ready'));
process.once('SIGTERM', () => process.exit(0));
