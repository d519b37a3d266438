/**
 * Issue 21, categories as the actes need them, end to end: on a 360×640 phone, in French and in
 * English, a person ticks families and, one tap further, a finer category; the form fits the
 * phone, is axe clean and the server keeps what was chosen. Then a realistic room of 36 phones
 * with speaking taps: the projection's speaking shares by family, an organiser who edits a
 * group's label, and the actes' participation chapter, rendered in Chromium. The screenshots go
 * to SCREENSHOTS (`SCREENSHOT_DIR=docs/screenshots` refreshes the docs' ones).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { SCREENSHOTS, expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import { layoutProblems } from '../helpers/geometry';
import { pickAll, realisticRoom, speakIn } from '../helpers/realisticRoom';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

/** A phone page scrolls down: what is beyond its width, clipped, or drawn over something else is a problem; what is below the fold is not. */
async function phoneProblems(page: Page): Promise<string[]> {
	const width = page.viewportSize()?.width ?? 360;
	const problems = await layoutProblems(page, { names: [] });
	return problems.filter((p) => {
		const box = /^beyond the viewport: .*\((-?\d+),(-?\d+)\)–\((-?\d+),(-?\d+)\)$/.exec(p);
		return !box || Number(box[1]) < -1 || Number(box[3]) > width + 1;
	});
}

/** Every choice of the category form is a touch target of at least 44 px high, within the phone's width. */
async function touchTargets(page: Page): Promise<string[]> {
	return page.getByTestId('categories').locator('label.chip').evaluateAll((labels) =>
		labels.flatMap((l) => {
			const r = l.getBoundingClientRect();
			return r.height < 44 || r.right > innerWidth ? [`${l.textContent?.trim()}: ${Math.round(r.width)}×${Math.round(r.height)} at ${Math.round(r.left)}`] : [];
		})
	);
}

const WORDS = {
	fr: {
		name: 'Votre prénom ou un pseudonyme',
		sante: 'Professionnel·le de santé',
		nurse: 'Infirmier·e',
		doctor: 'Médecin',
		resident: 'Habitant·e / usager·e',
		councillor: 'Conseiller·e citoyen·ne',
		noDetail: 'Je préfère ne pas préciser',
		nsp: 'Je préfère ne pas dire',
		more: ['Patient·e partenaire', 'Professionnel·le du social', 'Médiateur·rice', 'Représentant·e d’institution'],
		research: 'Chercheur·e',
		limit: '6 choix au plus.',
		submit: 'Entrer'
	},
	en: {
		name: 'Your first name or a pseudonym',
		sante: 'Health professional',
		nurse: 'Nurse',
		doctor: 'Doctor',
		resident: 'Resident / service user',
		councillor: 'Citizen councillor',
		noDetail: 'I prefer not to say more',
		nsp: 'I prefer not to say',
		more: ['Partner patient', 'Social work professional', 'Mediator', 'Institution representative'],
		research: 'Researcher',
		limit: '6 choices at most.',
		submit: 'Enter'
	}
} as const;

