/**
 * The HTTP API under /api (docs/api.md). Plain Node handlers in front of SvelteKit, so the
 * same code serves `npm start` and `npm run dev`. Every body is validated by its protocol schema;
 * a rejected request stores nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { CaptureBody, CreateEventBody, JoinBody, LIMITS, RegisterBody, describeZodError } from '../../src/lib/protocol';
import { buildActes } from '../../src/lib/domain/actes/model';
import { ACTES_FORMATS, renderActes, type ActesFormat } from '../actes';
import { renderPaperKit } from '../paperKit';
import type { Limits } from '../config';
import { PalabreError, refusalOf } from '../errors';
import type { Palabre } from '../palabre';
import { rateLimiter, type RateLimiter } from '../rateLimit';

/** An event as the services give it. */
type EventRecord = ReturnType<Palabre['access']['joinCode']>;

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<unknown> | unknown;
interface Route {
	method: string;
	pattern: RegExp;
	handler: Handler;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(text),
		'cache-control': 'no-store',
		...headers
	});
	res.end(text);
}

/**
 * A download's Content-Disposition (RFC 6266): the name as typed, accents included, in
 * `filename*` (RFC 8187), and an ASCII fallback in `filename`; characters that a file system
 * refuses become '-'.
 */
export function attachment(base: string, extension: string): string {
	const cleaned = base.replace(/[\u0000-\u001f\u007f/\\:*?"<>|\s]+/g, '-').replace(/-+/g, '-');
	// Cut by characters, not UTF-16 units: no half emoji.
	const safe = `${Array.from(cleaned).slice(0, 100).join('')}.${extension}`;
	const ascii = safe.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_');
	const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Reads a JSON body's bytes, refusing another content type (415) or anything over the cap (413).
 * Only `application/json`: a web page can make its visitors' browsers post `text/plain` (a form,
 * or fetch without a preflight) to us, never `application/json` without CORS consent.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
	if (type !== 'application/json') throw new PalabreError(415, 'notJson');
	const declared = Number(req.headers['content-length'] ?? 0);
	if (declared > limit) throw new PalabreError(413, 'bodyTooLarge', { limit });
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > limit) throw new PalabreError(413, 'bodyTooLarge', { limit });
		chunks.push(chunk as Buffer);
	}
	// Its own memory (never a slice of Node's shared pool), so that it can move to a worker thread.
	const body = Buffer.alloc(size);
	let at = 0;
	for (const chunk of chunks) at += chunk.copy(body, at);
	return body;
}

/** Reads a JSON body (see readBody), refusing what is not JSON (400). */
export async function readJson(req: IncomingMessage, limit: number = LIMITS.httpBodyBytes): Promise<unknown> {
	const raw = (await readBody(req, limit)).toString('utf8');
	if (!raw.trim()) throw new PalabreError(400, 'emptyBody');
	try {
		return JSON.parse(raw);
	} catch {
		throw new PalabreError(400, 'badJson');
	}
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
	const result = schema.safeParse(value);
	if (!result.success) throw new PalabreError(400, 'invalid', { detail: describeZodError(result.error) });
	return result.data;
}

export function bearer(req: IncomingMessage): string | undefined {
	const h = req.headers.authorization;
	const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
	return m?.[1];
}

/** Lookups of unknown join codes an address may make at once, then per minute: guessing stays slow. */
export const CODE_GUESSES = { burst: 20, perMinute: 10 };

/** Sets `Retry-After` (whole seconds) on a refusal that will pass after `ms`. */
function retryAfter(res: ServerResponse, ms: number) {
	res.setHeader('retry-after', String(Math.max(1, Math.ceil(ms / 1000))));
}

