/**
 * Forwarding (design §4.3): a node that receives a request or a WebSocket upgrade for an event it
 * does not own passes it to the owner's internal address, so that correctness never depends on
 * the proxy in front (which may send an event to another node for a few seconds after a failover).
 * Plain Node: an `http.request` stream for HTTP, a raw `net` pipe carrying the original request
 * head for upgrades (socket.io's and the Yjs endpoint's WebSockets alike).
 *
 * `ownerOf(eventId)` says where an event is served: 'me', or the owner's URL. Single-process
 * Palabre answers 'me' for everything and nothing changes.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { Refusal } from '../../src/lib/domain/refusal';

export type OwnerOf = (eventId: string) => Promise<string> | string;

/**
 * Set on forwarded requests: their receiver serves them if it owns the event, and otherwise answers
 * 503 (the client retries) rather than forward again: two nodes' views of an owner may disagree
 * for a moment, a request must not bounce between them.
 */
export const FORWARDED = 'x-palabre-forwarded';

/** Headers of one connection, not to be passed on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', FORWARDED]);

/**
 * The event a request concerns: its `e` parameter (socket.io, Yjs, links), or the id in
 * /api/events/<id>/…; null for everything else (static files, pages, global API calls).
 */
export function eventOfUrl(url: string | undefined): string | null {
	if (!url) return null;
	const query = url.indexOf('?');
	const path = query < 0 ? url : url.slice(0, query);
	const fromPath = /^\/api\/events\/([\w-]+)(?:\/|$)/.exec(path)?.[1];
	if (fromPath && fromPath !== 'import') return fromPath;
	if (query < 0) return null;
	const e = new URLSearchParams(url.slice(query + 1)).get('e');
	return e && /^[\w-]{1,40}$/.test(e) ? e : null;
}

export interface ForwardOptions {
	/**
	 * The event of a request whose URL does not name it (a join code, a capture link, a phone's
	 * token: server/cluster/node.ts looks them up); null: not an event's request.
	 */
	eventOf?: (req: IncomingMessage) => Promise<string | null> | string | null;
	/** The owner did not answer: the caller may refresh what it knows of the event's owner. */
	onUnreachable?: (eventId: string, ownerUrl: string, error: Error) => void;
}

export interface Forwarder {
	/** Forwards the request if another node owns its event and resolves true; false: serve it here. */
	request(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
	/** The same for a WebSocket upgrade. */
	upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean>;
	/** Ends the WebSockets being forwarded (their clients reconnect elsewhere) and the kept-alive connections. */
	close(): void;
}

/** The X-Forwarded-For this hop sends on: what came in, then the address it came from. */
function forwardedFor(req: IncomingMessage): string {
	const previous = req.headers['x-forwarded-for'];
	const peer = req.socket.remoteAddress ?? '';
	return previous ? `${Array.isArray(previous) ? previous.join(', ') : previous}, ${peer}` : peer;
}

/** Raw headers minus this connection's own, and minus those this hop rewrites. */
function passedOn(raw: string[], also: string[] = []): string[] {
	const out: string[] = [];
	for (let i = 0; i < raw.length; i += 2) {
		const name = raw[i]!.toLowerCase();
		if (!HOP_BY_HOP.has(name) && !also.includes(name)) out.push(raw[i]!, raw[i + 1]!);
	}
	return out;
}

export function forwarder(ownerOf: OwnerOf, opts: ForwardOptions = {}): Forwarder {
	// Nodes talk to each other over a few kept-alive connections rather than one per request.
	const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
	/** WebSockets being forwarded: they would hold this node's stop (an HTTP server closes once they end). */
	const pipes = new Set<Duplex>();

	/** The owner's URL when this request is to be forwarded, 'refuse' when it was forwarded already, null: serve it here. */
	async function target(req: IncomingMessage): Promise<{ eventId: string; url: URL } | 'refuse' | null> {
		const eventId = eventOfUrl(req.url) ?? (await opts.eventOf?.(req)) ?? null;
		if (!eventId) return null;
		const owner = await ownerOf(eventId);
		if (owner === 'me') return null;
		return req.headers[FORWARDED] === undefined ? { eventId, url: new URL(owner) } : 'refuse';
	}

	const moving = new Refusal('eventMoving');
	const UNAVAILABLE = JSON.stringify({ error: moving.message, code: moving.code });
	const unavailable = (res: ServerResponse) => {
		res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
		res.end(UNAVAILABLE);
	};
	const UNAVAILABLE_UPGRADE = 'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

	return {
		async request(req, res) {
			const to = await target(req);
			if (!to) return false;
			if (to === 'refuse') return (unavailable(res), true);
			const headers = passedOn(req.rawHeaders, ['x-forwarded-for']);
			headers.push(FORWARDED, '1', 'x-forwarded-for', forwardedFor(req));
			const out = http.request(
				{ host: to.url.hostname, port: Number(to.url.port) || 80, method: req.method, path: req.url, headers, agent },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.statusMessage, passedOn(answer.rawHeaders));
					answer.pipe(res);
					answer.on('error', () => res.destroy());
				}
			);
			out.on('error', (err) => {
				opts.onUnreachable?.(to.eventId, to.url.href, err);
				if (res.headersSent) return res.destroy();
				// The owner is gone or moving: the client retries, by then the lease says who owns it.
				unavailable(res);
			});
			req.pipe(out);
			req.on('error', () => out.destroy());
			res.on('close', () => {
				if (!res.writableFinished) out.destroy();
			});
			return true;
		},

