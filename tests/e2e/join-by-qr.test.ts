/**
 * Issue 2, end to end: an organiser creates the Chambéry 2017 event, the projection shows a QR
 * code that a phone "scans" (we decode the image), two participants join, the projection's counts
 * follow live, and a reload keeps the same participant.
 */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;

useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

async function decodeQr(page: Page): Promise<string> {
	const png = PNG.sync.read(await page.getByTestId('qr').screenshot());
	const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
	if (!code) throw new Error('no QR code found in the projection');
	return code.data;
}

it('creates an event from the template, joins by QR code and counts live', async () => {
	const { browser } = tb;
	const desk = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
	const organiser = await desk.newPage();

	await organiser.goto(`${server.url}/new`);
	await expectAccessible(organiser);
	await organiser.getByRole('button', { name: /modèle « Chambéry 2017 »/ }).click();
	await expect.poll(() => organiser.getByLabel('Titre de l’événement').inputValue()).toContain('Gros Débat');
	await expect.poll(() => organiser.getByText(/Modèle : les 21 énoncés/).count()).toBe(1);
	await organiser.getByRole('button', { name: /Créer l’événement/ }).click();
	await organiser.waitForURL(/\/o\/[\w-]+#.+/);
	await organiser.getByRole('heading', { level: 1 }).waitFor();
	expect(await organiser.getByText(/Gardez ce lien secret/).count()).toBe(1);
	// The console opens on the day's rooms (links to project and to facilitate), then the rest.
	expect(await organiser.getByTestId('on-the-day').getByRole('heading', { level: 3 }).allTextContents()).toEqual([
		'Quelle place pour les usagers ? De quelle manière peuvent-ils participer ?',
		'Quel impact de la participation sur les pratiques professionnelles ?',
		'Quelles attentes vis-à-vis de la médiation et de l’accompagnement santé ?'
	]);
	expect(await organiser.locator('li', { hasText: 'La parole collective existe dans les quartiers' }).count()).toBe(1);
	await expectAccessible(organiser);

	// The projector of the first room.
	const projectionUrl = await organiser.getByTestId('projection-link').first().getAttribute('href');
	const projector = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
	const projection = await projector.newPage();
	await projection.goto(projectionUrl as string);
	await projection.getByTestId('qr').waitFor();
	const present = projection.getByTestId('present');
	await expect.poll(() => present.textContent()).toBe('0 présent·e·s dans la salle');
	await expectAccessible(projection);

	const joinUrl = await decodeQr(projection);
	const code = (await projection.getByTestId('join-code').textContent())?.replace('Code : ', '');
	expect(joinUrl).toBe(`${server.url}/j/${code}`);

	async function joinWithPhone(name: string, category: RegExp) {
		const ctx = await phone(browser);
		const p = await ctx.newPage();
		await p.goto(joinUrl);
		await p.getByLabel('Votre prénom ou un pseudonyme').fill(name);
		// The categories are folded into one line of the form.
		await p.getByTestId('categories-toggle').click();
		await p.getByLabel(category).check();
		await p.getByLabel(/Quelle place pour les usagers/).check();
		await p.getByRole('button', { name: /Entrer/ }).click();
		await p.getByTestId('my-room').waitFor();
		return p;
	}

	const samia = await joinWithPhone('Samia', /Habitant·e/);
	await expectAccessible(samia);
	await expect.poll(() => present.textContent()).toBe('1 présent·e·s dans la salle');
	const karim = await joinWithPhone('Karim', /Professionnel·le de santé/);
	await expect.poll(() => present.textContent()).toBe('2 présent·e·s dans la salle');
	const counts = () =>
		projection.locator('li[data-family]').evaluateAll((lis) =>
			lis.map((li) => `${li.getAttribute('data-family')}=${li.querySelector('.n')?.textContent}`)
		);
	await expect.poll(counts).toEqual(['habitant=1', 'sante=1']);
	// No names anywhere on the big screen.
	const projected = await projection.locator('body').innerText();
	expect(projected).not.toContain('Samia');
	expect(projected).not.toContain('Karim');

	// A reload is the same person: greeted by name, no form, counts unchanged.
	await samia.reload();
	await samia.getByText('Bonjour Samia !').waitFor();
	expect(await samia.getByLabel('Votre prénom ou un pseudonyme').count()).toBe(0);
	expect(await karim.getByText('Bonjour Karim !').count()).toBe(1);
	await new Promise((r) => setTimeout(r, 300));
	expect(await present.textContent()).toBe('2 présent·e·s dans la salle');
	expect(await counts()).toEqual(['habitant=1', 'sante=1']);

	// The organiser's console followed too.
	await expect.poll(() => organiser.getByTestId('total').textContent()).toContain('2 participant·e·s');
});

it('the home and join pages are accessible in French and English', async () => {
	const ctx = await phone(tb.browser);
	const page = await ctx.newPage();
	await page.goto(server.url);
	await expectAccessible(page);
	await page.getByRole('button', { name: 'Switch to English' }).click();
	await page.getByRole('heading', { name: 'Join a debate' }).waitFor();
	expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
	await expectAccessible(page);
	await page.goto(`${server.url}/j/ZZZZZZ`);
	await page.getByText('This code matches no event').waitFor();
	await expectAccessible(page);
	await ctx.close();
});
