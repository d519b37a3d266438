/**
 * The actes as a Word document, to be edited by the organisers: real heading styles (so Word can
 * insert a table of contents), real bulleted lists and real tables. Text goes in as text runs, which
 * docx escapes for XML: nothing typed by a participant can become markup or a field.
 */
import {
	AlignmentType,
	Document,
	Footer,
	HeadingLevel,
	LevelFormat,
	Packer,
	PageNumber,
	Paragraph,
	Table,
	TableCell,
	TableRow,
	TextRun,
	WidthType,
	type IRunOptions
} from 'docx';
import { columnShares, type ActesBlock, type ActesLayout } from '../../src/lib/domain/actes/layout';

const BULLETS = 'actes-bullets';
/** docx's default page: A4 less two 1-inch margins, in twentieths of a point. */
const TEXT_WIDTH = 11906 - 2 * 1440;
const HEADINGS = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4, HeadingLevel.HEADING_5] as const;

/** One run per line, the author's line breaks kept as breaks. */
function runs(text: string, style: Omit<IRunOptions, 'text' | 'break'> = {}): TextRun[] {
	return text.split('\n').map((line, k) => new TextRun({ ...style, text: line, ...(k ? { break: 1 } : {}) }));
}

function cell(text: string, header: boolean, width: number): TableCell {
	return new TableCell({
		width: { size: width, type: WidthType.DXA },
		children: [new Paragraph({ children: runs(text, header ? { bold: true } : {}) })]
	});
}

function blocks(b: ActesBlock): (Paragraph | Table)[] {
	switch (b.kind) {
		case 'title':
			return [
				new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, spacing: { before: 2400 }, children: runs(b.title) }),
				...b.lines.map((line) => new Paragraph({ alignment: AlignmentType.CENTER, children: runs(line, { size: 28 }) }))
			];
		case 'heading':
			return [new Paragraph({ heading: HEADINGS[b.level - 1], pageBreakBefore: b.newPage ?? false, children: runs(b.text) })];
		case 'paragraph':
			return [new Paragraph({ children: runs(b.text, b.note ? { italics: true, color: '555555' } : {}) })];
		case 'list':
			return b.items.flatMap((item) => [
				new Paragraph({
					numbering: { reference: BULLETS, level: 0 },
					children: [...(item.lead ? runs(item.lead, { bold: true }) : []), ...runs(item.text)]
				}),
				...(item.sub ?? []).map((text) => new Paragraph({ numbering: { reference: BULLETS, level: 1 }, children: runs(text, { size: 20 }) }))
			]);
		case 'quote':
			return [new Paragraph({ style: 'Quote', children: runs(b.text) })];
		case 'table': {
			const widths = columnShares(b.header, b.rows).map((share) => Math.round(share * TEXT_WIDTH));
			return [
				new Table({
					width: { size: TEXT_WIDTH, type: WidthType.DXA },
					columnWidths: widths,
					rows: [
						new TableRow({ tableHeader: true, children: b.header.map((h, k) => cell(h, true, widths[k] ?? 0)) }),
						...b.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c, k) => cell(c, false, widths[k] ?? 0)) }))
					]
				}),
				// Word needs a paragraph between two tables, or it glues them together.
				new Paragraph({})
			];
		}
	}
}

const heading = (size: number, before: number) => ({
	run: { size, bold: true, color: '1F1F1F' },
	paragraph: { spacing: { before, after: 120 }, keepNext: true, keepLines: true }
});

export async function renderDocx(actes: ActesLayout): Promise<Buffer> {
	const doc = new Document({
		creator: 'Palabre',
		title: actes.title.replace(/\n/g, ' '),
		numbering: {
			config: [
				{
					reference: BULLETS,
					levels: [
						{ level: 0, format: LevelFormat.BULLET, text: '•', alignment: AlignmentType.LEFT, style: { paragraph: { indent: { left: 720, hanging: 360 } } } },
						{ level: 1, format: LevelFormat.BULLET, text: '–', alignment: AlignmentType.LEFT, style: { paragraph: { indent: { left: 1440, hanging: 360 } } } }
					]
				}
			]
		},
		styles: {
			default: {
				document: { run: { font: 'Calibri', size: 22, language: { value: actes.lang === 'fr' ? 'fr-FR' : 'en-GB' } }, paragraph: { spacing: { after: 120 } } },
				title: { run: { size: 52, bold: true } },
				heading1: heading(36, 480),
				heading2: heading(30, 360),
				heading3: heading(26, 300),
				heading4: heading(23, 240),
				heading5: { ...heading(22, 200), run: { size: 22, bold: true, italics: true } }
			},
			paragraphStyles: [
				{
					id: 'Quote',
					name: 'Quote',
					basedOn: 'Normal',
					next: 'Normal',
					quickFormat: true,
					run: { italics: true, size: 26, color: '7A1C16' },
					paragraph: { indent: { left: 720, right: 720 }, spacing: { before: 120, after: 120 }, border: { left: { style: 'single', size: 18, color: 'B3261E', space: 8 } } }
				}
			]
		},
		sections: [
			{
				footers: {
					default: new Footer({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [PageNumber.CURRENT] })] })] })
				},
				children: actes.blocks.flatMap(blocks)
			}
		]
	});
	return Packer.toBuffer(doc);
}
