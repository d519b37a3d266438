/**
 * Issue 6, end to end: a timekeeper phone taps through a scripted sequence with a controlled clock
 * for a group of four in two categories; the group sees exact seconds per person; the projection
 * shows exact category percentages and no names; taps made offline arrive with their times.
 */
import { join } from 'node:path';
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

/**
 * A phone whose clock the test moves. Once paused, it and the server's clock drift apart (by as
 * much as the test moves it on faster than real time): a clock resample (every 30 s of the phone's
 * time) would move the phone's offset in the middle of a script, and stamp the next taps seconds
 * away from the previous ones. The samples are held back from the pause on; the first offset stays.
 */
async function phoneOnTestClock() {
	const ctx = await phone(tb.browser);
	await ctx.clock.install();
	const page = await ctx.newPage();
	let holdSamples = false;
	await page.routeWebSocket(/\/socket\.io\//, (ws) => {
		const toServer = ws.connectToServer();
		ws.onMessage((message) => {
			if (holdSamples && /^42\d*\["time"/.test(String(message))) return;
			toServer.send(message);
		});
	});
	const pauseClock = async () => {
		holdSamples = true;
		await page.clock.pauseAt(Date.now() + 1_000);
	};
	return { ctx, page, pauseClock };
}

it('counts speaking time exactly, by person for the group and by category for the room', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Parole', themes: [{ title: 'Salle', statements: ['Qui parle ?'] }] })).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	// Three members join without a browser: two residents and a health professional.
	const others = [];
	for (const [name, categories] of [['Aïcha', ['habitant']], ['Bruno', ['habitant']], ['Chloé', ['medecin']]] as const) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: name, categories, roomId });
		const s = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		await request(s, 'group:pick', { statementId });
		others.push(s);
	}

	// The timekeeper's phone runs on a clock the test controls: paused once joined, then moved forward.
	const { ctx, page: keeper, pauseClock } = await phoneOnTestClock();
	await keeper.goto(e.joinUrl);
	await keeper.getByLabel('Votre prénom ou un pseudonyme').fill('Dany');
	// The categories are folded into one line of the form.
	await keeper.getByTestId('categories-toggle').click();
	await keeper.getByLabel(/Professionnel·le de santé/).check();
	await keeper.getByRole('button', { name: /Entrer/ }).click();
	await keeper.getByTestId('statement-card').first().click();
	await keeper.getByTestId('my-group').waitFor();
	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	await keeper.getByTestId('keeper').click();
	await pauseClock();

	const tap = (name: string) => keeper.getByTestId('tap').filter({ hasText: name }).click();
	const after = (seconds: number) => keeper.clock.runFor(seconds * 1000);
	await tap('Aïcha'); // t=0
	await after(6);
	await tap('Chloé'); // Aïcha 6 s
	await after(10);
	await tap('Chloé'); // Chloé stops: 10 s
	await after(2);
	await keeper.getByTestId('crosstalk').click();
	await tap('Aïcha');
	await tap('Bruno'); // both speak from t=18
	await after(4);
	await tap('Bruno'); // Bruno 4 s
	await after(2);
	await keeper.getByTestId('silence').click(); // Aïcha 6 + 6 = 12 s
	await keeper.getByTestId('crosstalk').click();
	await tap('Dany');
	await after(2);
	await keeper.getByTestId('undo').click(); // Dany's tap never happened
	await expect.poll(() => keeper.getByTestId('tap-queue').textContent()).toBe('Tout est envoyé');

	const bars = async () =>
		Object.fromEntries(
			await keeper.getByTestId('bar').evaluateAll((els) => els.map((el) => [el.getAttribute('data-person'), el.querySelector('[data-testid="bar-time"]')?.textContent]))
		);
	await expect.poll(bars).toEqual({ Aïcha: '00:12', Bruno: '00:04', Chloé: '00:10', Dany: '00:00' });
	expect(await keeper.getByTestId('not-yet').textContent()).toBe('Pas encore entendu·e·s : Dany');
	// axe waits on timers: let the clock run for it, then pause it again.
	await keeper.clock.resume();
	await expectAccessible(keeper);
	await keeper.clock.pauseAt((await keeper.evaluate(() => Date.now())) + 100);

	// The projection: by category only, exact, and no names.
	const projector = await tb.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
	const projection = await projector.newPage();
	await projection.goto(e.rooms[0].projectionUrl);
	const shares = projection.getByTestId('room-speaking');
	await expect.poll(() => shares.textContent()).toContain('Habitant·e / usager·e : 50 % des membres, 62 % du temps de parole');
	expect(await shares.textContent()).toContain('Professionnel·le de santé : 50 % des membres, 38 % du temps de parole');
	const text = await projection.locator('body').innerText();
	for (const name of ['Aïcha', 'Bruno', 'Chloé', 'Dany']) expect(text).not.toContain(name);

	// The organisers' document and CSV agree, to the millisecond.
	const group = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].groups[0];
	expect(group.speaking.totalMs).toBe(26_000);
	expect(group.speaking.rows).toEqual([
		{ family: 'habitant', people: 2, memberShare: 0.5, timeShare: 16 / 26 },
		{ family: 'sante', people: 2, memberShare: 0.5, timeShare: 10 / 26 }
	]);
	const csv = await fetch(`${server.url}/api/events/${e.id}/speaking.csv`, { headers: { authorization: `Bearer ${e.organiserToken}` } });
	const raw = new Uint8Array(await csv.arrayBuffer());
	// A byte order mark, so that spreadsheets read the accents right.
	expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	const body = new TextDecoder().decode(raw);
	// The intervals, then (after a blank line) the room's shares.
	const rows = (body.split('\r\n\r\n')[0] ?? '').split('\r\n');
	expect(rows[0]).toBe('groupe;enonce;etape;personne;categories;debut;fin;duree_ms');
	// Pseudonyms, never names; rows in order of start (two start together at t=18).
	expect(rows.slice(1).map((r) => r.split(';').slice(3, 5).concat(r.split(';')[7] as string).join(' ')).sort()).toEqual([
		'P001 habitant 6000',
		'P001 habitant 6000',
		'P002 sante 10000',
		'P003 habitant 4000'
	]);
	expect(body).not.toMatch(/Aïcha|Bruno|Chloé|Dany/);

	// Offline: taps are queued on the phone and arrive later with their original times.
	await ctx.setOffline(true);
	await tap('Chloé');
	await after(3);
	await keeper.getByTestId('silence').click();
	await expect.poll(() => keeper.getByTestId('tap-queue').textContent()).toBe('2 en attente d’envoi');
	await ctx.setOffline(false);
	await keeper.clock.runFor(5_000);
	await expect.poll(() => keeper.getByTestId('tap-queue').textContent(), { timeout: 15_000 }).toBe('Tout est envoyé');
	await expect.poll(async () => (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].groups[0].speaking.totalMs).toBe(29_000);
	for (const s of [...others, organiser]) s.disconnect();
});

