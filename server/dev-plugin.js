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
			// The Yjs process runs the TypeScript source through tsx (a devDependency).
			const yjsHost = { file: new URL('./realtime/yjsHost.ts', import.meta.url).pathname, execArgv: ['--import', 'tsx'] };
			const palabre = createPalabreServer(readConfig({ ...process.env, PORT: process.env.PORT ?? String(port) }), yjsHost);
			await palabre.ready;
			palabre.attach(http);
			http.once('close', () => void palabre.close());
			server.middlewares.use((req, res, next) => {
				palabre.handleHttp(req, res).then((/** @type {boolean} */ handled) => handled || next(), next);
			});
		}
	};
}
