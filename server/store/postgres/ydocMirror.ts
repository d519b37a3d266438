/**
 * The main process's copy of the stored write-ups, with PostgreSQL. Its readers (the organisers'
 * views, actes, comments, the board's pinned items, seating's « began writing ») are synchronous
 * and read `store.ydocs` (server/writeups.ts, server/archive.ts); with SQLite they read the file
 * the Yjs process writes. With PostgreSQL this copy answers them from memory: filled from
 * ydoc_updates before the server is ready, then fed by the Yjs processes with every update they
 * committed (`stored`, after the COMMIT), so it holds exactly what writers were told is saved.
 * Writes go to PostgreSQL through the Yjs processes; the only write here is a deletion.
 */
import type pg from 'pg';
import * as Y from 'yjs';
import type { Store } from '../store';
import type { YDocPersistence } from '../ydocs';

/** Updates kept per doc before they are merged into one, so a read stays cheap. */
const MERGE_EVERY = 32;

export class YDocMirror implements YDocPersistence {
	private readonly docs = new Map<string, Uint8Array[]>();

	constructor(private readonly pool: pg.Pool) {}

	/** Every stored doc, from PostgreSQL; before anyone reads. */
	async fill(): Promise<void> {
		const { rows } = await this.pool.query<{ doc: string; data: Buffer }>('SELECT doc, data FROM ydoc_updates ORDER BY doc, seq');
		this.docs.clear();
		for (const { doc, data } of rows) this.add(doc, new Uint8Array(data));
	}

	/** Docs stored by another writer (an import's worker). */
	async reload(docNames: string[]): Promise<void> {
		if (docNames.length === 0) return;
		const { rows } = await this.pool.query<{ doc: string; data: Buffer }>('SELECT doc, data FROM ydoc_updates WHERE doc = ANY($1::text[]) ORDER BY doc, seq', [docNames]);
		for (const doc of docNames) this.docs.delete(doc);
		for (const { doc, data } of rows) this.add(doc, new Uint8Array(data));
	}

	/** Updates a Yjs process has committed, in order. */
	stored(updates: { docName: string; update: Uint8Array }[]) {
		for (const { docName, update } of updates) this.add(docName, update);
	}

	private add(doc: string, update: Uint8Array) {
		const list = this.docs.get(doc) ?? [];
		list.push(update);
		this.docs.set(doc, list.length > MERGE_EVERY ? [Y.mergeUpdates(list)] : list);
	}

	/** The doc is deleted: the Yjs process that holds it deletes its rows (`drop`). */
	forget(doc: string) {
		this.docs.delete(doc);
	}

	load(doc: string): Uint8Array[] {
		return [...(this.docs.get(doc) ?? [])];
	}

	count(doc: string): number {
		return this.docs.get(doc)?.length ?? 0;
	}

	deleteDoc(doc: string): void {
		this.forget(doc);
		this.pool.query('DELETE FROM ydoc_updates WHERE doc = $1', [doc]).catch((err: unknown) => console.error(`yjs: cannot delete ${doc}`, err));
	}

	append(): number {
		throw new Error('with PostgreSQL, write-ups are written by the Yjs processes');
	}

	appendAll(): number[] {
		throw new Error('with PostgreSQL, write-ups are written by the Yjs processes');
	}

	replaceAll(): void {
		throw new Error('with PostgreSQL, write-ups are written by the Yjs processes');
	}
}

/** The store, its write-ups read from this copy instead of the data directory's file. */
export function withYDocs(store: Store, ydocs: YDocMirror): Store {
	return new Proxy(store, { get: (target, prop, receiver) => (prop === 'ydocs' ? ydocs : Reflect.get(target, prop, receiver)) });
}
