/**
 * What a write-up update may change, decided by comparing the doc before and after it (the Yjs
 * endpoint's shadow, ./yjs.ts): the entries it touched must still match the write-up's schema
 * (src/lib/writeupSchema.ts), and the writer must be allowed to touch them:
 *
 * - items of a stage: only that stage's pen holders (create, type, move, delete; helper mode too);
 * - reactions and stars: each member only their own (the key is their participant id); an
 *   item's whole map goes only with its item, by its pen holder;
 * - comments: only from the main process (facilitators, organisers), never from a socket; a pen
 *   holder deleting an item deletes its comments with it.
 *
 * The doc "before" is a small index (each item's stage, each item's reactions and stars) kept in
 * step with the shadow, so a keystroke costs the entries it touched, not the whole doc.
 */
import * as Y from 'yjs';
import { itemStage, type WriteupStage } from '../../src/lib/writeup';
import { writeupEntryError, writeupSizeError } from '../../src/lib/writeupSchema';

/**
 * What transactions changed: per root, the keys of the entries (null: list content under the
 * root); and the first text given anything but plain characters (formatting, embeds), if any.
 */
export interface Touched {
	entries: Map<string, Set<string | null>>;
	notPlainText: string | null;
}

/** Close codes of refused updates (documented in docs/api.md). */
export const REFUSED = { shape: 4400, role: 4401, size: 4413 } as const;

export interface Refusal {
	code: (typeof REFUSED)[keyof typeof REFUSED];
	reason: string;
}

/** A member writing: their id, and the stages whose pen they hold. */
export interface Writer {
	participantId: string;
	pens: ReadonlySet<WriteupStage>;
}

/** Records which entries the doc's transactions change until the returned function is called. */
export function watchChanges(doc: Y.Doc): () => Touched {
	const touched: Touched = { entries: new Map(), notPlainText: null };
	const onTransaction = (tr: Y.Transaction) => {
		touched.notPlainText ??= notPlainText(doc, tr);
		const roots = new Map<unknown, string>();
		for (const [name, root] of doc.share) roots.set(root, name);
		for (const [type, keys] of tr.changed) {
			// Up to the root: the entry is the key just under it.
			let t = type;
			let entry: string | null = null;
			const nested = t._item !== null;
			while (t._item !== null) {
				entry = t._item.parentSub;
				t = t._item.parent as typeof t;
			}
			const name = roots.get(t) ?? '?';
			const set = touched.entries.get(name) ?? new Set();
			touched.entries.set(name, set);
			if (nested) set.add(entry);
			else for (const key of keys) set.add(key);
		}
	};
	doc.on('afterTransaction', onTransaction);
	return () => {
		doc.off('afterTransaction', onTransaction);
		return touched;
	};
}

/**
 * What the transaction inserted into texts must be characters: checked on the new structs only,
 * so a keystroke costs itself, not the whole text.
 */
function notPlainText(doc: Y.Doc, tr: Y.Transaction): string | null {
	for (const [client, after] of tr.afterState) {
		const before = tr.beforeState.get(client) ?? 0;
		if (after <= before) continue;
		const structs = doc.store.clients.get(client) ?? [];
		for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
			const s = structs[i];
			if (!s || s.id.clock >= after) break;
			if (!(s instanceof Y.Item) || !(s.parent instanceof Y.Text)) continue;
			if (s.parentSub === null && (s.content instanceof Y.ContentString || s.content instanceof Y.ContentDeleted)) continue;
			const item = s.parent._item;
			return `${item?.parent instanceof Y.Map && item.parent._item?.parentSub ? `items.${item.parent._item.parentSub}.${item.parentSub}` : 'texte'}: attendu du texte seul`;
		}
	}
	return null;
}

/** Nothing changed: for an endpoint without rules. */
export const untouched = (): Touched => ({ entries: new Map(), notPlainText: null });

type Entries = Map<string, unknown>;

/** The doc before the next update, as far as the rules need it. */
export class WriteupIndex {
	private stages = new Map<string, WriteupStage>();
	private readonly perMember = { reactions: new Map<string, Entries>(), stars: new Map<string, Entries>() };

