/**
 * The import's check (server/archiveCheck.ts), without a server: whatever an archive holds in any
 * place, it is either accepted or refused with an ArchiveError naming a field, never anything else
 * (which the API would answer with a 500).
 */
import fc from 'fast-check';
import * as Y from 'yjs';
import { expect, it } from 'vitest';
import { ArchiveError, prepareImport } from '../../server/archiveCheck';
import { addItem, react } from '../../src/lib/writeup';

function writeup(): string {
	const doc = new Y.Doc();
	addItem(doc, 2, { id: 'item1', createdAt: 1, text: 'Une idée' });
	react(doc, 'item1', 'p1', 'agree');
	return Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
}

const valid = {
	format: 'palabre-archive',
	version: 1,
	event: {
		id: 'e1',
		title: 'Titre',
		date: '2026-12-02',
		place: null,
		language: 'fr',
		createdAt: 1,
		settings: { stageQuestions: ['a', 'b', 'c'], stageNames: ['A', 'B', 'C'], stageMinutes: [30, 30, 30], maxGroupSize: 6, writingWarningMinutes: 5 }
	},
	rooms: [
		{
			id: 'r1',
			title: 'Salle',
			phase: 'groups',
			presenting: 0,
			stages: { room: { index: 2, status: 'running', endsAt: 10 }, overrides: { g1: { index: 3, status: 'paused', remainingMs: 5 } } },
			statements: [{ id: 's1', text: 'Énoncé', translations: { en: 'Statement' }, sourceVerbatimId: 'v1', translationToReview: true }],
			statementEdits: [{ statementId: 's1', at: 3, by: 'organiser', before: 'Enonce', after: 'Énoncé' }]
		}
	],
	participants: [{ id: 'p1', displayName: 'Nadia', categories: ['habitant'], roomId: 'r1', groupId: 'g1', addedByFacilitator: false, createdAt: 1, wishes: ['r1'] }],
	groups: [
		{
			id: 'g1',
			roomId: 'r1',
			statementId: 's1',
			number: 1,
			label: null,
			createdAt: 1,
			evaluation: { everyoneSpoke: 4, feltHeard: null, worked: '', didNotWork: '' },
			rapporteurs: [{ stage: 2, participantId: 'p1' }],
			taps: [{ id: 't1', stage: 2, tap: { kind: 'speak', participantId: 'p1', at: 5 } }],
			writeup: writeup()
		}
	],
	board: {
		items: [
			{
				id: 'b1',
				text: 'Une idée',
				originalText: 'Une idée',
				heading: '',
				levels: [],
				status: 'ok',
				sources: [{ id: 'group.g1/item1', statementId: 's1', groupNumber: 1, groupId: 'g1', stage: 2, itemId: 'item1', text: 'Une idée', at: 3 }],
				support: ['p1'],
				createdAt: 3,
				order: 0
			}
		],
		headings: [],
		mergedInto: {}
	},
	workshops: [{ id: 'w1', title: 'Atelier' }],
	verbatims: [
		{ id: 'v1', workshopId: 'w1', roomId: 'r1', text: 'Ca va ?', lively: true, category: 'habitant', at: 1, receivedAt: 2, starred: true, reworded: 'Énoncé', mergedInto: null, statementId: 's1' },
		{ id: 'v2', workshopId: null, roomId: null, text: 'Ça va.', lively: false, category: null, at: 1, receivedAt: 2, starred: false, reworded: null, mergedInto: 'v1', statementId: null }
	]
};
const bytes = (archive: unknown) => new TextEncoder().encode(JSON.stringify(archive));

