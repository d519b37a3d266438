/**
 * Issue 7, end to end: two groups send proposals to the board; one organiser merges two of them
 * and tags the result « institutions publiques » while a second organiser rewords it at the same
 * moment; both end on the same board, listing both sources; the projection shows it.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { boardView } from '../../src/lib/views';
import { connectClient, request } from '../helpers/clients';
import { expectAccessible, type TestBrowser } from '../helpers/browser';
import { useServerAndBrowser } from '../helpers/fixture';
import type { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

let server: TestServer;
let tb: TestBrowser;
useServerAndBrowser((s, b) => {
	server = s;
	tb = b;
});

it('merges, tags and rewords at once without losing anything', async () => {
	const e = (
		await server.api('POST', '/api/events', {
			title: 'Préconisations',
			themes: [{ title: 'Salle', statements: ['Les habitant·e·s ne sont pas écouté·e·s', 'Les horaires sont inadaptés'] }]
		})
	).body;
	const roomId = e.rooms[0].id;
	const organiserSocket = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	await request(organiserSocket, 'room:setPhase', { roomId, phase: 'choice' });
	const statements = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements;
	const members = [];
	for (const s of statements) {
		const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'M', roomId });
		const socket = await connectClient(server.url, { role: 'participant', token: joined.body.token });
		const ack = await request(socket, 'group:pick', { statementId: s.id });
		members.push({ socket, token: joined.body.token as string, groupId: (ack as { data: { groupId: string } }).data.groupId });
	}
	await request(organiserSocket, 'stage:control', { roomId, command: { action: 'start' } });
	await request(organiserSocket, 'stage:control', { roomId, command: { action: 'next' } });

	// Each group writes an idea at stage 2 and sends it to the board.
	const texts = ['Des permanences le soir dans le quartier', 'Ouvrir le centre de santé le samedi'];
	for (const [i, m] of members.entries()) {
		const [itemId] = await writeItems(server.url, m.token, m.groupId, 2, [texts[i] as string]);
		expect(await request(m.socket, 'board:send', { itemId })).toMatchObject({ ok: true });
		// Sending the same item twice is refused: nothing is duplicated.
		expect((await request(m.socket, 'board:send', { itemId })).ok).toBe(false);
	}

	const { browser } = tb;
	const open = async () => {
		const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
		const page = await ctx.newPage();
		await page.goto(e.organiserUrl);
		await expect.poll(() => page.getByTestId('editor-item').count()).toBe(2);
		return page;
	};
	const [alice, bruno] = (await Promise.all([open(), open()])) as [Page, Page];
	await expectAccessible(alice);

	// Alice selects both and merges; Bruno rewords the first at the same moment.
	await alice.getByTestId('editor-item').nth(0).getByRole('checkbox').check();
	await alice.getByTestId('editor-item').nth(1).getByRole('checkbox').check();
	await bruno.getByTestId('editor-text').nth(0).fill('Des permanences le soir et le samedi');
	await Promise.all([alice.getByTestId('merge').click(), bruno.getByTestId('reword').nth(0).click()]);
	await expect.poll(() => alice.getByTestId('editor-item').count()).toBe(1);
	await alice.getByTestId('level-institutions').click();

	const finalBoard = async (page: Page) => ({
		items: await page.getByTestId('editor-item').count(),
		sources: await page.getByTestId('editor-sources').allTextContents(),
		level: await page.getByTestId('level-institutions').getAttribute('aria-pressed'),
		text: await page.getByTestId('editor-text').inputValue()
	});
	await expect.poll(() => finalBoard(alice)).toEqual({
		items: 1,
		sources: ['issue de 2 groupes, 2 énoncés'],
		level: 'true',
		text: expect.any(String)
	});
	await expect.poll(async () => JSON.stringify(await finalBoard(bruno))).toBe(JSON.stringify(await finalBoard(alice)));

	// The API's board keeps both sources with their provenance.
	const board = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.board;
	expect(board.items).toHaveLength(1);
	expect(board.items[0].levels).toEqual(['institutions']);
	expect(board.items[0].sources.map((s: { text: string; groupNumber: number; stage: number }) => [s.text, s.groupNumber, s.stage]).sort()).toEqual(
		[
			[texts[0], 1, 2],
			[texts[1], 1, 2]
		].sort()
	);

	// The projection shows it.
	const projector = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
	const projection = await projector.newPage();
	await projection.goto(boardView(e.rooms[0].projectionUrl));
	await expect.poll(() => projection.getByTestId('board-item').count()).toBe(1);
	// Named by statement and group, as every screen numbers them.
	const projected = await projection.getByTestId('board-sources').textContent();
	expect(projected).toContain('énoncé 1, groupe 1');
	expect(projected).toContain('énoncé 2, groupe 1');
	expect(await projection.getByTestId('board-text').textContent()).toBe(board.items[0].text);
	await expectAccessible(projection);
	for (const m of members) m.socket.disconnect();
	organiserSocket.disconnect();
});
