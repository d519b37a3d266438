/**
 * A group's write-up: one Yjs doc per group (`group.<groupId>`), shared by server and clients.
 *
 *   items:     Y.Map<itemId, Y.Map>  — stage (1 CONSTATS, 2 idéal, 3 concrètement), order
 *                                      (a fraction, so moving an item never copies it), text,
 *                                      who / when (« qui ? », « quand ? », stage 3), createdAt,
 *                                      via (the participant id of the member a helper typed
 *                                      for, or null; older docs hold their display name)
 *   reactions: Y.Map<itemId, Y.Map<participantId, 'agree' | 'clarify' | { clarify: reason, text? }>>
 *                                      (« à préciser » with its reason; the bare 'clarify' of
 *                                      older docs counts, without a reason)
 *   stars:     Y.Map<itemId, Y.Map<participantId, true>>   — candidate pull-quotes (exergues)
 *   comments:  Y.Map<itemId, Y.Array<Comment>>              — facilitators' requests to clarify
 *
 * Items are keyed, not listed, so concurrent edits of order, text and reactions never conflict.
 * The server refuses updates that break this shape (./writeupSchema.ts), but a doc stored before
 * that, or brought by an archive, may hold anything: every reader here skips what does not match.
 */
import * as Y from 'yjs';

export type WriteupStage = 1 | 2 | 3;
export type Reaction = 'agree' | 'clarify';
/** Why « à préciser »: « pas clair », « pas d'accord », « à compléter », or in one's own words. */
export const CLARIFY_REASONS = ['unclear', 'disagree', 'incomplete', 'other'] as const;
export type ClarifyReason = (typeof CLARIFY_REASONS)[number];
export interface ClarifyWhy {
	clarify: ClarifyReason;
	/** One's own words (src/lib/writeupSchema.ts caps them). */
	text?: string;
}
/** A member's reaction as the doc holds it. */
export type StoredReaction = Reaction | ClarifyWhy;
export interface Comment {
	text: string;
	at: number;
	from: 'facilitator' | 'organiser';
}

export const docName = (groupId: string) => `group.${groupId}`;

/**
 * The Yjs endpoint's message saying the write-up is closed ([101, 1]) or open again ([101, 0]):
 * see server/realtime/yjs.ts and docs/writeup.md.
 */
export const messageClosed = 101;

const items = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('items');
const reactions = (doc: Y.Doc) => doc.getMap<Y.Map<StoredReaction>>('reactions');
const stars = (doc: Y.Doc) => doc.getMap<Y.Map<true>>('stars');
const comments = (doc: Y.Doc) => doc.getMap<Y.Array<Comment>>('comments');

const asMap = (value: unknown) => (value instanceof Y.Map ? (value as Y.Map<unknown>) : undefined);
const asNumber = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const textOf = (value: unknown) => (value instanceof Y.Text ? value.toString() : '');
const isClarifyWhy = (value: unknown): value is ClarifyWhy =>
	typeof value === 'object' &&
	value !== null &&
	(CLARIFY_REASONS as readonly unknown[]).includes((value as ClarifyWhy).clarify) &&
	((value as ClarifyWhy).text === undefined || typeof (value as ClarifyWhy).text === 'string');
const isReaction = (value: unknown): value is StoredReaction => value === 'agree' || value === 'clarify' || isClarifyWhy(value);
const kindOf = (value: StoredReaction): Reaction => (value === 'agree' ? 'agree' : 'clarify');
const isComment = (c: unknown): c is Comment =>
	typeof c === 'object' &&
	c !== null &&
	typeof (c as Comment).text === 'string' &&
	typeof (c as Comment).at === 'number' &&
	((c as Comment).from === 'facilitator' || (c as Comment).from === 'organiser');

/** The item's map, if it is one. */
const itemMap = (doc: Y.Doc, id: string) => asMap(items(doc).get(id));

/** The item's stage, if it is an item with a valid one. */
export function itemStage(doc: Y.Doc, id: string): WriteupStage | undefined {
	const stage = itemMap(doc, id)?.get('stage');
	return stage === 1 || stage === 2 || stage === 3 ? stage : undefined;
}

export function itemText(doc: Y.Doc, id: string, field: 'text' | 'who' | 'when' = 'text'): Y.Text | undefined {
	const text = itemMap(doc, id)?.get(field);
	return text instanceof Y.Text ? text : undefined;
}

/** Item ids of a stage, in order. */
export function stageItemIds(doc: Y.Doc, stage: WriteupStage): string[] {
	const order = (id: string) => asNumber(itemMap(doc, id)?.get('order'));
	return [...items(doc).keys()]
		.filter((id) => itemStage(doc, id) === stage)
		.sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
}

