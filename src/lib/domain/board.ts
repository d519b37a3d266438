/**
 * The board of « préconisations » of an event (../shared/GROS-DEBAT.md): what the groups propose at
 * stages 2 and 3 lands on one shared board, where the organisers regroup, reword and tag it by level
 * (« équipes de soins primaires », « institutions publiques ») while every item keeps its sources.
 *
 * The server holds the board and is the only one to call `apply`, one operation at a time in arrival
 * order, then broadcasts the result. An operation is checked against the board as it is when it
 * arrives: a refused one throws a BoardError (French message for the organiser) and changes nothing.
 *
 * Two organisers acting at the same time:
 * - item ids are chosen by the client, so an organiser can refer to the item they just created;
 *   an id the board remembers (a live item or a merged-away one) is never given again;
 * - an operation naming an item that was merged away in the meantime follows `mergedInto` to the
 *   survivor: reword, merge, setHeading, setLevels, markClarify, markOk, support and move
 *   (its `before` too). The survivor then takes the last value written (a reword replaces its text);
 * - split and remove never follow: acting on the survivor would split or delete more than the
 *   organiser saw, so they are refused;
 * - a merge whose items were already merged together by someone else is refused (nothing left to merge);
 * - a split sent for an item that has gained or lost sources since is refused (wrong number of new ids);
 * - a heading renamed meanwhile is unknown to a late setHeading, which is refused.
 *
 * No silent loss: sources are never dropped. Each source is on exactly one item (sending the same
 * source twice is refused), merging concatenates sources, splitting gives one item per source, and only
 * an item written directly by the organisers, without sources and not « à clarifier », can be removed.
 */
import { Refusal, type ErrorCode } from './refusal';

export type Level = 'equipes' | 'institutions';
/** Canonical order: levels are always stored in this order, without repeats. */
export const LEVELS: readonly Level[] = ['equipes', 'institutions'];

export interface Source {
	id: string;
	statementId: string;
	groupNumber: number;
	groupId: string;
	stage: 2 | 3;
	/** The write-up item it comes from. */
	itemId: string;
	text: string;
	at: number;
}

export interface BoardItem {
	id: string;
	text: string;
	/** The text as it first appeared, kept visible next to a rewording. */
	originalText: string;
	/** '' while not filed under a heading. */
	heading: string;
	levels: Level[];
	status: 'ok' | 'a-clarifier';
	/** Present exactly when « à clarifier ». */
	reason?: string;
	/** Empty for an item written directly by the organisers. */
	sources: Source[];
	/** Participant ids who marked « je soutiens ». */
	support: string[];
	createdAt: number;
	/** Position on the board: always the item's index in `items`. */
	order: number;
}

export interface Board {
	/** In board order. */
	items: BoardItem[];
	headings: string[];
	/** Merged-away item id → id of the live item that absorbed it (always live, never chained). */
	mergedInto: Record<string, string>;
}

export type BoardOp =
	| { kind: 'addFromWriteup'; itemId: string; source: Source }
	| { kind: 'addDirect'; itemId: string; text: string; at: number }
	| { kind: 'reword'; itemId: string; text: string }
	| { kind: 'merge'; itemIds: string[]; into: string; text?: string }
	| { kind: 'split'; itemId: string; newIds: string[] }
	| { kind: 'setHeading'; itemId: string; heading: string }
	| { kind: 'addHeading'; heading: string }
	| { kind: 'renameHeading'; from: string; to: string }
	| { kind: 'setLevels'; itemId: string; levels: Level[] }
	| { kind: 'markClarify'; itemId: string; reason: string }
	| { kind: 'markOk'; itemId: string }
	| { kind: 'support'; itemId: string; participantId: string; on: boolean }
	| { kind: 'move'; itemId: string; before: string | null }
	| { kind: 'remove'; itemId: string };

/** A board operation refused by its rules. */
export class BoardError extends Refusal {
	override name = 'BoardError';
}

