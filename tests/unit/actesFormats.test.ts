/**
 * The actes rendered in each format and read back: Word XML through jszip, PDF text through pdf.js.
 * The event is the 2017 Chambéry Gros Débat (3 themes, 21 statements, the 24 groups of the actes
 * with their hand-written labels); members, write-ups, board, speaking time and evaluations are invented.
 */
import JSZip from 'jszip';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderActes } from '../../server/actes';
import { escapeMarkdownLine } from '../../server/actes/markdown';
import { withFallback } from '../../server/actes/pdf';
import { buildActes, type ActesInput, type ActesInputGroup, type ActesInputItem, type ActesInputRoom, type ActesModel } from '../../src/lib/domain/actes/model';
import type { BoardItem, Level } from '../../src/lib/domain/board';
import type { Category } from '../../src/lib/domain/categories';
import type { GroupEvaluation } from '../../src/lib/domain/evaluation';
import template from '../../src/lib/templates/chambery-2017.json' with { type: 'json' };
import { speakingShares, type MeasuredGroup } from '../../src/lib/domain/speaking';

type Item = ActesInputItem;
type Group = ActesInputGroup;

/** What participants typed that must come out literally everywhere. */
const TRICKY = ['<script>alert(1)</script>', '**gras** et _souligné_', 'Première ligne\n# pas un titre', '=1+1', '+33 6 00 00 00 00', '@SOMME(A1)', 'Merci 🙂 pour tout', 'a | b | c', '- pas une liste'];

const PALETTE: Category[][][] = [
	[['habitant'], ['habitant'], ['medecin'], ['infirmier'], ['coordinateur']],
	[['coordinateur'], ['administratif'], ['institution'], ['sante']],
	[['medecin'], ['medecin'], ['conseiller-citoyen'], ['conseiller-citoyen']],
	[['mediation'], ['mediation'], ['infirmier'], ['patient-expert']],
	[['habitant', 'infirmier'], ['kine'], ['psychologue'], ['travailleur-social'], ['recherche'], ['nsp']]
];

/** Invented speaking time of a group: 45 s more for each next member. */
function measured(groupId: string, members: readonly { categories: readonly Category[] }[]): MeasuredGroup {
	const people = members.map((m, k) => ({ id: `${groupId}.${k}`, categories: [...m.categories] }));
	return { members: people, totals: Object.fromEntries(people.map((p, k) => [p.id, (k + 1) * 45_000])) };
}