/** `address`: the client's address as the per-address limits see it (./clientAddress.ts). */
export function createApi(palabre: Palabre, limits: Limits, address: (req: IncomingMessage) => string) {
	const creations = rateLimiter({ burst: limits.eventsPerHour, perMinute: limits.eventsPerHour / 60 });
	/** Joins: a generous ceiling per address (a venue behind one NAT address)… */
	const addressJoins = rateLimiter({ burst: 2 * limits.joinsPerMinute, perMinute: 2 * limits.joinsPerMinute });
	/** …and a budget per event, sized to it: `joinsPerMinute` per room (an event's rooms are fixed). */
	const eventJoins = new Map<number, RateLimiter>();
	const eventBudget = (rooms: number) => {
		let limiter = eventJoins.get(rooms);
		if (!limiter) {
			const n = limits.joinsPerMinute * Math.max(1, rooms);
			eventJoins.set(rooms, (limiter = rateLimiter({ burst: n, perMinute: n })));
		}
		return limiter;
	};
	const guesses = rateLimiter(CODE_GUESSES);
	/** The event a request was about, for the log of an internal error. */
	const eventOf = new WeakMap<IncomingMessage, string>();

	/**
	 * The event of a join code. Unknown codes are counted per address; once an address has used its
	 * guesses, every lookup from it waits (known codes too, or the answer would tell a hit).
	 */
	function eventByCode(req: IncomingMessage, res: ServerResponse, code: string): EventRecord {
		const from = address(req);
		const wait = guesses.wait(from);
		if (wait) {
			retryAfter(res, wait);
			throw new PalabreError(429, 'tooManyGuesses');
		}
		try {
			const event = palabre.access.joinCode(code);
			eventOf.set(req, event.id);
			return event;
		} catch (err) {
			if (err instanceof PalabreError && err.status === 404) guesses.take(from);
			throw err;
		}
	}

	/** A join's place in the address's and the event's budgets (validated bodies only: invalid ones cost nothing). */
	function admitJoin(req: IncomingMessage, res: ServerResponse, event: EventRecord) {
		const from = address(req);
		const budget = eventBudget(palabre.views.eventInfo(event).rooms.length);
		const wait = Math.max(addressJoins.wait(from), budget.wait(event.id));
		if (wait) {
			retryAfter(res, wait);
			throw new PalabreError(429, 'joinRush');
		}
		addressJoins.take(from);
		budget.take(event.id);
	}


	// A route that reports a save answers once the store has committed it (`palabre.committed`).
	const routes: Route[] = [
		{
			method: 'POST',
			pattern: /^\/api\/events$/,
			handler: async (req, res) => {
				if (!creations.take(address(req))) throw new PalabreError(429, 'tooManyEvents');
				const body = parse(CreateEventBody, await readJson(req));
				const created = palabre.events.create(body);
				await palabre.committed();
				sendJson(res, 201, created);
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/events\/([\w-]+)$/,
			handler: (req, res, [id]) => {
				const event = palabre.access.organiser(id as string, bearer(req));
				sendJson(res, 200, palabre.views.organiserDocument(event));
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/events\/([\w-]+)\/speaking\.csv$/,
			handler: (req, res, [id]) => {
				const event = palabre.access.organiser(id as string, bearer(req));
				const csv = palabre.speaking.csv(event.id);
				res.writeHead(200, {
					'content-type': 'text/csv; charset=utf-8',
					'content-disposition': `attachment; filename="temps-de-parole-${event.id}.csv"`,
					'cache-control': 'no-store'
				});
				// A BOM so that spreadsheets read the accents right.
				res.end('\ufeff' + csv);
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/events\/([\w-]+)\/actes$/,
			handler: async (req, res, [id]) => {
				const event = palabre.access.organiser(id as string, bearer(req));
				const query = new URL(req.url ?? '/', 'http://x').searchParams;
				const format = query.get('format') ?? 'html';
				// Names only when the organiser asks for them (participants who agreed).
				const names = query.get('names') === '1';
				if (format === 'json') {
					const name = ['palabre', event.title, event.date].filter(Boolean).join(' ');
					sendJson(res, 200, palabre.events.archive(event, { names }), { 'content-disposition': attachment(name, 'json') });
					return;
				}
				if (!(ACTES_FORMATS as readonly string[]).includes(format)) {
					throw new PalabreError(400, 'badFormat', { formats: ACTES_FORMATS.join(', ') });
				}
				const model = buildActes(palabre.views.actesInput(event), {
					lang: event.language,
					...(names ? { participantNames: palabre.views.people(event.id).map((p) => p.displayName) } : {})
				});
				const out = await renderActes(model, format as ActesFormat);
				res.writeHead(200, {
					'content-type': out.contentType,
					'content-disposition': `attachment; filename="${out.filename}"`,
					'cache-control': 'no-store'
				});
				res.end(out.body);
			}
		},
		{
			// The paper kit (server/paperKit.ts): posters, statement cards, write-up, evaluation and verbatim sheets.
			method: 'GET',
			pattern: /^\/api\/events\/([\w-]+)\/paper-kit\.pdf$/,
			handler: async (req, res, [id]) => {
				const event = palabre.access.organiser(id as string, bearer(req));
				const body = await renderPaperKit(palabre.views.paperKitInput(event));
				res.writeHead(200, {
					'content-type': 'application/pdf',
					'content-disposition': attachment(`${event.language === 'fr' ? 'kit-papier' : 'paper-kit'} ${event.title}`, 'pdf'),
					'cache-control': 'no-store'
				});
				res.end(body);
			}
		},
		{
			method: 'POST',
			pattern: /^\/api\/events\/import$/,
			handler: async (req, res) => {
				if (!creations.take(address(req))) throw new PalabreError(429, 'tooManyEvents');
				// Parsed and checked off the main thread (server/archiveWorker.ts): the bytes as they came.
				const bytes = await readBody(req, LIMITS.archiveBytes);
				if (!bytes.length) throw new PalabreError(400, 'emptyBody');
				const imported = await palabre.events.importArchive(bytes);
				await palabre.committed();
				sendJson(res, 201, imported);
			}
		},
		{
			method: 'POST',
			pattern: /^\/api\/events\/([\w-]+)\/rotate$/,
			handler: async (req, res, [id]) => {
				const event = palabre.access.organiser(id as string, bearer(req));
				const links = palabre.events.rotateLinks(event);
				await palabre.committed();
				sendJson(res, 200, links);
			}
		},
		{
			method: 'DELETE',
			pattern: /^\/api\/events\/([\w-]+)\/participants\/([\w-]+)$/,
			handler: async (req, res, [id, participantId]) => {
				const event = palabre.access.organiser(id as string, bearer(req));
				await palabre.people.erase(event, participantId as string);
				await palabre.committed();
				res.writeHead(204).end();
			}
		},
		{
			method: 'DELETE',
			pattern: /^\/api\/events\/([\w-]+)$/,
			handler: async (req, res, [id]) => {
				const event = palabre.access.organiser(id as string, bearer(req));
				palabre.events.delete(event);
				await palabre.committed();
				res.writeHead(204).end();
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/join\/([\w-]+)$/,
			handler: (req, res, [code]) => sendJson(res, 200, palabre.views.eventInfo(eventByCode(req, res, code as string)))
		},
		{
			method: 'POST',
			pattern: /^\/api\/join\/([\w-]+)$/,
			handler: async (req, res, [code]) => {
				const event = eventByCode(req, res, code as string);
				// Validated first: invalid bodies cost no one's budget.
				const body = parse(JoinBody, await readJson(req));
				admitJoin(req, res, event);
				const { token, participant } = palabre.people.join(event, body);
				await palabre.committed();
				sendJson(res, 201, { token, session: palabre.views.session(participant) });
			}
		},
		{
			// Registering before the event with ranked wishes (docs/room-assignment.md): the same
			// identity as a join, so the same budgets.
			method: 'POST',
			pattern: /^\/api\/register\/([\w-]+)$/,
			handler: async (req, res, [code]) => {
				const event = eventByCode(req, res, code as string);
				const body = parse(RegisterBody, await readJson(req));
				admitJoin(req, res, event);
				const { token, participant } = palabre.people.register(event, body);
				await palabre.committed();
				sendJson(res, 201, { token, session: palabre.views.session(participant) });
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/session$/,
			handler: (req, res) => {
				const token = bearer(req);
				if (!token) throw new PalabreError(401, 'missingParticipantToken');
				sendJson(res, 200, palabre.views.session(palabre.access.participant(token)));
			}
		},
		{
			// A one-time ticket to open a write-up's WebSocket without a token in its URL.
			method: 'POST',
			pattern: /^\/api\/yjs-tickets\/([\w.-]{1,60})$/,
			handler: (req, res, [doc]) => sendJson(res, 201, palabre.writeups.ticket(doc as string, bearer(req)))
		},
		{
			// A facilitator's capture page (docs/verbatims.md): what the form offers, then the verbatims noted.
			method: 'GET',
			pattern: /^\/api\/capture\/([\w-]+)$/,
			handler: (req, res, [workshopId]) => {
				const { event, workshop } = palabre.access.capture(workshopId as string, bearer(req));
				sendJson(res, 200, palabre.verbatims.captureView(event, workshop));
			}
		},
		{
			method: 'POST',
			pattern: /^\/api\/capture\/([\w-]+)$/,
			handler: async (req, res, [workshopId]) => {
				const { event } = palabre.access.capture(workshopId as string, bearer(req));
				eventOf.set(req, event.id);
				const body = parse(CaptureBody, await readJson(req));
				const saved = palabre.verbatims.capture(event, body);
				await palabre.committed();
				sendJson(res, 200, saved);
			}
		},
		{ method: 'GET', pattern: /^\/api\/health$/, handler: (_req, res) => sendJson(res, 200, { ok: true }) }
	];

	/** Handles /api/* and returns true; returns false for anything else (SvelteKit's). */
	return async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
		const path = (req.url ?? '/').split('?')[0] as string;
		// The join and registration pages show an event's title for its code: a lookup like the API's, limited alike.
		const page = /^\/[jr]\/([^/]+)(?:\/__data\.json)?$/.exec(path);
		if (page && req.method === 'GET') {
			try {
				eventByCode(req, res, decodeURIComponent(page[1] as string));
			} catch (err) {
				if (!(err instanceof PalabreError) || err.status !== 429) return false;
				res.writeHead(429, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
				res.end(`${err.message}. / Too many unknown codes tried from this address, try again later.`);
				return true;
			}
			return false;
		}
		if (!path.startsWith('/api/')) return false;
		const matching = routes.filter((r) => r.pattern.test(path));
		const route = matching.find((r) => r.method === req.method);
		try {
			if (!route) {
				if (matching.length) throw new PalabreError(405, 'methodNotAllowed');
				throw new PalabreError(404, 'notFound');
			}
			const params = (route.pattern.exec(path) as RegExpExecArray).slice(1);
			await route.handler(req, res, params);
		} catch (err) {
			const { status, refused, internal } = refusalOf(err, 'internalRequest');
			if (internal || status === 503) {
				// One request failed, not the server: logged with its event, answered, and the rest goes on.
				const eventId = eventOf.get(req) ?? /^\/api\/events\/([\w-]+)/.exec(path)?.[1] ?? '-';
				console.error(`${internal ? 'Erreur interne' : 'Stockage plein'} (événement ${eventId}) sur ${req.method} ${path}`, err);
			}
			if (status === 413) res.setHeader('connection', 'close');
			if (res.headersSent) res.destroy();
			else sendJson(res, status, refused);
		}
		return true;
	};
}
