/**
 * When the server ends a connection for good, the screen says why instead of « reconnexion… »:
 * a phone whose person was erased by the organisers is back at the join form with the reason,
 * its write-up closed and its copy of it deleted; a projection whose link was renewed says so.
 */
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

it('tells an erased phone and a projection with a renewed link why they stopped', async () => {
	const { browser } = tb;
	const e = (await server.api('POST', '/api/events', { title: 'Effacement', themes: [{ title: 'Salle', statements: ['A'] }] })).body;

	const projector = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
	const projection = await projector.newPage();
	await projection.goto(e.rooms[0].projectionUrl);
	await projection.getByTestId('qr').waitFor();

	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const p = await (await phone(browser)).newPage();
	await p.goto(e.joinUrl);
	await p.getByLabel('Votre prénom ou un pseudonyme').fill('Awa');
	// The categories are folded into one line of the form.
	await p.getByTestId('categories-toggle').click();
	await p.getByLabel(/Habitant·e/).check();
	await p.getByRole('button', { name: /Entrer/ }).click();
	await p.getByTestId('statement-card').first().click();
	await p.getByTestId('my-group').waitFor();
	expect((await request(organiser, 'stage:control', { roomId, command: { action: 'start' } })).ok).toBe(true);
	// The write-up is open, with its copy on the phone.
	await p.getByTestId('save-state').waitFor();
	const copies = () => p.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith('palabre.group.')));
	await expect.poll(copies).toHaveLength(1);
	const token = (await p.evaluate((code) => localStorage.getItem(`palabre.participant.${code}`), e.joinCode)) as string;
	const participantId = token.split('.')[0] as string;

	expect((await server.api('DELETE', `/api/events/${e.id}/participants/${participantId}`, undefined, e.organiserToken)).status).toBe(204);
	await p.getByText('Vos données ont été effacées par l’équipe d’organisation.', { exact: false }).waitFor();
	// Back at the join form, without the erased identity, and not « reconnexion… ».
	await p.getByLabel('Votre prénom ou un pseudonyme').waitFor();
	expect(await p.evaluate((code) => localStorage.getItem(`palabre.participant.${code}`), e.joinCode)).toBeNull();
	expect(await p.getByTestId('offline').count()).toBe(0);
	// Nor its copy of the group's write-up.
	await expect.poll(copies).toEqual([]);
	await expectAccessible(p);

	expect((await server.api('POST', `/api/events/${e.id}/rotate`, undefined, e.organiserToken)).status).toBe(200);
	await projection.getByText('Ce lien a été renouvelé', { exact: false }).waitFor();
	expect(await projection.getByTestId('qr').count()).toBe(0);
	await expectAccessible(projection);
	organiser.disconnect();
});
