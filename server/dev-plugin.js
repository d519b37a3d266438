// `npm run dev`: attaches the same API, socket.io and Yjs servers to Vite's dev server.
// Plain JS, and the server is loaded through Vite's SSR loader, so vite.config.ts stays small.

/** @returns {import('vite').Plugin} */
export function palabreDevServer() {
	return {
		name: 'palabre-dev-server',
		apply: 'serve',
		async configureServer(server) {
			const http = server.httpServer;
			// Vitest also starts a Vite server, without an HTTP server: nothing to attach then.
			if (!http) return;
			const { readConfig } = await server.ssrLoadModule('/server/config.ts');
			const { createPalabreServer } = await server.ssrLoadModule('/server/app.ts');
			const port = server.config.server.port ?? 5173;
			const palabre = createPalabreServer(readConfig({ ...process.env, PORT: process.env.PORT ?? String(port) }));
			palabre.attach(http);
			server.middlewares.use((req, res, next) => {
				palabre.handleHttp(req, res).then((/** @type {boolean} */ handled) => handled || next(), next);
			});
		}
	};
}