/** Where a new item goes: last of its stage, or just after `after` (an item of that stage). */
function orderFor(doc: Y.Doc, stage: WriteupStage, after?: string): number {
	const ids = stageItemIds(doc, stage);
	const order = (id: string | undefined) => asNumber(id === undefined ? undefined : itemMap(doc, id)?.get('order'));
	const i = after === undefined ? -1 : ids.indexOf(after);
	if (i < 0 || i === ids.length - 1) return ids.length ? order(ids[ids.length - 1]) + 1 : 1;
	// Between it and the next: fractions, so nothing else moves.
	return (order(ids[i]) + order(ids[i + 1])) / 2;
}

export function addItem(
	doc: Y.Doc,
	stage: WriteupStage,
	opts: { id: string; createdAt: number; text?: string; via?: string | null; after?: string }
): string {
	doc.transact(() => {
		const m = new Y.Map<unknown>();
		m.set('stage', stage);
		m.set('order', orderFor(doc, stage, opts.after));
		m.set('text', new Y.Text(opts.text ?? ''));
		if (stage === 3) {
			m.set('who', new Y.Text());
			m.set('when', new Y.Text());
		}
		m.set('createdAt', opts.createdAt);
		m.set('via', opts.via ?? null);
		items(doc).set(opts.id, m);
		// Made with the item, so that members reacting at once never each make one (Yjs would keep
		// only one of the maps, and the server refuses a change that drops others' reactions).
		reactions(doc).set(opts.id, new Y.Map<StoredReaction>());
		stars(doc).set(opts.id, new Y.Map<true>());
	});
	return opts.id;
}

/** Moves an item one place up (-1) or down (+1) within its stage. */
export function moveItem(doc: Y.Doc, id: string, direction: -1 | 1) {
	const item = itemMap(doc, id);
	const stage = itemStage(doc, id);
	if (!item || !stage) return;
	const ids = stageItemIds(doc, stage);
	const i = ids.indexOf(id);
	const order = (k: number) => asNumber(itemMap(doc, ids[k] as string)?.get('order'));
	const j = i + direction;
	if (j < 0 || j >= ids.length) return;
	// Between the neighbour and the one beyond it.
	const beyond = j + direction;
	const edge = beyond < 0 ? order(j) - 1 : beyond >= ids.length ? order(j) + 1 : order(beyond);
	item.set('order', (order(j) + edge) / 2);
}

/**
 * Enter in an idea: what follows the caret (`at`) becomes a new idea just after it, with the same
 * `via`; the caret's idea keeps what precedes. Returns the new idea's id.
 */
export function splitItem(doc: Y.Doc, id: string, at: number, opts: { id: string; createdAt: number }): string | undefined {
	const stage = itemStage(doc, id);
	const text = itemText(doc, id);
	if (!stage || !text) return undefined;
	const via = itemMap(doc, id)?.get('via');
	doc.transact(() => {
		const tail = text.toString().slice(at);
		if (tail) text.delete(at, tail.length);
		addItem(doc, stage, { ...opts, text: tail, via: typeof via === 'string' ? via : null, after: id });
	});
	return opts.id;
}

/** What it takes to put a removed item back as it was: its fields, texts as strings. */
export type RemovedItem = { id: string; fields: [string, unknown][] };

/**
 * Removes an item but not its reactions, stars and comments, so that `restoreItem` brings it
 * back with them (others' reactions can only come back this way: nobody may write them but their
 * authors). `deleteItem` removes the rest once the undo is no longer offered.
 */
export function removeItem(doc: Y.Doc, id: string): RemovedItem | undefined {
	const m = itemMap(doc, id);
	if (!m || !itemStage(doc, id)) return undefined;
	const fields = [...m.entries()].map(([k, v]): [string, unknown] => [k, v instanceof Y.Text ? { text: v.toString() } : v]);
	items(doc).delete(id);
	return { id, fields };
}

export function restoreItem(doc: Y.Doc, removed: RemovedItem) {
	if (items(doc).has(removed.id)) return;
	const m = new Y.Map<unknown>();
	for (const [k, v] of removed.fields) m.set(k, typeof v === 'object' && v !== null && 'text' in v ? new Y.Text(String(v.text)) : v);
	items(doc).set(removed.id, m);
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
	if (!(m instanceof Y.Map)) {
		m = new Y.Map<V>();
		parent.set(key, m);
	}
	return m;
}

