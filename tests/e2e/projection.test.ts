/**
 * Issue 18, end to end: the big screen with a real room. The template's 10-statement room, 36
 * phones over sockets with skewed picks (14 on one statement → 3 groups, 8 on another → 2, a
 * professionals-only group, the rest spread), speaking time tapped in several groups, the
 * « temps de rédaction » warning on: every phase, at 1920×1080, 1280×720 and 1024×768, must fit
 * its window — nothing beyond it, no text clipped or of zero size, nothing over anything else,
 * tiles naming their statement, no one-person category with a share, no names, axe clean. Once
 * in English; once with 60 statements of 500 characters in 60 groups, which pages.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { familiesOf, type Family } from '../../src/lib/domain/categories';
import { boardView, openingWords } from '../../src/lib/views';
import { request } from '../helpers/clients';
import { SCREENSHOTS, expectAccessible, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import { layoutProblems } from '../helpers/geometry';
import { pickAll, realisticRoom, speakIn, type RealisticRoom, type RoomPhone } from '../helpers/realisticRoom';
import type { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

type Size = readonly [number, number];
const ALL_SIZES: Size[] = [
	[1920, 1080],
	[1280, 720],
	[1024, 768]
];
/** Statements' text at least 28 px at 1080p, in proportion on smaller screens. */
const READABLE = '[data-testid="tile-statement"], .tile-text, [data-testid="presented"], [data-testid="board-text"]';

interface Check {
	room: RealisticRoom;
	/** Who spoke, for the one-person-category rule. */
	measured: RoomPhone[];
	/** Screenshots of the phase under this name, at 1920×1080 and 1280×720. */
	shot?: string;
	axe: boolean;
}

/** Every page of the screen as it is now passes the layout checks at this size; returns the groups seen on them. */
async function checkPages(page: Page, check: Check, [width, height]: Size): Promise<{ pages: number; groups: Set<string>; ahead: number }> {
	const groups = new Set<string>();
	let ahead = 0;
	const names = check.room.phones.map((p) => p.name);
	const minFontPx = Math.floor(0.026 * height);
	const fits = () => expect.poll(() => layoutProblems(page, { names, readable: READABLE, minFontPx }), { timeout: 8_000 }).toEqual([]);
	// Settled after the resize, on whatever page it shows.
	await fits();
	const pager = page.getByTestId('pager');
	const pages = (await pager.count()) ? Number(await pager.getAttribute('data-pages')) : 1;
	// A turn by hand first: the pages then wait for the hand instead of turning by themselves.
	if (pages > 1) await page.keyboard.press('ArrowRight');
	const start = pages > 1 ? Number(await pager.getAttribute('data-page')) : 1;
	for (let k = 0; k < pages; k++) {
		if (pages > 1) {
			if (k > 0) await page.keyboard.press('ArrowRight');
			await expect.poll(() => pager.getAttribute('data-page')).toBe(String(((start - 1 + k) % pages) + 1));
			await fits();
		}
		await tilesNameTheirStatement(page, check.room);
		ahead += await page.getByTestId('tile-stage').count();
		for (const key of await page.locator('[data-group-key]').evaluateAll((els) => els.map((el) => el.getAttribute('data-group-key') ?? ''))) groups.add(key);
	}
	return { pages, groups, ahead };
}

/** Every group tile shows its statement's number and opening words. */
async function tilesNameTheirStatement(page: Page, room: RealisticRoom) {
	const tiles = await page.getByTestId('tile-statement').evaluateAll((els) => els.map((el) => [el.getAttribute('data-statement'), el.textContent ?? '']));
	for (const [n, text] of tiles) {
		const statement = room.statements[Number(n) - 1];
		expect(statement, `tile of statement ${n}`).toBeDefined();
		expect(text).toContain(`${n}.`);
		expect(text).toContain(openingWords(statement?.text ?? '').replace(/…$/, ''));
	}
}

/** No category held by one measured person shows a share: « non publié » instead. */
async function noOnePersonShare(page: Page, measured: RoomPhone[]) {
	if (!measured.length) return;
	const people = new Map<Family, number>();
	for (const p of measured) for (const f of familiesOf(p.categories).length ? familiesOf(p.categories) : (['nsp'] as Family[])) people.set(f, (people.get(f) ?? 0) + 1);
	const rows = page.getByTestId('room-speaking').locator('[data-family]');
	await expect.poll(() => rows.count()).toBeGreaterThan(0);
	const shown = await rows.evaluateAll((els) => els.map((el) => ({ family: el.getAttribute('data-family'), published: el.getAttribute('data-published'), text: (el as HTMLElement).innerText })));
	let withheld = 0;
	for (const row of shown) {
		if ((people.get(row.family as Family) ?? 0) < 2) {
			withheld++;
			expect(row.published, `${row.family}`).toBe('false');
			expect(row.text).not.toMatch(/\d\s*%/);
		}
	}
	return withheld;
}

