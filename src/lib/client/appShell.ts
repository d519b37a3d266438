import { dev } from '$app/environment';

/**
 * Keeps the participant page on this phone for a reload without network (src/service-worker.ts).
 * Production builds only: in development the page must always be the one just edited.
 */
export async function keepPageOffline() {
	if (dev || !('serviceWorker' in navigator)) return;
	try {
		await navigator.serviceWorker.register('/service-worker.js', { scope: '/j/' });
		const { active } = await navigator.serviceWorker.ready;
		active?.postMessage({ keep: location.pathname });
	} catch {
		// No offline copy (private browsing, storage refused): the page still works online.
	}
}
