/**
 * The HTTP API under /api (docs/api.md). Plain Node handlers in front of SvelteKit, so the
 * same code serves `npm start` and `npm run dev`. Every body is validated by its protocol schema;
 * a rejected request stores nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { CreateEventBody, JoinBody, LIMITS, describeZodError } from '../../src/lib/protocol';
import { buildActes } from '../../src/lib/domain/actes';
import { ACTES_FORMATS, renderActes, type ActesFormat } from '../actes';
import { exportArchive, importArchive } from '../archive';
import type { Limits } from '../config';
import { rateLimiter } from '../rateLimit';
import { PalabreError, type Palabre } from '../service';
import { STORAGE_FULL, isStorageFull } from '../store/sqlite';

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<unknown> | unknown;
interface Route {
	method: string;
	pattern: RegExp;
	handler: Handler;
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(text),
		'cache-control': 'no-store'
	});
	res.end(text);
}

/** Reads a body's bytes, refusing anything over the cap (413). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	const declared = Number(req.headers['content-length'] ?? 0);
	if (declared > limit) throw new PalabreError(413, `corps de requête trop grand (maximum ${limit} octets)`);
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > limit) throw new PalabreError(413, `corps de requête trop grand (maximum ${limit} octets)`);
		chunks.push(chunk as Buffer);
	}
	// Its own memory (never a slice of Node's shared pool), so that it can move to a worker thread.
	const body = Buffer.alloc(size);
	let at = 0;
	for (const chunk of chunks) at += chunk.copy(body, at);
	return body;
}

/** Reads a JSON body, refusing anything over the cap (413) or not JSON (400). */
export async function readJson(req: IncomingMessage, limit: number = LIMITS.httpBodyBytes): Promise<unknown> {
	const raw = (await readBody(req, limit)).toString('utf8');
	if (!raw.trim()) throw new PalabreError(400, 'body: corps JSON attendu');
	try {
		return JSON.parse(raw);
	} catch {
		throw new PalabreError(400, 'body: JSON invalide');
	}
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
	const result = schema.safeParse(value);
	if (!result.success) throw new PalabreError(400, describeZodError(result.error));
	return result.data;
}

export function bearer(req: IncomingMessage): string | undefined {
	const h = req.headers.authorization;
	const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
	return m?.[1];
}

