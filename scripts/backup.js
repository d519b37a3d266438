// `npm run backup [-- <file>]`: a consistent copy of Palabre's SQLite store, safe while Palabre
// runs (SQLite's online backup: a snapshot of every committed change, phones typing or not).
// Without a file: <DATA_DIR>/backups/palabre-<date>.sqlite. Restoring: README.md, « Sauvegarder ».
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Relative paths are read from where the command was typed; DATA_DIR from the project, as `npm start` does.
const dataDir = resolve(root, process.env.DATA_DIR ?? 'data');
// The store's file name: DB_FILE in server/store/sqlite.ts.
const source = join(dataDir, 'palabre.sqlite');
const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
const target = resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2] ?? join(dataDir, 'backups', `palabre-${stamp}.sqlite`));

if (!existsSync(source)) {
	console.error(`Pas de données à sauvegarder : ${source} n'existe pas (DATA_DIR ?). / No store at ${source}.`);
	process.exit(1);
}
if (existsSync(target)) {
	console.error(`${target} existe déjà : choisissez un autre nom. / ${target} already exists.`);
	process.exit(1);
}
mkdirSync(dirname(target), { recursive: true });

// Written beside the target, then renamed: an interrupted copy never looks like a backup.
const partial = `${target}.partial`;
rmSync(partial, { force: true });
const db = new Database(source, { fileMustExist: true });
try {
	// All remaining pages in one step: a step is a consistent snapshot, and one that Palabre's
	// writes cannot make start over (the backup restarts when the source changes between steps).
	await db.backup(partial, { progress: () => 0x7fffffff });
} finally {
	db.close();
}
const copy = new Database(partial);
// One self-contained file (no -wal beside it), checked before it is called a backup.
copy.pragma('journal_mode = DELETE');
const check = copy.pragma('quick_check', { simple: true });
copy.close();
if (check !== 'ok') {
	console.error(`La copie est abîmée (${check}) : rien n'est écrit. / The copy failed its check.`);
	rmSync(partial, { force: true });
	process.exit(1);
}
renameSync(partial, target);
const mb = (statSync(target).size / 1e6).toFixed(1);
console.log(`Sauvegarde / backup : ${target} (${mb} Mo/MB, vérifiée / checked)`);
