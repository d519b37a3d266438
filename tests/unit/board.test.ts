import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	BoardError,
	LEVELS,
	apply,
	emptyBoard,
	findItem,
	sourcesLabel,
	summary,
	type Board,
	type BoardItem,
	type BoardOp,
	type Level,
	type Source
} from '../../src/lib/domain/board';

const source = (id: string, over: Partial<Source> = {}): Source => ({
	id,
	statementId: 'e1',
	groupNumber: 1,
	groupId: 'g1',
	stage: 2,
	itemId: `w-${id}`,
	text: `Texte ${id}`,
	at: 100,
	...over
});

const fromWriteup = (itemId: string, over: Partial<Source> = {}): BoardOp => ({
	kind: 'addFromWriteup',
	itemId,
	source: source(`s-${itemId}`, over)
});

/** Any mutation of a frozen input throws in strict mode: apply must copy. */
function deepFreeze<T>(value: T): T {
	if (value && typeof value === 'object') {
		for (const v of Object.values(value)) deepFreeze(v);
		Object.freeze(value);
	}
	return value;
}

const run = (ops: BoardOp[], board: Board = emptyBoard()) => ops.reduce((b, op) => apply(deepFreeze(b), op), board);

const item = (board: Board, id: string): BoardItem => {
	const found = board.items.find((i) => i.id === id);
	if (!found) throw new Error(`no item ${id}`);
	return found;
};

const ids = (board: Board) => board.items.map((i) => i.id);

/** A board of three single-source items a, b, c from groups g1, g2, g3. */
const abc = () =>
	run([
		fromWriteup('a', { groupId: 'g1', text: 'Des permanences le soir', at: 1 }),
		fromWriteup('b', { groupId: 'g2', groupNumber: 2, text: 'Ouvrir le soir', at: 2, stage: 3 }),
		fromWriteup('c', { groupId: 'g3', statementId: 'e2', text: 'Former les médiateurs', at: 3 })
	]);

