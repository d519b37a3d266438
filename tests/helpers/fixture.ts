/** One real server and one real Chromium for a browser test file, started and stopped with it. */
import { afterAll, beforeAll } from 'vitest';
import { launch, type TestBrowser } from './browser';
import { TestServer } from './server';

export function useServerAndBrowser(ready: (server: TestServer, tb: TestBrowser) => void) {
	let server: TestServer | undefined;
	let tb: TestBrowser | undefined;
	beforeAll(async () => {
		[server, tb] = await Promise.all([TestServer.start(), launch()]);
		ready(server, tb);
	});
	afterAll(async () => {
		await tb?.close();
		await server?.dispose();
	});
}
