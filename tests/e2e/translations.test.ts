/**
 * Issue 11, translations: the organiser translates a statement and a stage question from the
 * console; the phone in English shows them (marked as English), the phone in French and the
 * projection keep the French originals. axe checks the console's translations section.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { connectClient, request } from '../helpers/clients';
import { SCREENSHOTS, expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('the organiser translates from the console; the English phone reads the translations, French screens the originals', async () => {
	const e = (
		await server.api('POST', '/api/events', { title: 'Bilingue', themes: [{ title: 'Salle', statements: ['On parle de tout', 'Le logement, c’est la santé'] }] })
	).body;

	// The organiser's console: one statement and stage 1's question, in English.
	const desk = await tb.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
	const console_ = await desk.newPage();
	await console_.goto(e.organiserUrl);
	const section = console_.getByTestId('translations');
	await section.getByText('🌐 Traductions').click();
	const room = section.getByTestId('translate-room');
	await room.getByLabel('« On parle de tout »').fill('We talk about everything');
	await room.getByRole('button', { name: 'Enregistrer' }).click();
	await room.getByRole('status').getByText('Traductions enregistrées').waitFor();
	const stages = section.getByTestId('translate-stages');
	// The method's questions come already translated; the organiser rewords the first.
	const question1 = stages.getByLabel('Question de l’étape 1 en anglais');
	expect(await question1.inputValue()).toBe('What is the problem / the question raised?');
	await question1.fill('What is the problem, here and now?');
	await stages.getByRole('button', { name: 'Enregistrer' }).click();
	await stages.getByRole('status').getByText('Traductions enregistrées').waitFor();
	await expectAccessible(console_);
	await section.screenshot({ path: join(SCREENSHOTS, 'console-translations.png') });
	await console_.getByRole('button', { name: 'Switch to English' }).click();
	await section.getByText('Statements of the room « Salle » in English').waitFor();
	await expectAccessible(console_);

	const joinAs = async (name: string) => {
		const page = await (await phone(tb.browser)).newPage();
		await page.goto(e.joinUrl);
		await page.getByLabel('Votre prénom ou un pseudonyme').fill(name);
		await page.getByRole('button', { name: /Entrer/ }).click();
		await page.getByTestId('my-room').waitFor();
		return page;
	};
	const [fr, en] = (await Promise.all([joinAs('Farida'), joinAs('Eddie')])) as [Page, Page];
	await en.getByRole('button', { name: 'Switch to English' }).click();
	const projection = await (await tb.browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
	await projection.goto(e.rooms[0].projectionUrl);

	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId: e.rooms[0].id, phase: 'choice' });
	const cards = (p: Page) => p.getByTestId('statement-card');
	await cards(en).first().getByText('« We talk about everything »').waitFor();
	// The translation is marked as English, the untranslated statement as French (WCAG 3.1.2).
	expect(await cards(en).locator('.text').evaluateAll((els) => els.map((el) => [el.textContent, el.getAttribute('lang')]))).toEqual([
		['« We talk about everything »', 'en'],
		['« Le logement, c’est la santé »', 'fr']
	]);
	await cards(fr).first().getByText('« On parle de tout »').waitFor();
	await projection.getByText('« On parle de tout »').first().waitFor();
	expect(await projection.getByText('We talk about everything').count()).toBe(0);

	// Both sit at the translated statement; the stages start.
	for (const p of [fr, en]) {
		await cards(p).first().click();
		await p.getByTestId('my-group').first().waitFor();
	}
	// The group line names the group; the chosen card shows the statement, translated.
	await en.locator('[data-testid="statement-card"][aria-pressed="true"]').getByText('« We talk about everything »').waitFor();
	await request(organiser, 'stage:control', { roomId: e.rooms[0].id, command: { action: 'start' } });
	await en.getByTestId('question').getByText('What is the problem, here and now?').waitFor();
	expect(await en.getByTestId('question').getAttribute('lang')).toBe('en');
	expect(await en.getByTestId('group-stage').getByRole('heading', { level: 2 }).textContent()).toBe('The problem');
	await fr.getByTestId('question').getByText('Quel est le problème / la question posée ?').waitFor();
	await projection.getByTestId('question').getByText('Quel est le problème / la question posée ?').waitFor();
	await expectAccessible(en);
	await en.screenshot({ path: join(SCREENSHOTS, 'phone-translated-stage.png') });
	organiser.disconnect();
});