it.each(['fr', 'en'] as const)('offers the families and, one tap further, finer categories on a 360×640 phone (%s)', { timeout: 120_000 }, async (lang) => {
	const w = WORDS[lang];
	const e = (await server.api('POST', '/api/events', { title: 'Santé au quartier', themes: [{ title: 'Salle', statements: ['On parle de tout'] }] })).body;
	const ctx = await phone(tb.browser, lang === 'fr' ? 'fr-FR' : 'en-GB');
	const page = await ctx.newPage();
	await page.goto(e.joinUrl);
	await page.getByLabel(w.name).fill(lang === 'fr' ? 'Nadia' : 'Jo');
	const radio = (name: string) => page.getByRole('radio', { name, exact: true });
	const checkbox = (name: string) => page.getByRole('checkbox', { name, exact: true });
	// Folded into one line of the form: one tap opens them. The form is ready once its script has taken over.
	await page.getByTestId('categories-toggle').click();
	await expect.poll(() => checkbox(w.sante).isEnabled()).toBe(true);

	// A family alone: no detail is asked for until it is ticked.
	expect(await radio(w.nurse).count()).toBe(0);
	await checkbox(w.sante).check();
	await expect.poll(() => radio(w.noDetail).isChecked()).toBe(true);
	await radio(w.doctor).check();
	await radio(w.nurse).check();
	expect(await radio(w.doctor).isChecked()).toBe(false);
	// A resident who is also a nurse: two families, each with its own detail.
	await checkbox(w.resident).check();
	await page.getByTestId('details-habitant').getByRole('radio', { name: w.councillor }).check();
	expect(await radio(w.nurse).isChecked()).toBe(true);
	await page.getByTestId('details-sante').scrollIntoViewIfNeeded();
	await page.screenshot({ path: join(SCREENSHOTS, `phone-categories-${lang}.png`) });
	expect(await phoneProblems(page)).toEqual([]);
	expect(await touchTargets(page)).toEqual([]);
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
	await expectAccessible(page);

	// Six categories at most, as the server accepts: then the other families cannot be ticked.
	for (const family of w.more) await checkbox(family).check();
	expect(await checkbox(w.research).isDisabled()).toBe(true);
	expect(await page.getByRole('status').filter({ hasText: w.limit }).count()).toBe(1);
	for (const family of w.more) await checkbox(family).uncheck();
	expect(await checkbox(w.research).isEnabled()).toBe(true);

	// « Je préfère ne pas dire » clears the rest; ticking a family again starts without a detail.
	await checkbox(w.nsp).check();
	expect(await checkbox(w.sante).isChecked()).toBe(false);
	expect(await radio(w.nurse).count()).toBe(0);
	await checkbox(w.sante).check();
	expect(await checkbox(w.nsp).isChecked()).toBe(false);
	expect(await radio(w.noDetail).isChecked()).toBe(true);
	await radio(w.nurse).check();
	await checkbox(w.resident).check();
	await page.getByTestId('details-habitant').getByRole('radio', { name: w.councillor }).check();

	await page.getByRole('button', { name: w.submit, exact: true }).click();
	const declared = async () =>
		(await server.api('GET', `/api/events/${e.id}/actes?format=json`, undefined, e.organiserToken)).body.participants.map((p: { categories: string[] }) => [...p.categories].sort());
	await expect.poll(declared).toEqual([['conseiller-citoyen', 'infirmier']]);
	await ctx.close();
});

