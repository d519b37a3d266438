/**
 * A group's write-up: one Yjs doc per group (`group.<groupId>`), shared by server and clients.
 *
 *   items:     Y.Map<itemId, Y.Map>  — stage (1 CONSTATS, 2 idéal, 3 concrètement), order
 *                                      (a fraction, so moving an item never copies it), text,
 *                                      who / when (« qui ? », « quand ? », stage 3), createdAt,
 *                                      via (the member a helper typed for, or null)
 *   reactions: Y.Map<itemId, Y.Map<participantId, 'agree' | 'clarify'>>
 *   stars:     Y.Map<itemId, Y.Map<participantId, true>>   — candidate pull-quotes (exergues)
 *   comments:  Y.Map<itemId, Y.Array<Comment>>              — facilitators' requests to clarify
 *
 * Items are keyed, not listed, so concurrent edits of order, text and reactions never conflict.
 */
import * as Y from 'yjs';

export type WriteupStage = 1 | 2 | 3;
export type Reaction = 'agree' | 'clarify';
export interface Comment {
	text: string;
	at: number;
	from: 'facilitator' | 'organiser';
}

export const docName = (groupId: string) => `group.${groupId}`;

const items = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('items');
const reactions = (doc: Y.Doc) => doc.getMap<Y.Map<Reaction>>('reactions');
const stars = (doc: Y.Doc) => doc.getMap<Y.Map<true>>('stars');
const comments = (doc: Y.Doc) => doc.getMap<Y.Array<Comment>>('comments');

export function itemText(doc: Y.Doc, id: string, field: 'text' | 'who' | 'when' = 'text'): Y.Text | undefined {
	return items(doc).get(id)?.get(field) as Y.Text | undefined;
}

/** Item ids of a stage, in order. */
export function stageItemIds(doc: Y.Doc, stage: WriteupStage): string[] {
	return [...items(doc).entries()]
		.filter(([, m]) => m.get('stage') === stage)
		.sort(([a, ma], [b, mb]) => (ma.get('order') as number) - (mb.get('order') as number) || (a < b ? -1 : 1))
		.map(([id]) => id);
}

export function addItem(
	doc: Y.Doc,
	stage: WriteupStage,
	opts: { id: string; createdAt: number; text?: string; via?: string | null }
): string {
	const ids = stageItemIds(doc, stage);
	const last = ids.length ? (items(doc).get(ids[ids.length - 1] as string)?.get('order') as number) : 0;
	doc.transact(() => {
		const m = new Y.Map<unknown>();
		m.set('stage', stage);
		m.set('order', last + 1);
		m.set('text', new Y.Text(opts.text ?? ''));
		if (stage === 3) {
			m.set('who', new Y.Text());
			m.set('when', new Y.Text());
		}
		m.set('createdAt', opts.createdAt);
		m.set('via', opts.via ?? null);
		items(doc).set(opts.id, m);
	});
	return opts.id;
}

/** Moves an item one place up (-1) or down (+1) within its stage. */
export function moveItem(doc: Y.Doc, id: string, direction: -1 | 1) {
	const item = items(doc).get(id);
	if (!item) return;
	const ids = stageItemIds(doc, item.get('stage') as WriteupStage);
	const i = ids.indexOf(id);
	const order = (k: number) => items(doc).get(ids[k] as string)?.get('order') as number;
	const j = i + direction;
	if (j < 0 || j >= ids.length) return;
	// Between the neighbour and the one beyond it.
	const beyond = j + direction;
	const edge = beyond < 0 ? order(j) - 1 : beyond >= ids.length ? order(j) + 1 : order(beyond);
	item.set('order', (order(j) + edge) / 2);
}

export function deleteItem(doc: Y.Doc, id: string) {
	doc.transact(() => {
		items(doc).delete(id);
		reactions(doc).delete(id);
		stars(doc).delete(id);
		comments(doc).delete(id);
	});
}

function mapOf<V>(parent: Y.Map<Y.Map<V>>, key: string): Y.Map<V> {
	let m = parent.get(key);
	if (!m) {
		m = new Y.Map<V>();
		parent.set(key, m);
	}
	return m;
}

/** « d'accord » / « à préciser », one per member and item; null takes it back. */
export function react(doc: Y.Doc, itemId: string, participantId: string, reaction: Reaction | null) {
	if (!items(doc).has(itemId)) return;
	doc.transact(() => {
		const m = mapOf(reactions(doc), itemId);
		if (reaction) m.set(participantId, reaction);
		else m.delete(participantId);
	});
}

export function setStar(doc: Y.Doc, itemId: string, participantId: string, starred: boolean) {
	if (!items(doc).has(itemId)) return;
	doc.transact(() => {
		const m = mapOf(stars(doc), itemId);
		if (starred) m.set(participantId, true);
		else m.delete(participantId);
	});
}

export function addComment(doc: Y.Doc, itemId: string, comment: Comment) {
	if (!items(doc).has(itemId)) throw new Error('item inconnu');
	doc.transact(() => {
		let list = comments(doc).get(itemId);
		if (!list) {
			list = new Y.Array<Comment>();
			comments(doc).set(itemId, list);
		}
		list.push([comment]);
	});
}

export interface WriteupItem {
	id: string;
	stage: WriteupStage;
	text: string;
	who: string;
	when: string;
	via: string | null;
	createdAt: number;
	agree: number;
	clarify: number;
	/** This member's own reaction and star, when asked for one member. */
	mine: Reaction | null;
	starredByMe: boolean;
	stars: number;
	starred: boolean;
	comments: Comment[];
}

/** The whole write-up as plain data, stage by stage, in order. */
export function readWriteup(doc: Y.Doc, participantId?: string): { stages: { items: WriteupItem[] }[] } {
	const stages = ([1, 2, 3] as const).map((stage) => ({
		items: stageItemIds(doc, stage).map((id): WriteupItem => {
			const m = items(doc).get(id) as Y.Map<unknown>;
			const r = [...(reactions(doc).get(id)?.entries() ?? [])];
			const s = stars(doc).get(id);
			return {
				id,
				stage,
				text: String(m.get('text') ?? ''),
				who: String(m.get('who') ?? ''),
				when: String(m.get('when') ?? ''),
				via: (m.get('via') as string | null) ?? null,
				createdAt: m.get('createdAt') as number,
				agree: r.filter(([, v]) => v === 'agree').length,
				clarify: r.filter(([, v]) => v === 'clarify').length,
				mine: participantId ? (reactions(doc).get(id)?.get(participantId) ?? null) : null,
				starredByMe: participantId ? Boolean(s?.get(participantId)) : false,
				stars: s?.size ?? 0,
				starred: (s?.size ?? 0) > 0,
				comments: comments(doc).get(id)?.toArray() ?? []
			};
		})
	}));
	return { stages };
}

/** Items per stage: the projection's sign of write-up progress. */
export function itemCounts(doc: Y.Doc): [number, number, number] {
	const c: [number, number, number] = [0, 0, 0];
	for (const m of items(doc).values()) {
		const stage = m.get('stage') as number;
		if (stage >= 1 && stage <= 3 && String(m.get('text') ?? '').trim()) c[stage - 1] = (c[stage - 1] ?? 0) + 1;
	}
	return c;
}
