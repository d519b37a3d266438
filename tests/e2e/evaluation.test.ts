/**
 * Issue 19, item 6, end to end at 360×640: the group's one evaluation. When one member starts
 * filling it, the other's phone shows who (« en cours »), live, until they sent it. Two members
 * answer different questions on their own phones; neither loses the other's answers, both phones
 * show the group's answers with their pressed state, a scale can be cleared, and the end closes the form.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { connectClient, request } from '../helpers/clients';
import { join as joinPath } from 'node:path';
import { expectAccessible, phone, SCREENSHOTS, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('two members fill the one form of their group without losing each other’s answers', async () => {
	const { browser } = tb;
	const e = (await server.api('POST', '/api/events', { title: 'Évaluation', themes: [{ title: 'Salle', statements: ['A'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const join = async (name: string) => {
		const p = await (await phone(browser)).newPage();
		await p.goto(e.joinUrl);
		await p.getByLabel('Votre prénom ou un pseudonyme').fill(name);
		// The categories are folded into one line of the form.
		await p.getByTestId('categories-toggle').click();
		await p.getByLabel(/Habitant·e/).check();
		await p.getByRole('button', { name: /Entrer/ }).click();
		await p.getByTestId('statement-card').first().click();
		await p.getByTestId('my-group').waitFor();
		return p;
	};
	const awa = await join('Awa');
	const bruno = await join('Bruno');
	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);
	for (let i = 0; i < 3; i++) expect((await request(organiser, 'stage:control', { roomId, command: { action: 'next' } })).ok).toBe(true);
	await Promise.all([awa.getByTestId('evaluation').waitFor(), bruno.getByTestId('evaluation').waitFor()]);
	expect(await awa.getByTestId('eval-answered').count()).toBe(0);

	// Awa starts filling the form: Bruno's phone says so with her name, live; hers does not name herself.
	const filling = async (p: Page) => (await p.getByTestId('eval-filling').allTextContents()).map((s) => s.trim());
	await awa.getByLabel('Ce qui a bien marché').focus();
	await expect.poll(() => filling(bruno)).toEqual(['Awa remplit l’évaluation…']);
	expect(await filling(awa)).toEqual([]);
	await expectAccessible(bruno);
	await bruno.screenshot({ path: joinPath(SCREENSHOTS, 'evaluation-filling-phone.png') });

	// Awa answers the first scale and writes what worked; Bruno, at the same time, prefers not to
	// answer the second scale and writes what did not work.
	const pressed = (p: Page, id: string) => p.getByTestId(id).getAttribute('aria-pressed');
	await awa.getByTestId('eval-everyoneSpoke-3').click();
	await bruno.getByTestId('eval-feltHeard-declined').click();
	await expect.poll(() => filling(awa)).toEqual(['Bruno remplit l’évaluation…']);
	await awa.getByLabel('Ce qui a bien marché').fill('On s’est écouté');
	await bruno.getByLabel('Ce qui n’a pas marché').fill('Trop court');
	await Promise.all([awa.getByTestId('eval-send').click(), bruno.getByTestId('eval-send').click()]);
	// Both sent: nobody is shown filling any more.
	await expect.poll(() => filling(awa)).toEqual([]);
	await expect.poll(() => filling(bruno)).toEqual([]);

	const form = async (p: Page) => ({
		spoke: await pressed(p, 'eval-everyoneSpoke-3'),
		heard: await pressed(p, 'eval-feltHeard-declined'),
		worked: await p.getByLabel('Ce qui a bien marché').inputValue(),
		didNotWork: await p.getByLabel('Ce qui n’a pas marché').inputValue(),
		answered: await p.getByTestId('eval-answered').count()
	});
	const both = { spoke: 'true', heard: 'true', worked: 'On s’est écouté', didNotWork: 'Trop court', answered: 1 };
	await expect.poll(() => form(awa)).toEqual(both);
	await expect.poll(() => form(bruno)).toEqual(both);
	const stored = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].groups[0].evaluation;
	expect(await stored()).toEqual({ everyoneSpoke: 3, feltHeard: 'declined', worked: 'On s’est écouté', didNotWork: 'Trop court' });
	// Only one choice of a scale is pressed, and the pressed one is seen, not only told.
	expect(await pressed(bruno, 'eval-everyoneSpoke-4')).toBe('false');
	const look = (id: string) => bruno.getByTestId(id).evaluate((el) => getComputedStyle(el).backgroundColor);
	expect(await look('eval-everyoneSpoke-3')).not.toBe(await look('eval-everyoneSpoke-4'));
	await expectAccessible(bruno);
	await bruno.getByTestId('evaluation').screenshot({ path: joinPath(SCREENSHOTS, 'evaluation-shared-phone.png') });

	// Bruno clears the first scale: Awa's phone sees it cleared, the texts stay.
	await bruno.getByTestId('eval-everyoneSpoke-clear').click();
	await expect.poll(() => form(awa)).toEqual({ ...both, spoke: 'false' });
	expect(await stored()).toMatchObject({ everyoneSpoke: null, feltHeard: 'declined', worked: 'On s’est écouté' });
	await expectAccessible(awa);

	// At the end the answers stay on the phones, and nothing can change them.
	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'next' } })).ok).toBe(true);
	await awa.getByTestId('eval-closed').waitFor();
	expect(await awa.getByTestId('eval-feltHeard-declined').isDisabled()).toBe(true);
	expect(await pressed(awa, 'eval-feltHeard-declined')).toBe('true');
	expect(await awa.getByTestId('eval-send').isDisabled()).toBe(true);
	expect(await awa.getByLabel('Ce qui a bien marché').inputValue()).toBe('On s’est écouté');
	organiser.disconnect();
});
