import { describe, expect, it } from 'vitest';
import type { BoardItem, Source } from '../../src/lib/domain/board';
import { actesBlocks, type ActesBlock } from '../../src/lib/domain/actes/layout';
import { buildActes, cleanText, type ActesInput, type ActesInputGroup, type ActesInputItem, type ActesInputRoom, type ActesModel } from '../../src/lib/domain/actes/model';
import type { Category } from '../../src/lib/domain/categories';
import type { GroupEvaluation } from '../../src/lib/domain/evaluation';
import { LABEL_GLOSSARY, compositionLabel } from '../../src/lib/domain/labels';
import { speakingShares, type MeasuredGroup, type SpeakingShares } from '../../src/lib/domain/speaking';

/** As the server reads it: with `via`, which the actes must not use. */
type Item = ActesInputItem & { via: string | null };
type Group = Omit<ActesInputGroup, 'statementId'>;

const item = (text: string, over: Partial<Item> = {}): Item => ({ text, who: '', when: '', via: null, agree: 2, clarify: 0, comments: [], starred: false, ...over });

const silent: SpeakingShares = speakingShares([]);

function group(number: number, categories: Category[][], stages: [Item[], Item[], Item[]], over: Partial<Group> = {}): Group {
	const members = categories.map((c) => ({ categories: c }));
	return {
		number,
		members,
		label: compositionLabel(members),
		writeup: { stages: stages.map((items) => ({ items })) },
		...over
	};
}

function room(title: string, statements: { id: string; text: string; groups: Group[] }[], evaluations: GroupEvaluation[] = [], speaking = silent): ActesInputRoom {
	return {
		id: title,
		title,
		statements: statements.map(({ id, text }) => ({ id, text })),
		groups: statements.flatMap((s) => s.groups.map((g) => ({ ...g, statementId: s.id }))),
		evaluations,
		speaking
	};
}

const source = (statementId: string, groupNumber: number, stage: 2 | 3, text: string): Source => ({ id: `group.x/${text}`, statementId, groupNumber, groupId: 'x', stage, itemId: text, text, at: 0 });

function boardItem(id: string, over: Partial<BoardItem> = {}): BoardItem {
	return {
		id,
		text: `Préconisation ${id}`,
		originalText: `Préconisation ${id}`,
		heading: '',
		levels: [],
		status: 'ok',
		support: [],
		sources: [],
		createdAt: 0,
		order: 0,
		...over
	};
}

function event(rooms: ActesInputRoom[], items: BoardItem[] = [], headings: string[] = []): ActesInput {
	return {
		title: 'Rencontres de Chambéry',
		date: '2017-09-22',
		endDate: '2017-09-22',
		place: 'Chambéry',
		settings: {
			stageQuestions: ['Quel est le problème ?', 'Quel serait l’idéal ?', 'Que peut-on faire ?'],
			stageNames: ['Le problème', 'Baguette magique', 'Concrètement'],
			stageMinutes: [30, 25, 35],
			maxGroupSize: 6
		},
		people: rooms.flatMap((r) => r.groups.flatMap((g) => g.members.map((m) => ({ categories: m.categories, roomId: r.id })))),
		board: { headings, items },
		rooms
	};
}

const RES: Category[] = ['habitant'];
const DOC: Category[] = ['medecin'];
const NURSE: Category[] = ['infirmier'];

