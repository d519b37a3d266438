import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/lib/protocol';
import { renderPaperKit, roomJoinUrl, type PaperKitInput } from '../../server/paperKit';

const long = (n: number, word = 'participation') => Array.from({ length: n }, (_, i) => word[i % word.length]).join('').replace(/(.{11})/g, '$1 ').slice(0, n);

async function pagesOf(bytes: Buffer) {
	const pdf = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
	const texts: string[] = [];
	for (let n = 1; n <= pdf.numPages; n++) {
		const content = await (await pdf.getPage(n)).getTextContent();
		texts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
	}
	return texts;
}

describe('paper kit', () => {
	it('keeps one page per sheet with the longest texts the API accepts', async () => {
		const input: PaperKitInput = {
			title: long(LIMITS.title),
			dates: '16 et 17 novembre 2017',
			place: long(LIMITS.place),
			language: 'fr',
			joinCode: 'ABC123',
			homeUrl: 'https://palabre.example.org/',
			stages: [0, 1, 2].map((k) => ({ name: long(LIMITS.stageName), question: long(LIMITS.stageQuestion), minutes: 30 + k })),
			rooms: [0, 1].map((r) => ({
				title: long(LIMITS.themeTitle),
				joinUrl: roomJoinUrl('https://palabre.example.org/j/ABC123', `room-${r}`),
				statements: [
					{ number: 1, text: long(LIMITS.statement), groups: [1, 2] },
					{ number: 2, text: 'Emoji 🙂 et accents : « Ça va », Équipe', groups: [] }
				]
			}))
		};
		const pages = await pagesOf(await renderPaperKit(input));
		// Verbatims, 2 posters, 4 cards, 3 write-up sheets per room (two groups, then one blank), evaluation.
		expect(pages).toHaveLength(1 + 2 + 4 + 6 + 1);
		for (const text of pages) {
			expect(text).not.toContain('\u0000');
			expect(text).toContain('kit papier');
		}
		expect(pages[3]).toContain('Énoncé 1');
		expect(pages[4]).toContain('[U+1F642]');
		expect(pages[4]).toContain('« Ça va », Équipe');
	}, 60_000);

	it('names the room in the join link', () => {
		expect(roomJoinUrl('https://x.org/j/ABC', 'r 1')).toBe('https://x.org/j/ABC?salle=r%201');
	});
});
