/**
 * Reading statements pasted or imported by organisers:
 * - plain text: one statement per line (bullets and numbering are stripped);
 * - Markdown: `# Theme` headings, each followed by `- statement` bullets;
 * - CSV: `theme;statement` or `theme,statement` rows (an optional header row is skipped).
 */

export interface ImportedTheme {
	title: string;
	statements: string[];
}

const BULLET = /^\s*(?:[-*•–]|\d+[.)])\s+/;

/** One statement per non-empty line, bullets and numbering removed. */
export function parseLines(text: string): string[] {
	return text
		.split(/\r?\n/)
		.map((l) => l.replace(BULLET, '').trim())
		.filter((l) => l.length > 0);
}

/** Markdown list grouped by headings. Statements before any heading go to an untitled theme. */
export function parseMarkdown(text: string): ImportedTheme[] {
	const themes: ImportedTheme[] = [];
	let current: ImportedTheme | undefined;
	for (const raw of text.split(/\r?\n/)) {
		const heading = /^\s*#{1,6}\s+(.*)$/.exec(raw);
		if (heading) {
			current = { title: (heading[1] ?? '').trim(), statements: [] };
			themes.push(current);
			continue;
		}
		const line = raw.replace(BULLET, '').trim();
		if (!line) continue;
		if (!current) {
			current = { title: '', statements: [] };
			themes.push(current);
		}
		current.statements.push(line);
	}
	return themes.filter((t) => t.statements.length > 0);
}

/** Splits one CSV line, honouring double quotes ("" is an escaped quote). */
export function splitCsvLine(line: string, separator: string): string[] {
	const cells: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < line.length; i++) {
		const ch = line[i];
		if (quoted) {
			if (ch === '"' && line[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else cell += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === separator) {
			cells.push(cell);
			cell = '';
		} else cell += ch;
	}
	cells.push(cell);
	return cells.map((c) => c.trim());
}

const HEADER = /^(th[eè]me|theme|room|salle)$/i;

/** CSV with two columns, theme then statement; rows keep their order, themes their first appearance. */
export function parseCsv(text: string): ImportedTheme[] {
	const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
	const first = lines[0] ?? '';
	const separator = (first.match(/;/g)?.length ?? 0) >= (first.match(/,/g)?.length ?? 0) ? ';' : ',';
	const byTitle = new Map<string, ImportedTheme>();
	lines.forEach((line, index) => {
		const cells = splitCsvLine(line, separator);
		if (index === 0 && HEADER.test(cells[0] ?? '')) return;
		const [theme = '', ...rest] = cells;
		const statement = rest.join(separator === ';' ? '; ' : ', ').trim();
		const [title, text] = statement ? [theme, statement] : ['', theme];
		if (!text) return;
		let entry = byTitle.get(title);
		if (!entry) byTitle.set(title, (entry = { title, statements: [] }));
		entry.statements.push(text);
	});
	return [...byTitle.values()];
}

/** Chooses the reader by file name, falling back on the content's look. */
export function parseStatementsFile(name: string, text: string): ImportedTheme[] {
	if (/\.csv$/i.test(name)) return parseCsv(text);
	if (/\.(md|markdown)$/i.test(name) || /^\s*#/m.test(text)) return parseMarkdown(text);
	return [{ title: '', statements: parseLines(text) }];
}
