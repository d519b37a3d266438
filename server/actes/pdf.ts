/**
 * The actes as PDF, drawn on the server with pdfkit (no browser). DejaVu Sans is embedded (subset)
 * so that French typography (« » ’ · é œ…) renders and extracts. Characters the font has no glyph
 * for (colour emoji such as 🙂, CJK…) would be drawn as an empty box and extracted as U+0000: they are
 * written instead as their code points in brackets, « [U+1F642] » (docs/actes.md).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { columnShares, type ActesBlock, type ActesLayout, type ActesListItem } from '../../src/lib/domain/actes/layout';

const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', italic: 'DejaVuSans-Oblique.ttf' } as const;
export type FontName = keyof typeof FONT_FILES;

let fontData: Record<FontName, Buffer> | undefined;

/** Resolved from this module, which also works once the server is bundled with its packages left external. */
function fonts(): Record<FontName, Buffer> {
	if (!fontData) {
		const require = createRequire(import.meta.url);
		const read = (file: string) => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
		fontData = { regular: read(FONT_FILES.regular), bold: read(FONT_FILES.bold), italic: read(FONT_FILES.italic) };
	}
	return fontData;
}

/** Embeds DejaVu in a document; returns, for each font, whether it has a glyph for a code point. */
export function embedFonts(doc: PDFKit.PDFDocument): Record<FontName, (cp: number) => boolean> {
	const data = fonts();
	const names = Object.keys(FONT_FILES) as FontName[];
	for (const name of names) doc.registerFont(name, data[name]);
	// pdfkit exposes no public way to ask a font for a glyph: the fontkit font it wraps knows.
	const fontkit = (name: FontName) => (doc.font(name) as unknown as { _font: { font: { hasGlyphForCodePoint(cp: number): boolean } } })._font.font;
	return Object.fromEntries(
		names.map((name) => {
			const font = fontkit(name);
			return [name, (cp: number) => font.hasGlyphForCodePoint(cp)];
		})
	) as Record<FontName, (cp: number) => boolean>;
}

const MARGIN = 56;
const TEXT = '#1a1a1a';
const GREY = '#555555';
const HEADING_SIZES = { 1: 18, 2: 15, 3: 13, 4: 11.5, 5: 11 } as const;
/** Joiners and variation selectors belong to the emoji before them: they go into its brackets unnamed. */
const JOINERS = new Set([0x200d, 0xfe0e, 0xfe0f]);

const codePoint = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Replaces each run of characters the font cannot draw with their code points, « [U+1F642] ». */
export function withFallback(text: string, hasGlyph: (cp: number) => boolean): string {
	let out = '';
	let missing: string[] = [];
	for (const ch of text) {
		const cp = ch.codePointAt(0) as number;
		if (missing.length && JOINERS.has(cp)) continue;
		if (ch === '\n' || hasGlyph(cp)) {
			if (missing.length) out += `[${missing.join(' ')}]`;
			missing = [];
			out += ch;
		} else missing.push(codePoint(cp));
	}
	return missing.length ? `${out}[${missing.join(' ')}]` : out;
}

class Writer {
	readonly doc: PDFKit.PDFDocument;
	private readonly width: number;
	/** Whether each font has a glyph for a code point. */
	private readonly glyphs: Record<FontName, (cp: number) => boolean>;
	private font: FontName = 'regular';
	private chapter: PDFKit.PDFOutline | undefined;

	constructor(actes: ActesLayout) {
		this.doc = new PDFDocument({
			size: 'A4',
			margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
			bufferPages: true,
			lang: actes.lang === 'fr' ? 'fr-FR' : 'en-GB',
			displayTitle: true,
			info: { Title: actes.title.replace(/\n/g, ' '), Creator: 'Palabre' }
		});
		this.glyphs = embedFonts(this.doc);
		this.width = this.doc.page.width - 2 * MARGIN;
	}

	private get bottom() {
		return this.doc.page.height - MARGIN;
	}

	private use(font: FontName, size: number, colour = TEXT) {
		this.doc.font(font).fontSize(size).fillColor(colour);
		this.font = font;
	}

	private safe(text: string): string {
		return withFallback(text, this.glyphs[this.font]);
	}

	/** Starts a new page unless `height` still fits. */
	private room(height: number) {
		if (this.doc.y + height > this.bottom) this.doc.addPage();
	}

	private write(text: string, x: number, width: number, options: PDFKit.Mixins.TextOptions = {}) {
		this.doc.text(this.safe(text), x, this.doc.y, { width, ...options });
	}

