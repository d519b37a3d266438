/** The store's records that a request names, or the refusal that says it is unknown. */
import { isJoinCode, normaliseJoinCode } from '../src/lib/domain/joinCode';
import { GROUP_DOC_NAME } from '../src/lib/protocol';
import { PalabreError } from './errors';
import type { EventRecord, GroupRecord, ParticipantRecord, RoomRecord, Store } from './store/store';

export function eventById(store: Store, id: string): EventRecord {
	const event = store.getEvent(id);
	if (!event) throw new PalabreError(404, 'unknownEvent');
	return event;
}

export function roomById(store: Store, id: string): RoomRecord {
	const room = store.getRoom(id);
	if (!room) throw new PalabreError(404, 'unknownRoom');
	return room;
}

export function eventByJoinCode(store: Store, code: string): EventRecord {
	const normalised = normaliseJoinCode(code);
	// A code that cannot be one is not even looked up.
	const event = isJoinCode(normalised) ? store.getEventByJoinCode(normalised) : undefined;
	if (!event) throw new PalabreError(404, 'unknownCode');
	return event;
}

/** A person of this event (a message naming someone of another event is refused alike). */
export function personOfEvent(store: Store, eventId: string, participantId: string): ParticipantRecord {
	const p = store.getParticipant(participantId);
	if (!p || p.eventId !== eventId) throw new PalabreError(400, 'fieldUnknownPerson');
	return p;
}

/** A write-up doc's group and room, if the name is a group doc's (`group.<id>`) and they still exist. */
export function groupOfDoc(store: Store, docName: string): { group: GroupRecord; room: RoomRecord } | undefined {
	const id = GROUP_DOC_NAME.exec(docName)?.[1];
	const group = id ? store.getGroup(id) : undefined;
	const room = group && store.getRoom(group.roomId);
	return group && room ? { group, room } : undefined;
}

/** A group of this room. */
export function groupOfRoom(store: Store, room: RoomRecord, groupId: string): GroupRecord {
	const group = store.getGroup(groupId);
	if (!group || group.roomId !== room.id) throw new PalabreError(400, 'fieldUnknownRoomGroup');
	return group;
}

/** Everyone in a group now. */
export function memberIds(store: Store, groupId: string): string[] {
	return store.listGroupMembers(groupId).map((m) => m.id);
}
