/**
 * Who may do what: every token and link presented to the server is checked here, by HTTP
 * routes, the socket handshake and the Yjs endpoint alike. A wrong token and an unknown target
 * get the same refusal where telling them apart would let someone probe.
 */
import { effectiveStage } from '../src/lib/domain/stages';
import { isWriteupClosed } from '../src/lib/domain/writeupClosing';
import type { YjsGrant, Pens } from './realtime/yjs';
import { PalabreError } from './errors';
import type { Links } from './links';
import { eventById, eventByJoinCode, groupOfDoc, roomById } from './records';
import type { EventRecord, ParticipantRecord, RoomRecord, Store, WorkshopRecord } from './store/store';
import { matchesHash, splitParticipantToken, type LinkRole } from './tokens';

/** On whose behalf a write-up connection was opened (YjsGrant.holder), so it can be withdrawn. */
export const holders = {
	participant: (id: string) => `participant:${id}`,
	facilitation: (roomId: string) => `room:${roomId}`,
	organiser: (eventId: string) => `event:${eventId}`
};

/** Who is connected, as the control plane knows them after the handshake. */
export type Identity =
	| { role: 'participant'; eventId: string; participantId: string }
	| { role: 'projection'; eventId: string; roomId: string }
	| { role: 'facilitator'; eventId: string; roomId: string }
	| { role: 'organiser'; eventId: string };

export class Access {
	constructor(
		private readonly store: Store,
		private readonly links: Links
	) {}

	/** The event if the token is its organiser's; 404 for an unknown event, 403 for a wrong token. */
	organiser(eventId: string, token: string | undefined): EventRecord {
		const event = eventById(this.store, eventId);
		if (!token) throw new PalabreError(401, 'missingOrganiserToken');
		if (!matchesHash(token, event.organiserTokenHash)) throw new PalabreError(403, 'badOrganiserToken');
		this.links.rememberOrganiser(event.id, token);
		// Rooms from before links were derived have only their old links: add the derived ones.
		const missing = this.store.roomsWithoutLinks(event.id);
		if (missing.length) this.store.addRoomLinks(missing.map((id) => ({ id, links: this.links.roomHashes(id, token) })));
		return event;
	}

	/** The event of a join code: open to anyone who has it (the HTTP layer limits guessing). */
	joinCode(code: string): EventRecord {
		return eventByJoinCode(this.store, code);
	}

	projection(roomId: string, token: string): RoomRecord {
		const room = this.store.getRoom(roomId);
		if (!room || !this.opensRoom(room, 'projection', token)) throw new PalabreError(403, 'badProjectionLink');
		return room;
	}

	/** A room's facilitator link, or the organiser's token for any room of the event. */
	facilitator(roomId: string, token: string): RoomRecord {
		const room = roomById(this.store, roomId);
		if (this.opensRoom(room, 'facilitation', token)) return room;
		if (matchesHash(token, eventById(this.store, room.eventId).organiserTokenHash)) return room;
		throw new PalabreError(403, 'badFacilitationLink');
	}

	/** A workshop's capture link (or the organiser's token): the event and the workshop it opens. */
	capture(workshopId: string, token: string | undefined): { event: EventRecord; workshop: WorkshopRecord } {
		const workshop = this.store.getWorkshop(workshopId);
		const event = workshop && this.store.getEvent(workshop.eventId);
		if (!workshop || !event || !token) throw new PalabreError(403, 'badCaptureLink');
		if (!matchesHash(token, workshop.captureHash) && !matchesHash(token, event.organiserTokenHash)) throw new PalabreError(403, 'badCaptureLink');
		return { event, workshop };
	}

	participant(token: string): ParticipantRecord {
		const parts = splitParticipantToken(token);
		const p = parts && this.store.getParticipant(parts.id);
		if (!p || !matchesHash(token, p.tokenHash)) throw new PalabreError(403, 'unknownParticipant');
		return p;
	}

