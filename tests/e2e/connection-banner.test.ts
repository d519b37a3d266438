/**
 * Issue 19, item 7: the offline / reconnecting banner stays in view wherever one has scrolled, on
 * the phone (360×640, a group at work: a long page) and on the facilitator's page (1024×768),
 * uncovered by anything fixed (the facilitator's stage bar); it goes once the network is back.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { connectClient, request } from '../helpers/clients';
import { expectAccessible, phone, SCREENSHOTS, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

/** Whether the banner lies whole inside the viewport and is what one sees at its centre. */
const bannerInView = (page: Page) =>
	page.getByTestId('offline').evaluate((el) => {
		const r = el.getBoundingClientRect();
		const seen = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return r.top >= 0 && r.bottom <= innerHeight && r.height > 0 && el.contains(seen);
	});

/** Cut at the bottom of the page, then seen from the top and the middle too; back online, gone. */
async function staysInView(ctx: BrowserContext, page: Page, screenshot: string) {
	await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
	expect(await page.evaluate(() => scrollY)).toBeGreaterThan(0);
	await ctx.setOffline(true);
	await page.getByTestId('offline').waitFor();
	expect(await bannerInView(page)).toBe(true);
	await page.screenshot({ path: join(SCREENSHOTS, screenshot) });
	await expectAccessible(page);
	for (const at of [0, 0.5]) {
		await page.evaluate((f) => window.scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * f), at);
		expect(await bannerInView(page)).toBe(true);
	}
	await ctx.setOffline(false);
	await page.getByTestId('offline').waitFor({ state: 'detached', timeout: 30_000 });
}

it('the offline banner is in view wherever one has scrolled, on the phone and the facilitator’s page', async () => {
	const { browser } = tb;
	const e = (await server.api('POST', '/api/events', { title: 'Zone blanche', themes: [{ title: 'Salle', statements: ['Des bancs', 'Une fontaine'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });

	const ctx = await phone(browser);
	const p = await ctx.newPage();
	await p.goto(e.joinUrl);
	await p.getByLabel('Votre prénom ou un pseudonyme').fill('Inès');
	await p.getByTestId('categories-toggle').click();
	await p.getByLabel(/Habitant·e/).check();
	await p.getByRole('button', { name: /Entrer/ }).click();
	await p.getByTestId('statement-card').first().click();
	await p.getByTestId('my-group').waitFor();
	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);
	await p.getByTestId('writeup-stage-1').waitFor();
	// A stage's screen fits the phone: the group's statement and members, unfolded, make it scroll.
	for (const d of await p.locator('details > summary').all()) await d.click();
	await expect.poll(() => p.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(640 + 40);
	await staysInView(ctx, p, 'phone-offline-scrolled.png');

	const fctx = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR' });
	const f = await fctx.newPage();
	await f.goto((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].facilitatorUrl);
	await f.getByTestId('rows').waitFor();
	// Long enough to scroll: the board and the room's settings open.
	for (const d of await f.locator('details > summary').all()) await d.click();
	await staysInView(fctx, f, 'facilitator-offline-scrolled-tablet.png');
	organiser.disconnect();
});
