import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addComment, addItem, deleteItem, itemText, moveItem, react, setStar, stageItemIds, type WriteupStage } from '../../src/lib/writeup';
import { WRITEUP_LIMITS, writeupShapeError } from '../../src/lib/writeupSchema';

/** What the server sees: a fresh doc given the update, as from the network or the store. */
function received(...docs: Y.Doc[]): Y.Doc {
	const doc = new Y.Doc();
	for (const d of docs) Y.applyUpdate(doc, Y.encodeStateAsUpdate(d));
	return doc;
}

/** A copy that continues from the doc's state, so its changes come after the doc's. */
function cloneOf(doc: Y.Doc): Y.Doc {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return copy;
}

function sample(): Y.Doc {
	const doc = new Y.Doc();
	addItem(doc, 1, { id: 'a', createdAt: 1, text: 'Un constat' });
	addItem(doc, 2, { id: 'b', createdAt: 2, text: 'Un idéal', via: 'Fatou' });
	addItem(doc, 3, { id: 'c', createdAt: 3, text: 'Une action' });
	itemText(doc, 'c', 'who')?.insert(0, 'La mairie');
	react(doc, 'a', 'p1', 'agree');
	react(doc, 'a', 'p2', 'clarify');
	setStar(doc, 'b', 'p1', true);
	addComment(doc, 'a', { text: 'Préciser ?', at: 5, from: 'facilitator' });
	addComment(doc, 'a', { text: 'Et les chiffres ?', at: 6, from: 'organiser' });
	return doc;
}

const REACTION = "'agree', 'clarify' ou { clarify: unclear | disagree | incomplete | other, text? (500 caractères au plus) }";

