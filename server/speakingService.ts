/**
 * Speaking time on the server: it stores the timekeeper's taps as sent (original times, ids that
 * make a resent offline queue harmless) and derives intervals, totals and shares by replaying them
 * (src/lib/domain/speaking.ts). Per-person figures go to the group and the organisers only; the
 * room view and the actes get figures by category.
 */
import { familiesOf, type Family } from '../src/lib/domain/categories';
import { balanceIndex, categoryTotals, durationMs, intervalsFromTaps, totalsByPerson, type Interval } from '../src/lib/domain/speaking';
import type { ClientMessage } from '../src/lib/protocol';
import type { SpeakingGroupView, SpeakingSummary } from '../src/lib/views';
import { PalabreError, type Palabre } from './service';
import type { ParticipantRecord } from './store/store';

/** Taps older than this are refused: a clock gone wrong, not a queue kept offline. */
const MAX_AGE_MS = 12 * 60 * 60_000;
/** A client's estimate of our clock may run somewhat ahead (a phone whose clock drifts between samples). */
const MAX_AHEAD_MS = 60_000;

/** A group's speaking time as replayed from its taps, kept until its taps change. */
interface Replayed {
	intervals: Interval[];
	/** Milliseconds per person over the closed intervals. */
	closed: Record<string, number>;
	/** Who is speaking now: their time grows with the clock. */
	open: Interval[];
}

export class SpeakingService {
	/**
	 * Per group, replayed once per change of its taps rather than at every view: a view then
	 * costs the group's members, not its hours of intervals.
	 */
	private readonly cache = new Map<string, Replayed>();

	constructor(
		private readonly palabre: Palabre,
		private readonly now: () => number = Date.now
	) {}

	/** A group's taps changed elsewhere (deletion of a person, import): replay on next read. */
	invalidate(groupId?: string) {
		if (groupId) this.cache.delete(groupId);
		else this.cache.clear();
	}

	private members(groupId: string) {
		return this.palabre.store.listGroupMembers(groupId);
	}

	addTaps(p: ParticipantRecord, msg: ClientMessage<'speaking:taps'>): { stored: number } {
		if (!p.groupId) throw new PalabreError(409, 'vous n’êtes dans aucun groupe');
		const members = new Set(this.members(p.groupId).map((m) => m.id));
		const now = this.now();
		for (const { tap } of msg.taps) {
			if (tap.at < now - MAX_AGE_MS || tap.at > now + MAX_AHEAD_MS) throw new PalabreError(400, 'taps: heure invalide');
			if (tap.kind === 'speak' && !members.has(tap.participantId)) {
				throw new PalabreError(400, 'taps: cette personne n’est pas dans le groupe');
			}
		}
		const stored = this.palabre.store.addTaps(p.groupId, msg.taps);
		if (stored) this.cache.delete(p.groupId);
		// Only the group's speaking view and the room's figures change: not anyone's session, not
		// the room's seats or stages.
		if (stored && p.roomId) this.palabre.notify({ eventId: p.eventId, roomIds: [], participantIds: [], speaking: [{ roomId: p.roomId, groupId: p.groupId }] });
		return { stored };
	}

	private replayed(groupId: string): Replayed {
		let r = this.cache.get(groupId);
		if (!r) {
			const taps = this.palabre.store.listTaps(groupId);
			const intervals = intervalsFromTaps(
				taps.map((t) => t.tap),
				taps.map((t) => ({ stage: t.stage, at: t.tap.at }))
			);
			const open = intervals.filter((i) => i.end === null);
			r = { intervals, open, closed: totalsByPerson(intervals.filter((i) => i.end !== null), 0) };
			this.cache.set(groupId, r);
		}
		return r;
	}

	intervals(groupId: string): Interval[] {
		return this.replayed(groupId).intervals;
	}

	/** Milliseconds per person at `now`, over some groups (a person who moved counts in each). */
	private personTotals(groupIds: string[], now: number): Record<string, number> {
		const totals = new Map<string, number>();
		const add = (person: string, ms: number) => totals.set(person, (totals.get(person) ?? 0) + ms);
		for (const id of groupIds) {
			const { closed, open } = this.replayed(id);
			for (const [person, ms] of Object.entries(closed)) add(person, ms);
			for (const i of open) add(i.participantId, durationMs(i, now));
		}
		return Object.fromEntries(totals);
	}

	/** What the group's own phones show: names and seconds, never sent beyond the group. */
	groupView(groupId: string): SpeakingGroupView {
		const { closed, open } = this.replayed(groupId);
		return {
			serverNow: this.now(),
			members: this.members(groupId).map((m) => ({
				id: m.id,
				displayName: m.displayName,
				families: familiesOf(m.categories),
				closedMs: closed[m.id] ?? 0
			})),
			open: open.map((i) => ({ id: i.participantId, since: i.start }))
		};
	}

	/** A group's balance only: what the projection shows of it. */
	balance(groupId: string, members: ParticipantRecord[] = this.members(groupId)): number | null {
		return balanceIndex(
			this.personTotals([groupId], this.now()),
			members.map((m) => m.id)
		);
	}

	/** By category only: for the room, the organisers and the actes. */
	summary(groupId: string, members: ParticipantRecord[] = this.members(groupId)): SpeakingSummary {
		return this.summarise(members, this.personTotals([groupId], this.now()));
	}

	/** A whole room: its groups' time against its seated people. */
	roomSummary(groupIds: string[], people: ParticipantRecord[]): SpeakingSummary {
		return this.summarise(
			people.filter((p) => p.groupId),
			this.personTotals(groupIds, this.now())
		);
	}

	private summarise(members: ParticipantRecord[], person: Record<string, number>): SpeakingSummary {
		const totals = categoryTotals(person, members);
		const present = new Set(members.flatMap((m) => (familiesOf(m.categories).length ? familiesOf(m.categories) : (['nsp'] as Family[]))));
		return {
			totalMs: totals.totalMs,
			byCategory: Object.fromEntries(Object.entries(totals.byCategory).filter(([f]) => present.has(f as Family))),
			balanceIndex: balanceIndex(
				person,
				members.map((m) => m.id)
			)
		};
	}

	/** All intervals of an event with pseudonymous ids, for the organisers' CSV. */
	csv(eventId: string): string {
		const rows = [['groupe', 'enonce', 'etape', 'personne', 'categories', 'debut', 'fin', 'duree_ms']];
		const pseudonyms = new Map<string, string>();
		const pseudo = (id: string) => {
			if (!pseudonyms.has(id)) pseudonyms.set(id, `P${String(pseudonyms.size + 1).padStart(3, '0')}`);
			return pseudonyms.get(id) as string;
		};
		const now = this.now();
		for (const room of this.palabre.store.listRooms(eventId)) {
			const statements = this.palabre.store.listStatements(room.id);
			const people = new Map(this.palabre.store.listRoomParticipants(room.id).map((p) => [p.id, p]));
			for (const g of this.palabre.store.listGroups(room.id)) {
				const statement = statements.findIndex((s) => s.id === g.statementId) + 1;
				for (const i of this.intervals(g.id)) {
					const end = i.end ?? now;
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
		}
		return rows.map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
	}
}

/** Quoted when needed; a cell that a spreadsheet would read as a formula is defused with a quote. */
export function csvCell(value: string): string {
	const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[";\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