function chambery(): ActesInput {
	let groupSeq = 0;
	const boardItems: BoardItem[] = [];
	const levels: Level[][] = [['equipes'], ['institutions'], ['equipes', 'institutions'], []];
	const headings = ['Gouvernance', 'Formation', 'Financement'];
	const rooms = template.themes.map((theme): ActesInputRoom => {
		const evaluations: GroupEvaluation[] = [];
		const statements = theme.statements.map((st) => {
			const id = `s${st.n}`;
			const groups = st.groupLabels.map((label, g): Group => {
				const number = g + 1;
				const members = (PALETTE[groupSeq++ % PALETTE.length] ?? []).map((categories) => ({ categories }));
				const tag = `${st.n}.${number}`;
				const item = (stage: number, k: number, over: Partial<Item> = {}): Item => ({
					text: `${['Constat', 'Idéal', 'Action'][stage - 1]} ${tag}.${k} : l’accès « aux soins » pour tou·te·s`,
					who: '',
					when: '',
					agree: 3,
					clarify: 0,
					comments: [],
					starred: false,
					...over
				});
				const stage1 = [item(1, 1, { starred: true }), item(1, 2), item(1, 3, { agree: 1, clarify: 3, ...(number % 2 ? { comments: [{ text: `Flou ${tag}` }] } : {}) })];
				if (st.n === 1) stage1.push(...TRICKY.map((text, k) => item(1, 10 + k, { text })));
				const stage3 = [item(3, 1, { who: 'la mairie', when: 'dès 2018', starred: true }), item(3, 2, { who: '<b>CPAM</b>' })];
				evaluations.push({ everyoneSpoke: (st.n % 4) + 1, feltHeard: ((st.n + number) % 4) + 1, worked: `Bien marché ${tag}`, didNotWork: st.n % 3 ? '' : `Pas marché ${tag}` });
				return {
					statementId: id,
					number,
					members,
					label,
					writeup: { stages: [{ items: stage1 }, { items: [item(2, 1), item(2, 2, { starred: true })] }, { items: stage3 }] }
				};
			});
			// One préconisation per statement, merged across its groups when several worked it.
			boardItems.push({
				id: `p${st.n}`,
				text: `Préconisation ${st.n} : ${st.heading}`,
				originalText: `Action ${st.n}.1.1`,
				heading: headings[st.n % 3] ?? '',
				levels: levels[st.n % 4] ?? [],
				status: st.n % 7 === 0 ? 'a-clarifier' : 'ok',
				...(st.n % 7 === 0 ? { reason: `Raison ${st.n} : qui finance ?` } : {}),
				support: Array.from({ length: st.n % 5 }, (_, k) => `p${k}`),
				sources: groups.map((g) => ({ id: `group.g${st.n}.${g.number}/3.1`, statementId: id, groupNumber: g.number, groupId: `g${st.n}.${g.number}`, stage: 3 as const, itemId: '3.1', text: `Action ${st.n}.${g.number}.1`, at: 0 })),
				createdAt: 0,
				order: boardItems.length
			});
			return { statement: { id, text: st.text }, groups };
		});
		const groups = statements.flatMap((s) => s.groups);
		return {
			id: `r${theme.n}`,
			title: theme.title,
			statements: statements.map((s) => s.statement),
			groups,
			evaluations,
			speaking: speakingShares(groups.map((g) => measured(`g${g.statementId}.${g.number}`, g.members)))
		};
	});
	boardItems.push({ id: 'direct', text: '=SOMME(A1:A9) <i>direct</i>', originalText: '=SOMME(A1:A9) <i>direct</i>', heading: '', levels: [], status: 'ok', support: [], sources: [], createdAt: 0, order: boardItems.length });
	const seated = rooms.flatMap((r) => r.groups.flatMap((g) => g.members.map((m) => ({ categories: m.categories, roomId: r.id }))));
	return {
		title: 'Rencontres Nationales de la Santé en Quartiers Populaires — Gros Débat',
		date: '2017-09-21',
		endDate: '2017-09-22',
		place: 'Chambéry',
		settings: {
			stageQuestions: [template.stages[0] ?? '', template.stages[1] ?? '', template.stages[2] ?? ''],
			stageNames: ['Le problème', 'Baguette magique', 'Concrètement'],
			stageMinutes: [30, 30, 30],
			maxGroupSize: template.maxGroupSize
		},
		// Two people never went to a room.
		people: [...seated, { categories: ['habitant'], roomId: null }, { categories: [], roomId: null }],
		board: { headings, items: boardItems },
		rooms
	};
}

/** Whitespace differs between formats (line wrapping, runs, cells): compare without it. */
const norm = (text: string) => text.replace(/\s+/g, '');

/** `ignore`: characters that a format adds around cells (Markdown's pipes), dropped on both sides. */
function expectAll(haystack: string, needles: Iterable<string>, ignore?: RegExp) {
	const clean = (text: string) => norm(ignore ? text.replace(ignore, '') : text);
	const hay = clean(haystack);
	const missing = [...needles].filter((n) => !hay.includes(clean(n)));
	expect(missing).toEqual([]);
}

function decodeXml(text: string): string {
	return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '');
}

/** Paragraph texts of word/document.xml, each with its style id. */
function docxParagraphs(xml: string): { style: string | null; numbered: boolean; text: string }[] {
	return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map(([p]) => ({
		style: /<w:pStyle w:val="([^"]+)"/.exec(p)?.[1] ?? null,
		numbered: p.includes('<w:numPr>'),
		text: decodeXml([...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''))
	}));
}

async function pdfText(data: Buffer): Promise<{ pages: number; text: string }> {
	const pdf = await pdfjs.getDocument({ data: new Uint8Array(data), useSystemFonts: false }).promise;
	const pages: string[] = [];
	for (let n = 1; n <= pdf.numPages; n++) {
		const content = await (await pdf.getPage(n)).getTextContent();
		pages.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : '')).join(''));
	}
	await pdf.destroy();
	return { pages: pdf.numPages, text: pages.join('\n') };
}

