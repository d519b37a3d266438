import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addComment, addItem, deleteItem, itemCounts, itemText, moveItem, react, readItem, readWriteup, removeItem, restoreItem, setStar, splitItem, stageItemIds } from '../../src/lib/writeup';

const texts = (doc: Y.Doc, stage: 1 | 2 | 3) => stageItemIds(doc, stage).map((id) => itemText(doc, id)?.toString());

/** Two replicas that exchange every update, like clients through the server. */
function pair() {
	const a = new Y.Doc();
	const b = new Y.Doc();
	a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'));
	b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'));
	return [a, b] as const;
}

describe('write-up items', () => {
	it('split at the caret: what follows starts the next idea, in place, with the same helper', () => {
		const doc = new Y.Doc();
		addItem(doc, 1, { id: 'a', createdAt: 1, text: 'Le bus passe peu. Il est cher', via: 'Fatou' });
		addItem(doc, 1, { id: 'z', createdAt: 2, text: 'Dernier' });
		splitItem(doc, 'a', 'Le bus passe peu.'.length, { id: 'b', createdAt: 3 });
		splitItem(doc, 'b', ' Il est cher'.length, { id: 'c', createdAt: 4 });
		expect(texts(doc, 1)).toEqual(['Le bus passe peu.', ' Il est cher', '', 'Dernier']);
		expect(readItem(doc, 'b')?.via).toBe('Fatou');
		expect(splitItem(doc, 'nope', 0, { id: 'd', createdAt: 5 })).toBeUndefined();
	});

	it('come back as they were, reactions and place included, once removed for an undo', () => {
		const [a, b] = pair();
		addItem(a, 2, { id: 'x', createdAt: 1, text: 'Un lieu' });
		addItem(a, 2, { id: 'y', createdAt: 2, text: 'Une maison de santé' });
		addItem(a, 2, { id: 'z', createdAt: 3, text: 'Des horaires' });
		react(b, 'y', 'p2', { clarify: 'incomplete' });
		setStar(b, 'y', 'p3', true);
		const removed = removeItem(a, 'y');
		expect(texts(b, 2)).toEqual(['Un lieu', 'Des horaires']);
		if (removed) restoreItem(a, removed);
		expect(texts(b, 2)).toEqual(['Un lieu', 'Une maison de santé', 'Des horaires']);
		expect(readItem(b, 'y')).toMatchObject({ clarify: 1, stars: 1, reasons: [{ clarify: 'incomplete' }] });
		expect(removeItem(a, 'nope')).toBeUndefined();
	});

	it('are kept per stage, in order, with their creation time and helper', () => {
		const doc = new Y.Doc();
		addItem(doc, 1, { id: 'a', createdAt: 1, text: 'Premier constat' });
		addItem(doc, 1, { id: 'b', createdAt: 2, text: 'Second constat', via: 'Fatou' });
		addItem(doc, 3, { id: 'c', createdAt: 3, text: 'Une action' });
		expect(texts(doc, 1)).toEqual(['Premier constat', 'Second constat']);
		expect(texts(doc, 3)).toEqual(['Une action']);
		const w = readWriteup(doc);
		expect(w.stages[0]?.items.map((i) => [i.id, i.createdAt, i.via])).toEqual([
			['a', 1, null],
			['b', 2, 'Fatou']
		]);
		expect(itemText(doc, 'c', 'who')).toBeDefined();
		expect(itemText(doc, 'a', 'who')).toBeUndefined();
	});

	it('move up and down without copying', () => {
		const doc = new Y.Doc();
		for (const id of ['a', 'b', 'c', 'd']) addItem(doc, 2, { id, createdAt: 0, text: id });
		moveItem(doc, 'd', -1);
		expect(texts(doc, 2)).toEqual(['a', 'b', 'd', 'c']);
		moveItem(doc, 'a', 1);
		expect(texts(doc, 2)).toEqual(['b', 'a', 'd', 'c']);
		moveItem(doc, 'b', -1);
		expect(texts(doc, 2)).toEqual(['b', 'a', 'd', 'c']);
		moveItem(doc, 'b', 1);
		moveItem(doc, 'b', 1);
		moveItem(doc, 'b', 1);
		expect(texts(doc, 2)).toEqual(['a', 'd', 'c', 'b']);
	});

	it('count reactions, stars and comments; one reaction per member', () => {
		const doc = new Y.Doc();
		addItem(doc, 1, { id: 'a', createdAt: 0, text: 'x' });
		react(doc, 'a', 'p1', 'agree');
		react(doc, 'a', 'p2', 'clarify');
		react(doc, 'a', 'p2', 'agree');
		react(doc, 'a', 'p3', 'clarify');
		react(doc, 'a', 'p3', null);
		setStar(doc, 'a', 'p1', true);
		setStar(doc, 'a', 'p2', true);
		setStar(doc, 'a', 'p2', false);
		addComment(doc, 'a', { text: 'Que veut dire « ça » ?', at: 5, from: 'facilitator' });
		const [item] = readWriteup(doc, 'p1').stages[0]?.items ?? [];
		expect(item).toMatchObject({ agree: 2, clarify: 0, mine: 'agree', stars: 1, starred: true, starredByMe: true });
		expect(item?.comments).toEqual([{ text: 'Que veut dire « ça » ?', at: 5, from: 'facilitator' }]);
		expect(() => addComment(doc, 'nope', { text: 'x', at: 0, from: 'organiser' })).toThrow();
	});

	it('deleting an item removes its reactions, stars and comments', () => {
		const doc = new Y.Doc();
		addItem(doc, 1, { id: 'a', createdAt: 0, text: 'x' });
		react(doc, 'a', 'p1', 'agree');
		deleteItem(doc, 'a');
		react(doc, 'a', 'p1', 'agree');
		expect(readWriteup(doc).stages[0]?.items).toEqual([]);
		expect(doc.getMap('reactions').size).toBe(0);
	});

	it('count non-empty items per stage for the projection', () => {
		const doc = new Y.Doc();
		addItem(doc, 1, { id: 'a', createdAt: 0, text: 'x' });
		addItem(doc, 1, { id: 'b', createdAt: 0, text: '  ' });
		addItem(doc, 3, { id: 'c', createdAt: 0, text: 'y' });
		expect(itemCounts(doc)).toEqual([1, 0, 1]);
	});

	it('merge concurrent edits of two replicas', () => {
		const [a, b] = pair();
		addItem(a, 1, { id: 'i', createdAt: 0, text: 'Le problème' });
		itemText(a, 'i')?.insert(11, ' est le temps');
		itemText(b, 'i')?.insert(0, '» ');
		react(b, 'i', 'p', 'clarify');
		expect(readWriteup(a)).toEqual(readWriteup(b));
		expect(itemText(a, 'i')?.toString()).toBe('» Le problème est le temps');
	});
});

