/**
 * A room arriving all at once: when the event's join budget is spent, the join page does not fail
 * but says « encore quelques secondes… » and tries again (honouring Retry-After, with jitter),
 * until the phone is in.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launch, phone, type TestBrowser } from '../helpers/browser';
import { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
beforeAll(async () => {
	// 20 joins a minute for this one-room event: one every 3 seconds once the burst is spent.
	[server, tb] = await Promise.all([TestServer.start({ JOIN_LIMIT: '20' }), launch()]);
});
afterAll(async () => {
	await tb?.close();
	await server?.dispose();
});

it('retries a join refused for now, saying a few more seconds, until it is in', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Affluence', themes: [{ title: 'Salle', statements: ['A'] }] })).body;
	const p = await (await phone(tb.browser)).newPage();
	await p.goto(e.joinUrl);
	await p.getByLabel('Votre prénom ou un pseudonyme').fill('Awa');
	// The rest of the room got there first.
	let refused = 0;
	for (let i = 0; i < 40 && refused === 0; i++) {
		if ((await server.api('POST', `/api/join/${e.joinCode}`, { displayName: `P${i}` })).status === 429) refused++;
	}
	expect(refused).toBe(1);
	await p.getByRole('button', { name: /Entrer/ }).click();
	await p.getByText('encore quelques secondes…', { exact: false }).waitFor();
	expect(await p.getByRole('alert').count()).toBe(0);
	// In, without touching anything again.
	await p.getByText('Bonjour Awa !').waitFor({ timeout: 30_000 });
	expect(await p.getByTestId('join-retrying').count()).toBe(0);
	expect(server.countRowsWhere('participants', 'event_id = ? AND display_name = ?', e.id, 'Awa')).toBe(1);
});
