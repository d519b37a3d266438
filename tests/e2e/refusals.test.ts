/**
 * A refusal from the server reads in the phone's own language: the server sends a code and its
 * parameters, the phone words it (src/lib/domain/refusal.ts). A refusal never costs the phone its
 * identity: it stays the same person after it.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { connectClient, request } from '../helpers/clients';
import { phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});


it('words a refused pick in the phone’s language, and keeps the phone’s identity', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Santé', themes: [{ title: 'Salle', statements: ['On parle de tout', 'Et du reste'] }] })).body;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const roomId = e.rooms[0].id as string;
	expect(await request(organiser, 'room:setPhase', { roomId, phase: 'choice' })).toEqual({ ok: true, data: null });

	const join = async (locale: string, name: string, label: RegExp, submit: RegExp) => {
		const context = await phone(tb.browser, locale);
		const page = await context.newPage();
		await page.goto(e.joinUrl);
		await page.getByLabel(label).fill(name);
		await page.getByRole('button', { name: submit }).click();
		await page.getByTestId('statement-card').first().waitFor();
		return { page, context };
	};
	const english = await join('en-GB', 'Sam', /Your first name or a pseudonym/, /Enter/);
	const french = await join('fr-FR', 'Awa', /Votre prénom ou un pseudonyme/, /Entrer/);
	// The phone's identity: its participant token, kept by the join code (src/lib/client/participantToken.ts).
	const identity = (p: Page) => p.evaluate((code: string) => localStorage.getItem(`palabre.participant.${code}`), e.joinCode as string);
	const before = await identity(english.page);
	expect(before).toMatch(/\S/);

	// Both phones tap while the choice closes under them (offline, so their screens still show it).
	for (const p of [english, french]) await p.context.setOffline(true);
	expect(await request(organiser, 'room:setPhase', { roomId, phase: 'groups' })).toEqual({ ok: true, data: null });
	for (const p of [english, french]) {
		await p.page.getByTestId('statement-card').first().click();
		await p.context.setOffline(false);
	}
	await english.page.getByText('the choice of statements is not open').waitFor();
	await french.page.getByText('le choix des énoncés n’est pas ouvert').waitFor();
	expect(await english.page.getByRole('alert').filter({ hasText: 'choix' }).count()).toBe(0);

	// Still the same person, still in the room.
	expect(await identity(english.page)).toBe(before);
	await english.page.reload();
	await english.page.getByTestId('my-room').waitFor();
	organiser.disconnect();
});
