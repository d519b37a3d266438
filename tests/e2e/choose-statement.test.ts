/**
 * Issue 3, end to end: seven phones pick the same statement; the seventh lands in Groupe 2;
 * the projection shows both groups with their seats and category markers, and warns about
 * a group of professionals only.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { SCREENSHOTS, expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;

useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('seats the seventh chooser in Groupe 2 and shows composition on the big screen', async () => {
	const { browser } = tb;
	const created = await server.api('POST', '/api/events', {
		title: 'Gros Débat',
		themes: [{ title: 'Médiation', statements: ['Les médiatrices sont indispensables', 'On manque de temps'] }]
	});
	const e = created.body;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;

	const projector = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
	const projection = await projector.newPage();
	await projection.goto(e.rooms[0].projectionUrl);
	await projection.getByTestId('qr').waitFor();

	// Seven phones join: one resident among six health professionals.
	const phones: Page[] = [];
	for (let i = 0; i < 7; i++) {
		const ctx = await phone(browser);
		const p = await ctx.newPage();
		await p.goto(e.joinUrl);
		await p.getByLabel('Votre prénom ou un pseudonyme').fill(`Personne ${i + 1}`);
		// The categories are folded into one line of the form.
		await p.getByTestId('categories-toggle').click();
		await p.getByLabel(i === 6 ? /Habitant·e/ : /Professionnel·le de santé/).check();
		await p.getByRole('button', { name: /Entrer/ }).click();
		await p.getByTestId('my-room').waitFor();
		phones.push(p);
	}
	await expect.poll(() => projection.getByTestId('present').textContent()).toBe('7 présent·e·s dans la salle');

	// The facilitator opens the choice from the facilitation page.
	const desk = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
	const facilitator = await desk.newPage();
	await facilitator.goto(doc.rooms[0].facilitatorUrl);
	await facilitator.getByRole('button', { name: 'Choix des énoncés' }).click();
	await expect.poll(() => facilitator.getByRole('button', { name: 'Choix des énoncés' }).getAttribute('aria-pressed')).toBe('true');

	for (const [i, p] of phones.entries()) {
		const card = p.getByTestId('statement-card').filter({ hasText: 'Les médiatrices sont indispensables' });
		await card.click();
		await p.getByTestId('my-group').waitFor();
		const expected = i < 6 ? 'Groupe 1' : 'Groupe 2';
		await expect.poll(() => p.getByTestId('my-group').textContent()).toContain(expected);
	}
	await expectAccessible(phones[6] as Page);

	const groups = projection.getByTestId('group');
	// The seventh does not sit alone: the last two seated in Groupe 1 join them (4 + 3).
	await expect.poll(() => groups.evaluateAll((els) => els.map((el) => `${el.getAttribute('data-number')}:${el.getAttribute('data-seats')}`))).toEqual(['1:4', '2:3']);
	const markers = (n: number) =>
		groups.nth(n).locator('.seat:not(.free)').evaluateAll((els) => els.map((el) => `${el.getAttribute('data-family')}:${el.textContent?.trim()}`));
	expect(await markers(0)).toEqual(Array(4).fill('sante:S'));
	expect((await markers(1)).sort()).toEqual(['habitant:H', 'sante:S', 'sante:S']);
	expect(await groups.nth(1).locator('.seat.free').count()).toBe(3);
	// The professionals-only group is flagged; the resident's group is not.
	expect(await groups.nth(0).getByTestId('no-resident').count()).toBe(1);
	expect(await groups.nth(1).getByTestId('no-resident').count()).toBe(0);
	await expect.poll(() => projection.getByTestId('room-warning').textContent()).toContain('1 groupe(s) sans habitant·e');
	const text = await projection.locator('body').innerText();
	for (let i = 1; i <= 7; i++) expect(text).not.toContain(`Personne ${i}`);
	await expectAccessible(projection);
	await expectAccessible(facilitator);
	await projection.screenshot({ path: join(SCREENSHOTS, 'projection-choice.png') });
	await (phones[6] as Page).screenshot({ path: join(SCREENSHOTS, 'phone-choice.png'), fullPage: true });

	// The resident moves to the other statement: Groupe 2 disappears, nobody is renumbered.
	await phones[6]?.getByTestId('statement-card').filter({ hasText: 'On manque de temps' }).click();
	await expect.poll(() => groups.evaluateAll((els) => els.map((el) => `${el.getAttribute('data-number')}:${el.getAttribute('data-seats')}`))).toEqual(['1:6', '1:1']);
});
