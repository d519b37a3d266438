/**
 * The room's speaking time by category as a public screen may show it. The shares are the room
 * view's (server/speakingService.ts); this only withholds, as the actes do (MIN_SPEAKING_CELL), the
 * categories held by fewer than two measured people — members of the groups that recorded time —
 * whose share would be one person's.
 */
import { MIN_SPEAKING_CELL } from './actes';
import { FAMILIES, type Family } from './categories';
import type { RoomView } from '../views';

export type PublishedShare = { family: Family; shares: { memberShare: number; timeShare: number } | null };

export function publishedShares(room: RoomView): PublishedShare[] {
	const people = new Map<Family, number>();
	for (const g of room.statements.flatMap((s) => s.groups)) {
		// A group's balance exists once one of its members has spoken.
		if (g.balance === null) continue;
		for (const m of g.members) {
			for (const f of m.families.length ? m.families : (['nsp'] as const)) people.set(f, (people.get(f) ?? 0) + 1);
		}
	}
	return FAMILIES.flatMap((family) => {
		const shares = room.speaking.byCategory[family];
		if (!shares) return [];
		return [{ family, shares: (people.get(family) ?? 0) >= MIN_SPEAKING_CELL ? shares : null }];
	});
}
