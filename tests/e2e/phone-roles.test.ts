/**
 * Issue 19, the group's phones on 360×640 screens with the Chambéry 2017 room (10 statements, the
 * group working on its longest): the join form fits one screen; a statement tapped at the bottom
 * of the list confirms in place (« Groupe N · k/6 » in view); then, for the rapporteur, the
 * timekeeper and a member who reads, at stages 1, 2 (in English), 3 and the evaluation, what the
 * person does now starts within the first screen, below the sticky stage header, nothing is wider
 * than the screen and no text is clipped. axe on each screen; screenshots for docs/screenshots/.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { chamberyTemplate } from '../../src/lib/domain/eventSettings';
import { SCREENSHOTS, expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import { layoutProblems } from '../helpers/geometry';
import { pickAll, realisticRoom } from '../helpers/realisticRoom';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

const SCREEN = 640;
type Role = 'rapporteur' | 'timekeeper' | 'reader';

/** Top and bottom of an element in the page (not the viewport), the page scrolled to its top. */
async function box(what: Locator): Promise<{ top: number; bottom: number }> {
	return what.evaluate((el) => {
		const r = el.getBoundingClientRect();
		return { top: r.top + scrollY, bottom: r.bottom + scrollY };
	});
}

/** The screen as one sees it first: its layout checked, axe run, and photographed. */
async function checkScreen(page: Page, name: string) {
	await page.evaluate(() => scrollTo(0, 0));
	expect(await layoutProblems(page, { names: [], scrolls: true }), name).toEqual([]);
	expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: wider than the screen`).toBeLessThanOrEqual(360);
	await expectAccessible(page);
	await page.screenshot({ path: join(SCREENSHOTS, `phone-${name}-360x640.png`) });
}

/** What the person does now starts within the first screen, under the sticky stage header. */
async function mainFirst(page: Page, control: Locator, name: string) {
	await control.first().waitFor();
	await page.evaluate(() => scrollTo(0, 0));
	const main = await box(control.first());
	const header = await box(page.getByTestId('group-stage'));
	expect(main.top, `${name}: main control below the first screen`).toBeLessThan(SCREEN);
	expect(main.top, `${name}: main control under the stage header`).toBeGreaterThanOrEqual(header.bottom);
	await checkScreen(page, name);
	// Scrolled down, the header stays on the screen, at its top.
	await page.evaluate(() => scrollTo(0, 400));
	await expect.poll(() => page.getByTestId('group-stage').evaluate((el) => Math.round(el.getBoundingClientRect().top))).toBe(0);
}

it('puts what each role does now on the first screen, at every stage, in French and in English', { timeout: 300_000 }, async () => {
	const { browser } = tb;
	const longestOf = (texts: string[]) => texts.reduce((best, s, i) => (s.length > (texts[best]?.length ?? 0) ? i : best), 0);
	// Three phones on sockets share the longest statement with the three in the browser (6 seats);
	// the other statements are worked by a few each, as in a real room.
	const texts = (chamberyTemplate().themes[0] as { statements: string[] }).statements;
	const longest = longestOf(texts);
	const last = texts.length - 1;
	const others = texts.map((_, i) => i).filter((i) => i !== longest);
	const room = await realisticRoom(server, { picks: [longest, longest, longest, ...others, ...others.slice(0, 4)], writingWarningMinutes: 60 });
	await room.phase('choice');
	await pickAll(room);

	// Joining: the form fits one screen of a small phone, « Entrer » included.
	const people: Record<Role, { name: string; page: Page }> = {} as never;
	for (const [role, name] of [['rapporteur', 'Marie-Françoise'], ['timekeeper', 'Bachir'], ['reader', 'Léa']] as [Role, string][]) {
		const page = await (await phone(browser)).newPage();
		await page.goto(room.joinUrl);
		const submit = page.getByRole('button', { name: /Entrer/ });
		await submit.waitFor();
		if (role === 'rapporteur') {
			expect((await box(submit)).bottom, '« Entrer » below the first screen').toBeLessThanOrEqual(SCREEN);
			await page.getByLabel('Votre prénom ou un pseudonyme').fill(name);
			await checkScreen(page, 'join');
			// The categories fold into one line, and open in one tap.
			await page.getByTestId('categories-toggle').click();
			await page.getByLabel(/Habitant·e/).check();
			await expect.poll(() => page.getByTestId('categories-chosen').textContent()).toBe('1 choix');
		} else await page.getByLabel('Votre prénom ou un pseudonyme').fill(name);
		await page.locator('input[name="room"]').first().check();
		await submit.click();
		await page.getByTestId('my-room').waitFor();
		people[role] = { name, page };
	}

	// The last statement of the list, tapped at the bottom of the page: the group line is in view.
	const reader = people.reader.page;
	await reader.getByTestId('statement-card').nth(last).click();
	const line = reader.getByTestId('my-group');
	await expect.poll(() => line.textContent()).toMatch(/Groupe \d+ · \d\/6/);
	const inView = await line.evaluate((el) => {
		const r = el.getBoundingClientRect();
		return r.top >= 0 && r.bottom <= innerHeight && scrollY > 0;
	});
	expect(inView, 'the group line in view after a pick low in the list').toBe(true);
	await reader.screenshot({ path: join(SCREENSHOTS, 'phone-choice-confirm-360x640.png') });

	// Everyone to the longest statement: six in the group, the other members named.
	for (const { page } of Object.values(people)) await page.getByTestId('statement-card').nth(longest).click();
	for (const { page } of Object.values(people)) {
		await expect.poll(() => page.getByTestId('my-group').textContent()).toMatch(/ · 6\/6/);
	}
	expect(await reader.getByTestId('my-group').textContent()).toContain('Marie-Françoise');
	await checkScreen(reader, 'choice');

	await room.stage({ action: 'start' });
	const rapporteur = people.rapporteur.page;
	const timekeeper = people.timekeeper.page;
	// The rapporteur takes the pen once, at stage 1; the timekeeper takes the time once.
	await rapporteur.getByTestId('pen').click();
	await expect.poll(() => rapporteur.getByTestId('pen').getAttribute('aria-pressed')).toBe('true');
	await timekeeper.getByTestId('keeper').click();

	const ideas: Record<1 | 2 | 3, string[]> = {
		1: ['On ne sait pas à qui s’adresser quand on sort de l’hôpital', 'Les horaires de la PMI ne vont pas aux parents qui travaillent'],
		2: ['A health centre open in the evening, with interpreters', 'People from the neighbourhood on its board'],
		3: ['Une permanence le mardi soir à la maison de quartier, tenue par une médiatrice et une infirmière', 'Demander au conseil citoyen de porter la demande']
	};
	for (const stage of [1, 2, 3] as const) {
		if (stage > 1) await room.stage({ action: 'next' });
		const english = stage === 2;
		const suffix = `stage${stage}`;
		for (const { page } of Object.values(people)) {
			await expect.poll(() => page.getByTestId('group-stage').getAttribute('data-index')).toBe(String(stage));
			// Stage 2 in English: the language switch on each phone, and back in French after.
			if (stage === 2 || stage === 3) await page.getByRole('button', { name: english ? 'Switch to English' : 'Passer en français' }).click();
		}
		// The pen stays in the rapporteur's hands from stage to stage.
		await expect.poll(() => rapporteur.getByTestId('pen').getAttribute('aria-pressed')).toBe('true');
		const stageOf = (page: Page) => page.getByTestId(`writeup-stage-${stage}`);
		await stageOf(rapporteur).getByTestId('add-item').click();
		const field = stageOf(rapporteur).getByTestId('item-input');
		await field.first().pressSequentially(ideas[stage][0] as string);
		await field.first().press('Enter');
		await field.nth(1).pressSequentially(ideas[stage][1] as string);
		await expect.poll(() => rapporteur.getByTestId('save-state').textContent()).toContain(english ? 'saved' : 'enregistré');
		await expect.poll(() => reader.getByTestId('item-text').first().textContent()).toBe(ideas[stage][0]);

		await mainFirst(rapporteur, stageOf(rapporteur).getByTestId('item-input'), `rapporteur-${suffix}`);
		await mainFirst(timekeeper, timekeeper.getByTestId('keeper-pad'), `timekeeper-${suffix}`);
		await mainFirst(reader, stageOf(reader), `reader-${suffix}`);
		// The reader sees the ideas on the first screen, not only a title.
		expect((await box(reader.getByTestId('item-text').first())).top).toBeLessThan(SCREEN);
		// The others see who holds the pen before they take it over.
		expect(await stageOf(reader).textContent()).toContain(english ? 'The pen is with Marie-Françoise.' : 'La plume est chez Marie-Françoise.');
	}

	await room.stage({ action: 'next' });
	for (const [role, { page }] of Object.entries(people)) {
		await expect.poll(() => page.getByTestId('group-stage').getAttribute('data-index')).toBe('4');
		await mainFirst(page, page.getByTestId('evaluation'), `${role}-evaluation`);
	}
	room.close();
});