/** Refused with exactly this message, as a BoardError (what the server shows to the organiser). */
function expectRefused(board: Board, op: BoardOp, message: string) {
	let error: unknown;
	try {
		apply(deepFreeze(board), op);
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(BoardError);
	expect((error as BoardError).message).toBe(message);
}

describe('adding', () => {
	it('starts empty', () => {
		expect(emptyBoard()).toEqual({ items: [], headings: [], mergedInto: {} });
	});

	it('adds a write-up item as a new board item with its source', () => {
		const s = source('s1', { text: '  Un local ouvert aux habitants  ', at: 42, stage: 3 });
		expect(apply(emptyBoard(), { kind: 'addFromWriteup', itemId: 'i1', source: s })).toEqual({
			items: [
				{
					id: 'i1',
					text: 'Un local ouvert aux habitants',
					originalText: 'Un local ouvert aux habitants',
					heading: '',
					levels: [],
					status: 'ok',
					sources: [s],
					support: [],
					createdAt: 42,
					order: 0
				}
			],
			headings: [],
			mergedInto: {}
		});
	});

	it('adds a direct item without sources, at the end', () => {
		const board = run([fromWriteup('a'), { kind: 'addDirect', itemId: 'd', text: ' Synthèse ', at: 7 }]);
		expect(item(board, 'd')).toEqual({
			id: 'd',
			text: 'Synthèse',
			originalText: 'Synthèse',
			heading: '',
			levels: [],
			status: 'ok',
			sources: [],
			support: [],
			createdAt: 7,
			order: 1
		});
	});

	it('refuses the same source twice, a used id, empty text and stage 1', () => {
		const board = run([fromWriteup('a')]);
		expectRefused(board, { kind: 'addFromWriteup', itemId: 'x', source: source('s-a') }, 'cet élément est déjà sur le tableau');
		expectRefused(board, fromWriteup('a'), 'cet élément est déjà sur le tableau');
		expectRefused(board, { kind: 'addFromWriteup', itemId: 'a', source: source('s2') }, 'identifiant déjà utilisé');
		expectRefused(board, { kind: 'addDirect', itemId: 'a', text: 'x', at: 0 }, 'identifiant déjà utilisé');
		expectRefused(board, { kind: 'addDirect', itemId: '', text: 'x', at: 0 }, 'identifiant vide');
		expectRefused(board, fromWriteup('b', { text: '  ' }), 'le texte ne peut pas être vide');
		expectRefused(board, { kind: 'addDirect', itemId: 'd', text: '\n', at: 0 }, 'le texte ne peut pas être vide');
		const stage1 = { ...source('s3'), stage: 1 } as unknown as Source;
		expectRefused(board, { kind: 'addFromWriteup', itemId: 'c', source: stage1 }, 'seules les étapes 2 et 3 donnent des préconisations');
	});

	it('never gives again the id of a merged-away item', () => {
		const board = run([{ kind: 'merge', itemIds: ['a', 'b'], into: 'a' }], abc());
		expectRefused(board, { kind: 'addDirect', itemId: 'b', text: 'x', at: 0 }, 'identifiant déjà utilisé');
	});

	it('refuses an unknown operation from the network', () => {
		expectRefused(emptyBoard(), { kind: 'delete' } as unknown as BoardOp, 'opération inconnue : delete');
	});
});

describe('rewording', () => {
	it('changes the text and keeps the original visible', () => {
		const board = run([
			{ kind: 'reword', itemId: 'a', text: ' Des permanences en soirée ' },
			{ kind: 'reword', itemId: 'a', text: 'Des permanences en soirée, deux fois par semaine' }
		], abc());
		expect(item(board, 'a')).toMatchObject({
			text: 'Des permanences en soirée, deux fois par semaine',
			originalText: 'Des permanences le soir'
		});
	});

	it('refuses empty text and unknown items', () => {
		expectRefused(abc(), { kind: 'reword', itemId: 'a', text: ' ' }, 'le texte ne peut pas être vide');
		expectRefused(abc(), { kind: 'reword', itemId: 'zz', text: 'x' }, 'préconisation inconnue');
		expectRefused(abc(), { kind: 'reword', itemId: 'constructor', text: 'x' }, 'préconisation inconnue');
	});
});

describe('merging', () => {
	const tagged = () =>
		run([
			{ kind: 'addHeading', heading: 'Accès' },
			{ kind: 'setHeading', itemId: 'c', heading: 'Accès' },
			{ kind: 'setLevels', itemId: 'a', levels: ['institutions'] },
			{ kind: 'setLevels', itemId: 'c', levels: ['equipes'] },
			{ kind: 'support', itemId: 'a', participantId: 'p1', on: true },
			{ kind: 'support', itemId: 'c', participantId: 'p1', on: true },
			{ kind: 'support', itemId: 'c', participantId: 'p2', on: true }
		], abc());

	it('folds items into the survivor: sources, supporters and levels unioned, the others gone', () => {
		const before = tagged();
		const board = apply(deepFreeze(before), { kind: 'merge', itemIds: ['c', 'a'], into: 'a' });
		expect(board.items).toEqual([
			{
				id: 'a',
				text: 'Des permanences le soir',
				originalText: 'Des permanences le soir',
				heading: 'Accès',
				levels: ['equipes', 'institutions'],
				status: 'ok',
				sources: [...item(before, 'a').sources, ...item(before, 'c').sources],
				support: ['p1', 'p2'],
				createdAt: 1,
				order: 0
			},
			{ ...item(before, 'b'), order: 1 }
		]);
		expect(board.mergedInto).toEqual({ c: 'a' });
		expect(board.headings).toEqual(['Accès']);
	});

	it('keeps its place and heading, takes a new text when given', () => {
		const board = apply(tagged(), { kind: 'merge', itemIds: ['a', 'b', 'c'], into: 'c', text: ' Ouvrir le soir, avec des médiateurs ' });
		expect(ids(board)).toEqual(['c']);
		expect(item(board, 'c')).toMatchObject({
			text: 'Ouvrir le soir, avec des médiateurs',
			originalText: 'Former les médiateurs',
			heading: 'Accès',
			createdAt: 3,
			order: 0
		});
		expect(item(board, 'c').sources.map((s) => s.id)).toEqual(['s-c', 's-a', 's-b']);
		expect(board.mergedInto).toEqual({ a: 'c', b: 'c' });
	});

	it('stays « à clarifier » with every reason when a part was', () => {
		const board = run([
			{ kind: 'markClarify', itemId: 'a', reason: 'quel public ?' },
			{ kind: 'markClarify', itemId: 'c', reason: 'qui forme ?' },
			{ kind: 'merge', itemIds: ['a', 'b', 'c'], into: 'b' }
		], abc());
		expect(item(board, 'b')).toMatchObject({ status: 'a-clarifier', reason: 'quel public ? ; qui forme ?' });
	});

	it('leaves no reason on an ok result', () => {
		expect(Object.keys(item(apply(abc(), { kind: 'merge', itemIds: ['a', 'b'], into: 'a' }), 'a'))).not.toContain('reason');
	});

	it('keeps redirections one step long when a survivor is merged in turn', () => {
		const board = run([
			{ kind: 'merge', itemIds: ['a', 'b'], into: 'a' },
			{ kind: 'merge', itemIds: ['a', 'c'], into: 'c' }
		], abc());
		expect(board.mergedInto).toEqual({ a: 'c', b: 'c' });
		expect(findItem(board, 'b')?.id).toBe('c');
		expect(item(board, 'c').sources.map((s) => s.id)).toEqual(['s-c', 's-a', 's-b']);
	});

	it('refuses fewer than two items, a survivor outside the merge, unknown items and empty text', () => {
		expectRefused(abc(), { kind: 'merge', itemIds: ['a'], into: 'a' }, 'il faut au moins deux préconisations distinctes pour fusionner');
		expectRefused(abc(), { kind: 'merge', itemIds: ['a', 'a'], into: 'a' }, 'il faut au moins deux préconisations distinctes pour fusionner');
		expectRefused(abc(), { kind: 'merge', itemIds: ['a', 'b'], into: 'c' }, 'la préconisation gardée doit faire partie de la fusion');
		expectRefused(abc(), { kind: 'merge', itemIds: ['a', 'zz'], into: 'a' }, 'préconisation inconnue');
		expectRefused(abc(), { kind: 'merge', itemIds: ['a', 'b'], into: 'zz' }, 'préconisation inconnue');
		expectRefused(abc(), { kind: 'merge', itemIds: ['a', 'b'], into: 'a', text: '' }, 'le texte ne peut pas être vide');
	});
});

describe('splitting', () => {
	it('gives one item per source in place, the first keeping the id', () => {
		const before = run([
			{ kind: 'addHeading', heading: 'Horaires' },
			{ kind: 'merge', itemIds: ['a', 'b'], into: 'b', text: 'Ouvrir en soirée' },
			{ kind: 'setHeading', itemId: 'b', heading: 'Horaires' },
			{ kind: 'setLevels', itemId: 'b', levels: ['equipes'] },
			{ kind: 'support', itemId: 'b', participantId: 'p1', on: true },
			{ kind: 'markClarify', itemId: 'b', reason: 'quels jours ?' }
		], abc());
		expect(ids(before)).toEqual(['b', 'c']);
		const board = apply(deepFreeze(before), { kind: 'split', itemId: 'b', newIds: ['n1'] });
		const piece = (id: string) => {
			const { text, originalText, sources } = item(abc(), id);
			return { text, originalText, sources };
		};
		const shared = { heading: 'Horaires', levels: ['equipes'], status: 'a-clarifier', reason: 'quels jours ?', support: ['p1'] };
		expect(board.items).toEqual([
			{ ...shared, ...piece('b'), id: 'b', createdAt: 2, order: 0 },
			{ ...shared, ...piece('a'), id: 'n1', createdAt: 1, order: 1 },
			{ ...item(abc(), 'c'), order: 2 }
		]);
		// The merged-away id still leads somewhere rather than failing.
		expect(board.mergedInto).toEqual({ a: 'b' });
	});

	it('undoes a merge: one item per source with its original text', () => {
		const original = abc();
		const board = run([
			{ kind: 'merge', itemIds: ['a', 'b', 'c'], into: 'a' },
			{ kind: 'reword', itemId: 'a', text: 'Des horaires adaptés et des médiateurs formés' },
			{ kind: 'split', itemId: 'a', newIds: ['b2', 'c2'] }
		], original);
		expect(ids(board)).toEqual(['a', 'b2', 'c2']);
		expect(board.items.map(({ text, originalText, sources, createdAt }) => ({ text, originalText, sources, createdAt }))).toEqual(
			original.items.map(({ text, originalText, sources, createdAt }) => ({ text, originalText, sources, createdAt }))
		);
	});

	it('refuses a single source, a wrong count of ids, used ids and merged-away or unknown items', () => {
		const merged = apply(abc(), { kind: 'merge', itemIds: ['a', 'b', 'c'], into: 'a' });
		expectRefused(abc(), { kind: 'split', itemId: 'a', newIds: [] }, 'une préconisation issue d’une seule source ne peut pas être séparée');
		expectRefused(
			run([{ kind: 'addDirect', itemId: 'd', text: 'x', at: 0 }]),
			{ kind: 'split', itemId: 'd', newIds: [] },
			'une préconisation issue d’une seule source ne peut pas être séparée'
		);
		expectRefused(merged, { kind: 'split', itemId: 'a', newIds: ['n1'] }, 'il faut 2 nouveaux identifiants pour séparer cette préconisation');
		expectRefused(
			apply(abc(), { kind: 'merge', itemIds: ['a', 'b'], into: 'a' }),
			{ kind: 'split', itemId: 'a', newIds: [] },
			'il faut un nouvel identifiant pour séparer cette préconisation'
		);
		expectRefused(merged, { kind: 'split', itemId: 'a', newIds: ['n1', 'n1'] }, 'identifiant déjà utilisé');
		expectRefused(merged, { kind: 'split', itemId: 'a', newIds: ['n1', 'b'] }, 'identifiant déjà utilisé');
		expectRefused(merged, { kind: 'split', itemId: 'a', newIds: ['n1', 'a'] }, 'identifiant déjà utilisé');
		expectRefused(merged, { kind: 'split', itemId: 'b', newIds: ['n1', 'n2'] }, 'cette préconisation a été fusionnée dans une autre');
		expectRefused(merged, { kind: 'split', itemId: 'zz', newIds: ['n1', 'n2'] }, 'préconisation inconnue');
	});
});

describe('headings', () => {
	it('adds, files and unfiles', () => {
		const board = run([
			{ kind: 'addHeading', heading: ' Accès aux soins ' },
			{ kind: 'addHeading', heading: 'Médiation' },
			{ kind: 'setHeading', itemId: 'a', heading: 'Accès aux soins' },
			{ kind: 'setHeading', itemId: 'c', heading: ' Médiation' },
			{ kind: 'setHeading', itemId: 'b', heading: 'Médiation' },
			{ kind: 'setHeading', itemId: 'b', heading: ' ' }
		], abc());
		expect(board.headings).toEqual(['Accès aux soins', 'Médiation']);
		expect(board.items.map((i) => i.heading)).toEqual(['Accès aux soins', '', 'Médiation']);
	});

	it('renames a heading and its items, or folds it into an existing one', () => {
		const filed = run([
			{ kind: 'addHeading', heading: 'Accès' },
			{ kind: 'addHeading', heading: 'Médiation' },
			{ kind: 'addHeading', heading: 'Horaires' },
			{ kind: 'setHeading', itemId: 'a', heading: 'Accès' },
			{ kind: 'setHeading', itemId: 'b', heading: 'Horaires' },
			{ kind: 'setHeading', itemId: 'c', heading: 'Médiation' }
		], abc());
		const renamed = apply(filed, { kind: 'renameHeading', from: 'Accès', to: ' Accès aux soins ' });
		expect(renamed.headings).toEqual(['Accès aux soins', 'Médiation', 'Horaires']);
		expect(renamed.items.map((i) => i.heading)).toEqual(['Accès aux soins', 'Horaires', 'Médiation']);
		const folded = apply(renamed, { kind: 'renameHeading', from: 'Horaires', to: 'Accès aux soins' });
		expect(folded.headings).toEqual(['Accès aux soins', 'Médiation']);
		expect(folded.items.map((i) => i.heading)).toEqual(['Accès aux soins', 'Accès aux soins', 'Médiation']);
		expect(apply(filed, { kind: 'renameHeading', from: 'Accès', to: 'Accès ' })).toEqual(filed);
	});

	it('refuses unknown, empty and duplicate headings', () => {
		const board = run([{ kind: 'addHeading', heading: 'Accès' }], abc());
		expectRefused(board, { kind: 'addHeading', heading: 'Accès ' }, 'la rubrique « Accès » existe déjà');
		expectRefused(board, { kind: 'addHeading', heading: '  ' }, 'le nom de la rubrique ne peut pas être vide');
		expectRefused(board, { kind: 'setHeading', itemId: 'a', heading: 'Horaires' }, 'rubrique inconnue : « Horaires »');
		expectRefused(board, { kind: 'setHeading', itemId: 'zz', heading: 'Accès' }, 'préconisation inconnue');
		expectRefused(board, { kind: 'renameHeading', from: 'Horaires', to: 'x' }, 'rubrique inconnue : « Horaires »');
		expectRefused(board, { kind: 'renameHeading', from: 'Accès', to: '' }, 'le nom de la rubrique ne peut pas être vide');
	});
});

describe('levels and clarity', () => {
	it('stores levels in canonical order without repeats', () => {
		const board = run([
			{ kind: 'setLevels', itemId: 'a', levels: ['institutions', 'equipes', 'institutions'] },
			{ kind: 'setLevels', itemId: 'b', levels: ['institutions'] },
			{ kind: 'setLevels', itemId: 'b', levels: [] }
		], abc());
		expect(board.items.map((i) => i.levels)).toEqual([['equipes', 'institutions'], [], []]);
		expectRefused(board, { kind: 'setLevels', itemId: 'a', levels: ['ars'] as unknown as Level[] }, 'niveau inconnu : ars');
	});

	it('marks « à clarifier » with a reason, and back', () => {
		const unclear = run([
			{ kind: 'markClarify', itemId: 'a', reason: ' sens ambigu ' },
			{ kind: 'markClarify', itemId: 'a', reason: 'quel public ?' }
		], abc());
		expect(item(unclear, 'a')).toMatchObject({ status: 'a-clarifier', reason: 'quel public ?' });
		const ok = apply(unclear, { kind: 'markOk', itemId: 'a' });
		expect(item(ok, 'a')).toEqual(item(abc(), 'a'));
		expect('reason' in item(ok, 'a')).toBe(false);
		expectRefused(abc(), { kind: 'markClarify', itemId: 'a', reason: ' ' }, 'indiquez ce qu’il faut clarifier');
		expectRefused(abc(), { kind: 'markOk', itemId: 'zz' }, 'préconisation inconnue');
	});
});

describe('support', () => {
	it('counts each participant once per item, and lets them take it back', () => {
		const board = run([
			{ kind: 'support', itemId: 'a', participantId: 'p1', on: true },
			{ kind: 'support', itemId: 'a', participantId: 'p2', on: true },
			{ kind: 'support', itemId: 'a', participantId: 'p1', on: true },
			{ kind: 'support', itemId: 'b', participantId: 'p1', on: true },
			{ kind: 'support', itemId: 'b', participantId: 'p1', on: false },
			{ kind: 'support', itemId: 'c', participantId: 'p3', on: false }
		], abc());
		expect(board.items.map((i) => i.support)).toEqual([['p1', 'p2'], [], []]);
		expect(summary(board).supports).toBe(2);
		expectRefused(board, { kind: 'support', itemId: 'zz', participantId: 'p1', on: true }, 'préconisation inconnue');
	});

	it('unions supporters on merge without counting anyone twice', () => {
		const board = run([
			{ kind: 'support', itemId: 'a', participantId: 'p1', on: true },
			{ kind: 'support', itemId: 'b', participantId: 'p1', on: true },
			{ kind: 'support', itemId: 'b', participantId: 'p2', on: true },
			{ kind: 'merge', itemIds: ['a', 'b'], into: 'b' }
		], abc());
		expect(item(board, 'b').support).toEqual(['p1', 'p2']);
	});
});

describe('moving', () => {
	it('puts an item before another, or last, and keeps order in step', () => {
		let board = apply(abc(), { kind: 'move', itemId: 'c', before: 'a' });
		expect(ids(board)).toEqual(['c', 'a', 'b']);
		board = apply(board, { kind: 'move', itemId: 'c', before: null });
		expect(ids(board)).toEqual(['a', 'b', 'c']);
		board = apply(board, { kind: 'move', itemId: 'a', before: 'c' });
		expect(ids(board)).toEqual(['b', 'a', 'c']);
		expect(board.items.map((i) => i.order)).toEqual([0, 1, 2]);
		expect(apply(board, { kind: 'move', itemId: 'a', before: 'a' })).toEqual(board);
	});

	it('refuses unknown items', () => {
		expectRefused(abc(), { kind: 'move', itemId: 'zz', before: null }, 'préconisation inconnue');
		expectRefused(abc(), { kind: 'move', itemId: 'a', before: 'zz' }, 'préconisation inconnue');
	});
});

describe('removing', () => {
	const withDirect = () => run([{ kind: 'addDirect', itemId: 'd', text: 'Synthèse', at: 5 }], abc());

	it('removes an item written directly by the organisers', () => {
		expect(apply(withDirect(), { kind: 'remove', itemId: 'd' })).toEqual(abc());
	});

	it('never removes what came from the groups, or what is « à clarifier »', () => {
		expectRefused(abc(), { kind: 'remove', itemId: 'a' }, 'une préconisation issue des groupes ne peut pas être supprimée');
		const absorbed = apply(withDirect(), { kind: 'merge', itemIds: ['d', 'a'], into: 'd' });
		expectRefused(absorbed, { kind: 'remove', itemId: 'd' }, 'une préconisation issue des groupes ne peut pas être supprimée');
		const unclear = apply(withDirect(), { kind: 'markClarify', itemId: 'd', reason: 'à reformuler' });
		expectRefused(unclear, { kind: 'remove', itemId: 'd' }, 'une préconisation à clarifier ne peut pas être supprimée');
		expectRefused(abc(), { kind: 'remove', itemId: 'zz' }, 'préconisation inconnue');
	});

	it('does not follow a merge, and forgets redirections to the removed item', () => {
		const board = run([
			{ kind: 'addDirect', itemId: 'd1', text: 'Un', at: 1 },
			{ kind: 'addDirect', itemId: 'd2', text: 'Deux', at: 2 },
			{ kind: 'merge', itemIds: ['d1', 'd2'], into: 'd1' }
		]);
		expectRefused(board, { kind: 'remove', itemId: 'd2' }, 'cette préconisation a été fusionnée dans une autre');
		const removed = apply(board, { kind: 'remove', itemId: 'd1' });
		expect(removed).toEqual(emptyBoard());
		expectRefused(removed, { kind: 'reword', itemId: 'd2', text: 'x' }, 'préconisation inconnue');
	});
});

describe('two organisers at once', () => {
	// Organiser A merges a and b into a; organiser B, who has not seen it yet, acts on b.
	const merged = () => apply(abc(), { kind: 'merge', itemIds: ['a', 'b'], into: 'a' });

	it('lands a late edit of a merged-away item on the survivor', () => {
		const board = run([
			{ kind: 'reword', itemId: 'b', text: 'Ouvrir le soir et le samedi' },
			{ kind: 'setLevels', itemId: 'b', levels: ['equipes'] },
			{ kind: 'markClarify', itemId: 'b', reason: 'quels moyens ?' },
			{ kind: 'support', itemId: 'b', participantId: 'p1', on: true },
			{ kind: 'move', itemId: 'c', before: 'b' }
		], merged());
		expect(ids(board)).toEqual(['c', 'a']);
		expect(item(board, 'a')).toMatchObject({
			text: 'Ouvrir le soir et le samedi',
			originalText: 'Des permanences le soir',
			levels: ['equipes'],
			status: 'a-clarifier',
			reason: 'quels moyens ?',
			support: ['p1']
		});
	});

	it('follows a merge inside a late merge, and refuses one with nothing left to merge', () => {
		const board = apply(merged(), { kind: 'merge', itemIds: ['b', 'c'], into: 'b' });
		expect(ids(board)).toEqual(['a']);
		expect(item(board, 'a').sources.map((s) => s.id)).toEqual(['s-a', 's-b', 's-c']);
		expectRefused(merged(), { kind: 'merge', itemIds: ['a', 'b'], into: 'b' }, 'il faut au moins deux préconisations distinctes pour fusionner');
	});

	it('refuses a late split of an item that changed since', () => {
		const both = apply(abc(), { kind: 'merge', itemIds: ['a', 'b'], into: 'a' });
		// B splits a (two sources) while A merges c into it.
		const grown = apply(both, { kind: 'merge', itemIds: ['a', 'c'], into: 'a' });
		expectRefused(grown, { kind: 'split', itemId: 'a', newIds: ['n1'] }, 'il faut 2 nouveaux identifiants pour séparer cette préconisation');
	});

	it('refuses filing under a heading renamed meanwhile', () => {
		const board = run([
			{ kind: 'addHeading', heading: 'Accès' },
			{ kind: 'renameHeading', from: 'Accès', to: 'Accès aux soins' }
		], abc());
		expectRefused(board, { kind: 'setHeading', itemId: 'a', heading: 'Accès' }, 'rubrique inconnue : « Accès »');
	});
});

describe('summary', () => {
	it('counts items, levels, clarity and contributions', () => {
		const board = run([
			{ kind: 'addDirect', itemId: 'd', text: 'Synthèse', at: 5 },
			fromWriteup('e', { groupId: 'g1', text: 'Un autre', at: 4 }),
			{ kind: 'setLevels', itemId: 'a', levels: ['equipes'] },
			{ kind: 'setLevels', itemId: 'b', levels: ['institutions'] },
			{ kind: 'setLevels', itemId: 'c', levels: ['equipes', 'institutions'] },
			{ kind: 'setLevels', itemId: 'e', levels: ['equipes'] },
			{ kind: 'markClarify', itemId: 'b', reason: 'flou' },
			{ kind: 'support', itemId: 'c', participantId: 'p1', on: true }
		], abc());
		expect(summary(board)).toEqual({
			total: 5,
			aClarifier: 1,
			byLevel: { equipes: 2, institutions: 1, both: 1, none: 1 },
			direct: 1,
			sources: 4,
			groups: 3,
			statements: 2,
			supports: 1
		});
		expect(summary(emptyBoard())).toEqual({
			total: 0,
			aClarifier: 0,
			byLevel: { equipes: 0, institutions: 0, both: 0, none: 0 },
			direct: 0,
			sources: 0,
			groups: 0,
			statements: 0,
			supports: 0
		});
	});
});

describe('sourcesLabel', () => {
	const withSources = (sources: Source[]) => ({ ...item(abc(), 'a'), sources });

	it('speaks natural French, singular and plural', () => {
		expect(sourcesLabel(withSources([]))).toBe('rédigée par l’équipe organisatrice');
		expect(sourcesLabel(withSources([source('s1')]))).toBe('issue d’un groupe');
		// Stage 2 and 3 of the same group are still one group.
		expect(sourcesLabel(withSources([source('s1'), source('s2', { stage: 3 })]))).toBe('issue d’un groupe');
		expect(sourcesLabel(withSources([source('s1'), source('s2', { groupId: 'g2' })]))).toBe('issue de 2 groupes sur un même énoncé');
		expect(
			sourcesLabel(
				withSources([
					source('s1'),
					source('s2', { groupId: 'g2' }),
					source('s3', { groupId: 'g3', statementId: 'e2' }),
					source('s4', { groupId: 'g3', statementId: 'e2' })
				])
			)
		).toBe('issue de 3 groupes, 2 énoncés');
	});

	it('labels a merged item', () => {
		const board = apply(abc(), { kind: 'merge', itemIds: ['a', 'b', 'c'], into: 'a' });
		expect(sourcesLabel(item(board, 'a'))).toBe('issue de 3 groupes, 2 énoncés');
	});
});

describe('properties', () => {
	// Small pools, so that operations often meet existing items; split ids mostly outside the pool of adds.
	const itemId = fc.constantFrom('i0', 'i1', 'i2', 'i3', 'i4', 'n0', 'n1', 'x0', 'x1', '');
	const splitId = fc.constantFrom('n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'i0');
	const text = fc.oneof(
		{ arbitrary: fc.constantFrom('', ' '), weight: 1 },
		{ arbitrary: fc.constantFrom('Ouvrir le soir', ' Des médiateurs '), weight: 4 }
	);
	const heading = fc.constantFrom('', ' ', 'Accès', 'Horaires', 'Médiation ');
	const level = fc.constantFrom(...LEVELS);
	const sourceArb = fc.record({
		id: fc.constantFrom('s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9'),
		statementId: fc.constantFrom('e1', 'e2'),
		groupNumber: fc.constantFrom(1, 2),
		groupId: fc.constantFrom('g1', 'g2', 'g3'),
		stage: fc.constantFrom(2 as const, 3 as const),
		itemId: fc.constantFrom('w1', 'w2'),
		text,
		at: fc.nat(1000)
	});
	const opArb: fc.Arbitrary<BoardOp> = fc.oneof(
		{ arbitrary: fc.record({ kind: fc.constant('addFromWriteup' as const), itemId, source: sourceArb }), weight: 6 },
		fc.record({ kind: fc.constant('addDirect' as const), itemId, text, at: fc.nat(1000) }),
		fc.record({ kind: fc.constant('reword' as const), itemId, text }),
		{
			arbitrary: fc.array(itemId, { maxLength: 4 }).chain((itemIds) =>
				fc.record(
					{ kind: fc.constant('merge' as const), itemIds: fc.constant(itemIds), into: itemIds.length ? fc.constantFrom(...itemIds) : itemId, text },
					{ requiredKeys: ['kind', 'itemIds', 'into'] }
				)
			),
			weight: 4
		},
		{ arbitrary: fc.record({ kind: fc.constant('split' as const), itemId, newIds: fc.uniqueArray(splitId, { maxLength: 3 }) }), weight: 4 },
		fc.record({ kind: fc.constant('setHeading' as const), itemId, heading }),
		fc.record({ kind: fc.constant('addHeading' as const), heading }),
		fc.record({ kind: fc.constant('renameHeading' as const), from: heading, to: heading }),
		fc.record({ kind: fc.constant('setLevels' as const), itemId, levels: fc.array(level, { maxLength: 3 }) }),
		fc.record({ kind: fc.constant('markClarify' as const), itemId, reason: text }),
		fc.record({ kind: fc.constant('markOk' as const), itemId }),
		fc.record({ kind: fc.constant('support' as const), itemId, participantId: fc.constantFrom('p1', 'p2'), on: fc.boolean() }),
		fc.record({ kind: fc.constant('move' as const), itemId, before: fc.option(itemId) }),
		fc.record({ kind: fc.constant('remove' as const), itemId })
	);

	/** Random ops rarely name a merged item with the right number of new ids: these aim at live items. */
	interface Aimed {
		aim: 'merge' | 'split';
		picks: number[];
	}
	const aimedArb: fc.Arbitrary<Aimed> = fc.record({
		aim: fc.constantFrom('merge' as const, 'split' as const),
		picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 })
	});

	function aimed(board: Board, { aim, picks }: Aimed, nextId: () => string): BoardOp | undefined {
		if (aim === 'split') {
			const merged = board.items.filter((i) => i.sources.length > 1);
			const target = merged[(picks[0] ?? 0) % merged.length];
			return target && { kind: 'split', itemId: target.id, newIds: target.sources.slice(1).map(nextId) };
		}
		const chosen = [...new Set(picks.flatMap((k) => board.items[k % board.items.length]?.id ?? []))];
		const [into] = chosen;
		return into === undefined ? undefined : { kind: 'merge', itemIds: chosen, into };
	}

	it('never loses nor duplicates a source, and keeps the board consistent', () => {
		const steps = fc.array(fc.oneof({ arbitrary: opArb, weight: 5 }, { arbitrary: aimedArb, weight: 1 }), {
			minLength: 10,
			maxLength: 80,
			size: 'max'
		});
		fc.assert(
			fc.property(steps, (raw) => {
				let board = emptyBoard();
				const added: string[] = [];
				const direct = new Set<string>();
				let n = 0;
				const nextId = () => `x${n++}`;
				for (const step of raw) {
					const op = 'aim' in step ? aimed(board, step, nextId) : step;
					if (!op) continue;
					try {
						board = apply(deepFreeze(board), op);
					} catch (e) {
						expect(e).toBeInstanceOf(BoardError);
						continue;
					}
					if (op.kind === 'addFromWriteup') added.push(op.source.id);
					if (op.kind === 'addDirect') direct.add(op.itemId);

					const onBoard = board.items.flatMap((i) => i.sources.map((s) => s.id));
					expect(onBoard.toSorted()).toEqual(added.toSorted());
					const live = ids(board);
					expect(new Set(live).size).toBe(live.length);
					expect(new Set(board.headings).size).toBe(board.headings.length);
					for (const [from, to] of Object.entries(board.mergedInto)) {
						expect(live).not.toContain(from);
						expect(live).toContain(to);
					}
					board.items.forEach((i, index) => {
						expect(i.sources.length > 0 || direct.has(i.id)).toBe(true);
						expect(i.status === 'a-clarifier').toBe('reason' in i);
						if (i.reason !== undefined) expect(i.reason.trim()).toBe(i.reason);
						expect(i.heading === '' || board.headings.includes(i.heading)).toBe(true);
						expect(i.text).toBe(i.text.trim());
						expect(i.text).not.toBe('');
						expect(i.levels).toEqual(LEVELS.filter((l) => i.levels.includes(l)));
						expect(new Set(i.support).size).toBe(i.support.length);
						expect(i.order).toBe(index);
					});
				}
			}),
			{ numRuns: 200 }
		);
	});

	it('splitting a merge of single-source items gives back each source with its text', () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }).filter((t) => t.trim() !== ''), { minLength: 2, maxLength: 6 }),
				fc.nat(),
				(texts, pick) => {
					const original = run(texts.map((t, k) => ({ kind: 'addFromWriteup', itemId: `i${k}`, source: source(`s${k}`, { text: t, at: k }) })));
					const all = ids(original);
					const into = all[pick % all.length] ?? 'i0';
					const merged = apply(original, { kind: 'merge', itemIds: all.toReversed(), into });
					const board = apply(merged, { kind: 'split', itemId: into, newIds: all.filter((id) => id !== into).map((id) => `n-${id}`) });
					const bySource = (b: Board) => new Map(b.items.map((i) => [i.sources.map((s) => s.id).join(), [i.text, i.originalText, i.createdAt]]));
					expect(board.items).toHaveLength(texts.length);
					expect(bySource(board)).toEqual(bySource(original));
				}
			)
		);
	});
});
