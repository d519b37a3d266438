import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WriteupIndex, watchChanges, type Writer } from '../../server/realtime/writeupRules';
import { addComment, addItem, deleteItem, itemText, moveItem, react, readItem, removeItem, restoreItem, setStar, type WriteupStage } from '../../src/lib/writeup';

/** The server's side: a shadow doc, its index, and each update judged as the endpoint does. */
function shadow() {
	const index = new WriteupIndex();
	const s = {
		doc: new Y.Doc(),
		/** Applies a client's update; returns the refusal, or null (then the index moves on). */
		receive(update: Uint8Array, writer: Writer | null) {
			const before = Y.encodeStateAsUpdate(s.doc);
			const stop = watchChanges(s.doc);
			Y.applyUpdate(s.doc, update);
			const touched = stop();
			const refusal = index.refusal(s.doc, touched, writer);
			if (refusal) {
				// As the endpoint does: the shadow starts again from the state before.
				s.doc = new Y.Doc();
				Y.applyUpdate(s.doc, before);
				return refusal;
			}
			index.advance(s.doc, touched);
			return null;
		}
	};
	index.rebuild(s.doc);
	return s;
}

/** A member's replica: what they do locally, sent as one update from the shadow's state. */
function change(server: ReturnType<typeof shadow>, fn: (doc: Y.Doc) => void): Uint8Array {
	const mine = new Y.Doc();
	Y.applyUpdate(mine, Y.encodeStateAsUpdate(server.doc));
	const sv = Y.encodeStateVector(mine);
	fn(mine);
	return Y.encodeStateAsUpdate(mine, sv);
}

const pen = (id: string, ...stages: WriteupStage[]): Writer => ({ participantId: id, pens: new Set(stages) });

describe('write-up roles', () => {
	it('take « à préciser » with its reason from its author only, even once the shadow was rebuilt', () => {
		const s = shadow();
		expect(s.receive(change(s, (d) => addItem(d, 1, { id: 'a', createdAt: 1, text: 'Constat' })), pen('p1', 1))).toBeNull();
		expect(s.receive(change(s, (d) => react(d, 'a', 'p2', { clarify: 'other', text: 'Qui est « on » ?' })), pen('p2'))).toBeNull();
		expect(s.receive(change(s, (d) => react(d, 'a', 'p2', { clarify: 'disagree' })), pen('p3'))?.reason).toBe('reactions.a.p2: seulement ses propres réactions');
		// A refused update rebuilt the shadow: others' reasons are new objects, still the same reactions.
		expect(s.receive(change(s, (d) => react(d, 'a', 'p3', 'agree')), pen('p3'))).toBeNull();
		// An item removed for the undo, then put back with everyone's reactions by its pen holder.
		let removed: ReturnType<typeof removeItem>;
		expect(s.receive(change(s, (d) => (removed = removeItem(d, 'a'))), pen('p1', 1))).toBeNull();
		expect(s.receive(change(s, (d) => removed && restoreItem(d, removed)), pen('p1', 1))).toBeNull();
		expect(readItem(s.doc, 'a')).toMatchObject({ text: 'Constat', agree: 1, clarify: 1, reasons: [{ clarify: 'other', text: 'Qui est « on » ?' }] });
	});

	it('let the pen holder write their stage and members only their own reactions', () => {
		const s = shadow();
		expect(s.receive(change(s, (d) => addItem(d, 1, { id: 'a', createdAt: 1, text: 'Constat' })), pen('p1', 1))).toBeNull();
		expect(s.receive(change(s, (d) => addItem(d, 2, { id: 'b', createdAt: 1, text: 'Idéal' })), pen('p1', 1))?.code).toBe(4401);
		expect(s.receive(change(s, (d) => itemText(d, 'a')?.insert(0, 'x')), pen('p2'))?.code).toBe(4401);
		// Formatting or an embed in a text: no page writes or reads them.
		expect(s.receive(change(s, (d) => itemText(d, 'a')?.format(0, 3, { bold: true })), pen('p1', 1))).toEqual({ code: 4400, reason: 'items.a.text: attendu du texte seul' });
		expect(s.receive(change(s, (d) => itemText(d, 'a')?.insertEmbed(0, { image: 'x' })), pen('p1', 1))?.code).toBe(4400);
		expect(s.receive(change(s, (d) => react(d, 'a', 'p2', 'agree')), pen('p2'))).toBeNull();
		expect(s.receive(change(s, (d) => react(d, 'a', 'p3', 'agree')), pen('p2'))?.reason).toBe('reactions.a.p3: seulement ses propres réactions');
		expect(s.receive(change(s, (d) => addComment(d, 'a', { text: 'x', at: 1, from: 'facilitator' })), pen('p1', 1))?.code).toBe(4401);
		expect(s.receive(change(s, (d) => addComment(d, 'a', { text: 'x', at: 1, from: 'facilitator' })), null)).toBeNull();
		// A stage moved by the holder of one pen only.
		expect(s.receive(change(s, (d) => d.getMap<Y.Map<unknown>>('items').get('a')?.set('stage', 2)), pen('p1', 1))?.code).toBe(4401);
		expect(s.receive(change(s, (d) => deleteItem(d, 'a')), pen('p1', 1))).toBeNull();
		expect(s.doc.getMap('reactions').size).toBe(0);
	});

	it('never refuse what members may do, in any order and with concurrent replicas (property)', () => {
		const members = ['m1', 'm2', 'm3'];
		const op = fc.record({
			who: fc.nat(2),
			kind: fc.constantFrom('add', 'type', 'move', 'delete', 'react', 'star'),
			stage: fc.constantFrom<WriteupStage>(1, 2, 3),
			pick: fc.nat(10),
			reaction: fc.constantFrom('agree' as const, 'clarify' as const, null),
			stale: fc.boolean()
		});
		fc.assert(
			fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
				const s = shadow();
				// Each member holds the pen of one stage.
				const writers = members.map((id, i) => pen(id, (i + 1) as WriteupStage));
				let previous = Y.encodeStateAsUpdate(s.doc);
				for (const [n, o] of ops.entries()) {
					const w = writers[o.who] as Writer;
					const [held] = [...w.pens] as [WriteupStage];
					// A replica possibly one update behind: its change is concurrent with the last one.
					const replica = new Y.Doc();
					Y.applyUpdate(replica, o.stale ? previous : Y.encodeStateAsUpdate(s.doc));
					const sv = Y.encodeStateVector(replica);
					const ids = [...replica.getMap<Y.Map<unknown>>('items').entries()];
					const [id, item] = ids[o.pick % Math.max(ids.length, 1)] ?? [];
					const mineToEdit = id !== undefined && item?.get('stage') === held;
					if (o.kind === 'add') addItem(replica, held, { id: `i${n}`, createdAt: n, text: 'x' });
					else if (o.kind === 'type' && mineToEdit) itemText(replica, id)?.insert(0, 'y');
					else if (o.kind === 'move' && mineToEdit) moveItem(replica, id, 1);
					else if (o.kind === 'delete' && mineToEdit) deleteItem(replica, id);
					else if (o.kind === 'react' && id) react(replica, id, w.participantId, o.reaction);
					else if (o.kind === 'star' && id) setStar(replica, id, w.participantId, o.reaction !== null);
					previous = Y.encodeStateAsUpdate(s.doc);
					expect(s.receive(Y.encodeStateAsUpdate(replica, sv), w)).toBeNull();
				}
			}),
			{ numRuns: 80 }
		);
	}, 30_000);
});
