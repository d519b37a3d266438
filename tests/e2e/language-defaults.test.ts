/**
 * Issue 21, language defaults: an event created in English gets the method's questions and names
 * in English; a phone that never chose a language starts in its browser's language when Palabre
 * speaks it, and in the event's otherwise.
 */
import { expect, it } from 'vitest';
import { DEFAULT_STAGE_NAMES_EN, DEFAULT_STAGE_QUESTIONS_EN } from '../../src/lib/domain/eventSettings';
import { phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('creates an event in English with the English stage questions and names', async () => {
	const desk = await tb.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
	const page = await desk.newPage();
	await page.goto(`${server.url}/new`);
	await page.getByLabel('Titre de l’événement').fill('Health in our neighbourhoods');
	await page.getByLabel('Langue de l’événement').selectOption('en');
	expect(await page.locator('#q-0').inputValue()).toBe(DEFAULT_STAGE_QUESTIONS_EN[0]);
	// A question the organiser rewrote stays as written whatever the language.
	await page.locator('#q-2').fill('Et demain ?');
	await page.getByLabel('Langue de l’événement').selectOption('fr');
	await page.getByLabel('Langue de l’événement').selectOption('en');
	await page.getByLabel('Thème 1', { exact: true }).fill('Participation');
	await page.getByLabel('Énoncés du thème 1 (un par ligne)').fill('Residents decide');
	await page.getByRole('button', { name: /Créer l’événement/ }).click();
	await page.waitForURL(/\/o\//);
	const [, eventId] = /\/o\/([\w-]+)/.exec(page.url()) ?? [];
	const token = new URL(page.url()).hash.slice(1);
	const doc = (await server.api('GET', `/api/events/${eventId}`, undefined, token)).body;
	expect(doc.language).toBe('en');
	expect(doc.settings.stageQuestions).toEqual([DEFAULT_STAGE_QUESTIONS_EN[0], DEFAULT_STAGE_QUESTIONS_EN[1], 'Et demain ?']);
	expect(doc.settings.stageNames).toEqual([...DEFAULT_STAGE_NAMES_EN]);
	await desk.close();
});

it('starts a phone without a stored choice in its browser’s language, else in the event’s', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Santé', themes: [{ title: 'Salle', statements: ['On parle de tout'] }] })).body;
	const open = async (locale: string) => {
		const page = await (await phone(tb.browser, locale)).newPage();
		await page.goto(e.joinUrl);
		return page;
	};
	const english = await open('en-GB');
	await english.getByLabel('Your first name or a pseudonym').waitFor();
	expect(await english.evaluate(() => document.documentElement.lang)).toBe('en');
	// A language Palabre does not speak: the event's.
	const german = await open('de-DE');
	await german.getByLabel('Votre prénom ou un pseudonyme').waitFor();
	// A choice made on the phone wins over the browser.
	await english.getByRole('button', { name: 'Passer en français' }).click();
	await english.reload();
	await english.getByLabel('Votre prénom ou un pseudonyme').waitFor();
	expect(await english.evaluate(() => document.documentElement.lang)).toBe('fr');
});
