/**
 * The write-up's schema (see ./writeup.ts), checked on a whole doc: the server refuses an update
 * after which its doc no longer matches, and archives are checked the same way. A Yjs update can
 * put anything anywhere (a number where an item's map is expected, a root of another name), so
 * what a doc holds is only trusted once it passes here.
 *
 * Caps are far above what the pages let anyone type (an item's textarea stops at 2,000
 * characters, « qui ? » / « quand ? » at 200), since two pen holders typing at once can together
 * go past the field's limit; they bound what one hostile writer can make every reader hold.
 */
import * as Y from 'yjs';
import { CLARIFY_REASONS } from './writeup';

export const WRITEUP_LIMITS = {
	/** Item ids are nanoid(10), participant ids nanoid(12): both well under this. */
	key: 40,
	items: 1_000,
	text: 10_000,
	whoWhen: 1_000,
	/** `via` is a participant id; write-ups from before held a display name (40 at most). */
	via: 200,
	commentText: 2_000,
	/** A reason for « à préciser » in one's own words (the page stops at 200). */
	clarifyText: 500,
	commentsPerItem: 200
} as const;

type Root = 'items' | 'reactions' | 'stars' | 'comments';
const ITEM_KEYS = new Set(['stage', 'order', 'text', 'who', 'when', 'createdAt', 'via']);
const REACTIONS = new Set(['agree', 'clarify']);
const REASONS = new Set<unknown>(CLARIFY_REASONS);

/** 'agree', 'clarify', or « à préciser » with its reason: { clarify: reason, text? } and nothing else. */
function isStoredReaction(r: unknown): boolean {
	if (typeof r === 'string') return REACTIONS.has(r);
	if (typeof r !== 'object' || r === null || Array.isArray(r) || r instanceof Y.AbstractType) return false;
	const { clarify, text, ...rest } = r as Record<string, unknown>;
	if (Object.keys(rest).length > 0 || !REASONS.has(clarify)) return false;
	return text === undefined || (typeof text === 'string' && text.length <= WRITEUP_LIMITS.clarifyText);
}
const COMMENT_FROM = new Set(['facilitator', 'organiser']);

/**
 * null when the doc matches the write-up's schema; otherwise where it first does not, as a path
 * (`items.x: attendu un Y.Map`). Reading it never throws, whatever the doc holds.
 */
export function writeupShapeError(doc: Y.Doc): string | null {
	for (const name of doc.share.keys()) {
		const error = guarded(() => rootError(doc, name) ?? entriesError(doc, name, true));
		if (error) return error;
	}
	return null;
}

/**
 * The same check for one entry of a root (an item and what hangs from it), as after an update
 * that changed only that: `key` null stands for list content under the root, never valid. Texts'
 * lengths are checked, not their content (which costs the whole text): the endpoint checks what
 * an update inserts into texts (server/realtime/writeupRules.ts).
 */
export function writeupEntryError(doc: Y.Doc, root: string, key: string | null): string | null {
	return guarded(() => {
		const error = rootError(doc, root);
		if (error || !isRoot(root)) return error;
		if (key === null) return `${root}: contenu de liste inattendu`;
		const value = doc.getMap<unknown>(root).get(key);
		if (value === undefined) return null;
		const path = `${root}.${shown(key)}`;
		return keyError(path, key) ?? ENTRY_ERROR[root](path, value, false);
	});
}

/** More items than the cap: checked when items were added. */
export function writeupSizeError(doc: Y.Doc): string | null {
	return guarded(() => (doc.getMap('items').size > WRITEUP_LIMITS.items ? `items: plus de ${WRITEUP_LIMITS.items} éléments` : null));
}

function guarded(check: () => string | null): string | null {
	try {
		return check();
	} catch (err) {
		// getMap on a root of another type throws: that, or anything unforeseen, is a bad shape.
		return `document illisible : ${err instanceof Error ? err.message : String(err)}`;
	}
}

const isRoot = (name: string): name is Root => name in ENTRY_ERROR;

/** An unknown root, or a known one that is no map. */
function rootError(doc: Y.Doc, name: string): string | null {
	const type = doc.share.get(name);
	if (!isRoot(name)) return type ? `${shown(name)}: racine inconnue` : null;
	// A root seen only in updates is untyped until asked for; asked as another type, it is not a map.
	if (type && !(type instanceof Y.Map) && type.constructor !== Y.AbstractType) return `${name}: attendu un Y.Map`;
	return null;
}

function entriesError(doc: Y.Doc, name: string, deep: boolean): string | null {
	if (!isRoot(name)) return null;
	const root = doc.getMap<unknown>(name);
	const error = mapShapeError(name, root) ?? (name === 'items' ? writeupSizeError(doc) : null);
	if (error) return error;
	for (const [key, value] of root.entries()) {
		const path = `${name}.${shown(key)}`;
		const entry = keyError(path, key) ?? ENTRY_ERROR[name](path, value, deep);
		if (entry) return entry;
	}
	return null;
}

