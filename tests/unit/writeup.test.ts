import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addComment, addItem, deleteItem, itemCounts, itemText, moveItem, react, readWriteup, setStar, stageItemIds } from '../../src/lib/writeup';

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
