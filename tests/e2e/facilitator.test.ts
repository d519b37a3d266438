/**
 * Issue 20, end to end: the facilitation page is a dashboard a facilitator uses one-handed. 36
 * phones (socket.io clients) pick with a skew: every group's row fits a 1024×768 tablet without
 * scrolling, every control is at least 44×44 px, a 360×640 phone shows 6 rows per screen; « next
 * stage » asks first, « Accueil » is locked during the stages, a duration changed mid-stage moves
 * every screen within a second, « Terminer » shows what remains. One page, resized, for speed.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { expect, it } from 'vitest';
import template from '../../src/lib/templates/chambery-2017.json' with { type: 'json' };
import type { ParticipantSession, PhoneRoomView } from '../../src/lib/views';
import { SCREENSHOTS, expectAccessible, type TestBrowser } from '../helpers/browser';
import { connectClient, request } from '../helpers/clients';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

const TABLET = { width: 1024, height: 768 };
const PHONE = { width: 360, height: 640 };
const CATEGORIES = [['habitant'], ['medecin'], ['mediation'], ['travailleur-social'], ['infirmier'], ['usager']];

/** Rows fully on screen and above the stage bar, with the page not scrolled. */
async function expectRowsVisible(page: Page, count: number) {
	await expect.poll(() => page.getByTestId('group-row').count()).toBe(count);
	const layout = await page.evaluate(() => ({
		scrollY: window.scrollY,
		barTop: document.querySelector('[data-testid="stage-bar"]')?.getBoundingClientRect().top ?? innerHeight,
		rows: [...document.querySelectorAll('[data-testid="group-row"]')].map((el) => el.getBoundingClientRect().toJSON() as DOMRect),
		width: innerWidth
	}));
	expect(layout.scrollY).toBe(0);
	for (const r of layout.rows) {
		expect(r.top).toBeGreaterThanOrEqual(0);
		expect(r.bottom).toBeLessThanOrEqual(layout.barTop);
		expect(r.right).toBeLessThanOrEqual(layout.width);
	}
}

/** Every control one can see is at least 44×44 px (the stage bar's at least 48). */
async function expectLargeTargets(page: Page) {
	const small = await page.evaluate(() => {
		const controls = [...document.querySelectorAll('button, select, input:not([type=checkbox]):not([type=radio]), summary, [role=button]')];
		return controls
			.filter((el) => el.checkVisibility() && !el.closest('.visually-hidden'))
			.map((el) => {
				const r = el.getBoundingClientRect();
				const min = el.closest('[data-testid="stage-bar"]') ? 48 : 44;
				return { what: `${el.tagName} «${(el.textContent ?? '').trim().slice(0, 30)}»`, w: Math.round(r.width), h: Math.round(r.height), min };
			})
			.filter((c) => c.w < c.min || c.h < c.min);
	});
	expect(small).toEqual([]);
}

const shot = (page: Page, phase: string, size: 'tablet' | 'phone') => page.screenshot({ path: join(SCREENSHOTS, `facilitator-${phase}-${size}.png`) });

