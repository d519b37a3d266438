import type { ServerResponse } from 'node:http';

/** Headers for every response; SvelteKit adds its Content-Security-Policy to pages (svelte.config.js). */
export function securityHeaders(res: ServerResponse) {
	res.setHeader('x-content-type-options', 'nosniff');
	res.setHeader('referrer-policy', 'no-referrer');
	res.setHeader('x-frame-options', 'DENY');
	res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=()');
}
