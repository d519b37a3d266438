/**
 * The paper kit (server/paperKit.ts) downloaded from the real server: every page present, every
 * text extractable, every QR code decoding to its room's join page. Pages are rendered with
 * pdfjs-dist; a few are left as screenshots (`SCREENSHOT_DIR=docs/screenshots` refreshes the docs').
 */
import jsQR from 'jsqr';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chamberyTemplate } from '../../src/lib/domain/eventSettings';
import { connectClient, request } from '../helpers/clients';
import { SCREENSHOTS } from '../helpers/browser';
import { TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => server?.dispose());

interface Canvas {
	toBuffer(type: 'image/png'): Buffer;
}
interface CanvasAndContext {
	canvas: Canvas;
	context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray; width: number; height: number } };
}

async function open(bytes: Uint8Array) {
	const pdf = await pdfjs.getDocument({ data: bytes, useSystemFonts: false }).promise;
	const pages: { text: string; render(scale: number): Promise<CanvasAndContext> }[] = [];
	for (let n = 1; n <= pdf.numPages; n++) {
		const page = await pdf.getPage(n);
		const content = await page.getTextContent();
		const text = content.items.map((i) => ('str' in i ? i.str : '')).join(' ').replace(/\s+/g, ' ');
		pages.push({
			text,
			async render(scale) {
				const viewport = page.getViewport({ scale });
				// pdfjs's own canvas in Node (@napi-rs/canvas).
				const factory = (pdf as unknown as { canvasFactory: { create(w: number, h: number): CanvasAndContext } }).canvasFactory;
				const drawn = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
				await page.render({ canvas: drawn.canvas as unknown as HTMLCanvasElement, canvasContext: drawn.context as unknown as CanvasRenderingContext2D, viewport }).promise;
				return drawn;
			}
		});
	}
	return pages;
}

async function qrOf(page: { render(scale: number): Promise<CanvasAndContext> }) {
	const { context } = await page.render(1.5);
	const image = context.getImageData(0, 0, Math.ceil(595.28 * 1.5), Math.ceil(841.89 * 1.5));
	return jsQR(image.data, image.width, image.height)?.data;
}