		async upgrade(req, socket, head) {
			const to = await target(req);
			if (!to) return false;
			if (to === 'refuse') return (socket.end(UNAVAILABLE_UPGRADE), true);
			const upstream = net.connect({ host: to.url.hostname, port: Number(to.url.port) || 80 });
			let connected = false;
			upstream.once('connect', () => {
				connected = true;
				upstream.setNoDelay(true);
				const raw = passedOn(req.rawHeaders, ['x-forwarded-for']);
				raw.push('Connection', 'Upgrade', 'Upgrade', req.headers.upgrade ?? 'websocket', FORWARDED, '1', 'X-Forwarded-For', forwardedFor(req));
				let lines = `${req.method} ${req.url} HTTP/1.1\r\n`;
				for (let i = 0; i < raw.length; i += 2) lines += `${raw[i]}: ${raw[i + 1]}\r\n`;
				upstream.write(`${lines}\r\n`);
				if (head.length) upstream.write(head);
				socket.pipe(upstream).pipe(socket);
			});
			upstream.on('error', (err) => {
				if (connected) return socket.destroy();
				opts.onUnreachable?.(to.eventId, to.url.href, err);
				socket.end(UNAVAILABLE_UPGRADE);
			});
			pipes.add(socket);
			socket.on('error', () => upstream.destroy());
			socket.on('close', () => (pipes.delete(socket), upstream.destroy()));
			upstream.on('close', () => socket.destroy());
			return true;
		},

		close() {
			for (const socket of pipes) socket.destroy();
			agent.destroy();
		}
	};
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Puts the forwarder in front of every listener the server already has (socket.io's, the Yjs
 * endpoint's, the pages'): call it once they are all attached. What is not forwarded goes on to
 * them exactly as before.
 */
export function mountForwarder(server: Server, forward: Forwarder): void {
	const requests = server.listeners('request') as RequestListener[];
	const upgrades = server.listeners('upgrade') as UpgradeListener[];
	server.removeAllListeners('request').removeAllListeners('upgrade');
	server.on('request', (req: IncomingMessage, res: ServerResponse) => {
		forward.request(req, res).then(
			(forwarded) => forwarded || requests.forEach((l) => l.call(server, req, res)),
			() => {
				res.writeHead(503, { 'retry-after': '1' }).end();
			}
		);
	});
	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		forward.upgrade(req, socket, head).then(
			(forwarded) => forwarded || upgrades.forEach((l) => l.call(server, req, socket, head)),
			() => socket.destroy()
		);
	});
}