it('shows the room’s speaking shares on the projection, lets the organiser edit a label, and prints the actes’ participation chapter', { timeout: 300_000 }, async () => {
	const room = await realisticRoom(server, { writingWarningMinutes: 60 });
	const names = room.phones.map((p) => p.name);
	await room.phase('choice');
	await pickAll(room);
	await room.phase('groups');
	await room.stage({ action: 'start' });
	const groups = [...new Set(room.phones.map((p) => p.groupId))];
	// Measured in every group of three or more: the shares then stand for most of the room, and
	// the actes count about a minute of speaking in all.
	const measuredGroups = groups.filter((g) => room.phones.filter((p) => p.groupId === g).length >= 3);
	await speakIn(room, measuredGroups, 1, Math.ceil(60 / measuredGroups.length));

	const screen = await tb.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
	const projection = await screen.newPage();
	await projection.goto(room.projectionUrl);
	const shares = projection.getByTestId('room-speaking');
	await expect.poll(() => shares.locator('[data-family][data-published="true"]').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
	await expect.poll(() => layoutProblems(projection, { names }), { timeout: 8_000 }).toEqual([]);
	await projection.screenshot({ path: join(SCREENSHOTS, 'projection-speaking-1920x1080.png') });
	await expectAccessible(projection);

	// The organiser's page: each group's label is the computed one until the organiser writes another.
	const desk = await tb.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
	const organiser = await desk.newPage();
	await organiser.goto(`${server.url}/o/${room.eventId}#${room.organiserToken}`);
	const inputs = organiser.locator('input[id^="label-"]');
	await expect.poll(() => inputs.count()).toBe(groups.length);
	const values = await inputs.evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value));
	// The room's labels follow the 2017 conventions.
	expect(values.filter((v) => v.startsWith('Mixte\u00a0: ')).length).toBeGreaterThan(0);
	const label = inputs.nth(values.findIndex((v) => v.startsWith('Mixte\u00a0: ')));
	const computed = await label.inputValue();
	await label.fill('Mixte : habitant·e·s et soignant·e·s');
	await label.locator('xpath=..').getByRole('button', { name: 'Enregistrer' }).click();
	const actes = async () => (await server.api('GET', `/api/events/${room.eventId}/actes?format=html`, undefined, room.organiserToken)).body as string;
	await expect.poll(actes).toContain('Mixte : habitant·e·s et soignant·e·s');
	// Written labels are kept: reloaded, the page shows it (and no late update can overwrite what is typed next).
	await organiser.reload();
	await expect.poll(() => label.inputValue()).toBe('Mixte : habitant·e·s et soignant·e·s');
	// Emptied, the label is computed again.
	await label.fill('');
	await label.locator('xpath=..').getByRole('button', { name: 'Enregistrer' }).click();
	await expect.poll(() => label.inputValue()).toBe(computed);
	await expect.poll(actes).not.toContain('soignant·e·s');

	// A person without a phone, added by the facilitator with a family and its detail.
	const doc = (await server.api('GET', `/api/events/${room.eventId}`, undefined, room.organiserToken)).body;
	const facilitator = await desk.newPage();
	await facilitator.goto(doc.rooms[0].facilitatorUrl);
	await facilitator.locator('details.settings > summary').click();
	await facilitator.getByLabel('Prénom ou pseudonyme').fill('Madame Kx');
	await facilitator.getByRole('checkbox', { name: 'Patient·e partenaire', exact: true }).check();
	await facilitator.getByRole('radio', { name: 'Patient·e expert·e', exact: true }).check();
	await expectAccessible(facilitator);
	await facilitator.getByRole('button', { name: 'Ajouter', exact: true }).click();
	names.push('Madame Kx');
	const added = async () =>
		(await server.api('GET', `/api/events/${room.eventId}/actes?format=json&names=1`, undefined, room.organiserToken)).body.participants.find(
			(p: { displayName: string }) => p.displayName === 'Madame Kx'
		)?.categories;
	await expect.poll(added).toEqual(['patient-expert']);
	// The form is ready for the next person.
	await expect.poll(() => facilitator.getByRole('checkbox', { name: 'Patient·e partenaire', exact: true }).isChecked()).toBe(false);

	// The actes as a reader opens them, the participation chapter photographed whole.
	const html = await actes();
	for (const name of names) expect(html).not.toContain(name);
	const reader = await desk.newPage();
	await reader.setViewportSize({ width: 900, height: 1200 });
	await reader.setContent(html);
	// The actes' chapters are h2 (the title page holds the h1).
	const chapter = reader.locator('h2', { hasText: /La participation/ });
	const next = reader.locator('h2', { hasText: /Annexe/ });
	const top = (await chapter.boundingBox())?.y ?? 0;
	const bottom = (await next.boundingBox())?.y ?? 0;
	expect(bottom).toBeGreaterThan(top);
	expect(await reader.locator('body').innerText()).toMatch(/Temps de parole/i);
	await reader.screenshot({ path: join(SCREENSHOTS, 'actes-participation.png'), fullPage: true, clip: { x: 0, y: top - 16, width: 900, height: bottom - top } });
	await desk.close();
	await screen.close();
	room.close();
});
