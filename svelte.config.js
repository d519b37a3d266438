import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// Registered by the participant page alone, in production only (src/lib/client/appShell.ts).
		serviceWorker: { register: false },
		adapter: adapter({ out: 'build', precompress: true }),
		// Styles inline in the page: no extra round trips before a phone on weak Wi-Fi sees the form.
		inlineStyleThreshold: 64 * 1024,
		// Security headers beyond CSP are set by the Node server (server/http/headers.ts).
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
