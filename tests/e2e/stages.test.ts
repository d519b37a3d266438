/**
 * Issue 4, end to end: a facilitator drives the stages; a projection and two phones (one whose
 * clock is ten minutes off) agree on the stage and the remaining time, through pause, resume,
 * a skip and a server restart. Then the projection holds 40 groups without scrolling.
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

/** Seconds left as a screen shows them (« mm:ss »). */
async function secondsLeft(page: Page, scope = page.locator('body')): Promise<number> {
	const text = (await scope.getByTestId('remaining').first().textContent()) ?? '';
	const m = /^(\d+):(\d{2})$/.exec(text.trim());
	if (!m) throw new Error(`no remaining time on screen: «${text}»`);
	return Number(m[1]) * 60 + Number(m[2]);
}

async function agree(pages: Page[]): Promise<number[]> {
	const values = await Promise.all(pages.map((p) => secondsLeft(p)));
	expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
	return values;
}

/**
 * Shorter than the « temps de rédaction » warning (5 minutes), so it is on from the start; long
 * enough that a loaded machine's slow checks never run a stage out.
 */
const STAGE_MINUTES = 4;
const FULL = STAGE_MINUTES * 60;

const TEN_MINUTES_AHEAD = `(() => {
	const Real = Date;
	const skew = 10 * 60 * 1000;
	class Skewed extends Real {
		constructor(...args) { if (args.length === 0) super(Real.now() + skew); else super(...args); }
		static now() { return Real.now() + skew; }
	}
	globalThis.Date = Skewed;
})();`;

it('keeps every screen on the same stage and time', async () => {
	const { browser } = tb;
	const e = (
		await server.api('POST', '/api/events', {
			title: 'Matinée',
			themes: [{ title: 'Salle 1', statements: ['Il faut du temps', 'Les habitant·e·s savent'] }],
			stageMinutes: [STAGE_MINUTES, STAGE_MINUTES, STAGE_MINUTES]
		})
	).body;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;

	const phones: Page[] = [];
	for (const [i, skewed] of [false, true].entries()) {
		const ctx = await phone(browser);
		if (skewed) await ctx.addInitScript(TEN_MINUTES_AHEAD);
		const p = await ctx.newPage();
		await p.goto(e.joinUrl);
		await p.getByLabel('Votre prénom ou un pseudonyme').fill(`Tel ${i}`);
		await p.getByRole('button', { name: /Entrer/ }).click();
		await p.getByTestId('my-room').waitFor();
		phones.push(p);
	}
	expect(await phones[1]?.evaluate(() => Date.now() - performance.timeOrigin - performance.now())).toBeGreaterThan(9 * 60_000);

	const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
	const facilitator = await desk.newPage();
	await facilitator.goto(doc.rooms[0].facilitatorUrl);
	await facilitator.getByRole('button', { name: 'Choix des énoncés' }).click();
	for (const p of phones) {
		await p.getByTestId('statement-card').first().click();
		await p.getByTestId('my-group').waitFor();
	}
	const projector = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
	const projection = await projector.newPage();
	await projection.goto(e.rooms[0].projectionUrl);
	await projection.getByTestId('qr').waitFor();

	await facilitator.getByRole('button', { name: /Démarrer l’étape 1/ }).click();
	const screens = [facilitator, projection, ...phones];
	for (const s of screens) await s.getByTestId('remaining').first().waitFor();
	const started = await agree(screens);
	expect(Math.min(...started)).toBeGreaterThanOrEqual(FULL - 3);
	expect(await projection.getByTestId('question').textContent()).toBe('Quel est le problème / la question posée ?');
	expect(await phones[1]?.getByTestId('question').textContent()).toBe('Quel est le problème / la question posée ?');
	// Four-minute stages: the « temps de rédaction » warning (5 minutes) is on from the start.
	for (const s of [projection, ...phones]) expect(await s.getByTestId('writing-warning').count()).toBe(1);

	await facilitator.getByRole('button', { name: /Pause/ }).click();
	for (const s of screens) await s.getByTestId('paused').first().waitFor();
	const paused = await agree(screens);
	// Paused time does not run on any screen: over more than a second, a running clock would show it.
	await new Promise((r) => setTimeout(r, 1_100));
	expect(await agree(screens)).toEqual(paused);

	await facilitator.getByRole('button', { name: /Reprendre/ }).click();
	for (const s of screens) await expect.poll(() => s.getByTestId('paused').count()).toBe(0);
	await new Promise((r) => setTimeout(r, 1_100));
	const resumed = await agree(screens);
	expect(Math.max(...resumed)).toBeLessThan(Math.max(...paused));

	await facilitator.getByRole('button', { name: /Étape suivante/ }).click();
	// The facilitation page asks before moving every group on.
	await facilitator.getByTestId('confirm-ok').click();
	for (const s of [projection, ...phones]) {
		await expect.poll(() => s.getByTestId('question').first().textContent()).toBe('« Baguette magique » : quel serait l’idéal ?');
	}
	const second = await agree(screens);
	expect(Math.min(...second)).toBeGreaterThanOrEqual(FULL - 3);
	await expectAccessible(phones[1] as Page);
	await expectAccessible(projection);
	await expectAccessible(facilitator);

	// The server restarts mid-stage: every screen carries on from the same end time.
	await server.restart('SIGKILL');
	await new Promise((r) => setTimeout(r, 1_500));
	for (const s of screens) await expect.poll(() => s.getByTestId('offline').count(), { timeout: 15_000 }).toBe(0);
	const afterRestart = await agree(screens);
	expect(Math.max(...afterRestart)).toBeLessThan(Math.min(...second));
	expect(Math.min(...afterRestart)).toBeGreaterThan(FULL - 90);
	await projection.screenshot({ path: join(SCREENSHOTS, 'projection-stage.png') });
});