/** « d'accord » / « à préciser » (with its reason), one per member and item; null takes it back. */
export function react(doc: Y.Doc, itemId: string, participantId: string, reaction: Reaction | ClarifyWhy | null) {
	if (!items(doc).has(itemId)) return;
	doc.transact(() => {
		const m = mapOf(reactions(doc), itemId);
		if (reaction) m.set(participantId, typeof reaction === 'string' ? reaction : { ...reaction });
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
		if (!(list instanceof Y.Array)) {
			list = new Y.Array<Comment>();
			comments(doc).set(itemId, list);
		}
		list.push([comment]);
	});
}

/**
 * Who an item was typed for, as the group's own screens name them: the member's name. An older
 * write-up kept the name itself, shown as it is; the id of someone no longer in the group shows
 * nothing (an id is no name).
 */
export function viaName(via: string | null, members: readonly { id: string; displayName: string }[]): string | null {
	if (via === null) return null;
	return members.find((m) => m.id === via)?.displayName ?? (PARTICIPANT_ID.test(via) ? null : via);
}

/** The shape of a participant id (server/tokens.ts `newId`: nanoid(12)). */
const PARTICIPANT_ID = /^[\w-]{12}$/;

/**
 * Clears every `via` that is not one of `participantIds`: what older write-ups stored there was a
 * display name, which must not leave the group unless the organiser asks for names. True if
 * anything changed.
 */
export function forgetNamesInVia(doc: Y.Doc, participantIds: ReadonlySet<string>): boolean {
	let changed = false;
	doc.transact(() => {
		for (const value of items(doc).values()) {
			const item = asMap(value);
			const via = item?.get('via');
			if (item && typeof via === 'string' && !participantIds.has(via)) {
				item.set('via', null);
				changed = true;
			}
		}
	});
	return changed;
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
	/** The reasons given with « à préciser », reasonless ones left out. */
	reasons: ClarifyWhy[];
	/** This member's own reaction and star, when asked for one member. */
	mine: Reaction | null;
	starredByMe: boolean;
	stars: number;
	starred: boolean;
	comments: Comment[];
}

/** One item as plain data, or undefined if there is no valid item of that id. */
export function readItem(doc: Y.Doc, id: string, participantId?: string): WriteupItem | undefined {
	const m = itemMap(doc, id);
	const stage = itemStage(doc, id);
	if (!m || !stage) return undefined;
	const r = [...(asMap(reactions(doc).get(id))?.entries() ?? [])].filter(([, v]) => isReaction(v));
	const s = [...(asMap(stars(doc).get(id))?.entries() ?? [])].filter(([, v]) => v === true);
	const c = comments(doc).get(id);
	const via = m.get('via');
	return {
		id,
		stage,
		text: textOf(m.get('text')),
		who: textOf(m.get('who')),
		when: textOf(m.get('when')),
		via: typeof via === 'string' ? via : null,
		createdAt: asNumber(m.get('createdAt')),
		agree: r.filter(([, v]) => v === 'agree').length,
		clarify: r.filter(([, v]) => kindOf(v as StoredReaction) === 'clarify').length,
		reasons: r.map(([, v]) => v).filter(isClarifyWhy),
		mine: mineOf(r, participantId),
		starredByMe: participantId ? s.some(([k]) => k === participantId) : false,
		stars: s.length,
		starred: s.length > 0,
		comments: c instanceof Y.Array ? (c.toArray() as unknown[]).filter(isComment) : []
	};
}

function mineOf(r: [string, unknown][], participantId: string | undefined): Reaction | null {
	const own = participantId ? r.find(([k]) => k === participantId)?.[1] : undefined;
	return own === undefined ? null : kindOf(own as StoredReaction);
}

/** The whole write-up as plain data, stage by stage, in order. */
export function readWriteup(doc: Y.Doc, participantId?: string): { stages: { items: WriteupItem[] }[] } {
	const stages = ([1, 2, 3] as const).map((stage) => ({
		items: stageItemIds(doc, stage).map((id) => readItem(doc, id, participantId) as WriteupItem)
	}));
	return { stages };
}

/** Items per stage: the projection's sign of write-up progress. */
export function itemCounts(doc: Y.Doc): [number, number, number] {
	const c: [number, number, number] = [0, 0, 0];
	for (const id of items(doc).keys()) {
		const stage = itemStage(doc, id);
		if (stage && textOf(itemMap(doc, id)?.get('text')).trim()) c[stage - 1] = (c[stage - 1] ?? 0) + 1;
	}
	return c;
}