	block(b: ActesBlock) {
		const doc = this.doc;
		switch (b.kind) {
			case 'title':
				doc.y = doc.page.height * 0.3;
				this.use('bold', 26);
				this.write(b.title, MARGIN, this.width, { align: 'center' });
				doc.moveDown(1);
				this.use('regular', 14);
				for (const line of b.lines) this.write(line, MARGIN, this.width, { align: 'center' });
				return;
			case 'heading': {
				const size = HEADING_SIZES[b.level];
				this.use('bold', size, b.level === 5 ? GREY : TEXT);
				if (b.newPage) doc.addPage();
				else {
					doc.moveDown(b.level <= 2 ? 0.8 : 0.5);
					// Keep a heading with the start of what follows.
					this.room(size * 5);
				}
				this.write(b.text, MARGIN, this.width);
				doc.moveDown(0.3);
				const title = this.safe(b.text.replace(/\n/g, ' '));
				if (b.level === 1) this.chapter = doc.outline.addItem(title);
				else if (b.level === 2) (this.chapter ?? doc.outline).addItem(title);
				return;
			}
			case 'paragraph':
				this.use(b.note ? 'italic' : 'regular', 10.5, b.note ? GREY : TEXT);
				this.write(b.text, MARGIN, this.width);
				doc.moveDown(0.4);
				return;
			case 'list':
				for (const item of b.items) this.listItem(item);
				doc.moveDown(0.3);
				return;
			case 'quote': {
				this.use('italic', 12, '#7a1c16');
				doc.moveDown(0.3);
				this.room(doc.currentLineHeight(true) * 2);
				const top = doc.y;
				const page = doc.bufferedPageRange().count;
				this.write(b.text, MARGIN + 24, this.width - 48);
				if (doc.bufferedPageRange().count === page) {
					doc.save().moveTo(MARGIN + 12, top).lineTo(MARGIN + 12, doc.y).lineWidth(2).strokeColor('#b3261e').stroke().restore();
				}
				doc.moveDown(0.4);
				return;
			}
			case 'table':
				this.table(b.header, b.rows);
				return;
		}
	}

	private listItem(item: ActesListItem) {
		const doc = this.doc;
		this.use('regular', 10.5);
		this.room(doc.currentLineHeight(true) * 2);
		const y = doc.y;
		doc.text('•', MARGIN + 6, y, { width: 12 });
		if (item.lead) {
			this.use('bold', 10.5);
			doc.text(this.safe(item.lead), MARGIN + 18, y, { width: this.width - 18, continued: Boolean(item.text) });
			this.use('regular', 10.5);
			if (item.text) doc.text(this.safe(item.text));
		} else doc.text(this.safe(item.text), MARGIN + 18, y, { width: this.width - 18 });
		this.use('regular', 9.5, GREY);
		for (const sub of item.sub ?? []) {
			this.room(doc.currentLineHeight(true) * 2);
			const top = doc.y;
			doc.text('–', MARGIN + 24, top, { width: 12 });
			doc.text(this.safe(sub), MARGIN + 36, top, { width: this.width - 36 });
		}
		doc.moveDown(0.15);
	}

	/** Simple rows under a bold header, the header repeated on each new page. */
	private table(header: string[], rows: string[][]) {
		const doc = this.doc;
		const pad = 4;
		const width = (text: string, isHeader: boolean) => {
			this.use(isHeader ? 'bold' : 'regular', 9.5);
			return doc.widthOfString(this.safe(text)) + 2 * pad + 1;
		};
		const widths = columnShares(header, rows, this.width, width).map((share) => share * this.width);
		const measure = (cells: string[], bold: boolean) => {
			this.use(bold ? 'bold' : 'regular', 9.5);
			const texts = cells.map((c) => this.safe(c));
			const height = Math.max(...texts.map((t, k) => doc.heightOfString(t, { width: (widths[k] ?? 0) - 2 * pad }))) + 2 * pad;
			return { texts, bold, height };
		};
		const draw = (row: ReturnType<typeof measure>) => {
			this.use(row.bold ? 'bold' : 'regular', 9.5);
			const top = doc.y;
			let x = MARGIN;
			row.texts.forEach((t, k) => {
				doc.text(t, x + pad, top + pad, { width: (widths[k] ?? 0) - 2 * pad });
				x += widths[k] ?? 0;
			});
			doc.save().moveTo(MARGIN, top + row.height).lineTo(MARGIN + this.width, top + row.height).lineWidth(row.bold ? 1 : 0.4).strokeColor('#888888').stroke().restore();
			doc.x = MARGIN;
			doc.y = top + row.height;
		};
		const head = measure(header, true);
		this.room(head.height * 2);
		draw(head);
		for (const cells of rows) {
			const row = measure(cells, false);
			if (doc.y + row.height > this.bottom) {
				doc.addPage();
				draw(head);
			}
			draw(row);
		}
		doc.moveDown(0.6);
	}

	/** Page numbers, title page left bare; the bottom margin is lifted so that pdfkit adds no page. */
	numberPages() {
		const doc = this.doc;
		const { start, count } = doc.bufferedPageRange();
		this.use('regular', 9, GREY);
		for (let i = start + 1; i < start + count; i++) {
			doc.switchToPage(i);
			doc.page.margins.bottom = 0;
			doc.text(`${i - start + 1} / ${count}`, MARGIN, doc.page.height - MARGIN / 2 - 4, { width: this.width, align: 'center' });
			doc.page.margins.bottom = MARGIN;
		}
	}
}

/** Longest stretch of layout before handing the event loop back: a large event takes about a second in all. */
const SLICE_MS = 20;

export async function renderPdf(actes: ActesLayout): Promise<Buffer> {
	const writer = new Writer(actes);
	const chunks: Buffer[] = [];
	const done = new Promise<Buffer>((resolve, reject) => {
		writer.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
		writer.doc.on('end', () => resolve(Buffer.concat(chunks)));
		writer.doc.on('error', reject);
	});
	let since = performance.now();
	for (const b of actes.blocks) {
		writer.block(b);
		// Real-time traffic of a live event goes on while the organisers export.
		if (performance.now() - since > SLICE_MS) {
			await new Promise((resolve) => setImmediate(resolve));
			since = performance.now();
		}
	}
	writer.numberPages();
	writer.doc.end();
	return done;
}