export function emptyBoard(): Board {
	return { items: [], headings: [], mergedInto: {} };
}

/** The live item behind an id, following a merge; undefined when the board does not know it. */
export function findItem(board: Board, id: string): BoardItem | undefined {
	// hasOwn: ids come from clients and must not hit Object.prototype ('constructor'…).
	const target = Object.hasOwn(board.mergedInto, id) ? board.mergedInto[id] : id;
	return board.items.find((item) => item.id === target);
}

function find(board: Board, id: string): BoardItem {
	const item = findItem(board, id);
	if (!item) throw new BoardError('boardUnknownItem');
	return item;
}

/** For split and remove, which must act on exactly the item the organiser saw. */
function findExact(board: Board, id: string): BoardItem {
	if (Object.hasOwn(board.mergedInto, id)) throw new BoardError('boardMerged');
	return find(board, id);
}

function fresh(board: Board, id: string): string {
	if (!id) throw new BoardError('boardEmptyId');
	if (findItem(board, id)) throw new BoardError('boardIdTaken');
	return id;
}

function nonEmpty(value: string, code: ErrorCode = 'boardEmptyText'): string {
	const trimmed = value.trim();
	if (!trimmed) throw new BoardError(code);
	return trimmed;
}

function withReason(item: BoardItem, reason: string | undefined): BoardItem {
	const next: BoardItem = { ...item, status: reason === undefined ? 'ok' : 'a-clarifier', reason };
	if (reason === undefined) delete next.reason;
	return next;
}

function update(board: Board, id: string, change: (item: BoardItem) => BoardItem): Board {
	const target = find(board, id);
	return { ...board, items: board.items.map((item) => (item === target ? change(item) : item)) };
}

function append(board: Board, item: Omit<BoardItem, 'order'>): Board {
	return { ...board, items: [...board.items, { ...item, order: board.items.length }] };
}

/** Applies one operation; pure (the input board is never modified). Throws BoardError when refused. */
export function apply(board: Board, op: BoardOp): Board {
	const next = step(board, op);
	return { ...next, items: next.items.map((item, order) => (item.order === order ? item : { ...item, order })) };
}

function step(board: Board, op: BoardOp): Board {
	switch (op.kind) {
		case 'addFromWriteup': {
			const { source } = op;
			// Stage 1 gives « constats », not proposals.
			if (source.stage !== 2 && source.stage !== 3) throw new BoardError('boardSourceStage');
			if (board.items.some((item) => item.sources.some((s) => s.id === source.id)))
				throw new BoardError('boardAlreadySent');
			const text = nonEmpty(source.text);
			return append(board, {
				id: fresh(board, op.itemId),
				text,
				originalText: text,
				heading: '',
				levels: [],
				status: 'ok',
				sources: [{ ...source }],
				support: [],
				createdAt: source.at
			});
		}
		case 'addDirect': {
			const text = nonEmpty(op.text);
			return append(board, {
				id: fresh(board, op.itemId),
				text,
				originalText: text,
				heading: '',
				levels: [],
				status: 'ok',
				sources: [],
				support: [],
				createdAt: op.at
			});
		}
		case 'reword': {
			const text = nonEmpty(op.text);
			return update(board, op.itemId, (item) => ({ ...item, text }));
		}
		case 'merge':
			return merge(board, op.itemIds, op.into, op.text);
		case 'split':
			return split(board, op.itemId, op.newIds);
		case 'setHeading': {
			const heading = op.heading.trim();
			if (heading && !board.headings.includes(heading)) throw new BoardError('boardUnknownHeading', { heading });
			return update(board, op.itemId, (item) => ({ ...item, heading }));
		}
		case 'addHeading': {
			const heading = nonEmpty(op.heading, 'boardEmptyHeading');
			if (board.headings.includes(heading)) throw new BoardError('boardHeadingExists', { heading });
			return { ...board, headings: [...board.headings, heading] };
		}
		case 'renameHeading':
			return renameHeading(board, op.from, op.to);
		case 'setLevels': {
			const unknown = op.levels.find((level) => !LEVELS.includes(level));
			if (unknown !== undefined) throw new BoardError('boardUnknownLevel', { level: String(unknown) });
			const levels = LEVELS.filter((level) => op.levels.includes(level));
			return update(board, op.itemId, (item) => ({ ...item, levels }));
		}
		case 'markClarify': {
			const reason = nonEmpty(op.reason, 'boardEmptyReason');
			return update(board, op.itemId, (item) => withReason(item, reason));
		}
		case 'markOk':
			return update(board, op.itemId, (item) => withReason(item, undefined));
		case 'support':
			return update(board, op.itemId, (item) => {
				const has = item.support.includes(op.participantId);
				if (has === op.on) return item;
				return { ...item, support: op.on ? [...item.support, op.participantId] : item.support.filter((p) => p !== op.participantId) };
			});
		case 'move':
			return move(board, op.itemId, op.before);
		case 'remove': {
			const item = findExact(board, op.itemId);
			if (item.sources.length) throw new BoardError('boardSourcedUndeletable');
			if (item.status === 'a-clarifier') throw new BoardError('boardClarifyUndeletable');
			return {
				...board,
				items: board.items.filter((i) => i !== item),
				mergedInto: Object.fromEntries(Object.entries(board.mergedInto).filter(([, to]) => to !== item.id))
			};
		}
		default:
			// Operations arrive from the network: refuse what this version does not know.
			throw new BoardError('boardUnknownOp', { kind: String((op as { kind: unknown }).kind) });
	}
}