/** Checks the screen at each size; returns its number of pages at each, and fails if a size misses a group. */
async function checkPhase(page: Page, check: Check, sizes: Size[], groups = 0) {
	const pagesBySize: number[] = [];
	let ahead = 0;
	const started = Date.now();
	for (const size of sizes) {
		await page.setViewportSize({ width: size[0], height: size[1] });
		let seen = await checkPages(page, check, size);
		// The last picks reach the projection a moment after their acks: looked at again until then.
		for (const until = Date.now() + 10_000; groups && seen.groups.size < groups && Date.now() < until; ) {
			await page.waitForTimeout(300);
			seen = await checkPages(page, check, size);
		}
		pagesBySize.push(seen.pages);
		ahead = seen.ahead;
		if (groups) expect(seen.groups.size, `groups shown at ${size.join('×')}`).toBe(groups);
		if (check.shot && size[0] !== 1024) await page.screenshot({ path: join(SCREENSHOTS, `projection-${check.shot}-${size[0]}x${size[1]}.png`) });
		if (check.axe && size === sizes[0]) await expectAccessible(page);
	}
	// Back to the first size, where the next phase's first look is taken.
	await page.setViewportSize({ width: sizes[0]?.[0] ?? 1920, height: sizes[0]?.[1] ?? 1080 });
	console.info(`${check.shot ?? 'phase'}: ${pagesBySize.join('/')} page(s), checked in ${Date.now() - started} ms`);
	return { pages: pagesBySize, ahead };
}

/** Drives a realistic room through every phase, checking the projection at each. */
async function everyPhase(page: Page, room: RealisticRoom, sizes: Size[], labels: { welcome: RegExp; groupsFixed: RegExp; finished: RegExp; evaluation: RegExp }, shots: boolean) {
	const check = (shot: string, measured: RoomPhone[] = []): Check => ({ room, measured, axe: true, ...(shots ? { shot } : {}) });
	await page.goto(room.projectionUrl);
	await expect.poll(() => page.getByTestId('present').textContent()).toMatch(/36/);
	await expect.poll(() => page.locator('li[data-family]').count()).toBeGreaterThanOrEqual(7);
	await expect(page.locator('main').textContent()).resolves.toMatch(labels.welcome);
	await checkPhase(page, check('welcome'), sizes);

	// The longest statement of the room, presented.
	const longest = room.statements.reduce((best, s, i) => (s.text.length > (room.statements[best]?.text.length ?? 0) ? i : best), 0);
	await room.phase('presentation', longest);
	await expect.poll(() => page.getByTestId('presented').textContent()).toContain(room.statements[longest]?.text);
	await checkPhase(page, check('presentation'), sizes);

	await room.phase('choice');
	await pickAll(room);
	const groups = new Set(room.phones.map((p) => p.groupId));
	await expect.poll(() => page.getByTestId('group').count()).toBeGreaterThan(0);
	await checkPhase(page, check('choice'), sizes, groups.size);

	await room.phase('groups');
	await expect.poll(() => page.locator('main').textContent()).toMatch(labels.groupsFixed);
	await checkPhase(page, check('groups'), sizes, groups.size);

	// Stage 1: timekeepers tap in three groups, among them the one with the only researcher.
	await room.stage({ action: 'start' });
	const byStatement = (i: number) => [...new Set(room.phones.filter((p) => p.statementIndex === i).map((p) => p.groupId))];
	const measured = await speakIn(room, [...byStatement(2).slice(0, 2), ...byStatement(0)], 1);
	await expect.poll(() => page.getByTestId('room-speaking').count()).toBe(1);
	await expect.poll(() => page.getByTestId('writing-warning').count()).toBe(1);
	await checkPhase(page, check('stage1', measured), sizes, groups.size);
	expect(await noOnePersonShare(page, measured)).toBeGreaterThan(0);

	// Stage 2, one group already at stage 3: its tile says so.
	await room.stage({ action: 'next' });
	await room.stage({ action: 'advanceGroup', groupId: byStatement(6)[0] });
	await expect.poll(() => page.getByTestId('question').textContent()).toBe(room.questions[1]);
	// The tile of the group ahead says « ▶ Étape 3 », on whichever page it is.
	expect((await checkPhase(page, check('stage2', measured), sizes)).ahead).toBe(1);
	await noOnePersonShare(page, measured);

	// Two groups send ideas of stage 2 to the board.
	const sent: string[] = [];
	for (const [i, statementIndex] of [2, 6].entries()) {
		const member = room.phones.find((p) => p.statementIndex === statementIndex) as RoomPhone;
		const [itemId] = await writeItems(server.url, member.token, member.groupId, 2, [`Idée ${i + 1} : des permanences le soir dans le quartier, avec les habitant·e·s`]);
		expect((await request(member.socket, 'board:send', { itemId })).ok).toBe(true);
		sent.push(member.groupId);
	}

	await room.stage({ action: 'next' });
	await expect.poll(() => page.getByTestId('question').textContent()).toBe(room.questions[2]);
	expect((await checkPhase(page, check('stage3', measured), sizes)).ahead).toBe(0);

	await room.stage({ action: 'next' });
	await expect.poll(() => page.locator('main').textContent()).toMatch(labels.evaluation);
	await checkPhase(page, check('evaluation', measured), sizes);

	await room.stage({ action: 'finish' });
	await page.getByTestId('finished').waitFor();
	const finished = (await page.locator('main').textContent()) ?? '';
	expect(finished).toMatch(labels.finished);
	expect(finished).not.toMatch(labels.evaluation);
	await checkPhase(page, check('finished'), sizes);

	await page.goto(boardView(room.projectionUrl));
	await expect.poll(() => page.getByTestId('board-item').count()).toBe(2);
	return { groups: groups.size };
}

