/**
 * Seating in a room: its phases and its subgroups. The placement rules are the pure
 * functions of src/lib/domain/groups.ts; this module loads a room's groups, applies one
 * rule, and writes the result in one transaction. Node runs one message at a time, so a
 * rush of simultaneous picks is decided one by one, each on the latest state.
 */
import { normaliseCategories } from '../src/lib/domain/categories';
import * as rules from '../src/lib/domain/groups';
import type { RoomPhase } from '../src/lib/protocol';
import type { Changes } from './changes';
import { PalabreError } from './errors';
import { eventById, groupOfRoom, roomById } from './records';
import type { ParticipantRecord, RoomRecord, Store } from './store/store';
import { hashToken, newId, participantToken } from './tokens';

/** What seating needs of the write-ups: whether a group began writing, and closing a mover's connections. */
export interface SeatingNeeds {
	hasWriting(groupId: string): boolean;
	/** A person left their group for `groupId` (null: none): their other write-up connections close. */
	withdraw(participantId: string, groupId: string | null): void;
}

export class Seating {
	constructor(
		private readonly store: Store,
		private readonly changes: Changes,
		private readonly writeups: SeatingNeeds
	) {}

	/** The room's groups in the shape of the domain rules; with `statementIds`, only theirs. */
	groupsOf(room: RoomRecord, statementIds?: readonly string[]): rules.Group[] {
		const members = new Map<string, string[]>();
		for (const { participantId, groupId } of this.store.listRoomSeats(room.id, statementIds)) {
			const list = members.get(groupId);
			if (list) list.push(participantId);
			else members.set(groupId, [participantId]);
		}
		return this.store.listGroups(room.id, statementIds).map((g) => ({
			id: g.id,
			statementId: g.statementId,
			number: g.number,
			members: members.get(g.id) ?? []
		}));
	}

	/**
	 * The rule as it stands in this room: balanced before the stages start; groups that have
	 * started their write-up are never split nor dissolved (their words would lose their group).
	 */
	rule(room: RoomRecord, groups: readonly rules.Group[]): rules.SeatingRule {
		return {
			max: eventById(this.store, room.eventId).settings.maxGroupSize,
			balance: room.stages.room.status === 'waiting',
			locked: new Set(groups.filter((g) => this.writeups.hasWriting(g.id)).map((g) => g.id))
		};
	}

	/** What the facilitators are offered to apply in one tap. */
	suggestions(room: RoomRecord): rules.Suggestion[] {
		const groups = this.groupsOf(room);
		return rules.suggestions(groups, this.rule(room, groups));
	}

	/**
	 * Applies one placement rule to a room and stores the outcome atomically. The rules only ever
	 * change the groups of the statements they are given (the one a person leaves, the one they
	 * join): `statements` names them, and only their groups are read (at 1,000 people, a pick rush
	 * reading the whole room each time spent a third of its time there).
	 */
	private place(
		room: RoomRecord,
		statements: readonly (string | null | undefined)[],
		decide: (groups: rules.Group[], rule: rules.SeatingRule) => rules.Placement
	): rules.Placement {
		const statementIds = [...new Set(statements.filter((id): id is string => !!id))];
		const placement = this.store.transaction(() => {
			// Read inside the transaction: the phase and stages decide the rule.
			const current = roomById(this.store, room.id);
			const before = this.groupsOf(current, statementIds);
			const result = decide(before, this.rule(current, before));
			const after = new Map(result.groups.map((g) => [g.id, g]));
			const existing = new Set(before.map((g) => g.id));
			for (const g of before) if (!after.has(g.id)) this.store.deleteGroup(g.id);
			for (const g of result.groups) {
				if (!existing.has(g.id)) {
					this.store.insertGroup({
						id: g.id,
						roomId: room.id,
						statementId: g.statementId,
						number: g.number,
						label: null,
						createdAt: Date.now()
					});
				}
			}
			for (const m of result.moves) this.store.setParticipantGroup(m.participantId, m.to);
			return result;
		});
		// Write access follows the group: a connection to the group one left closes (someone who
		// had no group has none: nothing to tell the Yjs process in a rush of first picks).
		for (const m of placement.moves) if (m.from !== null) this.writeups.withdraw(m.participantId, m.to);
		if (placement.moves.length) {
			// Every group a move touched, as it is now: its members' phones list who sits with them.
			const touched = new Set(placement.moves.flatMap((m) => [m.from, m.to]).filter((id): id is string => id !== null));
			const after = new Map(placement.groups.map((g) => [g.id, g.members]));
			this.changes.emit({
				kind: 'seated',
				eventId: room.eventId,
				roomId: room.id,
				moved: placement.moves.map((m) => m.participantId),
				groups: [...touched].map((groupId) => ({ groupId, memberIds: [...(after.get(groupId) ?? [])] }))
			});
		}
		return placement;
	}

	/** The statement around which a group sits (undefined: no such group). */
	private statementOf(groupId: string | null | undefined): string | undefined {
		return groupId ? this.store.getGroup(groupId)?.statementId : undefined;
	}

	private roomOf(p: ParticipantRecord): RoomRecord {
		if (!p.roomId) throw new PalabreError(409, 'chooseRoomFirst');
		return roomById(this.store, p.roomId);
	}