it('asks « toujours X ? » after a long turn on a 360×640 phone, in French and English, and a « oui » keeps the time', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Tours longs', themes: [{ title: 'Salle', statements: ['Qui parle ?'] }], longTurnSeconds: 10 })).body;
	const roomId = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	const others = [];
	for (const [name, categories] of [['Aïcha', ['habitant']], ['Bruno', ['medecin']]] as const) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: name, categories, roomId });
		const s = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		await request(s, 'group:pick', { statementId });
		others.push(s);
	}
	const { ctx, page: keeper, pauseClock } = await phoneOnTestClock();
	await keeper.goto(e.joinUrl);
	await keeper.getByLabel('Votre prénom ou un pseudonyme').fill('Dany');
	await keeper.getByRole('button', { name: /Entrer/ }).click();
	await keeper.getByTestId('statement-card').first().click();
	await keeper.getByTestId('my-group').waitFor();
	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	await keeper.getByTestId('keeper').click();
	await pauseClock();

	await keeper.getByTestId('tap').filter({ hasText: 'Aïcha' }).click();
	await expect.poll(() => keeper.getByTestId('tap-queue').textContent()).toBe('Tout est envoyé');
	await expect.poll(() => keeper.getByTestId('tap').filter({ hasText: 'Aïcha' }).getAttribute('aria-pressed')).toBe('true');
	await keeper.clock.runFor(11_000);
	const still = keeper.getByTestId('still');
	await expect.poll(() => still.isVisible()).toBe(true);
	expect(await still.getByRole('paragraph').first().textContent()).toContain('Toujours Aïcha ?');
	// Unanswered, the turn counts only up to the last tap.
	const aicha = keeper.getByTestId('bar').filter({ hasText: 'Aïcha' }).getByTestId('bar-time');
	expect(await aicha.textContent()).toBe('00:00');
	await still.scrollIntoViewIfNeeded();
	await keeper.screenshot({ path: join(SCREENSHOTS, 'phone-speaking-long-turn.png') });
	// The two answers fit side by side at 360 px, each a finger wide.
	for (const id of ['still-yes', 'still-no']) {
		const box = await keeper.getByTestId(id).boundingBox();
		expect(box?.height).toBeGreaterThanOrEqual(44);
		expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(360);
	}

	await keeper.getByRole('button', { name: 'Switch to English' }).click();
	await expect.poll(() => still.getByRole('paragraph').first().textContent()).toContain('Still Aïcha?');
	expect(await keeper.getByTestId('still-yes').textContent()).toContain('Yes, still');
	await keeper.clock.resume();
	await expectAccessible(keeper);
	await keeper.clock.pauseAt((await keeper.evaluate(() => Date.now())) + 100);

	// « Yes »: the turn goes on from its start.
	await keeper.getByTestId('still-yes').click();
	await expect.poll(() => still.isVisible()).toBe(false);
	await expect.poll(() => keeper.getByTestId('tap-queue').textContent()).toBe('Everything is sent');
	await expect.poll(async () => Number((await aicha.textContent())?.slice(3))).toBeGreaterThanOrEqual(11);
	for (const s of [...others, organiser]) s.disconnect();
});
