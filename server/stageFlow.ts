/**
 * The stages of a room on the server: the facilitator's commands run through the pure stage
 * machine (src/lib/domain/stages.ts) with the server's clock, and the new state is stored before
 * anyone is told. Clients only ever display `endsAt` / `remainingMs`; a restart reloads them as
 * they were, so a running stage carries on.
 */
import * as machine from '../src/lib/domain/stages';
import type { StageCommand } from '../src/lib/protocol';
import { PalabreError, type Palabre } from './service';
import type { Evaluation, ParticipantRecord, RoomRecord } from './store/store';

export class StageFlow {
	constructor(
		private readonly palabre: Palabre,
		private readonly now: () => number = Date.now
	) {}

	command(room: RoomRecord, cmd: StageCommand): machine.RoomStages {
		const event = this.palabre.event(room.eventId);
		const now = this.now();
		const rs = room.stages;
		const minutes = rs.minutes ?? event.settings.stageMinutes;
		const durations = machine.durationsFromMinutes(minutes);
		const groupIds = new Set(this.palabre.store.listGroups(room.id).map((g) => g.id));
		const group = (id: string) => {
			if (!groupIds.has(id)) throw new PalabreError(400, 'groupId: groupe inconnu dans cette salle');
			return id;
		};
		let next: machine.RoomStages;
		try {
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
		} catch (err) {
			if (err instanceof machine.StageError) throw new PalabreError(409, err.message);
			throw err;
		}
		this.palabre.store.transaction(() => {
			this.palabre.store.setRoomStages(room.id, next);
			// Speaking time ends and starts with the stages (src/lib/domain/speaking.ts).
			this.palabre.store.addStageLog(room.id, now, next);
			// Starting the stages closes the choice: groups are fixed from then on.
			if (cmd.action === 'start' && room.phase !== 'groups') {
				this.palabre.store.setRoomPhase(room.id, 'groups', room.presenting);
			}
		});
		this.palabre.speaking.stagesChanged(room.id, now, next);
		this.palabre.writeups.stagesChanged(room, rs, next, now);
		this.palabre.notify({
			eventId: room.eventId,
			roomIds: [room.id],
			participantIds: [],
			urgent: true,
			speaking: [...groupIds].map((groupId) => ({ roomId: room.id, groupId }))
		});
		return next;
	}

	/** A group's evaluation of the meeting, filled by any member once the group reached it. */
	evaluate(p: ParticipantRecord, evaluation: Evaluation) {
		if (!p.groupId || !p.roomId) throw new PalabreError(409, 'vous n’êtes dans aucun groupe');
		const room = this.palabre.room(p.roomId);
		if (machine.effectiveStage(room.stages, p.groupId).index !== machine.EVALUATION_INDEX) {
			throw new PalabreError(409, 'l’évaluation n’est pas encore ouverte');
		}
		this.palabre.store.saveEvaluation(p.groupId, evaluation);
		this.palabre.notify({ eventId: room.eventId, roomIds: [room.id], participantIds: [] });
	}
}
