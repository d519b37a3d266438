/**
 * Issue 22, « Done when » of items 1 and 2 (docs/verbatims.md): two facilitators capture verbatims
 * from phones, one of them offline then back; the organiser merges two near-duplicates, rewords
 * one and turns three into statements of two rooms; the actes (Markdown and HTML) say how many
 * verbatims were collected and where each statement came from.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
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

async function note(page: Page, text: string, opts: { theme: string; lively?: boolean; who?: string }) {
	await page.getByTestId('verbatim-text').fill(text);
	await page.getByTestId('verbatim-room').selectOption({ label: opts.theme });
	if (opts.lively) await page.getByTestId('verbatim-lively').check();
	if (opts.who) await page.getByTestId('verbatim-category').selectOption({ label: opts.who });
	await page.getByTestId('verbatim-save').click();
	await expect.poll(() => page.getByTestId('verbatim-text').inputValue()).toBe('');
}

const downloaded = async (d: Download) => readFile(await d.path(), 'utf8');

it('two facilitators capture verbatims, one offline; the organiser turns three into statements of two rooms; the actes say so', async () => {
	const T1 = 'Quelle place pour les usagers ?';
	const T2 = 'Quelles attentes vis-à-vis de la médiation ?';
	const e = (
		await server.api('POST', '/api/events', {
			title: 'Gros Débat 2026',
			date: '2026-12-03',
			endDate: '2026-12-04',
			themes: [
				{ title: T1, statements: ['Participer, c’est décider'] },
				{ title: T2, statements: ['La médiation crée du lien'] }
			]
		})
	).body;
	const doc = async (): Promise<OrganiserDocument> => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;

	// The day before: the organiser creates two workshops, each with its capture link.
	const console = await (await tb.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR', acceptDownloads: true })).newPage();
	await console.goto(e.organiserUrl);
	const section = console.getByTestId('verbatims');
	for (const title of ['Atelier A — maisons de santé', 'Atelier B — quartiers']) {
		await section.getByTestId('workshop-title').fill(title);
		await section.getByTestId('workshop-add').click();
		await expect.poll(() => section.getByTestId('workshop-title').inputValue()).toBe('');
	}
	await expect.poll(() => section.getByTestId('capture-share').count()).toBe(2);
	const links = await section.getByTestId('capture-share').locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
	expect(links).toHaveLength(2);
	await expect.poll(() => section.getByTestId('capture-share-qr').count()).toBe(2);

	// Facilitator 1, online.
	const one = await (await phone(tb.browser)).newPage();
	await one.goto(links[0] as string);
	await expect.poll(() => one.getByTestId('verbatim-workshop').locator('option:checked').textContent()).toBe('Atelier A — maisons de santé');
	await note(one, 'Ca va, on nous écoute enfin ?', { theme: T1, lively: true, who: 'Habitant·e / usager·e' });
	await note(one, 'On nous écoute enfin', { theme: T1 });
	await expect.poll(() => one.getByTestId('capture-state').textContent()).toContain('Tout est enregistré sur le serveur.');
	// A name typed in gets the careful-words hint, and one tap anonymises it.
	await one.getByTestId('verbatim-text').fill('Mme Dupont dit que rien ne change');
	await expect.poll(() => one.getByTestId('careful-hint').textContent()).toContain('Semble nommer une personne');
	await one.getByTestId('anonymise').click();
	expect(await one.getByTestId('verbatim-text').inputValue()).toBe('une personne dit que rien ne change');
	await one.getByTestId('verbatim-text').fill('');

	// Facilitator 2 loses the network, notes two verbatims, then gets it back.
	const twoContext = await phone(tb.browser);
	const two = await twoContext.newPage();
	await two.goto(links[1] as string);
	await two.getByTestId('capture-form').waitFor();
	await twoContext.setOffline(true);
	await note(two, 'La médiatrice parle ma langue, alors je viens', { theme: T2, lively: true, who: 'Habitant·e / usager·e' });
	await note(two, 'Le médecin n’a pas le temps de m’expliquer', { theme: T2 });
	await expect.poll(() => two.getByTestId('capture-state').textContent()).toContain('En attente d’envoi : 2.');
	expect(await two.getByTestId('my-verbatims').textContent()).toContain('en attente');
	expect(server.countRowsWhere('verbatims', 'event_id = ?', e.id)).toBe(2);
	await expectAccessible(two);
	await two.screenshot({ path: join(SCREENSHOTS, 'verbatim-capture.png'), fullPage: true });
	// Back online: the queue went; a reload still lists what was sent, and sends nothing twice.
	await twoContext.setOffline(false);
	await expect.poll(() => two.getByTestId('capture-state').textContent(), { timeout: 20_000 }).toContain('Tout est enregistré sur le serveur.');
	expect(server.countRowsWhere('verbatims', 'event_id = ?', e.id)).toBe(4);
	await two.reload();
	await expect.poll(() => two.getByTestId('my-verbatims').textContent()).toContain('✓ enregistré');
	expect(server.countRowsWhere('verbatims', 'event_id = ?', e.id)).toBe(4);

	// The evening: every verbatim by theme in the console.
	const cards = section.getByTestId('verbatim-card');
	const card = (text: string) => cards.filter({ hasText: text });
	await expect.poll(() => cards.count()).toBe(4);
	expect(await section.getByTestId('verbatim-count').textContent()).toBe('Verbatims notés : 4 · devenus énoncés : 0');
	// Filters: « très animé », a workshop, a search without accents.
	await section.getByTestId('filter-lively').check();
	await expect.poll(() => cards.count()).toBe(2);
	await section.getByTestId('filter-lively').uncheck();
	await section.getByTestId('filter-workshop').selectOption({ label: 'Atelier B — quartiers' });
	await expect.poll(() => cards.count()).toBe(2);
	await section.getByTestId('filter-workshop').selectOption({ label: 'Tous les ateliers' });
	await section.getByTestId('filter-search').fill('mediatrice');
	await expect.poll(() => cards.count()).toBe(1);
	await section.getByTestId('filter-search').fill('');
	await expect.poll(() => cards.count()).toBe(4);

	// Merge the near-duplicates (the first chosen keeps the other), reword, star.
	await card('Ca va, on nous écoute enfin ?').getByTestId('verbatim-select').check();
	await card('On nous écoute enfin').filter({ hasNotText: 'Ca va' }).getByTestId('verbatim-select').check();
	await section.getByTestId('verbatim-merge').click();
	await expect.poll(() => cards.count()).toBe(3);
	const kept = card('Ca va, on nous écoute enfin ?');
	expect(await kept.locator('summary').textContent()).toBe('Fusionnés ici : 1');
	await kept.getByTestId('verbatim-reword').fill('Ça va, on nous écoute enfin ?');
	await kept.getByTestId('verbatim-reword-save').click();
	await expect.poll(() => card('Verbatim d’origine : « Ca va, on nous écoute enfin ? »').count()).toBe(1);
	await card('La médiatrice parle ma langue').getByTestId('verbatim-star').click();
	await expect.poll(() => card('La médiatrice parle ma langue').getByTestId('verbatim-star').getAttribute('aria-pressed')).toBe('true');
	await section.getByTestId('filter-starred').check();
	await expect.poll(() => cards.count()).toBe(1);
	await section.getByTestId('filter-starred').uncheck();
	await expect.poll(() => cards.count()).toBe(3);
	await expectAccessible(console);
	await console.evaluate(() => document.querySelector('[data-testid="verbatim-count"]')?.scrollIntoView({ block: 'start' }));
	await console.screenshot({ path: join(SCREENSHOTS, 'organiser-verbatims.png') });

	// Three statements in two rooms, each at the end of its room's.
	for (const text of ['Ça va, on nous écoute enfin ?', 'La médiatrice parle ma langue', 'Le médecin n’a pas le temps']) {
		await card(text).getByTestId('verbatim-to-statement').click();
		await expect.poll(() => card(text).getByTestId('verbatim-became').count()).toBe(1);
	}
	await expect.poll(async () => (await doc()).rooms.map((r) => r.statements.map((s) => s.text))).toEqual([
		['Participer, c’est décider', 'Ça va, on nous écoute enfin ?'],
		['La médiation crée du lien', 'La médiatrice parle ma langue, alors je viens', 'Le médecin n’a pas le temps de m’expliquer']
	]);
	await expect.poll(() => section.getByTestId('verbatim-count').textContent()).toBe('Verbatims notés : 4 · devenus énoncés : 3');
	expect(await card('Ça va, on nous écoute enfin ?').getByTestId('verbatim-became').textContent()).toContain(`Énoncé de la salle « ${T1} »`);
	// The rooms' statement lists show where each came from.
	await expect.poll(() => console.getByTestId('statement-source').allTextContents()).toEqual([
		'— verbatim de l’atelier « Atelier A — maisons de santé » ; Verbatim d’origine : « Ca va, on nous écoute enfin ? »',
		'— verbatim de l’atelier « Atelier B — quartiers »',
		'— verbatim de l’atelier « Atelier B — quartiers »'
	]);

	await expectAccessible(console);

	// The actes, as the console exports them.
	const [md] = await Promise.all([console.waitForEvent('download'), console.getByTestId('export-md').click()]);
	const markdown = await downloaded(md);
	expect(markdown).toContain('les animateur·rice·s ont noté 4 verbatims');
	expect(markdown).toContain('L’équipe d’organisation en a tiré 3 énoncés.');
	expect(markdown).toContain('Issu d’un verbatim de l’atelier « Atelier A — maisons de santé » ; verbatim d’origine : «\u00a0Ca va, on nous écoute enfin ?\u00a0»');
	expect(markdown).toContain('Issu d’un verbatim de l’atelier « Atelier B — quartiers »');
	const [html] = await Promise.all([console.waitForEvent('download'), console.getByTestId('export-html').click()]);
	const page = await downloaded(html);
	expect(page).toContain('4 verbatims');
	expect(page).toContain('verbatim d’origine');
	expect(page).toContain('Atelier B — quartiers');
});
