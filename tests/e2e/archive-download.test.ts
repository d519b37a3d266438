/** The organiser's JSON archive downloads under the event's title and date, accents kept. */
import { expect, it } from 'vitest';
import type { TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;

useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('saves the archive as palabre-<title>-<date>.json', async () => {
	const e = (
		await server.api('POST', '/api/events', { title: 'Rencontre à Chambéry', date: '2017-06-15', themes: [{ title: 'Salle', statements: ['A'] }] })
	).body;
	const page = await (await tb.browser.newContext({ acceptDownloads: true, locale: 'fr-FR' })).newPage();
	await page.goto(e.organiserUrl);
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
	expect(download.suggestedFilename()).toBe('palabre-Rencontre-à-Chambéry-2017-06-15.json');
});