	/** Starts again from the doc's whole state (a doc loaded, a shadow rebuilt). */
	rebuild(doc: Y.Doc) {
		this.stages.clear();
		for (const id of doc.getMap('items').keys()) this.advanceItem(doc, id);
		for (const root of ['reactions', 'stars'] as const) {
			this.perMember[root].clear();
			for (const id of doc.getMap(root).keys()) this.advancePerMember(doc, root, id);
		}
	}

	/** After an accepted update: the touched entries as the doc now holds them. */
	advance(doc: Y.Doc, touched: Touched) {
		for (const id of touched.entries.get('items') ?? []) if (id !== null) this.advanceItem(doc, id);
		for (const root of ['reactions', 'stars'] as const) {
			for (const id of touched.entries.get(root) ?? []) if (id !== null) this.advancePerMember(doc, root, id);
		}
	}

	/**
	 * Why the doc (after an update that touched these entries) must not keep it, or null. `writer`
	 * null: a change made by the main process, trusted (and built by the write-up helpers).
	 */
	refusal(doc: Y.Doc, touched: Touched, writer: Writer | null): Refusal | null {
		if (writer === null) return null;
		if (touched.notPlainText) return { code: REFUSED.shape, reason: touched.notPlainText };
		for (const [root, keys] of touched.entries) {
			for (const key of keys) {
				const error = writeupEntryError(doc, root, key);
				if (error) return { code: REFUSED.shape, reason: error };
			}
		}
		// Counting items costs them all: only when one may have been added.
		if ([...(touched.entries.get('items') ?? [])].some((id) => id !== null && !this.stages.has(id))) {
			const error = writeupSizeError(doc);
			if (error) return { code: REFUSED.shape, reason: error };
		}
		return this.roleRefusal(doc, touched, writer);
	}

	private roleRefusal(doc: Y.Doc, touched: Touched, writer: Writer): Refusal | null {
		const refuse = (reason: string): Refusal => ({ code: REFUSED.role, reason });
		// The item's stage before the update, or any pen for an entry without a known item.
		const holdsPenOf = (id: string) => {
			const stage = this.stages.get(id);
			return stage ? writer.pens.has(stage) : writer.pens.size > 0;
		};
		for (const id of touched.entries.get('items') ?? []) {
			if (id === null) continue;
			const stages = [...new Set([this.stages.get(id), itemStage(doc, id)])].filter((s) => s !== undefined);
			const allowed = stages.length ? stages.every((s) => writer.pens.has(s)) : writer.pens.size > 0;
			if (!allowed) return refuse(`items.${id}: réservé à qui tient le stylo de l'étape ${stages.join(', ') || '?'}`);
		}
		for (const root of ['reactions', 'stars'] as const) {
			for (const id of touched.entries.get(root) ?? []) {
				if (id === null) continue;
				const after = entriesOf(doc, root, id);
				if (!after) {
					if (!holdsPenOf(id)) return refuse(`${root}.${id}: supprimé seulement avec son élément`);
					continue;
				}
				const before = this.perMember[root].get(id) ?? new Map();
				for (const key of new Set([...before.keys(), ...after.keys()])) {
					if (!same(before.get(key), after.get(key)) && key !== writer.participantId) return refuse(`${root}.${id}.${key}: seulement ses propres réactions`);
				}
			}
		}
		for (const id of touched.entries.get('comments') ?? []) {
			if (id === null) continue;
			if (doc.getMap('comments').has(id) || !holdsPenOf(id)) return refuse(`comments.${id}: les commentaires viennent de l'animation`);
		}
		return null;
	}

	private advanceItem(doc: Y.Doc, id: string) {
		const stage = itemStage(doc, id);
		if (stage) this.stages.set(id, stage);
		else this.stages.delete(id);
	}

	private advancePerMember(doc: Y.Doc, root: 'reactions' | 'stars', id: string) {
		const entries = entriesOf(doc, root, id);
		if (entries) this.perMember[root].set(id, entries);
		else this.perMember[root].delete(id);
	}
}

/**
 * Two reactions alike: a reason is an object, rebuilt (a new reference) whenever the shadow is,
 * so compared by value.
 */
const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** An item's reactions or stars as plain data, or undefined if it has no such map. */
function entriesOf(doc: Y.Doc, root: 'reactions' | 'stars', id: string): Entries | undefined {
	const map: unknown = doc.getMap(root).get(id);
	return map instanceof Y.Map ? new Map(map.entries()) : undefined;
}
