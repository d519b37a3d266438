/**
 * Issue 22, statements editable: before the choice opens, the organiser rewords and reorders a
 * room's statements in the console (by dragging and with the ↑ ↓ buttons) and the projection and a
 * phone follow; once it has opened, a rewording is logged and the facilitators' page shows it with
 * the wording before; removing a chosen statement is refused with a clear error.
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

it('an edit before the choice shows on the projection and a phone; after it opens, it is logged and shown to the facilitators', async () => {
	const e = (
		await server.api('POST', '/api/events', {
			title: 'Énoncés à corriger',
			themes: [{ title: 'Usagers', statements: ['Ca va mieux quand on se parle', 'Equipe et habitant·e·s, même combat', 'Le temps manque'] }]
		})
	).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiser, 'room:setPhase', { roomId, phase: 'presentation', presenting: 0 });

	const projection = await (await tb.browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
	await projection.goto(e.rooms[0].projectionUrl);
	await projection.getByText('« Ca va mieux quand on se parle »').waitFor();
	const mobile = await (await phone(tb.browser)).newPage();
	await mobile.goto(e.joinUrl);
	await mobile.getByLabel('Votre prénom ou un pseudonyme').fill('Awa');
	await mobile.getByRole('button', { name: /Entrer/ }).click();
	await mobile.getByText('« Ca va mieux quand on se parle »').waitFor();

	const console_ = await (await tb.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' })).newPage();
	await console_.goto(e.organiserUrl);
	const editor = console_.getByTestId('statements-editor');
	await editor.getByText('Modifier les énoncés').click();
	const texts = () => editor.getByTestId('statement-text').evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value));
	await editor.getByRole('textbox', { name: 'Énoncé 1', exact: true }).fill('Ça va mieux quand on se parle');
	// « Le temps manque » dragged to the top, then moved back down one place with the keyboard's button.
	await editor.getByTestId('statement-handle').nth(2).dragTo(editor.getByTestId('statement-item').nth(0));
	expect(await texts()).toEqual(['Le temps manque', 'Ça va mieux quand on se parle', 'Equipe et habitant·e·s, même combat']);
	await editor.getByRole('button', { name: 'Descendre l’énoncé 1' }).click();
	expect(await editor.getByRole('status').first().textContent()).toBe('Énoncé déplacé en position 2.');
	expect(await texts()).toEqual(['Ça va mieux quand on se parle', 'Le temps manque', 'Equipe et habitant·e·s, même combat']);
	await editor.getByTestId('statement-add').fill('On ne nous écoute pas');
	await editor.getByRole('button', { name: 'Ajouter' }).click();
	await expectAccessible(console_);
	await editor.screenshot({ path: join(SCREENSHOTS, 'console-statements-editor.png') });
	await editor.getByTestId('statements-save').click();
	await editor.getByText('Énoncés enregistrés.').waitFor();

	// Every screen follows: the projection presents the corrected first statement, the phone lists the new order.
	await projection.getByText('« Ça va mieux quand on se parle »').waitFor();
	await mobile.getByText('« On ne nous écoute pas »').waitFor();
	expect(await mobile.getByTestId('statement-card').locator('.text').allTextContents()).toEqual([
		'« Ça va mieux quand on se parle »',
		'« Le temps manque »',
		'« Equipe et habitant·e·s, même combat »',
		'« On ne nous écoute pas »'
	]);

	// The choice opens; Awa picks statement 3; the facilitators' page is open.
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	await mobile.getByTestId('statement-card').nth(2).click();
	await mobile.getByTestId('my-group').waitFor();
	const facilitation = await (await tb.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' })).newPage();
	await facilitation.goto(`${server.url}/f/${roomId}#${e.organiserToken}`);
	await facilitation.getByTestId('summary').waitFor();
	expect(await facilitation.getByTestId('statement-edits').count()).toBe(0);

	await editor.getByTestId('statements-logged').waitFor();
	await editor.getByRole('textbox', { name: 'Énoncé 3', exact: true }).fill('Équipe et habitant·e·s, même combat');
	await editor.getByTestId('statements-save').click();
	await editor.getByText('Énoncés enregistrés.').waitFor();
	const notice = facilitation.getByTestId('statement-edits');
	await notice.getByText('« Équipe et habitant·e·s, même combat »').waitFor();
	expect(await notice.textContent()).toContain('Avant : « Equipe et habitant·e·s, même combat »');
	expect(await notice.textContent()).toContain('Énoncé 3');
	await expectAccessible(facilitation);
	await notice.screenshot({ path: join(SCREENSHOTS, 'facilitator-statement-edits.png') });
	// The phone's list shows the new wording of the statement Awa's group chose.
	await mobile.getByTestId('statement-card').nth(2).getByText('« Équipe et habitant·e·s, même combat »').waitFor();

	// Removing the chosen statement: refused, said clearly, nothing changes.
	await editor.getByRole('button', { name: 'Retirer l’énoncé 3' }).click();
	await editor.getByTestId('statements-save').click();
	await expect.poll(() => editor.getByRole('alert').textContent()).toContain('impossible de retirer « Équipe et habitant·e·s, même combat » : un groupe l’a déjà choisi');
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	expect(doc.rooms[0].statements).toHaveLength(4);
	organiser.disconnect();
}, 180_000);