/**
 * The survivor keeps its id, place, creation time and original text; its text unless a new one is
 * given; its heading, or else the first heading among the others. Sources (survivor's first, then in
 * the order of `itemIds`), supporters and levels are unioned. If any part was « à clarifier », the
 * result is too, with every reason kept.
 */
function merge(board: Board, itemIds: readonly string[], into: string, text: string | undefined): Board {
	const parts = [...new Set(itemIds.map((id) => find(board, id)))];
	if (parts.length < 2) throw new BoardError('boardMergeTwo');
	const survivor = find(board, into);
	if (!parts.includes(survivor)) throw new BoardError('boardMergeSurvivor');
	const ordered = [survivor, ...parts.filter((p) => p !== survivor)];
	const reasons = [...new Set(ordered.flatMap((p) => (p.reason === undefined ? [] : [p.reason])))];
	const merged = withReason(
		{
			...survivor,
			text: text === undefined ? survivor.text : nonEmpty(text),
			heading: ordered.find((p) => p.heading)?.heading ?? '',
			levels: LEVELS.filter((level) => ordered.some((p) => p.levels.includes(level))),
			// Each source is on one item only, so concatenating never duplicates.
			sources: ordered.flatMap((p) => p.sources),
			support: [...new Set(ordered.flatMap((p) => p.support))]
		},
		reasons.length ? reasons.join(' ; ') : undefined
	);
	const gone = new Set(ordered.slice(1).map((p) => p.id));
	return {
		...board,
		items: board.items.flatMap((item) => (item === survivor ? [merged] : gone.has(item.id) ? [] : [item])),
		// Flattened so that every redirection points at a live item in one step.
		mergedInto: Object.fromEntries([
			...Object.entries(board.mergedInto).map(([from, to]) => [from, gone.has(to) ? survivor.id : to]),
			...[...gone].map((id) => [id, survivor.id])
		])
	};
}

/**
 * One item per source, in source order, in place of the split one: the first keeps the item's id and
 * creation time, the others take `newIds` (one per further source) and their source's time. Each shows
 * its source's text again; heading, levels, status and supporters are copied to every piece (a
 * supporter of the whole supported each part). Redirections to the item stay on the first piece.
 */
