/**
 * Verbatims (docs/verbatims.md): the organisers' workshops and their capture links, the
 * facilitators' captures (idempotent: a resent offline queue stores each verbatim once), and the
 * evening's choice — star, theme, reword, merge, and turning one into a room's last statement.
 * The rules are src/lib/domain/verbatims.ts; this service checks, stores and says what changed.
 */
import { checkPromotable, merge, newCaptures, rootOf, statementWording, type Capture } from '../src/lib/domain/verbatims';
import { LIMITS, type CaptureBody, type ClientMessage } from '../src/lib/protocol';
import type { CaptureAnswer, CaptureView } from '../src/lib/views';
import type { Changes } from './changes';
import { PalabreError } from './errors';
import type { Links } from './links';
import type { EventRecord, Store, VerbatimRecord, WorkshopRecord } from './store/store';
import { newId } from './tokens';

export class Verbatims {
	constructor(
		private readonly store: Store,
		private readonly changes: Changes,
		private readonly links: Links,
		private readonly now: () => number = Date.now
	) {}

	/** A new workshop, last of the event's, with its capture link derived from the organiser's token. */
	addWorkshop(event: EventRecord, title: string): { id: string; title: string; captureUrl: string } {
		const token = this.links.organiserToken(event.id);
		// The console presented the token to connect: without it no link can be derived.
		if (!token) throw new PalabreError(403, 'missingOrganiserToken');
		const workshops = this.store.listWorkshops(event.id);
		if (workshops.length >= LIMITS.workshops) throw new PalabreError(409, 'tooManyWorkshops', { max: LIMITS.workshops });
		const id = newId();
		this.store.addWorkshop({ id, eventId: event.id, position: workshops.length, title, captureHash: this.links.workshopHash(id, token) });
		this.changes.emit({ kind: 'verbatimsChanged', eventId: event.id, roomIds: [] });
		return { id, title, captureUrl: this.links.capture(id, token) };
	}

	/** What a capture page offers: the event's workshops (its own first chosen) and themes. */
	captureView(event: EventRecord, workshop: WorkshopRecord): CaptureView {
		return {
			event: { title: event.title, language: event.language },
			workshop: { id: workshop.id, title: workshop.title },
			workshops: this.store.listWorkshops(event.id).map((w) => ({ id: w.id, title: w.title })),
			rooms: this.store.listRooms(event.id).map((r) => ({ id: r.id, title: r.title }))
		};
	}

	/**
	 * Stores the verbatims of a capture not stored yet. Every id of the batch is in the answer: the
	 * phone may drop them from its queue, whether this request or an earlier one stored them.
	 */
	capture(event: EventRecord, body: CaptureBody): CaptureAnswer {
		const rooms = new Set(this.store.listRooms(event.id).map((r) => r.id));
		const workshops = new Set(this.store.listWorkshops(event.id).map((w) => w.id));
		for (const v of body.verbatims) {
			if (v.roomId !== null && !rooms.has(v.roomId)) throw new PalabreError(400, 'fieldUnknownRoom');
			if (v.workshopId !== null && !workshops.has(v.workshopId)) throw new PalabreError(400, 'unknownWorkshop');
		}
		const at = this.now();
		const added = this.store.transaction(() => {
			const known = this.store.listVerbatims(event.id);
			// The schema checked each category against the glossary.
			const fresh = newCaptures(new Set(known.map((v) => v.id)), body.verbatims as Capture[], at);
			if (known.length + fresh.length > LIMITS.verbatimsPerEvent) throw new PalabreError(409, 'tooManyVerbatims', { max: LIMITS.verbatimsPerEvent });
			return this.store.addVerbatims(fresh.map((v) => ({ ...v, eventId: event.id, receivedAt: at })));
		});
		if (added) this.changes.emit({ kind: 'verbatimsChanged', eventId: event.id, roomIds: [] });
		return { stored: body.verbatims.map((v) => v.id), added };
	}

	/** Star, theme or new wording of a verbatim the list shows (not one merged into another). */
	edit(event: EventRecord, msg: ClientMessage<'verbatim:edit'>) {
		const v = this.root(event, msg.verbatimId);
		if (msg.roomId && !this.store.listRooms(event.id).some((r) => r.id === msg.roomId)) throw new PalabreError(400, 'fieldUnknownRoom');
		// The statement made of it is worded apart (statements are edited as statements).
		if (v.statementId && (msg.roomId !== undefined || msg.reworded !== undefined)) throw new PalabreError(409, 'verbatimIsStatement');
		const next: VerbatimRecord = {
			...v,
			...(msg.starred !== undefined ? { starred: msg.starred } : {}),
			...(msg.roomId !== undefined ? { roomId: msg.roomId } : {}),
			// '' or the words as noted: no rewording.
			...(msg.reworded !== undefined ? { reworded: msg.reworded && msg.reworded !== v.text ? msg.reworded : null } : {})
		};
		this.store.updateVerbatims([next]);
		this.changes.emit({ kind: 'verbatimsChanged', eventId: event.id, roomIds: [] });
	}

	merge(event: EventRecord, msg: ClientMessage<'verbatim:merge'>) {
		const changed = merge(this.list(event), msg.verbatimIds, msg.into) as VerbatimRecord[];
		if (!changed.length) return;
		this.store.updateVerbatims(changed);
		this.changes.emit({ kind: 'verbatimsChanged', eventId: event.id, roomIds: [] });
	}

	/** The verbatim becomes the room's last statement, in its (re)worded form, pointing back at it. */
	toStatement(event: EventRecord, msg: ClientMessage<'verbatim:toStatement'>): { statementId: string } {
		const room = this.store.getRoom(msg.roomId);
		if (!room || room.eventId !== event.id) throw new PalabreError(400, 'fieldUnknownRoom');
		const statementId = newId();
		this.store.transaction(() => {
			const v = checkPromotable(this.list(event).find((x) => x.id === msg.verbatimId)) as VerbatimRecord;
			if (this.store.listStatements(room.id).length >= LIMITS.statementsPerTheme) {
				throw new PalabreError(409, 'tooManyStatements', { max: LIMITS.statementsPerTheme });
			}
			this.store.appendStatement({ id: statementId, roomId: room.id, position: 0, text: statementWording(v), translations: {}, sourceVerbatimId: v.id });
			this.store.updateVerbatims([{ ...v, roomId: room.id, statementId }]);
		});
		this.changes.emit({ kind: 'verbatimsChanged', eventId: event.id, roomIds: [room.id] });
		return { statementId };
	}

	private list(event: EventRecord): VerbatimRecord[] {
		return this.store.listVerbatims(event.id);
	}

	/** A verbatim the team acts on: known, and not merged into another. */
	private root(event: EventRecord, id: string): VerbatimRecord {
		const all = this.list(event);
		const v = all.find((x) => x.id === id);
		if (!v) throw new PalabreError(400, 'unknownVerbatim');
		if (rootOf(all, id)?.id !== id) throw new PalabreError(409, 'verbatimMerged');
		return v;
	}
}