describe('the actes of Chambéry 2017 in every format', () => {
	let doc: ActesInput;
	let model: ActesModel;
	/** What must be in every format. */
	let expected: { statements: string[]; items: string[]; clarified: string[]; labels: string[]; preconisations: string[]; figures: string[] };

	beforeAll(() => {
		doc = chambery();
		model = buildActes(doc, { lang: 'fr' });
		const groups = doc.rooms.flatMap((r) => r.groups);
		const items = groups.flatMap((g) => g.writeup.stages.flatMap((s) => s.items));
		expected = {
			statements: doc.rooms.flatMap((r) => r.statements.map((s) => s.text)),
			items: items.filter((i) => i.clarify <= i.agree).map((i) => i.text),
			clarified: items.filter((i) => i.clarify > i.agree).map((i) => i.text),
			labels: groups.map((g) => g.label ?? ''),
			preconisations: doc.board.items.map((i) => i.text),
			figures: [
				`${doc.people.length} personnes ont participé, dont 2 sans salle`,
				['Personnes', ...doc.rooms.map((r) => doc.people.filter((p) => p.roomId === r.id).length), doc.people.length].join(''),
				`${model.annex.items.length} éléments sur ${model.annex.outOf}`,
				'Temps de parole relevé',
				'Tout le monde a-t-il pu parler ?'
			]
		};
	});

	it('has the fixture it claims: 3 themes, 21 statements, 24 groups, tricky texts, merged préconisations', () => {
		expect(model.themes.map((t) => t.statements.length)).toEqual([10, 6, 5]);
		expect(expected.labels).toHaveLength(24);
		expect(expected.clarified).toHaveLength(24);
		expect(doc.board.items.filter((i) => i.sources.length > 1).length).toBe(2);
		expect(model.themes[0]?.statements[0]?.constats.map((i) => i.text)).toEqual(expect.arrayContaining(TRICKY));
	});

	it('Word: real headings, bulleted lists, tables, and everything in it', async () => {
		const out = await renderActes(model, 'docx');
		expect(out.contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
		expect(out.filename).toBe('actes-rencontres-nationales-de-la-sante-en-quartiers-populaires-gros-debat.docx');
		const zip = await JSZip.loadAsync(out.body as Buffer);
		const xml = (await zip.file('word/document.xml')?.async('string')) ?? '';
		const paragraphs = docxParagraphs(xml);
		const styled = (style: string) => paragraphs.filter((p) => p.style === style).map((p) => p.text);

		expect(styled('Title')).toEqual([model.title]);
		expect(styled('Heading1')).toEqual([
			'1. La méthode',
			'2. Tableau de synthèse',
			'3. Ce qu’en disent les participant·e·s',
			'4. Préconisations',
			'5. La participation',
			'Annexe : éléments à clarifier'
		]);
		expect(styled('Heading3')).toEqual(expect.arrayContaining(expected.statements.map((s) => `«\u00a0${s}\u00a0»`)));
		expect(styled('Heading4')).toContain('CONSTATS');
		expect(styled('Heading5')).toEqual(expect.arrayContaining(['Dans l’idéal', 'Concrètement']));
		expect(styled('Quote').length).toBeGreaterThanOrEqual(21);
		// Bullets come from the numbering definitions, not typed characters.
		const numbering = (await zip.file('word/numbering.xml')?.async('string')) ?? '';
		expect(numbering).toContain('<w:numFmt w:val="bullet"/>');
		const bullets = paragraphs.filter((p) => p.numbered).map((p) => p.text);
		expect(bullets.length).toBeGreaterThan(expected.items.length);
		expect(bullets).toContain('Constat 2.1.1 : l’accès « aux soins » pour tou·te·s');
		expect(xml.match(/<w:tbl>/g)?.length).toBeGreaterThanOrEqual(3 + 1 + 1 + 3 + 3);
		expect(xml.match(/<w:tblHeader\/>/g)?.length).toBeGreaterThanOrEqual(3);
		expect(xml).toMatch(/<w:pageBreakBefore\/>/);

		const all = paragraphs.map((p) => p.text).join('\n');
		expectAll(all, [...expected.statements, ...expected.items, ...expected.clarified, ...expected.labels, ...expected.preconisations, ...expected.figures]);
		// Typed text is text: escaped in the XML, never markup or a field.
		expect(xml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(xml).not.toContain('<script>');
		expect(xml).not.toMatch(/<w:fldSimple|<w:instrText>[^<]*SOMME/);
		for (const formula of ['=1+1', '+33 6 00 00 00 00', '@SOMME(A1)', '=SOMME(A1:A9) <i>direct</i>']) expect(all).toContain(formula);
		expect(all).toContain('Merci 🙂 pour tout');
		expect(all).toContain('Première ligne# pas un titre');
		expect(xml).toMatch(/Première ligne<\/w:t><\/w:r><w:r><w:br\/><w:t xml:space="preserve"># pas un titre/);
	});

	it('PDF: DejaVu embedded, every text extractable, emoji written as its code point', async () => {
		const out = await renderActes(model, 'pdf');
		expect(out.contentType).toBe('application/pdf');
		const body = out.body as Buffer;
		expect(body.subarray(0, 5).toString()).toBe('%PDF-');
		expect(body.toString('latin1')).toMatch(/\/FontName \/[A-Z]{6}\+DejaVuSans\b/);
		const { pages, text } = await pdfText(body);
		expect(pages).toBeGreaterThan(21);
		expectAll(text, [...expected.statements, ...expected.labels, ...expected.preconisations, ...expected.figures, ...expected.clarified]);
		expectAll(text, expected.items.filter((i) => !i.includes('🙂')));
		expectAll(text, ['<script>alert(1)</script>', '**gras** et _souligné_', '# pas un titre', '=1+1', '+33 6 00 00 00 00', '@SOMME(A1)', 'Merci [U+1F642] pour tout', '« La parole collective existe dans les quartiers, il suffit de la chercher ! »']);
		expect(text).not.toContain('\u0000');
		expect(text).not.toContain('🙂');
	});

	it('PDF fallback: characters DejaVu Sans lacks become their code points, joined emoji as one', () => {
		const dejavu = (cp: number) => cp < 0x2000 || cp === 0x2764 || cp === 0xfe0f;
		expect(withFallback('Merci 🙂 !', dejavu)).toBe('Merci [U+1F642] !');
		expect(withFallback('👍🏽👨‍👩‍👧 ok', dejavu)).toBe('[U+1F44D U+1F3FD U+1F468 U+1F469 U+1F467] ok');
		expect(withFallback('❤️ ok', dejavu)).toBe('❤️ ok');
		expect(withFallback('un\ndeux', () => false)).toBe('[U+0075 U+006E]\n[U+0064 U+0065 U+0075 U+0078]');
	});

	it('HTML: a standalone page with a print stylesheet, no script, every typed text escaped', async () => {
		const out = await renderActes(model, 'html');
		expect(out.contentType).toBe('text/html; charset=utf-8');
		const html = out.body as string;
		expect(html.startsWith('<!doctype html>\n<html lang="fr">')).toBe(true);
		expect(html).toContain('<meta charset="utf-8">');
		expect(html).toMatch(/<style>[\s\S]*@media print[\s\S]*<\/style>/);
		// Only the tags the renderer writes: nothing typed by a participant became one.
		const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => (m[1] ?? '').toLowerCase()));
		const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'ul', 'li', 'strong', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td'];
		expect([...tags].filter((t) => !allowed.includes(t))).toEqual([]);
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(html).toContain('qui\u00a0? &lt;b&gt;CPAM&lt;/b&gt;');
		expect(html).toContain('=SOMME(A1:A9) &lt;i&gt;direct&lt;/i&gt;');
		expect(html).toContain('Première ligne<br># pas un titre');
		for (const formula of ['<li>=1+1</li>', '<li>+33 6 00 00 00 00</li>', '<li>@SOMME(A1)</li>']) expect(html).toContain(formula);
		expect(html).toContain('Merci 🙂 pour tout');
		expect(html).toContain('<h2 class="new-page">1. La méthode</h2>');
		expect(html.match(/<h4[ >]/g)?.length).toBeGreaterThanOrEqual(21);
		expect(html.match(/<table>/g)?.length).toBeGreaterThanOrEqual(11);
		const unescape = (s: string) => s.replace(/<br>/g, '\n').replace(/<[^>]+>/g, ' ').replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] ?? '');
		expectAll(unescape(html), [...expected.statements, ...expected.items, ...expected.clarified, ...expected.labels, ...expected.preconisations, ...expected.figures]);
	});

	it('Markdown: headings and lists of its own, every typed text escaped', async () => {
		const out = await renderActes(model, 'md');
		expect(out.contentType).toBe('text/markdown; charset=utf-8');
		const md = out.body as string;
		const lines = md.split('\n');
		expect(lines[0]).toBe('# Rencontres Nationales de la Santé en Quartiers Populaires — Gros Débat');
		expect(lines.filter((l) => l.startsWith('## '))).toEqual([
			'## 1\\. La méthode',
			'## 2\\. Tableau de synthèse',
			'## 3\\. Ce qu’en disent les participant·e·s',
			'## 4\\. Préconisations',
			'## 5\\. La participation',
			'## Annexe : éléments à clarifier'
		]);
		expect(md).toContain('- \\<script\\>alert(1)\\</script\\>');
		expect(md).toContain('- \\*\\*gras\\*\\* et \\_souligné\\_');
		expect(md).toContain('- Première ligne\\\n  \\# pas un titre');
		expect(md).toContain('- \\=1+1');
		expect(md).toContain('- \\+33 6 00 00 00 00');
		expect(md).toContain('- @SOMME(A1)');
		expect(md).toContain('- \\- pas une liste');
		expect(md).toContain('- a \\| b \\| c');
		expect(md).toContain('Merci 🙂 pour tout');
		expect(md).toContain('qui\u00a0? \\<b\\>CPAM\\</b\\>');
		// No line typed by a participant opens a heading, a list, a quote or raw HTML.
		expect(lines.filter((l) => /^\s*(#|<|>)/.test(l) && !/^#{1,6} /.test(l) && !l.startsWith('> '))).toEqual([]);
		expect(lines.filter((l) => /^#{1,6} /.test(l) && /pas un titre/.test(l))).toEqual([]);
		// Summary table: one row per statement, a pipe in a cell escaped.
		expect(md).toContain('| Énoncé | Composition du groupe |\n| --- | --- |');
		expect(md).toContain('| «\u00a0C’est dur de mobiliser, même quand on est bien implantés\u00a0» | Groupe 1\u00a0: Pluriprofessionnel, habitante / Groupe 2\u00a0: Pluriprofessionnel, habitants / Groupe 3\u00a0: Pluriprofessionnel, habitant |');
		const unescape = (s: string) => s.replace(/\\([\s\S])/g, '$1');
		expectAll(unescape(md), [...expected.statements, ...expected.items, ...expected.clarified, ...expected.labels, ...expected.preconisations, ...expected.figures], /\|/g);
	});

	it('Markdown escaping leaves nothing that can open markup', () => {
		expect(escapeMarkdownLine('# titre')).toBe('\\# titre');
		expect(escapeMarkdownLine('1. un')).toBe('1\\. un');
		expect(escapeMarkdownLine('+ plus')).toBe('\\+ plus');
		expect(escapeMarkdownLine('[lien](javascript:alert(1))')).toBe('\\[lien\\](javascript:alert(1))');
		expect(escapeMarkdownLine('`code` ~~barré~~ $x$ &amp; \\')).toBe('\\`code\\` \\~\\~barré\\~\\~ \\$x\\$ \\&amp; \\\\');
	});

	it('writes English proceedings for an English event', async () => {
		const english = buildActes(doc, { lang: 'en' });
		const html = (await renderActes(english, 'html')).body as string;
		expect(html).toContain('<html lang="en">');
		expect(html).toContain('<h2 class="new-page">3. What the participants say</h2>');
		expect(html).toContain('<h5>FINDINGS</h5>');
		const zip = await JSZip.loadAsync((await renderActes(english, 'docx')).body as Buffer);
		expect(await zip.file('word/styles.xml')?.async('string')).toContain('<w:lang w:val="en-GB"/>');
	});
});
