/**
 * The Yjs process: the write-ups' endpoint (./yjs.ts) on its own event loop, forked by the main
 * process (./yjsProcess.ts), which routes and authorises each /yjs/ upgrade and passes the
 * socket here. A keystroke is then relayed without waiting behind the control plane's work
 * (room views, seating, speaking time).
 *
 * Its store: without DATABASE_URL, the write-ups' rows of the one SQLite file, which the main
 * process reads there. With DATABASE_URL (passed by the main process), PostgreSQL's
 * ydoc_updates; the main process then keeps a copy of the stored docs from what this process
 * reports after each commit (docs/postgres-yjs.md).
 *
 * Usage: node yjs-host.js <dataDir> [index]   (with an IPC channel: fork only; DATABASE_URL in the
 * environment; index: which of the YJS_PROCESSES it is, the main process routes the docs)
 */
import type { Socket } from 'node:net';
import { itemCounts } from '../../src/lib/writeup';
import { ensureYDocSchema, openPostgresYDocs } from '../store/postgres/ydocs';
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

const databaseUrl = process.env.DATABASE_URL;
const postgres = databaseUrl ? openPostgresYDocs(databaseUrl) : null;
const sqlite = postgres ? null : openYDocStore(dataDir);
/** Last counts reported per doc: the main process hears only of a change. */
const reported = new Map<string, string>();
const endpoint = createYjsEndpoint({
	persistence: postgres?.ydocs ?? (sqlite as NonNullable<typeof sqlite>).ydocs,
	rules: () => new WriteupIndex(),
	onChange(docName, doc) {
		const counts = itemCounts(doc);
		const key = counts.join();
		if (reported.get(docName) === key) return;
		reported.set(docName, key);
		send({ t: 'progress', docName, counts });
	},
	// One message per commit: the main process's copy of the stored docs follows PostgreSQL.
	onStored: (updates) => void (updates.length && send({ t: 'stored', updates })),
	...(sqlite ? { durable: sqlite.durable } : {})
});

let closing = false;
async function close() {
	if (closing) return;
	closing = true;
	await endpoint.close();
	sqlite?.close();
	await postgres?.ydocs.close();
	process.exit(0);
}

async function apply(message: Extract<ToYjsHost, { t: 'apply' }>) {
	try {
		await endpoint.apply(message.docName, message.update, message.fence);
		send({ t: 'applied', id: message.id });
	} catch (err) {
		send({ t: 'applied', id: message.id, error: err instanceof Error ? err.message : String(err) });
	}
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
		case 'fence':
			endpoint.setFence(message.fence);
			return;
		case 'release':
			endpoint.release(message.eventId);
			return;
		case 'apply':
			void apply(message);
			return;
		case 'drop':
			// With PostgreSQL the endpoint deletes the rows itself, after the batch in flight.
			endpoint.drop(message.docName);
			reported.delete(message.docName);
			// A change committed here before the main process deleted the rows must not outlive them.
			sqlite?.ydocs.deleteDoc(message.docName);
			return;
		case 'catchUp':
			send({ t: 'caughtUp', id: message.id });
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

if (postgres) {
	ensureYDocSchema(postgres.pool).then(
		() => send({ t: 'ready' }),
		(err: unknown) => {
			console.error('yjs: PostgreSQL', err);
			process.exit(1);
		}
	);
} else send({ t: 'ready' });
