/**
 * Before the day, from the organiser console: « Répartir dans les salles » spreads the people who
 * all chose one room (docs/room-assignment.md), the paper kit downloads in one click, and a poster's
 * QR code opens the join page with its room chosen.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SCREENSHOTS, expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;

useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('spreads residents and mediators who all chose one room, within the capacities given', async () => {
	const e = (
		await server.api('POST', '/api/events', {
			title: 'Gros Débat',
			themes: [
				{ title: 'Usagers', statements: ['A'] },
				{ title: 'Médiation', statements: ['B'] }
			]
		})
	).body;
	const [usagers, mediation] = e.rooms.map((r: { id: string }) => r.id) as [string, string];
	// Everyone chose « Médiation », as theme 3 in 2017.
	const families = ['mediation', 'mediation', 'mediation', 'mediation', 'habitant', 'habitant', 'sante', 'sante'];
	for (const [i, family] of families.entries()) {
		expect((await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `P${i}`, categories: [family], roomId: mediation })).status).toBe(201);
	}

	const page = await (await tb.browser.newContext({ acceptDownloads: true, locale: 'fr-FR' })).newPage();
	await page.goto(e.organiserUrl);
	const panel = page.getByTestId('room-assignment');
	await panel.getByText('Répartir dans les salles').click();
	await panel.getByTestId('capacity-1').fill('4');
	await panel.getByTestId('capacity-2').fill('4');
	await panel.getByRole('button', { name: /Proposer une répartition \(8 personnes\)/ }).click();
	// Four of the eight can have « Médiation »; each room gets one of the two residents.
	await expect.poll(() => panel.getByTestId('tradeoff').textContent()).toContain('50 % ont leur premier vœu ; chaque salle a au moins 25 % d’habitant·e·s.');
	await expectAccessible(page);
	await panel.screenshot({ path: join(SCREENSHOTS, 'organiser-room-assignment.png') });
	await panel.getByRole('button', { name: 'Publier la répartition (4 changements de salle)' }).click();
	await expect.poll(() => panel.getByTestId('applied').textContent()).toContain('4 personne(s) ont changé de salle.');

	const rooms = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms as { id: string; participants: { total: number; byFamily: Record<string, number> } }[];
	await expect.poll(async () => (await rooms()).map((r) => r.participants.total)).toEqual([4, 4]);
	for (const r of await rooms()) expect(r.participants.byFamily).toEqual({ habitant: 1, mediation: 2, sante: 1 });
	expect((await rooms()).map((r) => r.id)).toEqual([usagers, mediation]);

	// Too few places: a clear error, nothing moves.
	await panel.getByTestId('capacity-1').fill('2');
	await panel.getByRole('button', { name: /Proposer une répartition/ }).click();
	await expect.poll(() => panel.getByRole('alert').textContent()).toContain('capacité totale insuffisante : 6 places pour 8 personnes');
});

it('downloads the paper kit from the console, and a poster opens the join page with its room chosen', async () => {
	const e = (
		await server.api('POST', '/api/events', { title: 'Kit à imprimer', themes: [{ title: 'Usagers', statements: ['A'] }, { title: 'Pratiques', statements: ['B'] }] })
	).body;
	const page = await (await tb.browser.newContext({ acceptDownloads: true, locale: 'fr-FR' })).newPage();
	await page.goto(e.organiserUrl);
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('paper-kit').click()]);
	expect(download.suggestedFilename()).toBe('kit-papier-Kit-à-imprimer.pdf');

	const participant = await (await phone(tb.browser)).newPage();
	await participant.goto(`${server.url}/j/${e.joinCode}?salle=${e.rooms[1].id}`);
	await expect.poll(() => participant.getByRole('radio', { name: 'Pratiques' }).isChecked()).toBe(true);
	expect(await participant.getByRole('radio', { name: 'Usagers' }).isChecked()).toBe(false);
});
