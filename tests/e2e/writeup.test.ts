/**
 * Issue 5, end to end: a rapporteur types the group's CONSTATS on a phone; another member reads
 * them live and asks to clarify one; the organiser follows text and marks; the rapporteur goes
 * offline, types a third item, comes back, and the item reaches the organiser.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

async function typeItem(page: Page, text: string) {
	await page.getByTestId('add-item').click();
	const input = page.getByTestId('item-input').last();
	await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
	await page.keyboard.type(text, { delay: 15 });
}

it('writes live, reacts, survives being offline, and reaches the organiser', async () => {
	const { browser } = tb;
	const e = (
		await server.api('POST', '/api/events', { title: 'Synthèses', themes: [{ title: 'Salle', statements: ['On ne nous écoute pas'] }] })
	).body;
	const roomId = e.rooms[0].id;
	const organiserSocket = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiserSocket, 'room:setPhase', { roomId, phase: 'choice' });

	const phones: Page[] = [];
	for (const name of ['Rapporteuse', 'Membre']) {
		const ctx = await phone(browser);
		const p = await ctx.newPage();
		await p.goto(e.joinUrl);
		await p.getByLabel('Votre prénom ou un pseudonyme').fill(name);
		await p.getByRole('button', { name: /Entrer/ }).click();
		await p.getByTestId('statement-card').first().click();
		await p.getByTestId('my-group').waitFor();
		phones.push(p);
	}
	const [rapporteur, member] = phones as [Page, Page];
	expect((await request(organiserSocket, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);

	await rapporteur.getByTestId('pen').click();
	await expect.poll(() => rapporteur.getByTestId('pen').getAttribute('aria-pressed')).toBe('true');
	await typeItem(rapporteur, 'Les habitants ne sont pas écoutés');
	// Helper mode: the second idea is typed on behalf of the other member, and says so.
	await rapporteur.getByTestId('helper-for').selectOption({ label: 'Membre' });
	await typeItem(rapporteur, 'Les horaires ne conviennent pas');
	await rapporteur.getByTestId('helper-for').selectOption({ label: 'moi-même' });
	await expect.poll(() => rapporteur.getByTestId('save-state').textContent()).toContain('enregistré');

	// The member reads along and asks to clarify the second item.
	await expect.poll(() => member.getByTestId('item-text').allTextContents()).toEqual([
		'Les habitants ne sont pas écoutés',
		'Les horaires ne conviennent pas'
	]);
	await member.getByTestId('clarify').nth(1).click();
	await member.getByTestId('reason-unclear').click();
	await expect.poll(() => member.getByTestId('clarify').nth(1).getAttribute('aria-pressed')).toBe('true');
	await expectAccessible(member);
	await expectAccessible(rapporteur);

	// The organiser's console shows the text and the mark.
	const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
	const organiser = await desk.newPage();
	await organiser.goto(e.organiserUrl);
	const groupDoc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const groupId = groupDoc.rooms[0].statements[0].groups[0].id;
	await organiser.getByTestId(`writeup-${groupId}`).locator('summary').click();
	const items = organiser.getByTestId('reader-item');
	await expect.poll(() => items.count()).toBe(2);
	await expect.poll(() => items.nth(1).getByTestId('reader-clarify').textContent()).toBe('1');
	expect(await items.nth(0).textContent()).toContain('Les habitants ne sont pas écoutés');

	// The organiser asks for a precision; the group sees it at the table.
	await organiser.getByPlaceholder('Demander une précision').nth(1).fill('Quels horaires ?');
	await organiser.getByRole('button', { name: /Envoyer/ }).nth(1).click();
	await expect.poll(() => member.getByTestId('comment').allTextContents()).toEqual(['💬 Quels horaires ?']);
	await expectAccessible(organiser);

	// Offline: the rapporteur keeps typing; nothing is lost, « en attente » tells the truth.
	await rapporteur.context().setOffline(true);
	await typeItem(rapporteur, 'Il manque un lieu pour se réunir');
	await expect.poll(() => rapporteur.getByTestId('save-state').textContent()).toContain('en attente');
	await new Promise((r) => setTimeout(r, 500));
	expect(await items.count()).toBe(2);
	await rapporteur.context().setOffline(false);
	await expect.poll(() => rapporteur.getByTestId('save-state').textContent(), { timeout: 20_000 }).toContain('enregistré');
	await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(3);
	expect(await items.nth(2).textContent()).toContain('Il manque un lieu pour se réunir');

	// The projection's tile shows the write-up progressing: three findings so far.
	const projector = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
	const projection = await projector.newPage();
	await projection.goto(e.rooms[0].projectionUrl);
	await expect.poll(() => projection.getByTestId('tile-progress').getAttribute('aria-label')).toBe('Synthèse : 3 constats, 0 idées, 0 actions');
	expect(await projection.locator('body').innerText()).not.toContain('Les habitants ne sont pas écoutés');

	// And the API's event document has the whole write-up; helper mode names the member by id, never by name.
	const people = await nextEvent<{ id: string; displayName: string }[]>(organiserSocket, 'people', (list) => list.some((p) => p.displayName === 'Membre'));
	const memberId = people.find((p) => p.displayName === 'Membre')?.id;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const writeup = doc.rooms[0].statements[0].groups[0].writeup;
	expect(
		writeup.stages[0].items.map((i: { text: string; clarify: number; comments: string[]; via: string | null }) => [i.text, i.clarify, i.comments, i.via])
	).toEqual([
		['Les habitants ne sont pas écoutés', 0, [], null],
		['Les horaires ne conviennent pas', 1, ['Quels horaires ?'], memberId],
		['Il manque un lieu pour se réunir', 0, [], null]
	]);
	expect(await member.getByText('écrit pour Membre').count()).toBe(1);
	expect(writeup.stages).toHaveLength(3);
	organiserSocket.disconnect();
});
