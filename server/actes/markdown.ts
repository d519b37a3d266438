/**
 * The actes as Markdown (CommonMark + GFM tables). Every text is escaped, ours as well as what
 * participants typed, so `**gras**`, `# titre`, `<script>` or `|` come out literally (docs/actes.md).
 */
import type { ActesBlock, ActesLayout, ActesListItem } from '../../src/lib/domain/actes/layout';

/**
 * Backslash-escapes one line: every character that can open markup anywhere in a line, then what
 * only counts at its start (list, setext and ordered-list markers). An escaped punctuation
 * character always shows as itself, so escaping too much is harmless.
 */
export function escapeMarkdownLine(line: string): string {
	return line
		.replace(/[\\`*_[\]<>#|~&$]/g, '\\$&')
		.replace(/^([-+=])/, '\\$1')
		.replace(/^(\d+)([.)])/, '$1\\$2');
}

/** Lines of a text kept apart by hard breaks; `indent` keeps continuation lines inside a list item or quote. */
function escaped(text: string, indent = ''): string {
	return text.split('\n').map(escapeMarkdownLine).join(`\\\n${indent}`);
}

/** Headings and table cells cannot hold a line break. */
const oneLine = (text: string) => escapeMarkdownLine(text.replace(/\n/g, ' '));

function listItem(item: ActesListItem): string {
	const lead = item.lead ? `**${escaped(item.lead, '  ')}**` : '';
	const sub = (item.sub ?? []).map((text) => `\n  - ${escaped(text, '    ')}`).join('');
	return `- ${lead}${escaped(item.text, '  ')}${sub}`;
}

function block(b: ActesBlock): string {
	switch (b.kind) {
		case 'title':
			return [`# ${oneLine(b.title)}`, ...b.lines.map((line) => escaped(line))].join('\n\n');
		case 'heading':
			return `${'#'.repeat(b.level + 1)} ${oneLine(b.text)}`;
		case 'paragraph':
			return b.note ? `*${escaped(b.text)}*` : escaped(b.text);
		case 'list':
			return b.items.map(listItem).join('\n');
		case 'quote':
			return `> ${escaped(b.text, '> ')}`;
		case 'table': {
			const row = (cells: string[]) => `| ${cells.map((c) => oneLine(c) || ' ').join(' | ')} |`;
			return [row(b.header), `|${b.header.map(() => ' --- |').join('')}`, ...b.rows.map(row)].join('\n');
		}
	}
}

export function renderMarkdown(actes: ActesLayout): string {
	return `${actes.blocks.map(block).join('\n\n')}\n`;
}