it('a dashboard for 36 phones on a tablet and a phone, safe controls, durations and a clear end', async () => {
	const statements = template.themes[0]?.statements.map((s) => s.text) as string[];
	const e = (
		await server.api('POST', '/api/events', { title: 'Gros Débat', themes: [{ title: template.themes[0]?.title, statements }], stageMinutes: [30, 30, 30] })
	).body;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const roomId = e.rooms[0].id as string;
	const ids = (doc.rooms[0].statements as { id: string }[]).map((s) => s.id);

	// 14 on statement 1, 8 on statement 2, 5 professionals on statement 3, 9 spread over the other seven.
	const picks = [
		...Array.from({ length: 14 }, () => 0),
		...Array.from({ length: 8 }, () => 1),
		...Array.from({ length: 5 }, () => 2),
		...Array.from({ length: 9 }, (_, i) => 3 + (i % 7))
	];
	const phones: Socket[] = [];
	/** Each phone's group as the server last told it (balancing moves some after their pick). */
	const groupOf = new Map<Socket, string | undefined>();
	for (const [i, s] of picks.entries()) {
		const categories = s === 2 ? ['medecin'] : CATEGORIES[i % CATEGORIES.length];
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `Personne ${i + 1}`, categories, roomId });
		const phone = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		phone.on('session', (session: ParticipantSession) => groupOf.set(phone, session.group?.id));
		phones.push(phone);
	}

	const ctx = await tb.browser.newContext({ viewport: TABLET, locale: 'fr-FR', hasTouch: true });
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
	const page = await ctx.newPage();
	await page.goto(doc.rooms[0].facilitatorUrl);
	await page.getByRole('button', { name: 'Choix des énoncés' }).click();
	await expect.poll(() => page.getByRole('button', { name: 'Choix des énoncés' }).getAttribute('aria-pressed')).toBe('true');
	for (const [i, p] of phones.entries()) expect((await request(p, 'group:pick', { statementId: ids[picks[i] as number] })).ok).toBe(true);

	// 14 → 5 + 5 + 4, 8 → 4 + 4, 5 → 5, 9 over seven statements → 7 groups: nobody alone beside a group with room.
	const GROUPS = 13;
	await expectRowsVisible(page, GROUPS);
	const proRow = page.locator('[data-testid="group-row"]', { hasText: '3·1' });
	expect(await proRow.getAttribute('data-reasons')).toContain('noResident');
	await expectLargeTargets(page);
	await shot(page, 'choice', 'tablet');
	await page.setViewportSize(PHONE);
	const phoneRows = await page.evaluate(() => {
		const rows = [...document.querySelectorAll('[data-testid="group-row"]')].map((el) => el.getBoundingClientRect());
		const bar = document.querySelector('[data-testid="stage-bar"]')?.getBoundingClientRect().height ?? 0;
		return { sixRows: (rows[5]?.bottom ?? Infinity) - (rows[0]?.top ?? 0), room: innerHeight - bar };
	});
	expect(phoneRows.sixRows).toBeLessThanOrEqual(phoneRows.room);
	await expectLargeTargets(page);
	await shot(page, 'choice', 'phone');

	// ---- the stages ----
	await page.setViewportSize(TABLET);
	await page.getByRole('button', { name: /Démarrer l’étape 1/ }).click();
	await expect.poll(() => page.getByTestId('room-stage').textContent()).toContain('Étape 1');
	// « Accueil » would take the timer off the projection: disabled, with the reason on screen, and refused by the server.
	expect(await page.getByRole('button', { name: 'Accueil' }).isDisabled()).toBe(true);
	expect(await page.getByTestId('phase-locked').isVisible()).toBe(true);
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	expect((await request(organiser, 'room:setPhase', { roomId, phase: 'welcome' })).ok).toBe(false);

	// « Étape suivante » asks first; « Annuler » changes nothing.
	const roomStage = async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].stage.index;
	await page.getByTestId('next-stage').click();
	expect(await page.getByTestId('confirm').isVisible()).toBe(true);
	expect(await page.getByTestId('confirm').textContent()).toContain('Passer tous les groupes à l’étape 2 ?');
	await expectAccessible(page);
	await page.getByTestId('confirm-cancel').click();
	expect(await page.getByTestId('confirm').isVisible()).toBe(false);
	expect(await roomStage()).toBe(1);
	await page.getByTestId('next-stage').click();
	await page.getByTestId('confirm-ok').click();
	await expect.poll(roomStage).toBe(2);
	await expect.poll(() => page.getByTestId('room-stage').textContent()).toContain('Étape 2');

	// A late pair on the professionals' statement: 6 + 1 during the stages, and a one-tap rebalance.
	for (const name of ['Mme R.', 'M. K.']) {
		expect((await request(organiser, 'room:addPerson', { roomId, displayName: name, categories: ['habitant'], statementId: ids[2] })).ok).toBe(true);
	}
	await expect.poll(() => page.getByTestId('suggestions').textContent()).toContain('Énoncé 3 · Groupes de tailles 6 + 1 : équilibrer en 4 + 3 ?');
	await page.getByTestId('apply-suggestion').click();
	await expect.poll(() => page.getByTestId('suggestions').count()).toBe(0);
	await expectRowsVisible(page, GROUPS + 1);
	await expectLargeTargets(page);
	await expectAccessible(page);
	await shot(page, 'stages', 'tablet');

	// A row opens its group's sheet; the sheet's controls are large too.
	await page.getByTestId('group-row').first().click();
	await page.getByTestId('group-sheet').waitFor();
	await expectLargeTargets(page);
	await expectAccessible(page);
	await shot(page, 'sheet', 'tablet');
	await page.getByTestId('sheet-close').click();
	await expect.poll(() => page.getByTestId('group-sheet').count()).toBe(0);

	// A duration changed mid-stage moves every screen's time within a second: this page, the projection, a phone.
	const projection = await ctx.newPage();
	await projection.goto(e.rooms[0].projectionUrl);
	await projection.getByTestId('remaining').first().waitFor();
	const seconds = async (p: Page) => {
		const [mm, ss] = ((await p.getByTestId('remaining').first().textContent()) ?? '').trim().split(':').map(Number);
		return (mm ?? 0) * 60 + (ss ?? 0);
	};
	const endsAt: number[] = [];
	phones[0]?.on('room', (v: PhoneRoomView) => endsAt.push(v.stages.room.endsAt ?? 0));
	await page.getByText('⚙ Salle et réglages').click();
	await page.getByTestId('duration-2').fill('40');
	const before = await seconds(page);
	const sent = Date.now();
	await page.getByTestId('durations').getByRole('button', { name: 'Enregistrer' }).click();
	for (const screen of [page, projection]) {
		await expect.poll(() => seconds(screen), { timeout: Math.max(100, 1_000 - (Date.now() - sent)), interval: 50 }).toBeGreaterThan(before + 9 * 60);
	}
	await expect.poll(() => endsAt.at(-1) ?? 0, { timeout: Math.max(100, 1_000 - (Date.now() - sent)), interval: 50 }).toBeGreaterThan(Date.now() + 38 * 60_000);
	await projection.close();
	await page.getByText('⚙ Salle et réglages').click();

	await page.setViewportSize(PHONE);
	await expectLargeTargets(page);
	await shot(page, 'stages', 'phone');

	// ---- the evaluation, then the end ----
	await page.setViewportSize(TABLET);
	for (const n of [3, 4]) {
		await page.getByTestId('next-stage').click();
		await page.getByTestId('confirm-ok').click();
		await expect.poll(roomStage).toBe(n);
	}
	// Statement 1's groups evaluate: one member each.
	const evaluated = new Set<string>();
	for (const p of phones.slice(0, 14)) {
		const gid = groupOf.get(p);
		if (!gid || evaluated.has(gid)) continue;
		evaluated.add(gid);
		expect((await request(p, 'group:evaluate', { everyoneSpoke: 3, feltHeard: 4, worked: 'Les échanges', didNotWork: '' })).ok).toBe(true);
	}
	await expect.poll(() => page.locator('.eval.done').count()).toBe(3);
	await shot(page, 'evaluation', 'tablet');
	await page.setViewportSize(PHONE);
	await shot(page, 'evaluation', 'phone');

	await page.setViewportSize(TABLET);
	await page.getByTestId('next-stage').click();
	expect(await page.getByTestId('confirm').textContent()).toContain('Terminer les étapes pour toute la salle ?');
	await page.getByTestId('confirm-ok').click();
	await page.getByTestId('finished').waitFor();
	expect(await page.getByTestId('finished').textContent()).toContain('La rencontre est terminée');
	expect(await page.getByTestId('not-evaluated').textContent()).toContain(`${GROUPS + 1 - 3} groupe(s) sans évaluation`);
	expect(await page.getByTestId('next-stage').count()).toBe(0);
	// Finished: the phases are free again.
	expect(await page.getByRole('button', { name: 'Accueil' }).isDisabled()).toBe(false);
	await expectRowsVisible(page, GROUPS + 1);
	await expectLargeTargets(page);
	await expectAccessible(page);
	await shot(page, 'finished', 'tablet');
	await page.setViewportSize(PHONE);
	await shot(page, 'finished', 'phone');

	// Handing over: the facilitation link as a QR code and a copy button.
	await page.setViewportSize(TABLET);
	await page.getByTestId('hand-over').click();
	await page.getByTestId('facilitation-share-qr').waitFor();
	await page.getByTestId('facilitation-share-copy').click();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(doc.rooms[0].facilitatorUrl);
	await expectAccessible(page);

	// The organiser console opens on the rooms' projection and facilitation links, above the exports.
	const console_ = await ctx.newPage();
	await console_.goto(e.organiserUrl ?? doc.organiserUrl);
	await console_.getByTestId('projection-share-qr').waitFor();
	const y = async (testid: string) => (await console_.getByTestId(testid).first().boundingBox())?.y ?? Infinity;
	expect(await y('projection-share')).toBeLessThan(TABLET.height);
	expect(await y('facilitation-share')).toBeLessThan(TABLET.height);
	expect(await y('facilitation-share')).toBeLessThan(await y('export-docx'));
	await expectAccessible(console_);
	await console_.screenshot({ path: join(SCREENSHOTS, 'organiser-on-the-day-tablet.png') });

	for (const s of [...phones, organiser]) s.disconnect();
	await ctx.close();
}, 180_000);