export function createApi(palabre: Palabre, limits: Limits) {
	const joins = rateLimiter({ burst: limits.joinsPerMinute, perMinute: limits.joinsPerMinute });
	const creations = rateLimiter({ burst: limits.eventsPerHour, perMinute: limits.eventsPerHour / 60 });
	const address = (req: IncomingMessage) => req.socket.remoteAddress ?? '?';

	const routes: Route[] = [
		{
			method: 'POST',
			pattern: /^\/api\/events$/,
			handler: async (req, res) => {
				if (!creations.take(address(req))) throw new PalabreError(429, 'trop de créations d’événements depuis cette adresse, réessayez plus tard');
				const body = parse(CreateEventBody, await readJson(req));
				sendJson(res, 201, palabre.createEvent(body));
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/events\/([\w-]+)$/,
			handler: (req, res, [id]) => {
				const event = palabre.authoriseOrganiser(id as string, bearer(req));
				sendJson(res, 200, palabre.organiserDocument(event));
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/events\/([\w-]+)\/speaking\.csv$/,
			handler: (req, res, [id]) => {
				const event = palabre.authoriseOrganiser(id as string, bearer(req));
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
				const event = palabre.authoriseOrganiser(id as string, bearer(req));
				const query = new URL(req.url ?? '/', 'http://x').searchParams;
				const format = query.get('format') ?? 'html';
				// Names only when the organiser asks for them (participants who agreed).
				const names = query.get('names') === '1';
				if (format === 'json') {
					sendJson(res, 200, exportArchive(palabre, event.id, { names }));
					return;
				}
				if (!(ACTES_FORMATS as readonly string[]).includes(format)) {
					throw new PalabreError(400, `format: ${ACTES_FORMATS.join(', ')} ou json`);
				}
				const model = buildActes(palabre.organiserDocument(event), {
					lang: event.language,
					...(names ? { participantNames: palabre.people(event.id).map((p) => p.displayName) } : {})
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
			method: 'POST',
			pattern: /^\/api\/events\/import$/,
			handler: async (req, res) => {
				if (!creations.take(address(req))) throw new PalabreError(429, 'trop de créations d’événements depuis cette adresse, réessayez plus tard');
				// Parsed and checked off the main thread (server/archiveWorker.ts): the bytes as they came.
				const bytes = await readBody(req, LIMITS.archiveBytes);
				if (!bytes.length) throw new PalabreError(400, 'body: corps JSON attendu');
				sendJson(res, 201, await importArchive(palabre, bytes));
			}
		},
		{
			method: 'POST',
			pattern: /^\/api\/events\/([\w-]+)\/rotate$/,
			handler: (req, res, [id]) => {
				const event = palabre.authoriseOrganiser(id as string, bearer(req));
				sendJson(res, 200, palabre.rotateTokens(event));
			}
		},
		{
			method: 'DELETE',
			pattern: /^\/api\/events\/([\w-]+)\/participants\/([\w-]+)$/,
			handler: async (req, res, [id, participantId]) => {
				const event = palabre.authoriseOrganiser(id as string, bearer(req));
				await palabre.deleteParticipant(event, participantId as string);
				res.writeHead(204).end();
			}
		},
		{
			method: 'DELETE',
			pattern: /^\/api\/events\/([\w-]+)$/,
			handler: (req, res, [id]) => {
				const event = palabre.authoriseOrganiser(id as string, bearer(req));
				palabre.deleteEvent(event);
				res.writeHead(204).end();
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/join\/([\w-]+)$/,
			handler: (_req, res, [code]) => sendJson(res, 200, palabre.eventInfo(palabre.eventByJoinCode(code as string)))
		},
		{
			method: 'POST',
			pattern: /^\/api\/join\/([\w-]+)$/,
			handler: async (req, res, [code]) => {
				const event = palabre.eventByJoinCode(code as string);
				if (!joins.take(address(req))) throw new PalabreError(429, 'trop d’arrivées depuis cette adresse, réessayez dans une minute');
				const body = parse(JoinBody, await readJson(req));
				sendJson(res, 201, palabre.join(event, body));
			}
		},
		{
			method: 'GET',
			pattern: /^\/api\/session$/,
			handler: (req, res) => {
				const token = bearer(req);
				if (!token) throw new PalabreError(401, 'jeton participant·e manquant');
				sendJson(res, 200, palabre.session(palabre.authoriseParticipant(token)));
			}
		},
		{ method: 'GET', pattern: /^\/api\/health$/, handler: (_req, res) => sendJson(res, 200, { ok: true }) }
	];

	/** Handles /api/* and returns true; returns false for anything else (SvelteKit's). */
	return async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
		const path = (req.url ?? '/').split('?')[0] as string;
		if (!path.startsWith('/api/')) return false;
		const matching = routes.filter((r) => r.pattern.test(path));
		const route = matching.find((r) => r.method === req.method);
		try {
			if (!route) {
				if (matching.length) throw new PalabreError(405, 'méthode non permise');
				throw new PalabreError(404, 'adresse inconnue');
			}
			const params = (route.pattern.exec(path) as RegExpExecArray).slice(1);
			await route.handler(req, res, params);
		} catch (err) {
			if (err instanceof PalabreError) {
				if (err.status === 413) res.setHeader('connection', 'close');
				sendJson(res, err.status, { error: err.message });
			} else if (isStorageFull(err)) {
				console.error('Stockage plein', err);
				sendJson(res, 503, { error: STORAGE_FULL });
			} else {
				console.error('Erreur interne', err);
				sendJson(res, 500, { error: 'erreur interne' });
			}
		}
		return true;
	};
}
