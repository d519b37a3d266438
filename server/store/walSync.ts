/**
 * Power-cut durability without holding the event loop. With `synchronous = FULL` every commit
 * waits for the disk (a WAL sync, about 7.5 ms on this project's machine) on the thread that
 * commits: 174 groups taking their pen at once held the main process for more than a second,
 * and every ticket, pick and view waited behind it (`npm run bench`). So both processes commit
 * with `synchronous = NORMAL` (the WAL written, not synced: a crash of the process loses nothing,
 * a power cut may lose the last commits) and whoever is about to tell a person « saved » waits for
 * `durable()` (the main process's `committed()`, awaited by every acknowledgement, HTTP save and
 * broadcast; the Yjs process's `durable`, before a batch is acknowledged to its writers), which
 * syncs the WAL file on libuv's thread pool. The commits made while one sync runs share the next
 * one: a group commit that holds no lock, so neither process's writes wait for the other's.
 *
 * Linux syncs a file, not a descriptor: syncing our own descriptor of the WAL flushes every
 * connection's frames in it. The first sync also syncs the directory (the WAL file's entry).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export class WalSync {
	/** The connection's change count that the last finished sync covers: what is durable. */
	private synced: number;
	/** Syncs done so far. */
	syncs = 0;
	private running: { target: number; done: Promise<void> } | null = null;
	/** The sync that starts when the running one ends: commits made meanwhile wait for it. */
	private queued: Promise<void> | null = null;
	/** Syncs never overlap (one runs at a time), so one descriptor is enough. */
	private file: FileHandle | null = null;

	/** `changes`: how many rows the connection has changed so far (SQLite's total_changes()). */
	constructor(
		private readonly walFile: string,
		private readonly changes: () => number
	) {
		this.synced = changes();
	}

	/** The change count up to which commits would survive a power cut. */
	get covered(): number {
		return this.synced;
	}

	/** Resolves once every commit made so far on the connection would survive a power cut. */
	durable(): Promise<void> {
		const now = this.changes();
		if (now <= this.synced) return Promise.resolve();
		if (this.running && this.running.target >= now) return this.running.done;
		if (!this.queued) {
			const before = this.running?.done.catch(() => {}) ?? Promise.resolve();
			this.queued = before.then(() => {
				this.queued = null;
				return this.start();
			});
		}
		return this.queued;
	}

	private start(): Promise<void> {
		const target = this.changes();
		const run = {
			target,
			done: this.sync().then(
				() => {
					this.syncs++;
					this.synced = Math.max(this.synced, target);
					if (this.running === run) this.running = null;
				},
				(err: unknown) => {
					if (this.running === run) this.running = null;
					throw err;
				}
			)
		};
		this.running = run;
		return run.done;
	}

	private async sync(): Promise<void> {
		if (!this.file) {
			const file = await open(this.walFile, 'r');
			// The WAL file's directory entry, once: a new file is durable only with it.
			try {
				const dir = await open(dirname(this.walFile), 'r');
				try {
					await dir.sync();
				} finally {
					await dir.close();
				}
			} catch (err) {
				await file.close();
				throw err;
			}
			this.file = file;
		}
		try {
			await this.file.sync();
		} catch (err) {
			// Opened again next time (the descriptor may be what failed).
			const file = this.file;
			this.file = null;
			await file.close().catch(() => {});
			throw err;
		}
	}

	async close(): Promise<void> {
		await this.queued?.catch(() => {});
		await this.running?.done.catch(() => {});
		const file = this.file;
		this.file = null;
		await file?.close();
	}
}
