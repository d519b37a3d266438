/**
 * Speaking time on the server: it stores the timekeeper's taps as sent (original times, ids that
 * make a resent offline queue harmless) and each room's stage states as they change, and keeps one
 * ledger per group (src/lib/domain/speaking.ts) that new taps and stage changes update in place.
 * Per-person figures go to the group and the organisers only; beyond the group go the shares of
 * `speakingShares`, computed once for the projection, the facilitators, the organisers, the CSV
 * and the actes.
 */
import { familiesOf } from '../src/lib/domain/categories';
import {
	DEFAULT_LONG_TURN_MS,
	SpeakingLedger,
	marksFromLog,
	speakingShares,
	type SpeakingShares,
	type StageMark
} from '../src/lib/domain/speaking';
import type { RoomStages } from '../src/lib/domain/stages';
import { LIMITS, type ClientMessage } from '../src/lib/protocol';
import type { SpeakingGroupView } from '../src/lib/views';
import type { Changes } from './changes';
import { PalabreError } from './errors';
import { rateLimiter } from './rateLimit';
import { eventById, roomById } from './records';
import type { ParticipantRecord, Store, StoredTap } from './store/store';

/** Taps older than this are refused: a clock gone wrong, not a queue kept offline. */
const MAX_AGE_MS = 12 * 60 * 60_000;
/** A client's estimate of our clock may run somewhat ahead (a phone whose clock drifts between samples). */
const MAX_AHEAD_MS = 60_000;

/** A group's ledger, and the ids of the taps in it. */
interface Kept {
	roomId: string;
	ledger: SpeakingLedger;
	ids: Set<string>;
}

/**
 * Rooms without a stage log (stored or archived before it existed): their stages follow the
 * taps' own stage numbers, as they did then, without an end.
 */
function marksOfTaps(taps: readonly StoredTap[]): StageMark[] {
	return taps.flatMap((t, k) => (k > 0 && taps[k - 1]?.stage === t.stage ? [] : [{ at: t.tap.at, stage: t.stage, running: true }]));
}

export class Speaking {
	/** Per group: read from the store once, then kept up to date by each tap and stage change. */
	private readonly cache = new Map<string, Kept>();
	/** Per group and per timekeeper: a flood of taps is refused before it is stored. */
	private readonly budget = rateLimiter({ burst: LIMITS.tapsBurst, perMinute: LIMITS.tapsPerMinute });

	constructor(
		private readonly store: Store,
		private readonly changes: Changes,
		private readonly now: () => number = Date.now
	) {}

	/** A group's taps changed elsewhere (deletion of a person, import): read again on next use. */
	invalidate(groupId?: string) {
		if (groupId) this.cache.delete(groupId);
		else this.cache.clear();
	}

	private members(groupId: string) {
		return this.store.listGroupMembers(groupId);
	}

	private kept(groupId: string): Kept {
		let k = this.cache.get(groupId);
		if (!k) {
			const { store } = this;
			const group = store.getGroup(groupId);
			if (!group) throw new PalabreError(404, 'unknownGroup');
			const event = eventById(store, roomById(store, group.roomId).eventId);
			const taps = store.listTaps(groupId);
			const log = store.listStageLog(group.roomId);
			const ledger = new SpeakingLedger((event.settings.longTurnSeconds ?? DEFAULT_LONG_TURN_MS / 1000) * 1000);
			ledger.add(
				taps.map((t) => t.tap),
				log.length ? marksFromLog(log, groupId) : marksOfTaps(taps)
			);
			k = { roomId: group.roomId, ledger, ids: new Set(taps.map((t) => t.id)) };
			this.cache.set(groupId, k);
		}
		return k;
	}

	/**
	 * Before a message of taps is even validated (25,000 taps cost a second to check): at most
	 * LIMITS.tapsPerMessage, and the sender's and the group's budgets charged; refused beyond.
	 */
	admit(p: ParticipantRecord, raw: unknown) {
		const taps = typeof raw === 'object' && raw !== null ? (raw as { taps?: unknown }).taps : undefined;
		const n = Array.isArray(taps) ? taps.length : 1;
		if (n > LIMITS.tapsPerMessage) throw new PalabreError(400, 'tapsPerMessage', { max: LIMITS.tapsPerMessage });
		const now = this.now();
		if (!this.budget.take(`p:${p.id}`, now, n) || !this.budget.take(`g:${p.groupId ?? ''}`, now, n)) {
			throw new PalabreError(429, 'tapsPerMinute', { max: LIMITS.tapsPerMinute });
		}
	}

