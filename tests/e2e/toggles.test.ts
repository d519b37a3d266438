/**
 * Issue 19, item 7: every toggle of the phone page, at each stage, and of the facilitator's page
 * says its state (`aria-pressed`) and shows it, by more than colour and with AA contrast. Each
 * toggle found is read as it is and with its state flipped in place (the look must follow the
 * state, whatever the toggle); a few are also pressed for real, and must change both.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
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

interface Look {
	background: string;
	color: string;
	fontWeight: string;
	border: string;
	/** The check mark drawn before a pressed toggle's words (src/app.css), or 'none'. */
	mark: string;
	/** Text against background, or null when the background is not opaque. */
	contrast: number | null;
}
interface Toggle {
	name: string;
	pressed: string | null;
	disabled: boolean;
	look: Look;
	/** The same toggle with its state flipped in place. */
	flipped: Look;
}

/** Every visible toggle of the page, read as it is and flipped. */
function toggles(page: Page): Promise<Toggle[]> {
	return page.locator('button[aria-pressed]').evaluateAll((els) => {
		const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
		const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
			const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
			return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
		};
		const read = (el: Element): Look => {
			const s = getComputedStyle(el);
			const before = getComputedStyle(el, '::before');
			const bg = rgb(s.backgroundColor);
			const [a, b] = [luminance(rgb(s.color)), luminance(bg)].sort((x, y) => y - x) as [number, number];
			return {
				background: s.backgroundColor,
				color: s.color,
				fontWeight: s.fontWeight,
				border: `${s.borderTopWidth} ${s.borderTopColor}`,
				mark: before.content === 'none' ? 'none' : `${before.width}×${before.height} ${before.borderRightWidth}`,
				contrast: bg.length === 3 || bg[3] === 1 ? (a + 0.05) / (b + 0.05) : null
			};
		};
		return els
			.filter((el) => (el as HTMLElement).checkVisibility())
			.map((el) => {
				const pressed = el.getAttribute('aria-pressed');
				const look = read(el);
				el.setAttribute('aria-pressed', pressed === 'true' ? 'false' : 'true');
				const flipped = read(el);
				el.setAttribute('aria-pressed', pressed ?? 'false');
				return { name: el.getAttribute('data-testid') ?? (el.textContent ?? '').trim(), pressed, disabled: (el as HTMLButtonElement).disabled, look, flipped };
			});
	});
}

/** The page's toggles all say and show their state; returns their names. */
async function expectToggles(page: Page, expected: string[]) {
	const found = await toggles(page);
	for (const t of found) {
		const [on, off] = t.pressed === 'true' ? [t.look, t.flipped] : [t.flipped, t.look];
		expect(['true', 'false'], t.name).toContain(t.pressed);
		expect(on, t.name).not.toEqual(off);
		// Not by colour alone: a check mark, a heavier weight or a thicker border.
		expect([on.mark !== off.mark, on.fontWeight !== off.fontWeight, on.border.split(' ')[0] !== off.border.split(' ')[0]], t.name).toContain(true);
		if (!t.disabled) for (const look of [on, off]) if (look.contrast !== null) expect(look.contrast, `${t.name} ${JSON.stringify(look)}`).toBeGreaterThanOrEqual(4.5);
	}
	const names = [...new Set(found.map((t) => t.name))];
	for (const name of expected) expect(names).toContain(name);
	return names;
}

/** Presses a toggle for real: its state and its look both change. */
async function press(find: () => ReturnType<Page['getByTestId']>) {
	const state = await find().getAttribute('aria-pressed');
	const look = async () => find().evaluate((el) => JSON.stringify([getComputedStyle(el).backgroundColor, getComputedStyle(el, '::before').content]));
	const was = await look();
	await find().click();
	await expect.poll(() => find().getAttribute('aria-pressed')).toBe(state === 'true' ? 'false' : 'true');
	expect(await look()).not.toBe(was);
}

