/**
 * One Palabre, assembled: the store, the services of each context (each given what it needs of
 * the others, never another service itself), the access checks and the read models. Transports
 * (server/http/api.ts, server/realtime/control.ts) use these; they never touch the store.
 */
import { Access } from './access';
import { BoardService } from './board';
import { Changes } from './changes';
import { EventAdmin, People } from './event';
import { Links } from './links';
import { ReadModels } from './readModels';
import { Seating } from './seating';
import { Speaking } from './speaking';
import { Stages } from './stages';
import { Statements } from './statements';
import type { Store } from './store/store';
import { Verbatims } from './verbatims';
import { Writeups } from './writeups';

export function createPalabre(store: Store, publicUrl: string) {
	const changes = new Changes();
	const links = new Links(publicUrl);
	const access = new Access(store, links);
	const writeups = new Writeups(store, changes, access);
	const speaking = new Speaking(store, changes);
	const board = new BoardService(store, changes, (groupId, itemId) => writeups.item(groupId, itemId));
	const seating = new Seating(store, changes, writeups);
	const stages = new Stages(store, changes, {
		stagesChanged: (room, before, after, at) => {
			speaking.stagesChanged(room.id, at, after);
			writeups.stagesChanged(room, before, after, at);
		}
	});
	const forgetting = {
		personsReactions: (groupId: string, participantId: string) => writeups.forgetPerson(groupId, participantId),
		personsConnections: (participantId: string) => writeups.withdraw(participantId, null),
		groupDocs: (groupId: string) => writeups.forget(groupId),
		linkConnections: (eventId: string, roomIds: string[]) => writeups.withdrawLinks(eventId, roomIds),
		personsSupport: (eventId: string, participantId: string) => board.forgetPerson(eventId, participantId),
		groupSpeaking: (groupId: string) => speaking.invalidate(groupId)
	};
	const events = new EventAdmin(store, changes, links, forgetting);
	const statements = new Statements(store, changes);
	const people = new People(store, changes, forgetting, (p) => seating.leaveRoom(p));
	const verbatims = new Verbatims(store, changes, links);
	const views = new ReadModels(store, links, {
		progress: (groupId) => writeups.progress(groupId),
		writeup: (groupId) => writeups.read(groupId),
		shares: (groups) => speaking.shares(groups),
		suggestions: (room) => seating.suggestions(room),
		publicBoard: (eventId) => board.publicBoard(eventId),
		pens: (groupId, members) => access.pens(groupId, members),
		writeupAccess: (groupId, stages) => writeups.closing(groupId, stages)
	});
	/** Resolves once every write so far is durably stored (see Store.committed): acknowledgements wait for it. */
	const committed = () => store.committed();
	return { store, changes, links, access, events, statements, people, seating, stages, speaking, writeups, board, verbatims, views, committed };
}

export type Palabre = ReturnType<typeof createPalabre>;