	addTaps(p: ParticipantRecord, msg: ClientMessage<'speaking:taps'>): { stored: number } {
		if (!p.groupId) throw new PalabreError(409, 'notInGroup');
		const members = new Set(this.members(p.groupId).map((m) => m.id));
		const now = this.now();
		for (const { tap } of msg.taps) {
			if (tap.at < now - MAX_AGE_MS || tap.at > now + MAX_AHEAD_MS) throw new PalabreError(400, 'tapTime');
			if (tap.kind === 'speak' && !members.has(tap.participantId)) {
				throw new PalabreError(400, 'tapNotMember');
			}
		}
		const kept = this.kept(p.groupId);
		// A resent queue: what is already stored is acknowledged again, and nothing else changes.
		const fresh = [...new Map(msg.taps.filter((t) => !kept.ids.has(t.id)).map((t) => [t.id, t])).values()];
		if (!fresh.length) return { stored: 0 };
		const stored = this.store.addTaps(p.groupId, fresh);
		for (const t of fresh) kept.ids.add(t.id);
		kept.ledger.add(fresh.map((t) => t.tap));
		// Only the group's speaking view and the room's figures change: not anyone's session, not
		// the room's seats or stages.
		if (p.roomId) this.changes.emit({ kind: 'tapsStored', eventId: p.eventId, roomId: p.roomId, groupId: p.groupId });
		return { stored };
	}

	/** A room's stages changed at `at` (already logged): its groups' turns end or may start. */
	stagesChanged(roomId: string, at: number, stages: RoomStages) {
		for (const [groupId, k] of this.cache) {
			if (k.roomId === roomId) k.ledger.add([], marksFromLog([{ at, stages }], groupId));
		}
	}

	/** What the group's own phones show: names and seconds, never sent beyond the group. */
	groupView(groupId: string): SpeakingGroupView {
		const { ledger } = this.kept(groupId);
		const closed = ledger.closedTotals();
		return {
			serverNow: this.now(),
			members: this.members(groupId).map((m) => ({
				id: m.id,
				displayName: m.displayName,
				families: familiesOf(m.categories),
				closedMs: Object.hasOwn(closed, m.id) ? (closed[m.id] ?? 0) : 0
			})),
			open: ledger.speaking(),
			lastProof: ledger.lastProof(),
			longTurnMs: ledger.longTurnMs
		};
	}

	/** Milliseconds by person in one group, now. */
	totals(groupId: string): Record<string, number> {
		return this.kept(groupId).ledger.totals(this.now());
	}

	/** The shares of some groups (one group: its own figures), as they leave the groups. */
	shares(groups: { id: string; members: ParticipantRecord[] }[]): SpeakingShares {
		return speakingShares(groups.map((g) => ({ members: g.members, totals: this.totals(g.id) })));
	}

	/** All intervals of an event with pseudonymous ids, then each room's shares: the organisers' CSV. */
	csv(eventId: string): string {
		const rows = [['groupe', 'enonce', 'etape', 'personne', 'categories', 'debut', 'fin', 'duree_ms']];
		const shares = [['salle', 'famille', 'personnes', 'part_membres', 'part_temps', 'groupes_mesures', 'temps_total_ms']];
		const pseudonyms = new Map<string, string>();
		const pseudo = (id: string) => {
			if (!pseudonyms.has(id)) pseudonyms.set(id, `P${String(pseudonyms.size + 1).padStart(3, '0')}`);
			return pseudonyms.get(id) as string;
		};
		const now = this.now();
		for (const room of this.store.listRooms(eventId)) {
			const statements = this.store.listStatements(room.id);
			const inRoom = this.store.listRoomParticipants(room.id);
			const people = new Map(inRoom.map((p) => [p.id, p]));
			const groups = this.store.listGroups(room.id);
			for (const g of groups) {
				const statement = statements.findIndex((s) => s.id === g.statementId) + 1;
				const { ledger } = this.kept(g.id);
				for (const i of ledger.intervals()) {
					const end = i.end ?? Math.max(i.start, ledger.openUntil(now));
					rows.push([
						`${room.position + 1}.${statement}.${g.number}`,
						String(statement),
						String(i.stage),
						pseudo(i.participantId),
						familiesOf(people.get(i.participantId)?.categories ?? []).join('+'),
						new Date(i.start).toISOString(),
						new Date(end).toISOString(),
						String(end - i.start)
					]);
				}
			}
			const s = this.shares(groups.map((g) => ({ id: g.id, members: inRoom.filter((p) => p.groupId === g.id) })));
			for (const r of s.rows) {
				shares.push([
					String(room.position + 1),
					r.family,
					String(r.people),
					r.memberShare.toFixed(4),
					r.timeShare === null ? 'non publié' : r.timeShare.toFixed(4),
					String(s.groups),
					String(s.totalMs)
				]);
			}
		}
		const table = (t: string[][]) => t.map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
		// Two tables, a blank line between: the intervals, then the shares by family of each room.
		return table(rows) + '\r\n' + table(shares);
	}
}

/** Quoted when needed; a cell that a spreadsheet would read as a formula is defused with a quote. */
export function csvCell(value: string): string {
	const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[";\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
