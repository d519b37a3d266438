/**
 * A planned restart (Ctrl-C or SIGTERM, then a new start): the pages say the server restarts,
 * not that the connection was lost, and come back by themselves as the same person.
 */
import { expect, it } from 'vitest';
import { connectClient, request } from '../helpers/clients';
import { expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;

useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('shows « redémarrage du serveur » on phones and projections during a restart, then reconnects them', async () => {
	const { browser } = tb;
	const e = (await server.api('POST', '/api/events', { title: 'Redémarrage', themes: [{ title: 'Salle', statements: ['A'] }] })).body;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	expect((await request(organiser, 'room:setPhase', { roomId: e.rooms[0].id, phase: 'choice' })).ok).toBe(true);
	organiser.close();

	const projection = await (await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' })).newPage();
	await projection.goto(e.rooms[0].projectionUrl);
	await projection.getByTestId('qr').waitFor();
	const p = await (await phone(browser)).newPage();
	await p.goto(e.joinUrl);
	await p.getByLabel('Votre prénom ou un pseudonyme').fill('Awa');
	// The categories are folded into one line of the form.
	await p.getByTestId('categories-toggle').click();
	await p.getByLabel(/Habitant·e/).check();
	await p.getByRole('button', { name: /Entrer/ }).click();
	await p.getByTestId('statement-card').first().click();
	await p.getByTestId('my-group').waitFor();

	await server.stop('SIGTERM');
	for (const page of [p, projection]) {
		await expect.poll(() => page.getByTestId('offline').textContent()).toBe('Redémarrage du serveur, reconnexion…');
	}
	await expectAccessible(p);

	await server.spawn();
	for (const page of [p, projection]) await page.getByTestId('offline').waitFor({ state: 'detached', timeout: 30_000 });
	// The same person, in the same group.
	await p.getByTestId('my-group').waitFor();
	expect(await p.getByLabel('Votre prénom ou un pseudonyme').count()).toBe(0);
});