/** Two themes; statement s1 worked by two groups, s2 by one, s3 by none. */
function sample(): ActesInput {
	const g1 = group(1, [RES, DOC, NURSE], [
		[item('Constat A1', { starred: true }), item('Constat A2')],
		[item('Idéal A', { starred: true })],
		[item('Action A', { who: 'la mairie', when: 'en 2018', starred: true })]
	]);
	const g2 = group(2, [DOC, DOC, ['travailleur-social']], [
		[item('Constat B1', { starred: true }), item('Flou B', { agree: 1, clarify: 3, comments: [{ text: 'Que veut dire « ça » ?' }] })],
		[item('Idéal B', { agree: 0, clarify: 2 })],
		[item('Action B', { who: '', when: '' })]
	]);
	const g3 = group(1, [['patient'], ['mediation']], [[item('Constat C', { agree: 1, clarify: 1, starred: true })], [], [item('   ')]]);
	return event(
		[
			room('Quelle place pour les usagers ?', [
				{ id: 's1', text: 'La parole collective existe', groups: [g2, g1] },
				{ id: 's2', text: 'C’est dur de mobiliser', groups: [g3] }
			]),
			room('Quel impact sur les pratiques ?', [{ id: 's3', text: 'L’expérience vécue vaut plus', groups: [] }])
		],
		[
			boardItem('p1', { heading: 'Gouvernance', levels: ['equipes'], sources: [source('s1', 2, 3, 'Action B')] }),
			boardItem('p2', {
				heading: 'Gouvernance',
				levels: ['equipes', 'institutions'],
				text: 'Financer sur le long terme',
				originalText: 'Des subventions longues',
				support: ['a', 'b', 'c', 'd'],
				sources: [
					source('s1', 1, 2, 'Idéal A'),
					source('s2', 1, 3, 'Des subventions longues')
				]
			}),
			boardItem('p3', { heading: 'Formation', levels: ['institutions'] }),
			boardItem('p4'),
			boardItem('p5', { status: 'a-clarifier', reason: 'Trop vague', levels: ['institutions'], sources: [source('s2', 1, 2, 'Flou')] })
		],
		['Formation', 'Gouvernance']
	);
}

const statement = (model: ActesModel, id: string) => {
	const found = model.themes.flatMap((t) => t.statements).find((s) => s.id === id);
	if (!found) throw new Error(`no statement ${id}`);
	return found;
};
const headingsOf = (blocks: ActesBlock[]) => blocks.flatMap((b) => (b.kind === 'heading' ? [`${b.level} ${b.text}`] : []));
const allText = (blocks: ActesBlock[]) => JSON.stringify(blocks);

