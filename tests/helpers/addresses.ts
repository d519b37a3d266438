/**
 * HTTP requests from a chosen loopback address (all of 127/8 is loopback on Linux), so that tests
 * of per-address limits can play several clients, or a client behind a proxy (`forwardedFor`).
 */
import { request } from 'node:http';

export interface FromAnswer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	/** The body parsed as JSON, or undefined if it is not JSON. */
	json: any;
}

export function requestFrom(
	url: string,
	opts: { from: string; method?: string; body?: unknown; contentType?: string | null; forwardedFor?: string; headers?: Record<string, string> }
): Promise<FromAnswer> {
	const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
	const contentType = opts.contentType === undefined ? (payload === undefined ? null : 'application/json') : opts.contentType;
	return new Promise((resolve, reject) => {
		const req = request(
			url,
			{
				method: opts.method ?? 'GET',
				localAddress: opts.from,
				agent: false,
				headers: {
					connection: 'close',
					...(contentType ? { 'content-type': contentType } : {}),
					...(payload !== undefined ? { 'content-length': Buffer.byteLength(payload) } : {}),
					...(opts.forwardedFor ? { 'x-forwarded-for': opts.forwardedFor } : {}),
					...opts.headers
				}
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json: unknown;
					try {
						json = JSON.parse(text);
					} catch {
						json = undefined;
					}
					resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
				});
				res.on('error', reject);
			}
		);
		req.on('error', reject);
		req.end(payload);
	});
}