describe('reading a write-up of any shape', () => {
	it('skips what does not match instead of throwing', () => {
		const doc = new Y.Doc();
		addItem(doc, 1, { id: 'a', createdAt: 1, text: 'Bon' });
		addItem(doc, 3, { id: 'c', createdAt: 2, text: 'Action' });
		const items = doc.getMap<unknown>('items');
		items.set('x', 42);
		items.set('y', 'texte');
		const noStage = new Y.Map<unknown>();
		items.set('z', noStage);
		noStage.set('text', 'pas un Y.Text');
		const badFields = new Y.Map<unknown>();
		items.set('w', badFields);
		badFields.set('stage', 2);
		badFields.set('order', 'premier');
		badFields.set('text', 7);
		badFields.set('via', 3);
		doc.getMap<unknown>('reactions').set('a', 'tous');
		doc.getMap<Y.Map<unknown>>('reactions').set('c', new Y.Map());
		doc.getMap<Y.Map<unknown>>('reactions').get('c')?.set('p1', 'bof');
		doc.getMap<Y.Map<unknown>>('reactions').get('c')?.set('p2', 'agree');
		doc.getMap<unknown>('stars').set('a', 5);
		doc.getMap<unknown>('comments').set('a', 'non');
		doc.getMap<Y.Array<number | object>>('comments').set('c', Y.Array.from<number | object>([1, { text: 'ok', at: 1, from: 'organiser' }, { text: 2 }]));

		expect(itemCounts(doc)).toEqual([1, 0, 1]);
		expect(stageItemIds(doc, 2)).toEqual(['w']);
		const w = readWriteup(doc, 'p1');
		expect(w.stages[0]?.items.map((i) => [i.id, i.text, i.agree, i.stars, i.comments.length])).toEqual([['a', 'Bon', 0, 0, 0]]);
		expect(w.stages[1]?.items).toMatchObject([{ id: 'w', text: '', via: null, createdAt: 0 }]);
		expect(w.stages[2]?.items).toMatchObject([{ id: 'c', agree: 1, clarify: 0, mine: null, comments: [{ text: 'ok', at: 1, from: 'organiser' }] }]);
		expect(itemText(doc, 'z')).toBeUndefined();
		// The write-up helpers work around what is there.
		moveItem(doc, 'w', -1);
		react(doc, 'a', 'p1', 'agree');
		setStar(doc, 'a', 'p1', true);
		addComment(doc, 'a', { text: 'Précisez', at: 3, from: 'facilitator' });
		expect(readWriteup(doc, 'p1').stages[0]?.items[0]).toMatchObject({ mine: 'agree', starredByMe: true, comments: [{ text: 'Précisez' }] });
	});
});