/** A room at the choice, with Bruno already seated at the first statement (a socket is enough for him). */
async function room() {
	const e = (await server.api('POST', '/api/events', { title: 'Boutons', themes: [{ title: 'Salle', statements: ['Des bancs', 'Une fontaine'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Bruno', categories: ['habitant'], roomId });
	const bruno = await connectClient(server.url, { role: 'participant', token: joined.body.token });
	expect((await request(bruno, 'group:pick', { statementId })).ok).toBe(true);
	const control = async (action: 'start' | 'next') => expect((await request(organiser, 'stage:control', { roomId, command: { action } })).ok).toBe(true);
	const addToBoard = async () =>
		expect(await request(organiser, 'board:op', { op: { kind: 'addDirect', itemId: 'banc1', text: 'Des bancs partout', at: Date.now() } })).toMatchObject({ ok: true });
	const close = () => [bruno, organiser].forEach((s) => s.disconnect());
	return { e, control, addToBoard, close };
}

it('every toggle of the phone, stage by stage, says and shows its state', async () => {
	const { browser } = tb;
	const { e, control, addToBoard, close } = await room();

	const p = await (await phone(browser)).newPage();
	await p.goto(e.joinUrl);
	await p.getByLabel('Votre prénom ou un pseudonyme').fill('Awa');
	await p.getByTestId('categories-toggle').click();
	await p.getByLabel(/Habitant·e/).check();
	await p.getByRole('button', { name: /Entrer/ }).click();
	await p.getByTestId('statement-card').first().click();
	await p.getByTestId('my-group').waitFor();

	// The choice: the chosen statement's card, the other, the larger text.
	await expect.poll(() => p.getByTestId('statement-card').first().getAttribute('aria-pressed')).toBe('true');
	expect(await p.getByTestId('statement-card').nth(1).getAttribute('aria-pressed')).toBe('false');
	await expectToggles(p, ['statement-card', 'text-size']);
	await press(() => p.getByTestId('text-size'));
	await press(() => p.getByTestId('text-size'));
	await expectAccessible(p);

	await control('start');
	for (const stage of [1, 2, 3]) {
		await expect.poll(() => p.getByTestId('writeup-stage-' + stage).count()).toBe(1);
		// The timekeeper's pad: the keeper's switch, a toggle per person, « Plusieurs à la fois ».
		await p.getByTestId('keeper').waitFor();
		if ((await p.getByTestId('keeper').getAttribute('aria-pressed')) === 'false') await press(() => p.getByTestId('keeper'));
		await press(() => p.getByTestId('crosstalk'));
		// The pen, an idea, and the reactions to it.
		if ((await p.getByTestId('pen').getAttribute('aria-pressed')) === 'false') await press(() => p.getByTestId('pen'));
		const section = p.getByTestId(`writeup-stage-${stage}`);
		await section.getByTestId('add-item').click();
		await expect.poll(() => section.getByTestId('item-input').last().evaluate((el) => el === document.activeElement)).toBe(true);
		await p.keyboard.type(`Idée de l’étape ${stage}`, { delay: 10 });
		const item = section.getByTestId('item');
		await press(() => item.getByTestId('agree'));
		await press(() => item.getByTestId('star'));
		await expectToggles(p, ['keeper', 'tap', 'crosstalk', 'pen', 'agree', 'clarify', 'star', 'text-size']);
		if (stage === 2) {
			await expectAccessible(p);
			await p.screenshot({ path: join(SCREENSHOTS, 'phone-toggles-stage2.png'), fullPage: true });
		}
		if (stage === 1) {
			// The idea's menu: its symbols are drawn (src/lib/components/Icon.svelte), not taken from a font.
			await item.getByTestId('item-menu').click();
			await item.getByTestId('delete-item').waitFor();
			expect(await item.locator('.menu-list svg').count()).toBeGreaterThanOrEqual(3);
			await expectAccessible(p);
			await item.getByTestId('delete-item').scrollIntoViewIfNeeded();
			await p.screenshot({ path: join(SCREENSHOTS, 'phone-item-menu-icons.png') });
			await item.getByTestId('item-menu').click();
		}
		// Back as it was, for the next stage.
		await press(() => p.getByTestId('crosstalk'));
		await control('next');
	}

	// The evaluation: its scales, and « Je soutiens » on the board.
	await addToBoard();
	await p.getByTestId('evaluation').waitFor();
	const support = () => p.getByTestId('support');
	await support().waitFor();
	await press(support);
	await press(() => p.getByTestId('eval-everyoneSpoke-2'));
	await expectToggles(p, ['eval-everyoneSpoke-2', 'eval-feltHeard-declined', 'support', 'text-size']);
	await expectAccessible(p);
	await support().scrollIntoViewIfNeeded();
	await p.screenshot({ path: join(SCREENSHOTS, 'phone-toggles-evaluation.png') });
	close();
});

it('every toggle of the facilitator’s page says and shows its state', async () => {
	const { browser } = tb;
	const { e, control, addToBoard, close } = await room();
	await control('start');
	for (let i = 0; i < 3; i++) await control('next');
	await addToBoard();

	// The room's phases (locked during the stages), the order of the groups, a board item's levels.
	const f = await (await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR' })).newPage();
	await f.goto((await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].facilitatorUrl);
	await f.getByTestId('rows').waitFor();
	await f.locator('details#board > summary').click();
	const sortByStatement = () => f.getByRole('group', { name: 'Ordre des groupes' }).getByRole('button').nth(1);
	await press(sortByStatement);
	await press(() => f.getByTestId('level-equipes'));
	const names = await expectToggles(f, ['level-equipes', 'level-institutions']);
	expect(names.length).toBeGreaterThanOrEqual(2 + 2 + 4);
	await expectAccessible(f);
	await f.evaluate(() => window.scrollTo(0, 0));
	await f.screenshot({ path: join(SCREENSHOTS, 'facilitator-toggles-tablet.png') });
	close();
});
