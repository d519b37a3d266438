/**
 * The stages of a room on the server: the facilitator's commands run through the pure stage
 * machine (src/lib/domain/stages.ts) with the server's clock, and the new state is stored before
 * anyone is told. Clients only ever display `endsAt` / `remainingMs`; a restart reloads them as
 * they were, so a running stage carries on.
 */
import { mergeEvaluation, type EvaluationPatch } from '../src/lib/domain/evaluation';
import * as machine from '../src/lib/domain/stages';
import type { StageCommand } from '../src/lib/protocol';
import type { Changes } from './changes';
import { PalabreError } from './errors';
import { eventById, roomById } from './records';
import type { ParticipantRecord, RoomRecord, Store } from './store/store';

/** How long a member's « en cours » lasts without news from their phone (which renews it every few seconds of use). */
export const FILLING_MS = 30_000;

export class Stages {
	/** Who is filling each group's evaluation, until when (server clock): memory only. */
	private readonly fillers = new Map<string, Map<string, number>>();

	constructor(
		private readonly store: Store,
		private readonly changes: Changes,
		/** What follows the stages once stored: speaking turns end and start, write-ups close. */
		private readonly followers: { stagesChanged(room: RoomRecord, before: machine.RoomStages, after: machine.RoomStages, at: number): void },
		private readonly now: () => number = Date.now
	) {}

	command(room: RoomRecord, cmd: StageCommand): machine.RoomStages {
		const event = eventById(this.store, room.eventId);
		const now = this.now();
		const rs = room.stages;
		const minutes = rs.minutes ?? event.settings.stageMinutes;
		const durations = machine.durationsFromMinutes(minutes);
		const groupIds = new Set(this.store.listGroups(room.id).map((g) => g.id));
		const group = (id: string) => {
			if (!groupIds.has(id)) throw new PalabreError(400, 'fieldUnknownRoomGroup');
			return id;
		};
		let next: machine.RoomStages;
		switch (cmd.action) {
			case 'start':
				next = machine.startRoom(rs, now, durations);
				break;
			case 'pause':
				next = machine.pauseRoom(rs, now);
				break;
			case 'resume':
				next = machine.resumeRoom(rs, now);
				break;
			case 'adjust':
				next = machine.adjustRoom(rs, now, cmd.minutes * 60_000);
				break;
			case 'next':
				next = machine.nextRoom(rs, now, durations);
				break;
			case 'finish':
				next = machine.finishRoom(rs);
				break;
			case 'hold':
				next = machine.holdGroup(rs, group(cmd.groupId), now);
				break;
			case 'release':
				next = machine.releaseGroup(rs, group(cmd.groupId));
				break;
			case 'resumeGroup':
				next = machine.resumeGroup(rs, group(cmd.groupId), now);
				break;
			case 'advanceGroup':
				next = machine.advanceGroup(rs, group(cmd.groupId), now, durations);
				break;
			case 'adjustGroup':
				next = machine.adjustGroup(rs, group(cmd.groupId), now, cmd.minutes * 60_000);
				break;
			case 'durations':
				next = machine.setDurations(rs, now, minutes, cmd.minutes);
				break;
		}
		// The room's own durations outlive every other command.
		if (rs.minutes && !next.minutes) next = { ...next, minutes: rs.minutes };
		this.store.transaction(() => {
			this.store.setRoomStages(room.id, next);
			this.store.addStageLog(room.id, now, next);
			// Starting the stages closes the choice: groups are fixed from then on.
			if (cmd.action === 'start' && room.phase !== 'groups') {
				this.store.setRoomPhase(room.id, 'groups', room.presenting);
			}
		});
		this.followers.stagesChanged(room, rs, next, now);
		this.changes.emit({ kind: 'stagesChanged', eventId: room.eventId, roomId: room.id, groupIds: [...groupIds] });
		return next;
	}

	/**
	 * A group's evaluation of the meeting, one form for the group filled by any member from the
	 * evaluation until the end: what a member sends (the fields they changed) is merged field by field.
	 */
	evaluate(p: ParticipantRecord, patch: EvaluationPatch) {
		const { room, groupId } = this.openEvaluation(p);
		this.store.transaction(() => {
			const current = this.store.listEvaluations(room.id).find((e) => e.groupId === groupId)?.evaluation ?? null;
			this.store.saveEvaluation(groupId, mergeEvaluation(current, patch));
		});
		const memberIds = this.store.listGroupMembers(groupId).map((m) => m.id);
		this.changes.emit({ kind: 'evaluated', eventId: room.eventId, roomId: room.id, groupId, memberIds });
	}

	/**
	 * Who is filling their group's evaluation now (« Awa remplit l'évaluation… » on the other
	 * phones): a member says so while they touch the form, again now and then while they go on,
	 * and no more once they sent it. Kept in memory only, each mark for `FILLING_MS`: phones hide a
	 * mark once its `until` has passed, so a phone gone quiet needs no message to be forgotten.
	 */
	filling(p: ParticipantRecord, on: boolean) {
		const { room, groupId } = this.openEvaluation(p);
		const now = this.now();
		const marks = new Map([...(this.fillers.get(groupId) ?? [])].filter(([, until]) => until > now));
		if (on) marks.set(p.id, now + FILLING_MS);
		else marks.delete(p.id);
		if (marks.size) this.fillers.set(groupId, marks);
		else this.fillers.delete(groupId);
		const filling = [...marks].map(([participantId, until]) => ({ participantId, until }));
		this.changes.emit({ kind: 'evaluationFilling', eventId: room.eventId, roomId: room.id, groupId, filling });
	}

	/** The room and group of a member whose group's evaluation is open (refused otherwise). */
	private openEvaluation(p: ParticipantRecord) {
		if (!p.groupId || !p.roomId) throw new PalabreError(409, 'notInGroup');
		const room = roomById(this.store, p.roomId);
		const stage = machine.effectiveStage(room.stages, p.groupId);
		if (stage.index !== machine.EVALUATION_INDEX) throw new PalabreError(409, 'evaluationNotOpen');
		// Editable until the end: once the group's stages are over, its answers stay as they are.
		if (stage.status === 'finished') throw new PalabreError(409, 'evaluationClosed');
		return { room, groupId: p.groupId };
	}
}
