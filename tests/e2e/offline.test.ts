/**
 * Issue 15, item 8: a phone in a Wi-Fi dead spot. The rapporteur types an idea, loses the network,
 * types a second one, reloads the page: the app shell kept by the service worker opens, with the
 * group as last known and both ideas from the phone's copy, and says it is offline. Reloaded again
 * on a network that hangs, it opens the same way. When the server answers, the second idea is
 * stored on it.
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

async function typeItem(page: Page, text: string) {
	await page.getByTestId('add-item').click();
	const input = page.getByTestId('item-input').last();
	await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
	await page.keyboard.type(text, { delay: 15 });
}

const itemTexts = (page: Page) => page.getByTestId('item-input').evaluateAll((els) => els.map((el) => (el as HTMLTextAreaElement).value));

it('reloads offline from the kept app shell and sends what was typed when the network returns', async () => {
	const { browser } = tb;
	const e = (await server.api('POST', '/api/events', { title: 'Zone blanche', themes: [{ title: 'Salle', statements: ['Le quartier manque de bancs'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });

	// Another member is already in the group (a socket is enough for them).
	const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Malo', categories: ['habitant'], roomId });
	const malo = await connectClient(server.url, { role: 'participant', token: joined.body.token });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id;
	expect(await request(malo, 'group:pick', { statementId })).toMatchObject({ ok: true });

	const ctx = await phone(browser);
	const p = await ctx.newPage();
	await p.goto(e.joinUrl);
	await p.getByLabel('Votre prénom ou un pseudonyme').fill('Inès');
	await p.getByRole('button', { name: /Entrer/ }).click();
	await p.getByTestId('statement-card').first().click();
	await p.getByTestId('my-group').waitFor();

	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);
	await expect.poll(() => p.getByTestId('my-group').textContent()).toContain('Malo, Inès');

	await p.getByTestId('pen').click();
	await expect.poll(() => p.getByTestId('pen').getAttribute('aria-pressed')).toBe('true');
	await typeItem(p, 'Des bancs près de l’école');
	await expect.poll(() => p.getByTestId('save-state').textContent()).toContain('enregistré');
	// The service worker has installed the app shell and kept this page.
	await expect.poll(() => p.evaluate(async () => Boolean(await caches.match(location.pathname))), { timeout: 20_000 }).toBe(true);

	// The dead spot: the second idea is typed offline, then the page is reloaded.
	await ctx.setOffline(true);
	await typeItem(p, 'Une fontaine sur la place');
	await expect.poll(() => p.getByTestId('save-state').textContent()).toContain('en attente');
	const reloaded = await p.reload();
	expect(reloaded?.fromServiceWorker()).toBe(true);

	const group = p.getByTestId('my-group');
	const showsLastKnown = async () => {
		await group.waitFor();
		expect(await group.textContent()).toContain('Le quartier manque de bancs');
		expect(await group.textContent()).toContain('Groupe 1');
		expect(await group.textContent()).toContain('Malo, Inès');
		await expect.poll(() => itemTexts(p)).toEqual(['Des bancs près de l’école', 'Une fontaine sur la place']);
		expect(await p.getByTestId('save-state').textContent()).toContain('en attente');
	};
	await showsLastKnown();
	expect(await p.getByTestId('offline').textContent()).toBe('Hors ligne : ce que vous écrivez reste sur ce téléphone et partira au retour du réseau.');
	await expectAccessible(p);
	// The banner first, as the person sees the page after a reload.
	await p.evaluate(() => window.scrollTo(0, 0));
	await p.screenshot({ path: join(SCREENSHOTS, 'phone-offline.png') });

	// A Wi-Fi that hangs rather than fails (the server frozen): the kept page is shown after a wait.
	server.child?.kill('SIGSTOP');
	await ctx.setOffline(false);
	try {
		expect((await p.reload())?.fromServiceWorker()).toBe(true);
		await showsLastKnown();
	} finally {
		server.child?.kill('SIGCONT');
	}

	// The server answers again: the phone reconnects by itself and sends the second idea.
	await expect.poll(() => p.getByTestId('save-state').textContent(), { timeout: 30_000 }).toContain('enregistré');
	await expect.poll(() => p.getByTestId('offline').count()).toBe(0);
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	expect(doc.rooms[0].statements[0].groups[0].writeup.stages[0].items.map((i: { text: string }) => i.text)).toEqual([
		'Des bancs près de l’école',
		'Une fontaine sur la place'
	]);

	// The copy of the session is personal data: erasing the person removes it from the phone too.
	const lastSeen = () => p.evaluate((code) => localStorage.getItem(`palabre.lastSeen.${code}`), e.joinCode);
	expect(JSON.parse((await lastSeen()) as string).session.me.displayName).toBe('Inès');
	const token = (await p.evaluate((code) => localStorage.getItem(`palabre.participant.${code}`), e.joinCode)) as string;
	expect((await server.api('DELETE', `/api/events/${e.id}/participants/${token.split('.')[0]}`, undefined, e.organiserToken)).status).toBe(204);
	await expect.poll(lastSeen).toBeNull();
	malo.disconnect();
	organiser.disconnect();
});
