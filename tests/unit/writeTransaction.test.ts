/**
 * Two connections on one file, as the main process and the Yjs process hold (server/store/writeTransaction.ts):
 * a transaction that reads before it writes must not fail because the other connection committed
 * in between. A deferred one does (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry); the
 * store's write transactions begin IMMEDIATE, so the other connection waits instead.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTransaction } from '../../server/store/writeTransaction';

const dirs: string[] = [];
function twoConnections() {
	const dir = mkdtempSync(join(tmpdir(), 'palabre-tx-'));
	dirs.push(dir);
	const open = () => {
		const db = new Database(join(dir, 'x.sqlite'));
		db.pragma('journal_mode = WAL');
		// No waiting in this test: the other connection's lock shows at once.
		db.pragma('busy_timeout = 0');
		return db;
	};
	const a = open();
	a.exec('CREATE TABLE t (n INTEGER)');
	const b = open();
	return { a, b, dir };
}
afterEach(() => {
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Reads, lets the other connection try to commit, then writes what it read plus one. */
function readThenWrite(a: Database.Database, b: Database.Database) {
	const count = () => a.prepare('SELECT COUNT(*) FROM t').pluck().get() as number;
	let other: 'committed' | 'waited' = 'committed';
	return () => {
		const seen = count();
		try {
			b.exec('INSERT INTO t VALUES (100)');
		} catch (e) {
			expect((e as { code?: string }).code).toBe('SQLITE_BUSY');
			other = 'waited';
		}
		a.prepare('INSERT INTO t VALUES (?)').run(seen + 1);
		return other;
	};
}

describe('writeTransaction', () => {
	it('a deferred transaction that read first fails when the other connection commits before it writes', () => {
		const { a, b } = twoConnections();
		expect(() => a.transaction(readThenWrite(a, b))()).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY_SNAPSHOT' }));
		a.close();
		b.close();
	});

	it('an immediate one holds the write lock from its start: the other connection waits, nothing fails', () => {
		const { a, b } = twoConnections();
		expect(writeTransaction(a, readThenWrite(a, b))()).toBe('waited');
		expect(a.prepare('SELECT n FROM t').pluck().all()).toEqual([1]);
		b.exec('INSERT INTO t VALUES (100)');
		expect(a.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(2);
		a.close();
		b.close();
	});

	it('nests: a store call inside a service transaction is a savepoint of it', () => {
		const { a, b } = twoConnections();
		const outer = writeTransaction(a, () => {
			writeTransaction(a, () => a.exec('INSERT INTO t VALUES (1)'))();
			expect(() => b.exec('INSERT INTO t VALUES (100)')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
			writeTransaction(a, () => a.exec('INSERT INTO t VALUES (2)'))();
		});
		outer();
		expect(a.prepare('SELECT n FROM t ORDER BY n').pluck().all()).toEqual([1, 2]);
		a.close();
		b.close();
	});

});