describe('the actes model', () => {
	it('follows the structure of the actes: title page, method, summary, statements, préconisations, participation, annex', () => {
		const model = buildActes(sample(), { lang: 'fr' });
		expect(model.date).toBe('22 septembre 2017');
		expect(model.stages).toEqual([
			{ name: 'Le problème', question: 'Quel est le problème ?', minutes: 30 },
			{ name: 'Baguette magique', question: 'Quel serait l’idéal ?', minutes: 25 },
			{ name: 'Concrètement', question: 'Que peut-on faire ?', minutes: 35 }
		]);
		expect(model.themes.map((t) => [t.letter, t.title, t.statements.length])).toEqual([
			['a', 'Quelle place pour les usagers ?', 2],
			['b', 'Quel impact sur les pratiques ?', 1]
		]);
		expect(model.legend).toEqual(LABEL_GLOSSARY.fr);

		const blocks = actesBlocks(model);
		expect(blocks[0]).toEqual({ kind: 'title', title: 'Rencontres de Chambéry', lines: ['Actes du Gros Débat', '22 septembre 2017', 'Chambéry'] });
		expect(headingsOf(blocks).filter((h) => h.startsWith('1 '))).toEqual([
			'1 1. La méthode',
			'1 2. Tableau de synthèse',
			'1 3. Ce qu’en disent les participant·e·s',
			'1 4. Préconisations',
			'1 5. La participation',
			'1 Annexe : éléments à clarifier'
		]);
		const text = allText(blocks);
		expect(text).toContain('sous-groupes de 6 personnes au plus');
		expect(text).toContain('1. Le problème (30 min)');
		expect(text).toContain('Que peut-on faire ?');
		// One page per statement, the statement in «\u00a0» as title, CONSTATS then «\u00a0IL FAUDRAIT\u00a0» split in two.
		const s1 = headingsOf(blocks).slice(headingsOf(blocks).indexOf('3 «\u00a0La parole collective existe\u00a0»'));
		expect(s1.slice(0, 5)).toEqual(['3 «\u00a0La parole collective existe\u00a0»', '4 CONSTATS', '4 «\u00a0IL FAUDRAIT\u00a0»', '5 Dans l’idéal', '5 Concrètement']);
		expect(blocks.find((b) => b.kind === 'heading' && b.text === '«\u00a0C’est dur de mobiliser\u00a0»')).toMatchObject({ newPage: true });
		expect(text).toContain('Énoncé non travaillé');
	});

	it('gives the summary table a row per statement, with « Groupe 1 : … / Groupe 2 : … » when several groups', () => {
		const model = buildActes(sample(), { lang: 'fr' });
		const tables = actesBlocks(model).filter((b): b is Extract<ActesBlock, { kind: 'table' }> => b.kind === 'table');
		expect(tables[0]).toEqual({
			kind: 'table',
			header: ['Énoncé', 'Composition du groupe'],
			rows: [
				['«\u00a0La parole collective existe\u00a0»', 'Groupe 1\u00a0: Mixte\u00a0: pluriprofessionnel, habitant·e / Groupe 2\u00a0: Intersectoriel'],
				['«\u00a0C’est dur de mobiliser\u00a0»', 'Mixte\u00a0: médiateur·rice, patient·e partenaire']
			]
		});
		expect(tables[1]?.rows).toEqual([['«\u00a0L’expérience vécue vaut plus\u00a0»', 'Énoncé non travaillé']]);
	});

	it('merges the groups of one statement, group by group, each item marked with its group', () => {
		const model = buildActes(sample(), { lang: 'fr' });
		const s1 = statement(model, 's1');
		expect(s1.groups.map((g) => g.number)).toEqual([1, 2]);
		expect(s1.constats.map((i) => [i.text, i.group])).toEqual([
			['Constat A1', 1],
			['Constat A2', 1],
			['Constat B1', 2]
		]);
		expect(s1.ideal.map((i) => i.text)).toEqual(['Idéal A']);
		expect(s1.concretement).toEqual([
			{ text: 'Action A', group: 1, who: 'la mairie', when: 'en 2018' },
			{ text: 'Action B', group: 2, who: null, when: null }
		]);
		const text = allText(actesBlocks(model));
		expect(text).toContain('Constat A1 (G1)');
		expect(text).toContain('Action A (G1) — qui\u00a0? la mairie ; quand\u00a0? en 2018');
		// A lone group needs no mark; empty items are dropped.
		const s2 = statement(model, 's2');
		expect(s2.constats).toEqual([{ text: 'Constat C', group: null, who: null, when: null }]);
		expect(s2.concretement).toEqual([]);
		expect(text).toContain('"Constat C"');
	});

	it('takes one to three pull-quotes from starred items, one group after the other, unattributed', () => {
		const model = buildActes(sample(), { lang: 'fr' });
		expect(statement(model, 's1').quotes).toEqual(['Constat A1', 'Constat B1', 'Idéal A']);
		expect(statement(model, 's2').quotes).toEqual(['Constat C']);
		const quotes = actesBlocks(model).filter((b) => b.kind === 'quote');
		expect(quotes).toContainEqual({ kind: 'quote', text: '«\u00a0Constat A1\u00a0»' });
		expect(quotes).toHaveLength(4);
	});

	it('leaves « à clarifier » items (at least two « à préciser », more than « d’accord ») out of the body and lists them in the annex with a reason and a count', () => {
		const model = buildActes(sample(), { lang: 'fr' });
		const s1 = statement(model, 's1');
		expect(s1.clarify).toBe(2);
		expect([...s1.constats, ...s1.ideal].map((i) => i.text)).not.toContain('Flou B');
		expect(model.annex.outOf).toBe(9);
		expect(model.annex.items).toEqual([
			{ statementId: 's1', statement: 'La parole collective existe', group: 2, stage: 1, text: 'Flou B', reason: 'Que veut dire « ça » ?' },
			{ statementId: 's1', statement: 'La parole collective existe', group: 2, stage: 2, text: 'Idéal B', reason: '«\u00a0à préciser\u00a0» demandé par 2 membres' }
		]);
		const blocks = actesBlocks(model);
		const annex = blocks.slice(blocks.findIndex((b) => b.kind === 'heading' && b.text.startsWith('Annexe')));
		expect(annex[1]).toEqual({
			kind: 'paragraph',
			text: '2 éléments sur 9 (22\u00a0%) ont été marqués «\u00a0à préciser\u00a0» par au moins deux membres, et plus que «\u00a0d’accord\u00a0». Ils ne figurent pas dans le corps des actes ; les voici avec la raison donnée.'
		});
		expect(annex).toContainEqual({
			kind: 'list',
			items: [
				{ lead: 'Groupe 2, Le problème\u00a0:', text: ' Flou B', sub: ['À clarifier : Que veut dire « ça » ?'] },
				{ lead: 'Groupe 2, Baguette magique\u00a0:', text: ' Idéal B', sub: ['À clarifier : «\u00a0à préciser\u00a0» demandé par 2 membres'] }
			]
		});
		const body = blocks.slice(0, blocks.length - annex.length);
		expect(allText(body)).not.toContain('Flou B');
		expect(allText(body)).toContain('2 éléments à clarifier : voir l’annexe.');
	});

	it('files préconisations by heading then level, an item for both levels under both, with its sources; « à clarifier » ones apart', () => {
		const model = buildActes(sample(), { lang: 'fr' });
		const p = model.preconisations;
		expect(p.total).toBe(5);
		expect(p.headings.map((h) => [h.title, h.byLevel.map((l) => [l.level, l.items.map((i) => i.text)])])).toEqual([
			['Formation', [['institutions', ['Préconisation p3']]]],
			[
				'Gouvernance',
				[
					['equipes', ['Préconisation p1', 'Financer sur le long terme']],
					['institutions', ['Financer sur le long terme']]
				]
			],
			['', [[null, ['Préconisation p4']]]]
		]);
		const both = p.headings[1]?.byLevel[0]?.items[1];
		expect(both).toMatchObject({ originalText: 'Des subventions longues', support: 4, reason: null });
		expect(both?.sources).toEqual([
			{ statement: 'La parole collective existe', group: 1, stage: 2, text: 'Idéal A' },
			{ statement: 'C’est dur de mobiliser', group: 1, stage: 3, text: 'Des subventions longues' }
		]);
		expect(p.toClarify).toEqual([
			{
				text: 'Préconisation p5',
				originalText: null,
				levels: ['institutions'],
				support: 0,
				sources: [{ statement: 'C’est dur de mobiliser', group: 1, stage: 2, text: 'Flou' }],
				reason: 'Trop vague'
			}
		]);
		const blocks = actesBlocks(model);
		expect(headingsOf(blocks)).toEqual(
			expect.arrayContaining(['2 Formation', '3 Pour les institutions publiques', '2 Gouvernance', '3 Pour les équipes de soins primaires', '2 Sans rubrique', '3 Niveau non précisé', '2 Préconisations à clarifier'])
		);
		expect(blocks).toContainEqual({
			kind: 'list',
			items: [
				{ text: 'Préconisation p1', sub: ['Source : «\u00a0La parole collective existe\u00a0», groupe 2, étape 3 — «\u00a0Action B\u00a0»'] },
				{
					text: 'Financer sur le long terme (aussi pour les institutions publiques)',
					sub: [
						'Texte d’origine : «\u00a0Des subventions longues\u00a0»',
						'Soutenue par 4 personnes',
						'Source : «\u00a0La parole collective existe\u00a0», groupe 1, étape 2 — «\u00a0Idéal A\u00a0»',
						'Source : «\u00a0C’est dur de mobiliser\u00a0», groupe 1, étape 3 — «\u00a0Des subventions longues\u00a0»'
					]
				}
			]
		});
		expect(blocks).toContainEqual({
			kind: 'list',
			items: [
				{
					text: 'Préconisation p5 (pour les institutions publiques)',
					sub: ['À clarifier : Trop vague', 'Source : «\u00a0C’est dur de mobiliser\u00a0», groupe 1, étape 2 — «\u00a0Flou\u00a0»']
				}
			]
		});
	});

	it('says for each statement whether residents, users or patients took part', () => {
		const model = buildActes(sample(), { lang: 'fr' });
		expect(statement(model, 's1').groups.map((g) => [g.number, g.hasResident])).toEqual([
			[1, true],
			[2, false]
		]);
		expect(statement(model, 's2').groups.map((g) => g.hasResident)).toEqual([true]);
		const blocks = actesBlocks(model);
		expect(blocks).toContainEqual({ kind: 'paragraph', text: '1 groupe sur 3 sans habitant·e, usager·e ni patient·e déclaré·e.' });
		const table = blocks.find((b) => b.kind === 'table' && b.header[0] === 'Thème');
		expect(table).toEqual({
			kind: 'table',
			header: ['Thème', 'Énoncé', 'Habitant·e·s, usager·e·s ou patient·e·s'],
			rows: [
				['a', '«\u00a0La parole collective existe\u00a0»', 'Groupe 1\u00a0: oui / Groupe 2\u00a0: non'],
				['a', '«\u00a0C’est dur de mobiliser\u00a0»', 'oui'],
				['b', '«\u00a0L’expérience vécue vaut plus\u00a0»', 'Énoncé non travaillé']
			]
		});
	});

	it('counts participants by category and by room', () => {
		const model = buildActes(sample(), { lang: 'fr' });
		const table = actesBlocks(model).find((b) => b.kind === 'table' && b.header[0] === 'Catégorie');
		expect(table).toMatchObject({
			header: ['Catégorie', 'Quelle place pour les usagers ?', 'Quel impact sur les pratiques ?', 'Total'],
			rows: [
				['Habitant·e / usager·e', '1', '0', '1'],
				['Patient·e partenaire', '1', '0', '1'],
				['Professionnel·le de santé', '4', '0', '4'],
				['Professionnel·le du social', '1', '0', '1'],
				['Médiateur·rice', '1', '0', '1'],
				['Personnes', '8', '0', '8']
			]
		});
	});

	it('prints the room’s shares as computed once, « non publié » where a family would give one person away', () => {
		/** A group's members (ids made up) with their seconds. */
		const measured = (people: [Category[], number][]): MeasuredGroup => ({
			members: people.map(([categories], k) => ({ id: `${k}-${categories.join()}`, categories })),
			totals: Object.fromEntries(people.map(([categories, s], k) => [`${k}-${categories.join()}`, s * 1000]))
		});
		const shares = speakingShares([
			measured([[RES, 10], [RES, 10], [DOC, 20], [DOC, 20]]),
			measured([[RES, 30], [DOC, 20], [['recherche'], 10]]),
			measured([[DOC, 0], [DOC, 0]])
		]);
		const model = buildActes(event([room('Salle', [{ id: 'a', text: 'A', groups: [] }], [], shares)]), { lang: 'fr' });
		expect(model.rooms[0]?.speaking).toEqual(shares);
		// The silent group is left out: 7 members, not 9. The lone researcher is withheld, and so is
		// the smallest other family, or the researcher's time would be what is left.
		expect(shares.rows.map((r) => [r.family, r.people, r.timeShare])).toEqual([
			['habitant', 3, null],
			['sante', 3, 0.5],
			['recherche', 1, null]
		]);
		const table = actesBlocks(model).find((b) => b.kind === 'table' && b.header[1] === 'Part des membres');
		expect(table).toMatchObject({
			rows: [
				['Habitant·e / usager·e', '43\u00a0%', 'non publié'],
				['Professionnel·le de santé', '43\u00a0%', '50\u00a0%'],
				['Chercheur·e', '14\u00a0%', 'non publié']
			]
		});
		expect(allText(actesBlocks(model))).toContain('Temps de parole relevé : 2 min ; équilibre moyen de la parole dans les groupes : ');
	});

	it('says speaking time was not recorded where no group measured it', () => {
		const model = buildActes(event([room('Salle', [{ id: 'a', text: 'A', groups: [group(1, [DOC, DOC], [[], [], []])] }])]), { lang: 'fr' });
		expect(model.rooms[0]?.speaking).toBeNull();
		expect(allText(actesBlocks(model))).toContain('Temps de parole non relevé.');
	});

	it('reports the groups’ evaluation per room', () => {
		const evaluations: GroupEvaluation[] = [
			{ everyoneSpoke: 4, feltHeard: 3, worked: 'Le mélange des profils', didNotWork: '' },
			{ everyoneSpoke: 2, feltHeard: 3, worked: '', didNotWork: 'Trop de bruit' }
		];
		const model = buildActes(event([room('Salle', [{ id: 'a', text: 'A', groups: [] }], evaluations)]), { lang: 'fr' });
		const blocks = actesBlocks(model);
		expect(blocks).toContainEqual({
			kind: 'table',
			header: ['Question', 'Moyenne', '1 — pas du tout', '2 — un peu', '3 — plutôt oui', '4 — tout à fait'],
			rows: [
				['Tout le monde a-t-il pu parler ?', '3', '0', '1', '0', '1'],
				['Vous êtes-vous senti·e·s écouté·e·s ?', '3', '0', '0', '2', '0']
			]
		});
		expect(blocks).toContainEqual({ kind: 'list', items: [{ text: 'Le mélange des profils' }] });
		expect(blocks).toContainEqual({ kind: 'list', items: [{ text: 'Trop de bruit' }] });
	});

	it('counts « je préfère ne pas répondre » in its own column, out of the mean', () => {
		const evaluations: GroupEvaluation[] = [
			{ everyoneSpoke: 'declined', feltHeard: 3, worked: '', didNotWork: '' },
			{ everyoneSpoke: 2, feltHeard: null, worked: '', didNotWork: '' }
		];
		const model = buildActes(event([room('Salle', [{ id: 'a', text: 'A', groups: [] }], evaluations)]), { lang: 'fr' });
		expect(actesBlocks(model)).toContainEqual({
			kind: 'table',
			header: ['Question', 'Moyenne', '1 — pas du tout', '2 — un peu', '3 — plutôt oui', '4 — tout à fait', 'Je préfère ne pas répondre'],
			rows: [
				['Tout le monde a-t-il pu parler ?', '2', '0', '1', '0', '0', '1'],
				['Vous êtes-vous senti·e·s écouté·e·s ?', '3', '0', '0', '1', '0', '0']
			]
		});
	});

	it('carries no names by default: not who typed for whom, no list of participants', () => {
		const doc = sample();
		const first = doc.rooms[0]?.groups[0]?.writeup.stages[0]?.items[0] as Item | undefined;
		if (first) first.via = 'Fatou Diallo';
		const model = buildActes(doc, { lang: 'fr' });
		expect(model.participantNames).toBeNull();
		expect(JSON.stringify(model)).not.toContain('Fatou');
		expect(allText(actesBlocks(model))).not.toContain('Liste des participant·e·s');
	});

	it('lists the consenting participants only when the organiser gives them', () => {
		const model = buildActes(sample(), { lang: 'fr', participantNames: ['Fatou Diallo', ' ', 'Jean Martin'] });
		expect(model.participantNames).toEqual(['Fatou Diallo', 'Jean Martin']);
		const blocks = actesBlocks(model);
		const at = blocks.findIndex((b) => b.kind === 'heading' && b.text === 'Liste des participant·e·s (avec leur accord)');
		expect(at).toBeGreaterThan(0);
		expect(blocks[at + 1]).toEqual({ kind: 'list', items: [{ text: 'Fatou Diallo' }, { text: 'Jean Martin' }] });
	});

	it('writes both days of a two-day event on the title page', () => {
		const twoDays = { ...sample(), date: '2017-11-16', endDate: '2017-11-17' };
		expect(actesBlocks(buildActes(twoDays, { lang: 'fr' }))[0]).toMatchObject({ lines: ['Actes du Gros Débat', '16 et 17 novembre 2017', 'Chambéry'] });
		expect(actesBlocks(buildActes(twoDays, { lang: 'en' }))[0]).toMatchObject({ lines: ['Proceedings of the Gros Débat', '16–17 November 2017', 'Chambéry'] });
	});

	it('speaks English for an English event', () => {
		const model = buildActes(sample(), { lang: 'en' });
		expect(model.date).toBe('22 September 2017');
		expect(model.legend).toEqual(LABEL_GLOSSARY.en);
		const blocks = actesBlocks(model);
		expect(blocks[0]).toMatchObject({ lines: ['Proceedings of the Gros Débat', '22 September 2017', 'Chambéry'] });
		expect(headingsOf(blocks)).toEqual(
			expect.arrayContaining([
				'1 1. Method',
				'1 2. Summary table',
				'1 3. What the participants say',
				'3 “La parole collective existe”',
				'4 FINDINGS',
				'4 “WHAT IS NEEDED”',
				'5 Ideally',
				'5 In practice',
				'1 4. Recommendations',
				'3 For primary-care teams',
				'1 5. Participation',
				'1 Annex: items to clarify'
			])
		);
		const text = allText(blocks);
		expect(text).toContain('Group 1: ');
		expect(text).toContain('Action A (G1) — who? la mairie; when? en 2018');
		expect(text).toContain('Resident / service user');
		expect(text).toContain('“to clarify” requested by 2 members');
		expect(text).not.toMatch(/Groupe|Constats|Préconisations|Énoncé/);
	});

	it('cleans what was typed: control characters out, line breaks kept', () => {
		expect(cleanText('  un\r\ndeux\u0000\u0007\t trois \n\n quatre\u2028cinq ')).toBe('un\ndeux  trois\nquatre\ncinq');
		expect(cleanText('\uD800seul')).toBe('\uFFFDseul');
	});

	it('says how many verbatims were noted and became statements, and where each statement made of one comes from', () => {
		const input = event([room('Salle', [{ id: 's1', text: 'Ça va ?', groups: [] }, { id: 's2', text: 'On décide', groups: [] }, { id: 's3', text: 'Tel quel', groups: [] }])]);
		const [salle] = input.rooms as [ActesInputRoom];
		const withSources: ActesInput = {
			...input,
			verbatims: { collected: 12, statements: 3 },
			rooms: [
				{
					...salle,
					statements: [
						{ id: 's1', text: 'Ça va ?', source: { workshop: 'Atelier A', text: 'Ca va ?' } },
						{ id: 's2', text: 'On décide', source: { workshop: null, text: 'On décide' } },
						{ id: 's3', text: 'Tel quel' }
					]
				}
			]
		};
		const model = buildActes(withSources, { lang: 'fr' });
		expect(model.verbatims).toEqual({ collected: 12, statements: 3 });
		expect(model.themes[0]!.statements.map((st) => st.source)).toEqual([{ workshop: 'Atelier A', original: 'Ca va ?' }, { workshop: null, original: null }, null]);
		const text = allText(actesBlocks(model));
		expect(text).toContain('les animateur·rice·s ont noté 12 verbatims');
		expect(text).toContain('L’équipe d’organisation en a tiré 3 énoncés.');
		expect(text).toContain('Issu d’un verbatim de l’atelier « Atelier A » ; verbatim d’origine : «\u00a0Ca va ?\u00a0»');
		expect(text).toContain('Issu d’un verbatim de la veille');
		expect(allText(actesBlocks(buildActes(withSources, { lang: 'en' })))).toContain('facilitators noted 12 verbatims');
		// No verbatim noted: the method says nothing of them.
		expect(buildActes(input, { lang: 'fr' }).verbatims).toBeNull();
		expect(allText(actesBlocks(buildActes(input, { lang: 'fr' })))).not.toContain('verbatim');
	});
});
