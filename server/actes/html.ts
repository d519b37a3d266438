/**
 * The actes as one standalone HTML page: no script, no outside resource (the Content-Security-Policy
 * says so to the browser too), a print stylesheet for « Imprimer en PDF ». Every text is escaped.
 */
import type { ActesBlock, ActesLayout, ActesListItem } from '../../src/lib/domain/actes/layout';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Escaped, with the author's line breaks kept. */
const html = (text: string) => escapeHtml(text).replace(/\n/g, '<br>');

const STYLE = `
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 46rem; padding: 2rem 1.25rem 4rem; }
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.6em 0 0.5em; }
h2 { font-size: 1.7rem; border-bottom: 2px solid #1a1a1a; padding-bottom: 0.2em; }
h3 { font-size: 1.35rem; }
h4 { font-size: 1.15rem; }
h5 { font-size: 1rem; letter-spacing: 0.04em; }
h6 { font-size: 1rem; font-style: italic; }
.title-page { text-align: center; padding: 4rem 0 3rem; }
.title-page h1 { font-size: 2.2rem; margin: 0 0 1rem; }
.title-page p { font-size: 1.2rem; margin: 0.3em 0; }
.note { color: #555; font-style: italic; }
blockquote { margin: 1em 0; padding: 0.4em 1em; border-left: 4px solid #b3261e; font-size: 1.1rem; font-style: italic; }
blockquote p { margin: 0; }
ul { padding-left: 1.4em; }
li { margin: 0.2em 0; }
li ul { color: #444; font-size: 0.92em; }
table { border-collapse: collapse; width: 100%; margin: 0.8em 0; }
th, td { border: 1px solid #999; padding: 0.35em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
@media print {
	body { max-width: none; padding: 0; font-size: 11pt; }
	@page { margin: 2cm; }
	.title-page { break-after: page; padding-top: 30%; }
	.new-page { break-before: page; }
	h1, h2, h3, h4, h5, h6 { break-after: avoid; }
	li, tr, blockquote { break-inside: avoid; }
	thead { display: table-header-group; }
	th { background: none; }
}
`;

function listItem(item: ActesListItem): string {
	const lead = item.lead ? `<strong>${html(item.lead)}</strong>` : '';
	const sub = item.sub?.length ? `<ul>${item.sub.map((text) => `<li>${html(text)}</li>`).join('')}</ul>` : '';
	return `<li>${lead}${html(item.text)}${sub}</li>`;
}

function block(b: ActesBlock): string {
	switch (b.kind) {
		case 'title':
			return `<header class="title-page"><h1>${html(b.title)}</h1>${b.lines.map((line) => `<p>${html(line)}</p>`).join('')}</header>`;
		case 'heading': {
			const tag = `h${b.level + 1}`;
			return `<${tag}${b.newPage ? ' class="new-page"' : ''}>${html(b.text)}</${tag}>`;
		}
		case 'paragraph':
			return `<p${b.note ? ' class="note"' : ''}>${html(b.text)}</p>`;
		case 'list':
			return `<ul>${b.items.map(listItem).join('')}</ul>`;
		case 'quote':
			return `<blockquote><p>${html(b.text)}</p></blockquote>`;
		case 'table':
			return (
				`<table><thead><tr>${b.header.map((h) => `<th scope="col">${html(h)}</th>`).join('')}</tr></thead>` +
				`<tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
			);
	}
}

export function renderHtml(actes: ActesLayout): string {
	return [
		'<!doctype html>',
		`<html lang="${actes.lang}">`,
		'<head>',
		'<meta charset="utf-8">',
		'<meta name="viewport" content="width=device-width, initial-scale=1">',
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
		'<meta name="generator" content="Palabre">',
		`<title>${escapeHtml(actes.title.replace(/\n/g, ' '))}</title>`,
		`<style>${STYLE}</style>`,
		'</head>',
		'<body>',
		'<main>',
		...actes.blocks.map(block),
		'</main>',
		'</body>',
		'</html>',
		''
	].join('\n');
}
