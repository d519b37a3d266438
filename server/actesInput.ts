/**
 * The records the actes are made of (src/lib/domain/actes/model.ts `ActesInput`), read from the
 * store: the event, its rooms, statements, groups with their members' categories and write-ups,
 * evaluations, speaking shares and board. No name, link or token is read.
 */
import type { ActesInput } from '../src/lib/domain/actes/model';
import type { Palabre } from './service';
import type { EventRecord } from './store/store';

export function actesInput(palabre: Palabre, event: EventRecord): ActesInput {
	const { store } = palabre;
	return {
		title: event.title,
		date: event.date,
		place: event.place,
		settings: event.settings,
		people: store.listParticipants(event.id).map((p) => ({ categories: p.categories, roomId: p.roomId })),
		rooms: store.listRooms(event.id).map((room) => {
			const inRoom = store.listRoomParticipants(room.id);
			const groups = store.listGroups(room.id).map((g) => ({ ...g, members: inRoom.filter((p) => p.groupId === g.id) }));
			return {
				id: room.id,
				title: room.title,
				statements: store.listStatements(room.id).map((s) => ({ id: s.id, text: s.text })),
				groups: groups.map((g) => ({
					statementId: g.statementId,
					number: g.number,
					label: g.label,
					members: g.members.map((p) => ({ categories: p.categories })),
					writeup: palabre.writeups.read(g.id)
				})),
				evaluations: store.listEvaluations(room.id).map((e) => e.evaluation),
				speaking: palabre.speaking.shares(groups)
			};
		}),
		board: store.getBoard(event.id).board
	};
}
