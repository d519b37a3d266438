/**
 * The last line of defence of the main process. Work done for one event (its views, its handlers,
 * its routes) catches its own errors (server/realtime/control.ts, server/http/api.ts); what
 * reaches here escaped that, so it is logged, and the server goes on serving the other events
 * unless going on could be worse than stopping (see `fatal`).
 */

/**
 * Failures after which serving would be unsafe:
 * - the store can no longer be trusted (a corrupt or unreadable database file, an I/O error): going
 *   on would acknowledge changes that may not be stored, which Palabre never does;
 * - the server could not start listening (its port taken): there is nothing to serve;
 * - exceptions in a loop (more than `MAX_PER_MINUTE` a minute): something outside any event is
 *   broken for good; a service manager's restart is the better chance.
 * An unhandled rejection is one promise chain's failure (one request's, one event's): it has
 * already unwound, so it is logged and never ends the process.
 */
const STORE_BROKEN = /^SQLITE_(CORRUPT|NOTADB|IOERR|CANTOPEN|READONLY)/;
const MAX_PER_MINUTE = 30;

function fatal(err: unknown, recent: number): string | null {
	const e = err as { code?: unknown; syscall?: unknown } | null;
	if (typeof e?.code === 'string' && STORE_BROKEN.test(e.code)) return 'la base de données est illisible ou inaccessible';
	if (e?.syscall === 'listen') return 'le serveur ne peut pas écouter sur son port';
	if (recent > MAX_PER_MINUTE) return `plus de ${MAX_PER_MINUTE} erreurs non rattrapées en une minute`;
	return null;
}

/** Installs the process-level handlers once; `exit` is for tests. */
export function installProcessGuards(exit: (code: number) => void = (code) => process.exit(code)) {
	let times: number[] = [];
	process.on('uncaughtException', (err, origin) => {
		const now = Date.now();
		times = [...times.filter((t) => now - t < 60_000), now];
		const reason = fatal(err, times.length);
		if (reason) {
			console.error(`Erreur fatale (${origin}) : ${reason}. Arrêt du serveur.`, err);
			exit(1);
			return;
		}
		console.error(`Erreur non rattrapée (${origin}) ; le serveur continue :`, err);
	});
	process.on('unhandledRejection', (reason) => {
		console.error('Promesse rejetée sans traitement ; le serveur continue :', reason);
	});
}
