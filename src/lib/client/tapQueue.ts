/**
 * The timekeeper's taps on this device: kept in localStorage until the server has stored them,
 * so taps made offline (or before a reload) are sent later with their original times.
 */
import type { Tap } from '../domain/speaking';
import { LIMITS } from '../protocol';

export interface QueuedTap {
	id: string;
	stage: number;
	tap: Tap;
}

const key = (groupId: string) => `palabre.taps.${groupId}`;

export function loadQueue(groupId: string): QueuedTap[] {
	try {
		return JSON.parse(localStorage.getItem(key(groupId)) ?? '[]') as QueuedTap[];
	} catch {
		return [];
	}
}

function save(groupId: string, queue: QueuedTap[]) {
	if (queue.length) localStorage.setItem(key(groupId), JSON.stringify(queue));
	else localStorage.removeItem(key(groupId));
}

export function enqueue(groupId: string, tap: QueuedTap): QueuedTap[] {
	const queue = [...loadQueue(groupId), tap];
	save(groupId, queue);
	return queue;
}

/** Sends what is queued; what the server acknowledged leaves the queue. Safe to call often. */
export async function flush(send: (taps: QueuedTap[]) => Promise<unknown>, groupId: string): Promise<QueuedTap[]> {
	const queue = loadQueue(groupId);
	if (!queue.length) return queue;
	const batch = queue.slice(0, LIMITS.tapsPerMessage);
	await send(batch);
	const sent = new Set(batch.map((t) => t.id));
	// Taps made while this batch travelled stay queued.
	const left = loadQueue(groupId).filter((t) => !sent.has(t.id));
	save(groupId, left);
	return left;
}