describe('the write-up schema', () => {
	it('accepts « à préciser » with a reason, in a few words or none', () => {
		const doc = sample();
		react(doc, 'a', 'p1', { clarify: 'unclear' });
		react(doc, 'a', 'p2', { clarify: 'other', text: 'Qui est « on » ?' });
		react(doc, 'b', 'p3', 'clarify');
		expect(writeupShapeError(received(doc))).toBeNull();
	});

	it('accepts an empty doc and one written by the write-up helpers', () => {
		expect(writeupShapeError(new Y.Doc())).toBeNull();
		expect(writeupShapeError(received(sample()))).toBeNull();
	});

	it('accepts what the helpers leave behind: moved and deleted items, taken-back reactions, orphan reactions', () => {
		const doc = sample();
		moveItem(doc, 'a', 1);
		react(doc, 'a', 'p1', null);
		setStar(doc, 'b', 'p1', false);
		const late = cloneOf(doc);
		// A reaction to an item deleted meanwhile stays, without its item.
		react(late, 'b', 'p3', 'agree');
		deleteItem(doc, 'b');
		expect(writeupShapeError(received(doc, late))).toBeNull();
	});

	it('names the first offending field', () => {
		const cases: [string, (d: Y.Doc) => void][] = [
			['items.x: attendu un Y.Map', (d) => d.getMap('items').set('x', 42)],
			['items.a.stage: attendu 1, 2 ou 3', (d) => d.getMap<Y.Map<unknown>>('items').get('a')?.set('stage', 4)],
			['items.a.order: attendu un nombre', (d) => d.getMap<Y.Map<unknown>>('items').get('a')?.set('order', 'premier')],
			['items.a.text: attendu un Y.Text', (d) => d.getMap<Y.Map<unknown>>('items').get('a')?.set('text', 'brut')],
			["items.a.who: seulement à l'étape 3", (d) => d.getMap<Y.Map<unknown>>('items').get('a')?.set('who', new Y.Text())],
			['items.a.colour: champ inconnu', (d) => d.getMap<Y.Map<unknown>>('items').get('a')?.set('colour', 'red')],
			[`reactions.a.p1: attendu ${REACTION}`, (d) => react(d, 'a', 'p1', 'bof' as never)],
			[`reactions.a.p1: attendu ${REACTION}`, (d) => react(d, 'a', 'p1', { clarify: 'vague' as never })],
			[`reactions.a.p1: attendu ${REACTION}`, (d) => react(d, 'a', 'p1', { clarify: 'other', text: 'x'.repeat(WRITEUP_LIMITS.clarifyText + 1) })],
			[`reactions.a.p1: attendu ${REACTION}`, (d) => d.getMap<Y.Map<unknown>>('reactions').get('a')?.set('p1', { clarify: 'unclear', who: 'p2' })],
			['stars.b.p1: attendu true', (d) => d.getMap<Y.Map<unknown>>('stars').get('b')?.set('p1', 1)],
			['comments.a: attendu un Y.Array', (d) => d.getMap('comments').set('a', 'x')],
			["comments.a.2.from: attendu 'facilitator' ou 'organiser'", (d) => d.getMap<Y.Array<unknown>>('comments').get('a')?.push([{ text: 'x', at: 1, from: 'member' }])],
			['comments.a.2.text: attendu un texte de 2000 caractères au plus', (d) => addComment(d, 'a', { text: 'x'.repeat(2001), at: 1, from: 'organiser' })],
			['other: racine inconnue', (d) => d.getMap('other').set('k', 1)]
		];
		for (const [error, poison] of cases) {
			const doc = cloneOf(sample());
			poison(doc);
			expect(writeupShapeError(received(doc))).toBe(error);
		}
	});

	it('refuses a root of another type, list content under a map, text beyond its cap, formatting', () => {
		const asText = new Y.Doc();
		asText.getText('items').insert(0, 'x');
		expect(writeupShapeError(received(asText))).toBe('items: contenu de liste inattendu');
		const asArray = new Y.Doc();
		asArray.getArray('reactions').push([1]);
		expect(writeupShapeError(received(asArray))).toBe('reactions: contenu de liste inattendu');
		// Asked for as text on this very doc, the root is no map at all.
		const typed = received(asText);
		typed.getText('items');
		expect(writeupShapeError(typed)).toBe('items: attendu un Y.Map');

		const long = cloneOf(sample());
		itemText(long, 'a')?.insert(0, 'x'.repeat(WRITEUP_LIMITS.text + 1));
		expect(writeupShapeError(received(long))).toBe(`items.a.text: plus de ${WRITEUP_LIMITS.text} caractères`);
		const bold = cloneOf(sample());
		itemText(bold, 'a')?.format(0, 2, { bold: true });
		expect(writeupShapeError(received(bold))).toBe('items.a.text: attendu du texte seul');
		const key = cloneOf(sample());
		react(key, 'a', 'p'.repeat(WRITEUP_LIMITS.key + 1), 'agree');
		expect(writeupShapeError(received(key))).toMatch(/^reactions\.a\.p{40}…: clé vide ou de plus de 40 caractères$/);
	});

	it('accepts anything the helpers do, in any order, on two replicas merged (property)', () => {
		const ids = ['a', 'b', 'c', 'd'];
		const members = ['p1', 'p2', 'p3'];
		const op = fc.oneof(
			fc.record({ kind: fc.constant('add' as const), stage: fc.constantFrom<WriteupStage>(1, 2, 3), id: fc.constantFrom(...ids), via: fc.option(fc.string({ maxLength: 40 })) }),
			fc.record({ kind: fc.constant('type' as const), id: fc.constantFrom(...ids), field: fc.constantFrom('text', 'who', 'when') as fc.Arbitrary<'text' | 'who' | 'when'>, at: fc.nat(50), text: fc.string({ maxLength: 30 }), del: fc.nat(5) }),
			fc.record({ kind: fc.constant('move' as const), id: fc.constantFrom(...ids), dir: fc.constantFrom<-1 | 1>(-1, 1) }),
			fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...ids) }),
			fc.record({ kind: fc.constant('react' as const), id: fc.constantFrom(...ids), member: fc.constantFrom(...members), r: fc.constantFrom('agree' as const, 'clarify' as const, null) }),
			fc.record({ kind: fc.constant('star' as const), id: fc.constantFrom(...ids), member: fc.constantFrom(...members), on: fc.boolean() }),
			fc.record({ kind: fc.constant('comment' as const), id: fc.constantFrom(...ids), text: fc.string({ maxLength: WRITEUP_LIMITS.commentText }), from: fc.constantFrom('facilitator' as const, 'organiser' as const) }),
			fc.record({ kind: fc.constant('sync' as const) })
		);
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.boolean(), op), { maxLength: 40 }), (steps) => {
				const replicas = [new Y.Doc(), new Y.Doc()] as const;
				for (const [second, o] of steps) {
					const doc = replicas[second ? 1 : 0];
					switch (o.kind) {
						case 'add':
							addItem(doc, o.stage, { id: `${o.id}${doc.clientID}`, createdAt: Date.now(), via: o.via });
							break;
						case 'type': {
							for (const id of [...stageItemIds(doc, 1), ...stageItemIds(doc, 2), ...stageItemIds(doc, 3)].filter((i) => i.startsWith(o.id))) {
								const t = itemText(doc, id, o.field);
								if (!t) continue;
								t.insert(Math.min(o.at, t.length), o.text);
								t.delete(0, Math.min(o.del, t.length));
							}
							break;
						}
						case 'move':
						case 'delete':
						case 'react':
						case 'star':
						case 'comment':
							for (const id of doc.getMap('items').keys()) {
								if (!id.startsWith(o.id)) continue;
								if (o.kind === 'move') moveItem(doc, id, o.dir);
								else if (o.kind === 'delete') deleteItem(doc, id);
								else if (o.kind === 'react') react(doc, id, o.member, o.r);
								else if (o.kind === 'star') setStar(doc, id, o.member, o.on);
								else addComment(doc, id, { text: o.text, at: Date.now(), from: o.from });
							}
							break;
						case 'sync':
							Y.applyUpdate(replicas[0], Y.encodeStateAsUpdate(replicas[1]));
							Y.applyUpdate(replicas[1], Y.encodeStateAsUpdate(replicas[0]));
							break;
					}
				}
				expect(writeupShapeError(received(...replicas))).toBeNull();
			}),
			{ numRuns: 200 }
		);
	});

	it('refuses any poison, whatever was written before (property)', () => {
		const json = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2, noNullPrototype: true }));
		// Anything but a Y.Map (for an item or a per-item map) or a Y.Array (for comments).
		// Shared types are made anew at each run: one can be in a single doc only.
		const notShared = fc.oneof(json.map((v) => () => v), fc.constantFrom(() => new Y.Text('x'), () => Y.Array.from([1]), () => new Y.XmlFragment()));
		const poison = fc.oneof(
			notShared.map((v) => (d: Y.Doc) => d.getMap('items').set('x', v())),
			fc.constantFrom('reactions', 'stars').chain((root) => notShared.map((v) => (d: Y.Doc) => d.getMap(root).set('a', v()))),
			notShared.map((v) => (d: Y.Doc) => {
				const value = v();
				d.getMap('comments').set('a', value instanceof Y.Array ? Y.Array.from([7]) : value);
			}),
			fc.tuple(fc.constantFrom('stage', 'order', 'createdAt', 'text', 'via'), json.filter((v) => typeof v !== 'number' || !Number.isFinite(v))).map(
				([field, v]) => (d: Y.Doc) => {
					if (field === 'via' && (v === null || (typeof v === 'string' && v.length <= WRITEUP_LIMITS.via))) return d.getMap<Y.Map<unknown>>('items').get('a')?.set('via', 7);
					d.getMap<Y.Map<unknown>>('items').get('a')?.set(field, v);
				}
			),
			fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !['stage', 'order', 'text', 'who', 'when', 'createdAt', 'via'].includes(k)).map((k) => (d: Y.Doc) => d.getMap<Y.Map<unknown>>('items').get('a')?.set(k, 1)),
			json.filter((v) => v !== 'agree' && v !== 'clarify').map((v) => (d: Y.Doc) => d.getMap<Y.Map<unknown>>('reactions').get('a')?.set('p9', v)),
			json.filter((v) => v !== true).map((v) => (d: Y.Doc) => d.getMap<Y.Map<unknown>>('stars').get('b')?.set('p9', v)),
			json.map((v) => (d: Y.Doc) => d.getMap<Y.Array<unknown>>('comments').get('a')?.push([{ text: 'x', at: 1, from: 'organiser', extra: v }])),
			fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !['items', 'reactions', 'stars', 'comments'].includes(k)).map((k) => (d: Y.Doc) => d.getMap(k).set('k', 1)),
			fc.constantFrom('text', 'who').map((field) => (d: Y.Doc) => itemText(d, 'c', field)?.insert(0, 'x'.repeat(WRITEUP_LIMITS.text + 1)))
		);
		fc.assert(
			fc.property(poison, (poisonOf) => {
				const attacker = cloneOf(sample());
				poisonOf(attacker);
				expect(writeupShapeError(received(attacker))).not.toBeNull();
			}),
			{ numRuns: 300 }
		);
	});
});