function split(board: Board, itemId: string, newIds: readonly string[]): Board {
	const item = findExact(board, itemId);
	if (item.sources.length < 2) throw new BoardError('boardSplitSingle');
	const needed = item.sources.length - 1;
	if (newIds.length !== needed) {
		const count = needed === 1 ? 'un nouvel identifiant' : `${needed} nouveaux identifiants`;
		throw new BoardError('boardSplitCount', { count });
	}
	if (new Set(newIds).size !== newIds.length) throw new BoardError('boardIdTaken');
	for (const id of newIds) fresh(board, id);
	const pieces = item.sources.map((source, k): BoardItem => {
		const text = source.text.trim();
		// newIds[-1] is undefined: the first source keeps the item's id.
		return { ...item, id: newIds[k - 1] ?? item.id, text, originalText: text, sources: [source], createdAt: k ? source.at : item.createdAt };
	});
	return { ...board, items: board.items.flatMap((i) => (i === item ? pieces : [i])) };
}

/** Renaming onto an existing heading folds the two: its items join that heading. */
function renameHeading(board: Board, from: string, to: string): Board {
	if (!board.headings.includes(from)) throw new BoardError('boardUnknownHeading', { heading: from });
	const name = nonEmpty(to, 'boardEmptyHeading');
	if (name === from) return board;
	return {
		...board,
		headings: board.headings.includes(name) ? board.headings.filter((h) => h !== from) : board.headings.map((h) => (h === from ? name : h)),
		items: board.items.map((item) => (item.heading === from ? { ...item, heading: name } : item))
	};
}

/** Puts the item just before `before`, or last when null. */
function move(board: Board, itemId: string, before: string | null): Board {
	const item = find(board, itemId);
	const target = before === null ? null : find(board, before);
	if (target === item) return board;
	const rest = board.items.filter((i) => i !== item);
	const at = target ? rest.indexOf(target) : rest.length;
	return { ...board, items: [...rest.slice(0, at), item, ...rest.slice(at)] };
}

export interface BoardSummary {
	total: number;
	aClarifier: number;
	/** Each item counted once: one level only, both, or none yet. */
	byLevel: Record<Level | 'both' | 'none', number>;
	/** Written directly by the organisers. */
	direct: number;
	sources: number;
	/** Distinct groups and statements that contributed. */
	groups: number;
	statements: number;
	/** « Je soutiens » marks over all items. */
	supports: number;
}

export function summary(board: Board): BoardSummary {
	const byLevel: BoardSummary['byLevel'] = { equipes: 0, institutions: 0, both: 0, none: 0 };
	for (const { levels } of board.items) {
		const [only] = levels;
		byLevel[levels.length > 1 ? 'both' : (only ?? 'none')] += 1;
	}
	const sources = board.items.flatMap((item) => item.sources);
	return {
		total: board.items.length,
		aClarifier: board.items.filter((item) => item.status === 'a-clarifier').length,
		byLevel,
		direct: board.items.filter((item) => !item.sources.length).length,
		sources: sources.length,
		groups: new Set(sources.map((s) => s.groupId)).size,
		statements: new Set(sources.map((s) => s.statementId)).size,
		supports: board.items.reduce((n, item) => n + item.support.length, 0)
	};
}

/** Where an item comes from, in French: « issue de 3 groupes, 2 énoncés ». */
export function sourcesLabel(item: BoardItem): string {
	const groups = new Set(item.sources.map((s) => s.groupId)).size;
	const statements = new Set(item.sources.map((s) => s.statementId)).size;
	if (groups === 0) return 'rédigée par l’équipe organisatrice';
	// A group works a single statement: naming it would say nothing more.
	if (groups === 1) return 'issue d’un groupe';
	if (statements === 1) return `issue de ${groups} groupes sur un même énoncé`;
	return `issue de ${groups} groupes, ${statements} énoncés`;
}
