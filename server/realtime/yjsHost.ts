/**
 * The Yjs process: the write-ups' endpoint (./yjs.ts) on its own event loop, forked by the main
 * process (./yjsProcess.ts), which routes and authorises each /yjs/ upgrade and passes the
 * socket here. A keystroke is then relayed without waiting behind the control plane's work
 * (room views, seating, speaking time). It writes only the write-ups' rows of the one SQLite
 * file; the main process reads them there.
 *
 * Usage: node yjs-host.js <dataDir>   (with an IPC channel: fork only)
 */
import type { Socket } from 'node:net';
import { itemCounts } from '../../src/lib/writeup';
import { openYDocStore } from '../store/sqlite';
import { createYjsEndpoint } from './yjs';
import { WriteupIndex } from './writeupRules';
import type { FromYjsHost, ToYjsHost } from './yjsIpc';

const dataDir = process.argv[2];
if (!process.send || !dataDir) {
	console.error('yjs-host: to be forked by the Palabre server, with the data directory');
	process.exit(2);
}
const send = (message: FromYjsHost) => process.send?.(message);

const store = openYDocStore(dataDir);
/** Last counts reported per doc: the main process hears only of a change. */
const reported = new Map<string, string>();
const endpoint = createYjsEndpoint({
	persistence: store.ydocs,
	rules: () => new WriteupIndex(),
	onChange(docName, doc) {
		const counts = itemCounts(doc);
		const key = counts.join();
		if (reported.get(docName) === key) return;
		reported.set(docName, key);
		send({ t: 'progress', docName, counts });
	}
});

let closing = false;
async function close() {
	if (closing) return;
	closing = true;
	await endpoint.close();
	store.close();
	process.exit(0);
}

process.on('message', (message: ToYjsHost, handle?: Socket) => {
	switch (message.t) {
		case 'socket':
			if (!handle) return;
			// However it ends (refused handshake included), the main process hears of it once.
			handle.once('close', () => send({ t: 'gone', id: message.id }));
			if (closing) return void handle.destroy();
			endpoint.accept(message.req, handle, Buffer.from(message.head), message.docName, message.grant);
			return;
		case 'pens':
			endpoint.setPens(message.docName, message.pens);
			return;
		case 'closed':
			endpoint.setClosed(message.docName, message.closed);
			return;
		case 'revoke':
			endpoint.revoke(message.holders, message.keep);
			return;
		case 'apply':
			try {
				endpoint.apply(message.docName, message.update);
				send({ t: 'applied', id: message.id });
			} catch (err) {
				send({ t: 'applied', id: message.id, error: err instanceof Error ? err.message : String(err) });
			}
			return;
		case 'drop':
			endpoint.drop(message.docName);
			reported.delete(message.docName);
			// A change committed here before the main process deleted the rows must not outlive them.
			store.ydocs.deleteDoc(message.docName);
			return;
		case 'close':
			void close();
			return;
	}
});
// The main process is gone (even killed): everything acknowledged is stored, so just go.
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group: the main process decides when this one stops.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
send({ t: 'ready' });