it('shows 40 groups on the projection without scrolling, at 1920×1080 and 1280×720', async () => {
	const statements = Array.from({ length: 40 }, (_, i) => `Énoncé numéro ${i + 1} : une phrase entendue la veille, assez longue pour tenir sur deux lignes`);
	const e = (await server.api('POST', '/api/events', { title: 'Grande salle', themes: [{ title: 'Salle 40', statements }] })).body;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const categories = [['habitant'], ['medecin'], ['mediation'], ['travailleur-social']];
	for (const [i, s] of (doc.rooms[0].statements as { id: string }[]).entries()) {
		for (let k = 0; k < 1 + (i % 4); k++) {
			const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `P${i}-${k}`, categories: categories[(i + k) % 4], roomId });
			const socket = await connectClient(server.url, { role: 'participant', token: joined.body.token });
			expect((await request(socket, 'group:pick', { statementId: s.id })).ok).toBe(true);
			socket.disconnect();
		}
	}
	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);
	organiser.disconnect();

	for (const [width, height] of [
		[1920, 1080],
		[1280, 720]
	] as const) {
		const ctx = await tb.browser.newContext({ viewport: { width, height }, locale: 'fr-FR' });
		const page = await ctx.newPage();
		await page.goto(e.rooms[0].projectionUrl);
		// The tiles fit or go on pages shown in turn (→ turns them): all 40 groups appear.
		await expect.poll(() => page.getByTestId('tile').count()).toBeGreaterThan(0);
		const pages = (await page.getByTestId('pager').count()) ? Number(await page.getByTestId('pager').getAttribute('data-pages')) : 1;
		const seen = new Set<string>();
		for (let p = 0; p < pages; p++) {
			for (const key of await page.locator('[data-group-key]').evaluateAll((els) => els.map((el) => el.getAttribute('data-group-key')))) seen.add(String(key));
			if (pages > 1) await page.keyboard.press('ArrowRight');
		}
		expect(seen.size).toBe(40);
		const size = await page.evaluate(() => ({
			scrollH: document.documentElement.scrollHeight,
			scrollW: document.documentElement.scrollWidth,
			h: innerHeight,
			w: innerWidth
		}));
		expect(size.scrollH).toBeLessThanOrEqual(size.h);
		expect(size.scrollW).toBeLessThanOrEqual(size.w);
		// Every tile is fully inside the window, none hidden under another.
		const boxes = await page.getByTestId('tile').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON()));
		for (const b of boxes) {
			expect(b.bottom).toBeLessThanOrEqual(height);
			expect(b.right).toBeLessThanOrEqual(width);
		}
		// Readable from 8 metres at 1080p: the timer is at least 100 px tall.
		if (width === 1920) {
			const timer = await page.getByTestId('remaining').boundingBox();
			expect(timer?.height ?? 0).toBeGreaterThanOrEqual(100);
		}
		await page.screenshot({ path: join(SCREENSHOTS, `projection-40-groups-${width}x${height}.png`) });
		await ctx.close();
	}
});
