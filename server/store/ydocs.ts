/**
 * Where the shared write-ups (Yjs docs) live: the updates of each doc, in order, in the
 * ydoc_updates table. Calls are synchronous, so an update is on disk when append returns.
 */
import type Database from 'better-sqlite3';
import * as Y from 'yjs';
import { writeTransaction } from './writeTransaction';

export interface YDocPersistence {
	/** The doc's stored updates, oldest first; applying them all rebuilds it. */
	load(docName: string): Uint8Array[];
	/** Stores one update; returns its seq, which only grows for a given doc. */
	append(docName: string, update: Uint8Array): number;
	/** Stores updates in one transaction, all or none; returns their seqs, in order. */
	appendAll(updates: { docName: string; update: Uint8Array }[]): number[];
	count(docName: string): number;
	/** Replaces all the doc's rows by one merged update, atomically. */
	replaceAll(docName: string, merged: Uint8Array): void;
	deleteDoc(docName: string): void;
	/**
	 * A copy of a store written elsewhere (PostgreSQL's, server/store/postgres/ydocMirror.ts)
	 * reads these docs again, once another writer (an import) stored them.
	 */
	reload?(docNames: string[]): Promise<void>;
}

export function sqliteYDocPersistence(db: Database.Database): YDocPersistence {
	const q = {
		load: db.prepare('SELECT data FROM ydoc_updates WHERE doc = ? ORDER BY seq').pluck(),
		// One statement: the seq is taken and used atomically.
		append: db
			.prepare(
				`INSERT INTO ydoc_updates (doc, seq, data)
				 SELECT @doc, COALESCE(MAX(seq), 0) + 1, @data FROM ydoc_updates WHERE doc = @doc
				 RETURNING seq`
			)
			.pluck(),
		count: db.prepare('SELECT COUNT(*) FROM ydoc_updates WHERE doc = ?').pluck(),
		lastSeq: db.prepare('SELECT MAX(seq) FROM ydoc_updates WHERE doc = ?').pluck(),
		insert: db.prepare('INSERT INTO ydoc_updates (doc, seq, data) VALUES (?, ?, ?)'),
		delete: db.prepare('DELETE FROM ydoc_updates WHERE doc = ?')
	};
	const append = (doc: string, data: Uint8Array) => q.append.get({ doc, data }) as number;
	// One commit for the updates read together (server/realtime/yjs.ts): each commit rewrites the table's pages in the WAL.
	const appendAll = writeTransaction(db, (updates: { docName: string; update: Uint8Array }[]) =>
		updates.map(({ docName, update }) => append(docName, update))
	);
	const replaceAll = writeTransaction(db, (doc: string, merged: Uint8Array) => {
		// The merged row keeps the last seq, so seqs told to clients never go back.
		const seq = (q.lastSeq.get(doc) as number | null) ?? 0;
		q.delete.run(doc);
		q.insert.run(doc, seq, merged);
	});
	return {
		load: (doc) => q.load.all(doc) as Buffer[],
		append,
		appendAll: (updates) => appendAll(updates),
		count: (doc) => q.count.get(doc) as number,
		replaceAll: (doc, merged) => replaceAll(doc, merged),
		deleteDoc: (doc) => {
			q.delete.run(doc);
		}
	};
}

/**
 * A doc's stored updates merged into one, or null if it has none. Every change a writer was told
 * is saved is in the store, so this is the doc as its writers know it saved.
 */
export function storedUpdate(persistence: YDocPersistence, docName: string): Uint8Array | null {
	const updates = persistence.load(docName);
	return updates.length ? Y.mergeUpdates(updates) : null;
}