it('accepts a whole archive and renumbers every reference', () => {
	const plan = prepareImport(bytes(valid));
	const [group] = plan.groups;
	const [person] = plan.participants;
	expect(person?.groupId).toBe(group?.id);
	expect(Object.keys(plan.rooms[0]?.stages.overrides ?? {})).toEqual([group?.id]);
	expect(plan.board.items[0]?.sources[0]?.id).toBe(`group.${group?.id}/item1`);
	expect(plan.board.items[0]?.support).toEqual([person?.id]);
	expect(plan.taps[0]?.taps[0]?.tap).toMatchObject({ participantId: person?.id });
	// Verbatims: the workshop, the merge and the statement follow the new ids.
	const [v1, v2] = plan.verbatims;
	expect(v1).toMatchObject({ workshopId: plan.workshops[0]?.id, roomId: plan.rooms[0]?.id, statementId: plan.rooms[0]?.statements[0]?.id });
	expect(v2?.mergedInto).toBe(v1?.id);
	expect(plan.rooms[0]?.statements[0]?.sourceVerbatimId).toBe(v1?.id);
	// Statement edits and wishes too; the translation stays to be reviewed.
	expect(plan.statementEdits).toEqual([{ statementId: plan.rooms[0]?.statements[0]?.id, roomId: plan.rooms[0]?.id, at: 3, by: 'organiser', before: 'Enonce', after: 'Énoncé' }]);
	expect(person?.wishes).toEqual([plan.rooms[0]?.id]);
	expect(plan.rooms[0]?.statements[0]?.translationToReview).toBe(true);
	const doc = new Y.Doc();
	Y.applyUpdate(doc, plan.writeups[0]?.state as Uint8Array);
	expect([...doc.getMap<Y.Map<string>>('reactions').get('item1')!.keys()]).toEqual([person?.id]);
});

it('refuses verbatims whose references do not hold together, naming the field', () => {
	const broken = (change: (a: typeof valid) => void) => {
		const a = structuredClone(valid);
		change(a);
		return () => prepareImport(bytes(a));
	};
	expect(broken((a) => (a.verbatims[1]!.mergedInto = 'v2'))).toThrow(/verbatims\[1\]\.mergedInto/);
	expect(broken((a) => (a.verbatims[0]!.workshopId = 'w9'))).toThrow(/verbatims\[0\]\.workshopId: atelier inconnu/);
	expect(broken((a) => (a.verbatims[0]!.statementId = null))).toThrow(/rooms\[0\]\.statements\[0\]\.sourceVerbatimId/);
	expect(broken((a) => (a.verbatims[1]!.id = 's1'))).toThrow(/identifiant en double/);
});

it('refuses wishes and statement edits that point nowhere, naming the field', () => {
	const broken = (change: (a: typeof valid) => void) => {
		const a = structuredClone(valid);
		change(a);
		return () => prepareImport(bytes(a));
	};
	expect(broken((a) => (a.participants[0]!.wishes = ['r9']))).toThrow(/participants\[0\]\.wishes\[0\]: salle inconnue/);
	expect(broken((a) => (a.participants[0]!.wishes = ['r1', 'r1']))).toThrow(/participants\[0\]\.wishes\[1\]: salle en double/);
	expect(broken((a) => (a.rooms[0]!.statementEdits[0]!.statementId = 's9'))).toThrow(/rooms\[0\]\.statementEdits\[0\]\.statementId/);
});

/** Every place in a JSON value, as a path. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
	if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => paths(v, [...at, i]))];
	if (value && typeof value === 'object') return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
	return [at];
}
const places = paths(valid).filter((p) => p.length > 0);

it('refuses anything put anywhere with an ArchiveError, or accepts it, never fails otherwise (property)', () => {
	fc.assert(
		fc.property(fc.constantFrom(...places), fc.jsonValue(), (path, value) => {
			const archive = structuredClone(valid) as Record<string | number, unknown>;
			let parent = archive;
			for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
			parent[path[path.length - 1] as string | number] = value;
			try {
				prepareImport(bytes(archive));
			} catch (err) {
				expect(err).toBeInstanceOf(ArchiveError);
			}
		}),
		{ numRuns: 300 }
	);
});