	/** The person behind a connection that passed the handshake: they may have been erased since. */
	me(who: Identity): ParticipantRecord {
		if (who.role !== 'participant') throw new PalabreError(403, 'participantsOnly');
		const p = this.store.getParticipant(who.participantId);
		if (!p) throw new PalabreError(404, 'unknownParticipant');
		return p;
	}

	/** The room a facilitator's or organiser's message is about, if this connection may drive it. */
	drivenRoom(who: Identity, roomId: string): RoomRecord {
		const room = roomById(this.store, roomId);
		const allowed = (who.role === 'facilitator' && who.roomId === room.id) || (who.role === 'organiser' && who.eventId === room.eventId);
		if (!allowed) throw new PalabreError(403, 'notYourRoom');
		return room;
	}

	/** The event of an organiser's connection (which may have been deleted since). */
	organiserEvent(who: Identity): EventRecord {
		return eventById(this.store, who.eventId);
	}

	/** A room a connection names (which may have been deleted since). */
	room(roomId: string): RoomRecord {
		return roomById(this.store, roomId);
	}

	/** A group, if this connection may drive its room. */
	drivenGroup(who: Identity, groupId: string): { room: RoomRecord; groupId: string } {
		const group = this.store.getGroup(groupId);
		if (!group) throw new PalabreError(400, 'fieldUnknownGroup');
		return { room: this.drivenRoom(who, group.roomId), groupId: group.id };
	}

	/**
	 * Who may open a group's shared write-up (Yjs doc `group.<groupId>`): its members write;
	 * the room's facilitators and the organisers read (and comment through the server).
	 */
	doc(docName: string, token: string | undefined): YjsGrant | null {
		const opener = this.opener(docName, token);
		if (!opener) return null;
		const { grant, room, groupId } = opener;
		const closed = this.closed(room, groupId);
		return grant.access === 'write' ? { ...grant, pens: this.pens(groupId), closed } : { ...grant, closed };
	}

	/** Whether this token may open the doc: a ticket's check, without the doc's pens and state that the upgrade reads. */
	mayOpenDoc(docName: string, token: string | undefined): boolean {
		return this.opener(docName, token) !== null;
	}

	private opener(docName: string, token: string | undefined): { grant: YjsGrant; room: RoomRecord; groupId: string } | null {
		const found = groupOfDoc(this.store, docName);
		if (!found || !token) return null;
		const { group, room } = found;
		const opened = (grant: YjsGrant) => ({ grant, room, groupId: group.id });
		const member = splitParticipantToken(token);
		if (member) {
			const p = this.store.getParticipant(member.id);
			return p && p.groupId === group.id && matchesHash(token, p.tokenHash)
				? opened({ access: 'write', holder: holders.participant(p.id), participantId: p.id })
				: null;
		}
		if (this.opensRoom(room, 'facilitation', token)) return opened({ access: 'read', holder: holders.facilitation(room.id) });
		const event = this.store.getEvent(room.eventId);
		return event && matchesHash(token, event.organiserTokenHash) ? opened({ access: 'read', holder: holders.organiser(event.id) }) : null;
	}

	/** Who holds each stage's pen in a group: rapporteurs who have since left it no longer count. */
	pens(groupId: string, members: { id: string }[] = this.store.listGroupMembers(groupId)): Pens {
		const rapporteurs = this.store.listRapporteurs(groupId);
		return [1, 2, 3].map((stage) =>
			rapporteurs.filter((r) => r.stage === stage && members.some((m) => m.id === r.participantId)).map((r) => r.participantId)
		) as Pens;
	}

	/** Whether the group's write-up is closed now (a connection learns it as it opens). */
	private closed(room: RoomRecord, groupId: string): boolean {
		return isWriteupClosed(effectiveStage(room.stages, groupId), this.store.listWriteupAccess(groupId).at(-1));
	}

	/** Whether `token` opens the room in this role. */
	private opensRoom(room: RoomRecord, role: LinkRole, token: string): boolean {
		return this.store.roomLinkHashes(room.id, role).some((hash) => matchesHash(token, hash));
	}
}
