/** Issue 19, item 7: a facilitator's notice on the phones of a group is gone at the next stage. */
import { expect, it } from 'vitest';
import { connectClient, request } from '../helpers/clients';
import { expectAccessible, phone, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('shows a facilitator’s notice during its stage only', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Consignes', themes: [{ title: 'Salle', statements: ['A'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const p = await (await phone(tb.browser)).newPage();
	await p.goto(e.joinUrl);
	await p.getByLabel('Votre prénom ou un pseudonyme').fill('Awa');
	// The categories are folded into one line of the form.
	await p.getByTestId('categories-toggle').click();
	await p.getByLabel(/Habitant·e/).check();
	await p.getByRole('button', { name: /Entrer/ }).click();
	await p.getByTestId('statement-card').first().click();
	await p.getByTestId('my-group').waitFor();
	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);
	const groupId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].groups[0].id as string;
	await p.getByTestId('save-state').waitFor();

	expect(await request(organiser, 'room:notifyGroup', { roomId, groupId, text: 'Pensez à noter vos constats' })).toMatchObject({ ok: true });
	await expect.poll(() => p.getByTestId('notice').textContent()).toContain('Pensez à noter vos constats');
	await expectAccessible(p);

	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'next' } })).ok).toBe(true);
	await expect.poll(() => p.getByTestId('notice').count()).toBe(0);
	// A notice of the new stage shows again.
	expect(await request(organiser, 'room:notifyGroup', { roomId, groupId, text: 'Deux minutes' })).toMatchObject({ ok: true });
	await expect.poll(() => p.getByTestId('notice').textContent()).toContain('Deux minutes');
	organiser.disconnect();
});
