import { describe, expect, it } from 'vitest';
import { parseCsv, parseLines, parseMarkdown, parseStatementsFile, splitCsvLine } from '../../src/lib/domain/statementsImport';

describe('parseLines', () => {
	it('keeps one statement per non-empty line, without bullets or numbers', () => {
		expect(parseLines('- Un\n\n* Deux\r\n3. Trois\n 4) Quatre \n• Cinq\nSix')).toEqual(['Un', 'Deux', 'Trois', 'Quatre', 'Cinq', 'Six']);
	});
	it('keeps a dash inside a statement', () => {
		expect(parseLines('Il faut que les professionnel-les participent')).toEqual(['Il faut que les professionnel-les participent']);
	});
});

describe('parseMarkdown', () => {
	it('groups bullets under headings', () => {
		const md = '# Thème A\n- un\n- deux\n\n## Thème B\n1. trois\n';
		expect(parseMarkdown(md)).toEqual([
			{ title: 'Thème A', statements: ['un', 'deux'] },
			{ title: 'Thème B', statements: ['trois'] }
		]);
	});
	it('puts statements before any heading in an untitled theme and drops empty themes', () => {
		expect(parseMarkdown('- libre\n# Vide\n# Plein\n- x')).toEqual([
			{ title: '', statements: ['libre'] },
			{ title: 'Plein', statements: ['x'] }
		]);
	});
});

describe('parseCsv', () => {
	it('reads theme;statement rows, skipping a header, keeping order', () => {
		const csv = 'thème;énoncé\nA;un\nB;deux\nA;trois\n';
		expect(parseCsv(csv)).toEqual([
			{ title: 'A', statements: ['un', 'trois'] },
			{ title: 'B', statements: ['deux'] }
		]);
	});
	it('handles commas, quotes and escaped quotes', () => {
		expect(parseCsv('A,"Arrêtez, nous on veut ""parler"""\n')).toEqual([{ title: 'A', statements: ['Arrêtez, nous on veut "parler"'] }]);
	});
	it('treats a one-column file as statements without theme', () => {
		expect(parseCsv('un\ndeux')).toEqual([{ title: '', statements: ['un', 'deux'] }]);
	});
	it('splits a line honouring quotes', () => {
		expect(splitCsvLine('"a;b";c', ';')).toEqual(['a;b', 'c']);
	});
});

describe('parseStatementsFile', () => {
	it('chooses the reader by name or content', () => {
		expect(parseStatementsFile('x.csv', 'A;b')).toEqual([{ title: 'A', statements: ['b'] }]);
		expect(parseStatementsFile('x.md', '# T\n- s')).toEqual([{ title: 'T', statements: ['s'] }]);
		expect(parseStatementsFile('x.txt', '# T\n- s')).toEqual([{ title: 'T', statements: ['s'] }]);
		expect(parseStatementsFile('x.txt', 'un\ndeux')).toEqual([{ title: '', statements: ['un', 'deux'] }]);
	});
});
