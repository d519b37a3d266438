/**
 * The participants' app shell, kept on the phone so that a reload in a Wi-Fi dead spot still opens
 * the page. Registered for /j/ only, once the person has joined, in production builds only
 * (src/lib/client/appShell.ts).
 *
 * What is cached, and why nothing else:
 * - this version's code and static files (`build`, `files`): public, immutable;
 * - the participant page /j/<code> as the server rendered it: the event's public information
 *   (title, rooms) that anyone holding the join code sees; no token, no name. The person's own
 *   session is kept by the page itself (src/lib/client/participantToken.ts), their write-up by
 *   y-indexeddb.
 * The API, socket.io and the Yjs endpoint are never intercepted: they carry tokens and personal
 * data, and must fail rather than answer from an old copy.
 */
import { build, files, version } from '$service-worker';

// The few service-worker types we use (the webworker lib would clash with the DOM one project-wide).
interface ExtendableEvent extends Event {
	waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
	readonly request: Request;
	respondWith(response: Promise<Response>): void;
}
interface MessageEvent extends ExtendableEvent {
	readonly data: unknown;
}
interface WorkerScope {
	skipWaiting(): Promise<void>;
	addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
	addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
	addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}
const sw = self as unknown as WorkerScope;

const CACHE = `palabre-${version}`;
const SHELL = new Set([...build, ...files]);
/** The participant page; the page asks to keep the one it shows. */
const PAGE = /^\/j\/[^/]+$/;
/** On a Wi-Fi that hangs rather than fails, the kept page is shown after this long. */
const NETWORK_WAIT_MS = 3_000;

/** Pages are kept under their path alone: a query string changes nothing in them. */
const pageKey = (url: string) => new URL(url, location.origin).pathname;

async function keepPage(path: string) {
	const res = await fetch(path);
	if (res.ok) await (await caches.open(CACHE)).put(pageKey(path), res);
}

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(CACHE)
			.then((cache) => cache.addAll([...SHELL]))
			// A new version replaces the old one at once: the kept pages move to it below.
			.then(() => sw.skipWaiting())
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const name of await caches.keys()) {
				if (name === CACHE) continue;
				// Pages kept by the old version refer to its code: fetch them again for this one.
				const old = await caches.open(name);
				const pages = (await old.keys()).map((r) => pageKey(r.url)).filter((p) => PAGE.test(p));
				await Promise.allSettled(pages.map(keepPage));
				await caches.delete(name);
			}
		})()
	);
});

sw.addEventListener('message', (event) => {
	const path = (event.data as { keep?: unknown } | null)?.keep;
	if (typeof path !== 'string' || !PAGE.test(path)) return;
	// The page may have been reached without a navigation through this worker (first visit,
	// link followed inside the app): keep it now.
	event.waitUntil(
		caches
			.open(CACHE)
			.then((cache) => cache.match(path))
			.then((kept) => (kept ? undefined : keepPage(path).catch(() => undefined)))
	);
});

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== location.origin) return;
	if (SHELL.has(url.pathname)) {
		event.respondWith(caches.match(url.pathname).then((kept) => kept ?? fetch(request)));
	} else if (request.mode === 'navigate' && PAGE.test(url.pathname)) {
		event.respondWith(networkFirst(event, url.pathname));
	}
	// Anything else (the API above all) goes to the network untouched.
});

/** The page from the network, kept for next time; the kept one when the network fails or hangs. */
async function networkFirst(event: FetchEvent, path: string): Promise<Response> {
	const cache = await caches.open(CACHE);
	const network = fetch(event.request).then((res) => {
		if (res.ok) event.waitUntil(cache.put(path, res.clone()));
		return res;
	});
	const kept = cache.match(path);
	const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), NETWORK_WAIT_MS));
	try {
		const first = await Promise.race([network, late]);
		if (first !== 'late') return first;
		return (await kept) ?? (await network);
	} catch (err) {
		const copy = await kept;
		if (copy) return copy;
		throw err;
	}
}