	/** A participant's tap on a statement card: a seat, or a clear refusal. */
	pick(p: ParticipantRecord, statementId: string): { groupId: string; number: number } {
		const room = this.roomOf(p);
		if (room.phase !== 'choice') throw new PalabreError(409, 'choiceNotOpen');
		if (!this.store.listStatements(room.id).some((s) => s.id === statementId)) {
			throw new PalabreError(400, 'fieldUnknownStatement');
		}
		const result = this.place(room, [this.statementOf(p.groupId), statementId], (groups, rule) =>
			rules.pick(groups, p.id, statementId, rule, newId)
		);
		const mine = result.groups.find((g) => g.members.includes(p.id));
		if (!mine) throw new Error('pick left the participant without a group');
		return { groupId: mine.id, number: mine.number };
	}

	leave(p: ParticipantRecord) {
		const room = this.roomOf(p);
		if (room.phase !== 'choice') throw new PalabreError(409, 'groupsFixed');
		this.place(room, [this.statementOf(p.groupId)], (groups, rule) => rules.leave(groups, p.id, rule));
	}

	/** Leaving a room also leaves its group, whatever the phase. */
	leaveRoom(p: ParticipantRecord) {
		if (p.roomId && p.groupId) {
			this.place(roomById(this.store, p.roomId), [this.statementOf(p.groupId)], (groups, rule) => rules.leave(groups, p.id, rule));
		}
	}

	// ---- facilitators ----
	setPhase(room: RoomRecord, phase: RoomPhase, presenting = room.presenting) {
		// Going back to the welcome screen, the statements or the choice would take the stage's
		// timer off the projection and let people change groups mid-stage.
		const { status } = room.stages.room;
		if (phase !== 'groups' && (status === 'running' || status === 'paused')) {
			throw new PalabreError(409, 'duringStages');
		}
		const count = this.store.listStatements(room.id).length;
		if (!Number.isInteger(presenting) || presenting < 0 || presenting >= count) {
			throw new PalabreError(400, 'presentingRange', { max: count - 1 });
		}
		this.store.setRoomPhase(room.id, phase, presenting);
		this.changes.emit({ kind: 'phaseChanged', eventId: room.eventId, roomId: room.id });
	}

	/** A person without a phone, added by a facilitator, optionally seated at once. */
	addPerson(room: RoomRecord, displayName: string, categories: string[], statementId?: string) {
		const id = newId();
		const person: ParticipantRecord = {
			id,
			eventId: room.eventId,
			// Nobody holds this token: the person is represented by the facilitator.
			tokenHash: hashToken(participantToken(id)),
			displayName,
			categories: normaliseCategories(categories),
			roomId: room.id,
			groupId: null,
			addedByFacilitator: true,
			createdAt: Date.now()
		};
		this.store.transaction(() => {
			this.store.createParticipant(person);
			if (statementId) {
				if (!this.store.listStatements(room.id).some((s) => s.id === statementId)) {
					throw new PalabreError(400, 'fieldUnknownStatement');
				}
				this.place(room, [statementId], (groups, rule) => rules.pick(groups, id, statementId, rule, newId));
			}
		});
		this.changes.emit({ kind: 'joined', eventId: room.eventId, roomId: room.id, participantId: id });
		return { participantId: id };
	}

	/** Moves a person into a group, or into a new group of a statement. */
	move(room: RoomRecord, participantId: string, target: { groupId: string } | { statementId: string }) {
		const p = this.store.getParticipant(participantId);
		if (!p || p.roomId !== room.id) throw new PalabreError(400, 'fieldUnknownRoomPerson');
		const to = 'groupId' in target ? this.statementOf(target.groupId) : target.statementId;
		this.place(room, [this.statementOf(p.groupId), to], (groups, rule) =>
			'groupId' in target
				? rules.move(groups, participantId, target.groupId, rule)
				: rules.pick(groups, participantId, target.statementId, rule, newId)
		);
	}

	merge(room: RoomRecord, groupA: string, groupB: string) {
		this.place(room, [this.statementOf(groupA), this.statementOf(groupB)], (groups, rule) => rules.merge(groups, groupA, groupB, rule));
	}

	/** Balances one statement's groups as before the stages (never touching a group that began writing). */
	rebalance(room: RoomRecord, statementId: string) {
		if (!this.store.listStatements(room.id).some((s) => s.id === statementId)) {
			throw new PalabreError(400, 'fieldUnknownStatement');
		}
		this.place(room, [statementId], (groups, rule) => rules.rebalance(groups, statementId, rule));
	}

	/** A facilitator's message to one group's phones. */
	notifyGroup(room: RoomRecord, groupId: string, text: string) {
		const group = groupOfRoom(this.store, room, groupId);
		this.changes.emit({ kind: 'groupNotified', eventId: room.eventId, roomId: room.id, groupId: group.id, text, at: Date.now() });
	}

	setLabel(room: RoomRecord, groupId: string, label: string | null) {
		const g = this.store.getGroup(groupId);
		if (!g || g.roomId !== room.id) throw new PalabreError(400, 'fieldUnknownGroup');
		this.store.setGroupLabel(groupId, label);
		this.changes.emit({ kind: 'labelChanged', eventId: room.eventId, roomId: room.id });
	}
}
