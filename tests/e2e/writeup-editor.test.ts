/**
 * Issue 19, end to end on 360×640 phones: the rapporteur types five ideas with Enter alone and
 * the actes get five; Backspace in an empty idea goes back; a deletion is undone from its toast;
 * typing keeps its caret while another pen holder edits; reactions show their pressed state;
 * one member's « à préciser » does not send an idea to the annex; « Mme Dupont, diabétique… »
 * gets the careful-words hint on the phone and in the facilitator's reader, and the organiser
 * sees the count before exporting; after « Terminer » the editor is read-only, and a facilitator
 * reopens it (logged).
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
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

const focused = (field: Locator) => field.evaluate((el) => el === document.activeElement);
const caret = (field: Locator) => field.evaluate((el) => (el as HTMLTextAreaElement).selectionStart);
const values = (page: Page) => page.getByTestId('item-input').evaluateAll((els) => els.map((el) => (el as HTMLTextAreaElement).value));

/** A screenshot of the phone's screen with `what` in view. */
async function shot(page: Page, what: Locator, name: string) {
	await what.scrollIntoViewIfNeeded();
	await page.screenshot({ path: join(SCREENSHOTS, `phone-writeup-${name}.png`) });
}

it('types ideas with Enter, undoes a deletion, flags names and health, and closes with « Terminer »', async () => {
	const { browser } = tb;
	const e = (
		await server.api('POST', '/api/events', { title: 'Rédaction', themes: [{ title: 'Salle', statements: ['On ne nous écoute pas'] }] })
	).body;
	const roomId = e.rooms[0].id;
	const organiserSocket = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiserSocket, 'room:setPhase', { roomId, phase: 'choice' });

	const phones: Page[] = [];
	for (const name of ['Rapporteuse', 'Karima']) {
		const p = await (await phone(browser)).newPage();
		await p.goto(e.joinUrl);
		await p.getByLabel('Votre prénom ou un pseudonyme').fill(name);
		await p.getByRole('button', { name: /Entrer/ }).click();
		await p.getByTestId('statement-card').first().click();
		await p.getByTestId('my-group').waitFor();
		phones.push(p);
	}
	const [rapporteur, member] = phones as [Page, Page];
	expect((await request(organiserSocket, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);
	const groupId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].groups[0].id as string;

	// Five ideas, typed with Enter alone between them.
	await rapporteur.getByTestId('pen').click();
	await expect.poll(() => rapporteur.getByTestId('pen').getAttribute('aria-pressed')).toBe('true');
	await rapporteur.getByTestId('add-item').click();
	const inputs = rapporteur.getByTestId('item-input');
	await expect.poll(() => focused(inputs.first())).toBe(true);
	const ideas = ['Les habitants ne sont pas écoutés', 'Les horaires ne conviennent pas', 'Il manque un lieu', 'Les soignants manquent de temps', 'On se sent jugés'];
	for (const [i, idea] of ideas.entries()) {
		if (i > 0) await rapporteur.keyboard.press('Enter');
		await expect.poll(() => focused(inputs.nth(i))).toBe(true);
		await rapporteur.keyboard.type(idea, { delay: 10 });
	}
	await expect.poll(() => values(rapporteur)).toEqual(ideas);
	await expect.poll(() => rapporteur.getByTestId('save-state').textContent()).toContain('enregistré');
	const markdown = async () => (await fetch(`${server.url}/api/events/${e.id}/actes?format=md`, { headers: { authorization: `Bearer ${e.organiserToken}` } })).text();
	const constats = (md: string) => md.split('\n').filter((l) => ideas.some((idea) => l.includes(idea)) && l.trimStart().startsWith('-'));
	await expect.poll(async () => constats(await markdown()).length).toBe(5);

	// Enter then Backspace: the empty idea goes, the caret is back at the end of the fifth.
	await rapporteur.keyboard.press('Enter');
	await expect.poll(() => inputs.count()).toBe(6);
	await rapporteur.keyboard.press('Backspace');
	await expect.poll(() => inputs.count()).toBe(5);
	await expect.poll(() => focused(inputs.nth(4))).toBe(true);
	expect(await caret(inputs.nth(4))).toBe(ideas[4]?.length);
	// Enter in the middle of an idea splits it there; Shift+Enter is a line break within.
	await rapporteur.keyboard.type(' ici', { delay: 10 });
	await rapporteur.keyboard.press('Shift+Enter');
	await rapporteur.keyboard.type('et ailleurs', { delay: 10 });
	await expect.poll(() => values(rapporteur)).toEqual([...ideas.slice(0, 4), `${ideas[4]} ici\net ailleurs`]);
	await expect.poll(() => inputs.nth(4).evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);

	// Another pen holder edits the first idea while the rapporteur types in the fifth: the
	// rapporteur keeps focus and caret, and every keystroke lands where it was typed.
	await member.getByTestId('pen').click();
	await expect.poll(() => member.getByTestId('item-input').count()).toBe(5);
	expect(await focused(inputs.nth(4))).toBe(true);
	const memberFirst = member.getByTestId('item-input').first();
	await memberFirst.click();
	await memberFirst.press('End');
	await Promise.all([rapporteur.keyboard.type(' et encore', { delay: 40 }), member.keyboard.type(' (souvent)', { delay: 40 })]);
	const fifth = `${ideas[4]} ici\net ailleurs et encore`;
	await expect.poll(() => values(rapporteur)).toEqual([`${ideas[0]} (souvent)`, ...ideas.slice(1, 4), fifth]);
	expect(await focused(inputs.nth(4))).toBe(true);
	expect(await caret(inputs.nth(4))).toBe(fifth.length);
	await member.getByTestId('pen').click();
	await expect.poll(() => member.getByTestId('item-input').count()).toBe(0);
	await shot(rapporteur, inputs.first(), 'editor');

	// Delete the second idea from its menu, then undo from the toast: it is back, in its place.
	await rapporteur.getByTestId('item-menu').nth(1).click();
	await rapporteur.getByTestId('delete-item').nth(1).click();
	await expect.poll(() => inputs.count()).toBe(4);
	await expect.poll(() => member.getByTestId('item-text').count()).toBe(4);
	await rapporteur.getByTestId('undo-toast').waitFor();
	await shot(rapporteur, inputs.nth(1), 'undo');
	await rapporteur.getByTestId('undo').click();
	await expect.poll(() => values(rapporteur)).toEqual([`${ideas[0]} (souvent)`, ...ideas.slice(1, 4), fifth]);
	await expect.poll(() => member.getByTestId('item-text').nth(1).textContent()).toBe(ideas[1]);
	expect(await rapporteur.getByTestId('undo-toast').count()).toBe(0);

	// Reactions: pressed states, and « à préciser » asks why.
	const agree = member.getByTestId('agree').first();
	expect(await agree.getAttribute('aria-pressed')).toBe('false');
	await agree.click();
	await expect.poll(() => agree.getAttribute('aria-pressed')).toBe('true');
	await expect.poll(() => rapporteur.getByTestId('agree').first().textContent()).toContain('1');
	const clarify = member.getByTestId('clarify').nth(2);
	await clarify.click();
	expect(await clarify.getAttribute('aria-pressed')).toBe('false');
	await member.getByTestId('reason-unclear').click();
	await expect.poll(() => clarify.getAttribute('aria-pressed')).toBe('true');
	await expect.poll(() => rapporteur.getByTestId('reasons').first().textContent()).toContain('pas clair');
	await member.getByTestId('star').nth(3).click();
	await expect.poll(() => member.getByTestId('star').nth(3).getAttribute('aria-pressed')).toBe('true');
	await expectAccessible(member);

	// Names and health: the hint, on both phones, and a one-tap « anonymiser » for the pen.
	await inputs.nth(4).focus();
	await inputs.nth(4).press('End');
	await rapporteur.keyboard.press('Enter');
	await rapporteur.keyboard.type('Mme Dupont, diabétique, nous a dit que c’est loin', { delay: 10 });
	const hint = rapporteur.getByTestId('careful-hint');
	await expect.poll(() => hint.textContent()).toContain('« Mme Dupont »');
	expect(await hint.textContent()).toContain('« diabétique »');
	await expect.poll(() => member.getByTestId('careful-hint').count()).toBe(1);
	await shot(rapporteur, hint, 'hint');
	await expectAccessible(rapporteur);

	// The facilitator's reader shows it too, the organiser counts it before exporting.
	const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR' });
	const facilitator = await tablet.newPage();
	await facilitator.goto((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].facilitatorUrl);
	await facilitator.getByTestId('group-row').first().click();
	await facilitator.getByTestId('group-sheet').waitFor();
	await facilitator.getByTestId('group-sheet').locator('details.reader summary').click();
	await expect.poll(() => facilitator.getByTestId('writeup-reader').getByTestId('careful-hint').count()).toBe(1);
	expect(await facilitator.getByTestId('reader-reasons').first().textContent()).toContain('pas clair');
	const organiser = await tablet.newPage();
	await organiser.goto(e.organiserUrl);
	await expect.poll(() => organiser.getByTestId('export-flagged').textContent()).toContain('1 idée(s)');

	// The hint's suggestion replaces the name; the count follows.
	await rapporteur.getByTestId('anonymise').first().click();
	await expect.poll(() => inputs.nth(5).inputValue()).toBe('une personne, diabétique, nous a dit que c’est loin');
	await expect.poll(() => hint.textContent()).not.toContain('Mme Dupont');

	// One member's « à préciser » keeps the third idea in the body of the actes.
	await expect.poll(() => rapporteur.getByTestId('save-state').textContent()).toContain('enregistré');
	const md = await markdown();
	expect(constats(md).length).toBe(5);
	expect(md.split('Annexe')[1] ?? '').not.toContain(ideas[2]);

	// « Terminer »: the editor is read-only on every phone, the pen is gone.
	expect((await request(organiserSocket, 'stage:control', { roomId, command: { action: 'finish' } })).ok).toBe(true);
	for (const p of phones) {
		await p.getByTestId('writeup-closed').waitFor();
		await expect.poll(() => p.getByTestId('item-input').count()).toBe(0);
		expect(await p.getByTestId('pen').count()).toBe(0);
		expect(await p.getByTestId('agree').first().isDisabled()).toBe(true);
	}
	await rapporteur.getByTestId('writeup-closed').evaluate((el) => el.scrollIntoView({ block: 'start' }));
	await rapporteur.screenshot({ path: join(SCREENSHOTS, 'phone-writeup-closed.png') });
	await expectAccessible(rapporteur);
	expect(constats(await markdown()).length).toBe(5);

	// The facilitator reopens it from the group sheet, which logs it; the pen is back.
	const reopen = facilitator.getByTestId('writeup-reopen');
	await expect.poll(() => reopen.textContent()).toContain('Rouvrir');
	await reopen.click();
	await expect.poll(() => facilitator.getByTestId('writeup-log').textContent()).toContain('rouverte par l’animation');
	await expect.poll(() => rapporteur.getByTestId('writeup-closed').count()).toBe(0);
	await expect.poll(() => rapporteur.getByTestId('item-input').count()).toBe(6);
	await expectAccessible(facilitator);
	expect(groupId).toBeTruthy();
	organiserSocket.disconnect();
}, 240_000);
