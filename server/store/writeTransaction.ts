/**
 * A write transaction on a connection several processes share (the main process and the Yjs
 * process write the same file). It begins IMMEDIATE: the write lock is taken at BEGIN, waited for
 * under busy_timeout. A deferred transaction that reads first takes a snapshot; if the other
 * process commits before this one writes, SQLite refuses the upgrade with SQLITE_BUSY_SNAPSHOT,
 * which no timeout retries.
 */
import type Database from 'better-sqlite3';

export function writeTransaction<A extends unknown[], R>(db: Database.Database, fn: (...args: A) => R): (...args: A) => R {
	const transaction = db.transaction(fn);
	return (...args) => transaction.immediate(...args);
}