function itemError(path: string, item: unknown, deep: boolean): string | null {
	if (!(item instanceof Y.Map)) return `${path}: attendu un Y.Map`;
	const shape = mapShapeError(path, item);
	if (shape) return shape;
	for (const key of item.keys()) if (!ITEM_KEYS.has(key)) return `${path}.${shown(key)}: champ inconnu`;
	const stage: unknown = item.get('stage');
	if (stage !== 1 && stage !== 2 && stage !== 3) return `${path}.stage: attendu 1, 2 ou 3`;
	if (!Number.isFinite(item.get('order'))) return `${path}.order: attendu un nombre`;
	if (!Number.isFinite(item.get('createdAt'))) return `${path}.createdAt: attendu un nombre`;
	const via: unknown = item.get('via');
	if (via !== null && via !== undefined && (typeof via !== 'string' || via.length > WRITEUP_LIMITS.via))
		return `${path}.via: attendu un texte de ${WRITEUP_LIMITS.via} caractères au plus, ou null`;
	const text = textError(`${path}.text`, item.get('text'), WRITEUP_LIMITS.text, deep);
	if (text) return text;
	for (const field of ['who', 'when'] as const) {
		if (!item.has(field)) continue;
		if (stage !== 3) return `${path}.${field}: seulement à l'étape 3`;
		const error = textError(`${path}.${field}`, item.get(field), WRITEUP_LIMITS.whoWhen, deep);
		if (error) return error;
	}
	return null;
}

function textError(path: string, value: unknown, max: number, deep: boolean): string | null {
	if (!(value instanceof Y.Text)) return `${path}: attendu un Y.Text`;
	if (value.length > max) return `${path}: plus de ${max} caractères`;
	if (!deep) return null;
	// A text holds characters only: embeds and formatting are nothing the pages write or read.
	for (const part of value.toDelta() as { insert: unknown; attributes?: unknown }[]) {
		if (typeof part.insert !== 'string' || part.attributes !== undefined) return `${path}: attendu du texte seul`;
	}
	for (const attribute of value._map.values()) if (!attribute.deleted) return `${path}: attributs inattendus`;
	return null;
}

/** reactions and stars: per item, a map of participant id → value. */
function perMemberError(path: string, perItem: unknown, valid: (v: unknown) => boolean, expected: string): string | null {
	if (!(perItem instanceof Y.Map)) return `${path}: attendu un Y.Map`;
	const shape = mapShapeError(path, perItem);
	if (shape) return shape;
	for (const [participantId, value] of perItem.entries()) {
		const at = `${path}.${shown(participantId)}`;
		const error = keyError(at, participantId) ?? (valid(value) ? null : `${at}: attendu ${expected}`);
		if (error) return error;
	}
	return null;
}

function commentsError(path: string, list: unknown): string | null {
	if (!(list instanceof Y.Array)) return `${path}: attendu un Y.Array`;
	if (list.length > WRITEUP_LIMITS.commentsPerItem) return `${path}: plus de ${WRITEUP_LIMITS.commentsPerItem} commentaires`;
	const comments = list.toArray() as unknown[];
	for (let i = 0; i < comments.length; i++) {
		const c = comments[i];
		const at = `${path}.${i}`;
		if (typeof c !== 'object' || c === null || Array.isArray(c) || c instanceof Y.AbstractType) return `${at}: attendu un commentaire`;
		const { text, at: when, from, ...rest } = c as Record<string, unknown>;
		const extra = Object.keys(rest)[0];
		if (extra !== undefined) return `${at}.${shown(extra)}: champ inconnu`;
		if (typeof text !== 'string' || text.length > WRITEUP_LIMITS.commentText) return `${at}.text: attendu un texte de ${WRITEUP_LIMITS.commentText} caractères au plus`;
		if (!Number.isFinite(when)) return `${at}.at: attendu un nombre`;
		if (typeof from !== 'string' || !COMMENT_FROM.has(from)) return `${at}.from: attendu 'facilitator' ou 'organiser'`;
	}
	return null;
}

/** A key as the error names it: a hostile one can be long. */
const shown = (key: string) => (key.length > WRITEUP_LIMITS.key ? `${key.slice(0, WRITEUP_LIMITS.key)}…` : key);

function keyError(path: string, key: string): string | null {
	return key.length === 0 || key.length > WRITEUP_LIMITS.key ? `${path}: clé vide ou de plus de ${WRITEUP_LIMITS.key} caractères` : null;
}

/** A map holds keyed entries only: list content under it is invisible to readers, so refused. */
function mapShapeError(path: string, map: Y.Map<unknown>): string | null {
	for (let item = map._start; item !== null; item = item.right) {
		if (!item.deleted) return `${path}: contenu de liste inattendu`;
	}
	return null;
}

const ENTRY_ERROR: Record<Root, (path: string, value: unknown, deep: boolean) => string | null> = {
	items: itemError,
	reactions: (path, v) =>
		perMemberError(path, v, isStoredReaction, `'agree', 'clarify' ou { clarify: ${CLARIFY_REASONS.join(' | ')}, text? (${WRITEUP_LIMITS.clarifyText} caractères au plus) }`),
	stars: (path, v) => perMemberError(path, v, (s) => s === true, 'true'),
	comments: commentsError
};
