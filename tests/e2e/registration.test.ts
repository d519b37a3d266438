/**
 * Issue 22, wishes before the event: three people register from their phones and rank the rooms;
 * the organiser proposes an assignment from those wishes, adjusts one person, publishes; a
 * registered person opens the join link on the day and lands in their room, with no pseudonym to type.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { SCREENSHOTS, expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';
import type { OrganiserDocument } from '../../src/lib/views';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('three people register with wishes; the organiser proposes, adjusts one, publishes; a registered phone lands in its room', async () => {
	const e = (
		await server.api('POST', '/api/events', {
			title: 'Gros Débat 2027',
			themes: ['Usagers', 'Pratiques', 'Médiation'].map((title) => ({ title, statements: [`${title} : un énoncé`] }))
		})
	).body;
	const doc: OrganiserDocument = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const [usagers, pratiques, mediation] = doc.rooms.map((r) => r.id) as [string, string, string];

	/** Registers from a phone: the rooms moved up with the ↑ buttons until `first` leads. */
	async function register(name: string, family: string, first: string, screenshot = false): Promise<Page> {
		const page = await (await phone(tb.browser)).newPage();
		await page.goto(doc.registerUrl);
		await page.getByLabel('Votre prénom ou un pseudonyme').fill(name);
		await page.getByTestId('categories').getByRole('checkbox', { name: family }).check();
		const ranking = page.getByTestId('ranking');
		for (let i = 0; i < 3 && (await ranking.locator('li').first().textContent())?.includes(first) !== true; i++) {
			await page.getByRole('button', { name: `Monter « ${first} »` }).click();
		}
		expect(await ranking.locator('li').first().textContent()).toContain(first);
		if (screenshot) {
			await expectAccessible(page);
			await page.screenshot({ path: join(SCREENSHOTS, 'registration-phone.png') });
		}
		await page.getByRole('button', { name: 'M’inscrire' }).click();
		await page.getByText(`C’est noté, ${name} !`).waitFor();
		return page;
	}
	const awa = await register('Awa', 'Habitant·e', 'Médiation', true);
	await register('Bruno', 'Médiateur·rice', 'Médiation');
	await register('Chloé', 'Professionnel·le de santé', 'Pratiques');

	const console_ = await (await tb.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' })).newPage();
	await console_.goto(e.organiserUrl);
	await console_.getByTestId('register').getByText('Inscriptions avec vœux').click();
	await console_.getByTestId('register-share-qr').waitFor();
	const panel = console_.getByTestId('room-assignment');
	await panel.getByText('Répartir dans les salles').click();
	await expect.poll(() => panel.getByTestId('wishes-count').textContent()).toContain('3 personne(s) sur 3 ont classé les salles');
	for (const n of [1, 2, 3]) await panel.getByTestId(`capacity-${n}`).fill('1');
	await panel.getByRole('button', { name: /Proposer une répartition \(3 personnes\)/ }).click();
	// Awa and Bruno both want Médiation, which has one place: one of them gets it.
	await expect.poll(() => panel.getByTestId('tradeoff').textContent()).toContain('67 % ont leur premier vœu');
	// The organiser swaps two people: Chloé to Usagers, and whoever missed Médiation to Pratiques.
	const chloe = panel.getByTestId('assign-Chloé');
	expect(await chloe.inputValue()).toBe(pratiques);
	const awaRoom = await panel.getByTestId('assign-Awa').inputValue();
	const missed = panel.getByTestId(awaRoom === mediation ? 'assign-Bruno' : 'assign-Awa');
	await chloe.selectOption(usagers);
	await missed.selectOption(pratiques);
	await expect.poll(() => panel.getByTestId('tradeoff').textContent()).toContain('33 % ont leur premier vœu');
	await expectAccessible(console_);
	await panel.screenshot({ path: join(SCREENSHOTS, 'console-room-assignment-wishes.png') });
	await panel.getByRole('button', { name: 'Publier la répartition (3 changements de salle)' }).click();
	await expect.poll(() => panel.getByTestId('applied').textContent()).toContain('3 personne(s) ont changé de salle.');

	const after: OrganiserDocument = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	expect(after.rooms.map((r) => r.participants.total)).toEqual([1, 1, 1]);
	const awaExpected = awaRoom === mediation ? 'Médiation' : 'Pratiques';

	// On the day, Awa's phone opens the join link: already known, straight into her room.
	await awa.getByTestId('day-link').click();
	await awa.getByTestId('my-room').getByText(`Vous êtes dans la salle : ${awaExpected}`).waitFor();
	expect(await awa.getByLabel('Votre prénom ou un pseudonyme').count()).toBe(0);
	expect(await awa.getByRole('heading', { level: 1 }).textContent()).toContain('Awa');
	await expectAccessible(awa);
}, 180_000);