async function download(id: string, token?: string) {
	return fetch(`${server.url}/api/events/${id}/paper-kit.pdf`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

it('prints the Chambéry event: verbatim sheet, posters, cards, write-up sheets, evaluation; every QR code opens its room', async () => {
	const template = chamberyTemplate();
	const e = (
		await server.api('POST', '/api/events', {
			title: template.title,
			date: template.date,
			endDate: template.endDate,
			place: template.place,
			themes: template.themes,
			stageQuestions: template.stageQuestions
		})
	).body;
	// One group already formed on the first statement: its sheet carries its number.
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const roomId = e.rooms[0].id as string;
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Nadia', categories: ['habitant'], roomId })).body;
	const member = await connectClient(server.url, { role: 'participant', token: joined.token });
	await request(member, 'group:pick', { statementId: doc.rooms[0].statements[0].id });
	member.disconnect();
	organiser.disconnect();

	expect((await download(e.id)).status).toBe(401);
	const res = await download(e.id, e.organiserToken);
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toBe('application/pdf');
	expect(res.headers.get('content-disposition')).toContain('kit-papier');
	const pages = await open(new Uint8Array(await res.arrayBuffer()));

	const rooms = template.themes;
	const statements = rooms.flatMap((th, r) => th.statements.map((text, i) => ({ text, room: r, number: i + 1 })));
	// 1 verbatim sheet, a poster per room, a card and a write-up sheet per statement, the evaluation.
	expect(pages).toHaveLength(1 + rooms.length + 2 * statements.length + 1);
	for (const [n, page] of pages.entries()) {
		expect(page.text, `page ${n + 1}`).not.toContain('\u0000');
		expect(page.text, `page ${n + 1}`).toContain('kit papier');
	}
	const squash = (s: string) => s.replace(/\s+/g, '');
	expect(pages[0]?.text).toContain('Verbatims — Bourse aux expériences');
	expect(pages[0]?.text).toContain('jamais un nom');

	const joinOf = (r: number) => `${server.url}/j/${e.joinCode}?salle=${e.rooms[r].id}`;
	const posters = pages.slice(1, 1 + rooms.length);
	for (const [r, poster] of posters.entries()) {
		expect(poster.text).toContain('Rejoignez le Gros Débat');
		expect(poster.text).toContain('21 et 22 septembre 2017');
		expect(squash(poster.text)).toContain(squash(`Salle ${r + 1} : ${rooms[r]?.title}`));
		expect(squash(poster.text)).toContain(e.joinCode);
		expect(poster.text).toContain(`${server.url}/`);
		expect(await qrOf(poster)).toBe(joinOf(r));
	}
	const cards = pages.slice(1 + rooms.length, 1 + rooms.length + statements.length);
	for (const [i, card] of cards.entries()) {
		const s = statements[i] as (typeof statements)[number];
		expect(card.text).toContain(`Énoncé ${s.number}`);
		expect(squash(card.text)).toContain(squash(`« ${s.text} »`));
		expect(await qrOf(card), `card ${i + 1}`).toBe(joinOf(s.room));
	}
	const sheets = pages.slice(1 + rooms.length + statements.length, -1);
	for (const [i, sheet] of sheets.entries()) {
		const s = statements[i] as (typeof statements)[number];
		expect(sheet.text).toContain(i === 0 ? 'Synthèse du groupe — Groupe n° 1' : 'Synthèse du groupe — Groupe n° ______');
		expect(squash(sheet.text)).toContain(squash(`« ${s.text} »`));
		expect(sheet.text).toContain('CONSTATS');
		expect(sheet.text).toContain('« IL FAUDRAIT » — dans l’idéal');
		expect(sheet.text).toContain('« IL FAUDRAIT » — concrètement');
		for (const q of template.stageQuestions) expect(squash(sheet.text)).toContain(squash(q));
	}
	const evaluation = pages.at(-1) as (typeof pages)[number];
	expect(evaluation.text).toContain('Évaluation de la rencontre en groupe');
	expect(evaluation.text).toContain('Tout le monde a-t-il pu parler ?');
	expect(evaluation.text).toContain('Ce qui n’a pas marché');

	// Pages kept as screenshots, one of each kind.
	const shots: [string, (typeof pages)[number]][] = [
		['verbatims', pages[0] as (typeof pages)[number]],
		['poster', posters[0] as (typeof pages)[number]],
		['card', cards[0] as (typeof pages)[number]],
		['writeup', sheets[0] as (typeof pages)[number]],
		['evaluation', evaluation]
	];
	for (const [name, page] of shots) writeFileSync(join(SCREENSHOTS, `paper-kit-${name}.png`), (await page.render(1.25)).canvas.toBuffer('image/png'));
}, 120_000);

it('prints an English event in English', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Meeting', language: 'en', date: '2017-11-16', endDate: '2017-11-17', themes: [{ title: 'Users', statements: ['Lived experience counts'] }] })).body;
	const res = await download(e.id, e.organiserToken);
	expect(res.headers.get('content-disposition')).toContain('paper-kit');
	const pages = await open(new Uint8Array(await res.arrayBuffer()));
	expect(pages).toHaveLength(5);
	const all = pages.map((p) => p.text).join('\n');
	for (const text of ['Verbatims — experience-sharing workshops', 'Join the Gros Débat', '16–17 November 2017', 'Statement 1', 'FINDINGS', '“WHAT IS NEEDED” — in practice', 'Did everyone get to speak?', 'paper kit']) {
		expect(all).toContain(text);
	}
	expect(all).not.toMatch(/Énoncé|Synthèse|CONSTATS/);
	expect(await qrOf(pages[1] as (typeof pages)[number])).toBe(`${server.url}/j/${e.joinCode}?salle=${e.rooms[0].id}`);
});