it('fits every phase of the template room, with 36 phones, at three sizes', { timeout: 480_000 }, async () => {
	const room = await realisticRoom(server, { writingWarningMinutes: 60 });
	const ctx = await tb.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
	const page = await ctx.newPage();
	const { groups } = await everyPhase(
		page,
		room,
		ALL_SIZES,
		{ welcome: /Rejoignez avec votre téléphone/, groupsFixed: /Les groupes sont formés/, finished: /Merci/, evaluation: /Évaluation de la rencontre/ },
		true
	);
	expect(groups).toBeGreaterThanOrEqual(12);

	// The board: the event's title, each préconisation's sources by statement and group.
	expect(await page.locator('h1').textContent()).toBe('Rencontres Nationales de la Santé en Quartiers Populaires — Gros Débat');
	const sources = await page.getByTestId('board-sources').allTextContents();
	// The template's event has three rooms: sources name theirs too.
	expect(sources.sort()).toEqual(['Issue de : salle 1, énoncé 3, groupe 1', 'Issue de : salle 1, énoncé 7, groupe 1']);
	await checkPhase(page, { room, measured: [], shot: 'board', axe: true }, ALL_SIZES);

	// Screen controls: not on the projected image; a mouse movement shows them, for a few seconds.
	expect(await page.getByTestId('contrast').count()).toBe(0);
	await page.mouse.move(200, 200);
	await page.mouse.move(220, 210);
	await page.getByTestId('contrast').click();
	expect(await page.locator('main.high-contrast').count()).toBe(1);
	await expect.poll(() => page.getByTestId('controls').count(), { timeout: 10_000 }).toBe(0);
	await ctx.close();
	room.close();
});

it('speaks English in an English room', { timeout: 240_000 }, async () => {
	const room = await realisticRoom(server, { language: 'en', writingWarningMinutes: 60, title: 'Health in working-class neighbourhoods — Big Debate' });
	const ctx = await tb.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
	const page = await ctx.newPage();
	await everyPhase(page, room, [[1280, 720]], { welcome: /Join with your phone/, groupsFixed: /The groups are formed/, finished: /Thank you/, evaluation: /Group evaluation of the meeting/ }, false);
	expect((await page.getByTestId('board-sources').allTextContents()).sort()).toEqual(['From: room 1, statement 3, group 1', 'From: room 1, statement 7, group 1']);
	await checkPhase(page, { room, measured: [], axe: true }, [[1280, 720]]);
	await ctx.close();
	room.close();
});

it('pages 60 statements of 500 characters and 60 groups, every page fitting', { timeout: 480_000 }, async () => {
	const long = (i: number) =>
		`${i + 1}e énoncé : ${'les habitant·e·s et les professionnel·le·s du quartier doivent construire ensemble la santé de demain, '.repeat(6)}`.slice(0, 497).trim() + ' !';
	const statements = Array.from({ length: 60 }, (_, i) => long(i));
	expect(statements.every((s) => s.length <= 500 && s.length > 480)).toBe(true);
	const room = await realisticRoom(server, { statements, picks: Array.from({ length: 60 }, (_, i) => i), writingWarningMinutes: 60 });
	const ctx = await tb.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
	const page = await ctx.newPage();
	await page.goto(room.projectionUrl);
	await room.phase('presentation', 59);
	await expect.poll(() => page.getByTestId('presented').textContent()).toContain('60e énoncé');
	await checkPhase(page, { room, measured: [], axe: false }, ALL_SIZES);

	await room.phase('choice');
	await pickAll(room);
	await expect.poll(() => page.getByTestId('pager').count()).toBe(1);
	const choicePages = (await checkPhase(page, { room, measured: [], axe: true }, ALL_SIZES, 60)).pages;
	expect(Math.min(...choicePages)).toBeGreaterThan(1);

	await room.stage({ action: 'start' });
	const measured = await speakIn(room, [...new Set(room.phones.map((p) => p.groupId))].slice(0, 4), 1);
	await expect.poll(() => page.getByTestId('tile').count()).toBeGreaterThan(0);
	const stagePages = (await checkPhase(page, { room, measured, axe: true }, ALL_SIZES, 60)).pages;
	expect(Math.min(...stagePages)).toBeGreaterThan(1);
	await noOnePersonShare(page, measured);
	console.info(`60 × 500 characters: choice on ${choicePages.join('/')} pages, stage tiles on ${stagePages.join('/')} pages (1920×1080/1280×720/1024×768)`);
	await ctx.close();
	room.close();
});
