/** Which SQLite failures mean « stockage plein » (server/store/sqlite.ts): a full disk, or one that fails to write. */
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { isStorageFull } from '../../server/store/sqlite';

it('recognises SQLite refusing a write for want of pages, and the transaction changes nothing', () => {
	const db = new Database(':memory:');
	db.exec('CREATE TABLE t (x TEXT)');
	db.pragma('max_page_count = 1');
	const insert = db.transaction((n: number) => {
		for (let i = 0; i < n; i++) db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(1000));
	});
	let error: unknown;
	try {
		insert(100);
	} catch (err) {
		error = err;
	}
	expect((error as { code?: string }).code).toBe('SQLITE_FULL');
	expect(isStorageFull(error)).toBe(true);
	expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
	db.close();
});

it('counts a failing disk (SQLITE_IOERR and its kinds) as full, and nothing else', () => {
	expect(isStorageFull(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR'))).toBe(true);
	expect(isStorageFull(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'))).toBe(true);
	expect(isStorageFull(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_FSYNC'))).toBe(true);
	expect(isStorageFull(new Database.SqliteError('constraint failed', 'SQLITE_CONSTRAINT_UNIQUE'))).toBe(false);
	expect(isStorageFull(new Database.SqliteError('busy', 'SQLITE_BUSY'))).toBe(false);
	expect(isStorageFull(Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' }))).toBe(false);
	expect(isStorageFull('SQLITE_FULL')).toBe(false);
});
