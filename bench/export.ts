/**
 * How long the actes take to export (docs/actes.md): `npx tsx bench/export.ts [--runs 5]`.
 * A synthetic event of 3 rooms, 24 statements, 40 groups and 1,000 write-up items (plus a board of
 * préconisations, speaking time and evaluations) is rendered in each format; each is timed `runs`
 * times after one warm-up run, and the median, min and max are printed with the output's size.
 * Never part of `npm test`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { renderActes, ACTES_FORMATS } from '../server/actes';
import { buildActes, type ActesInput, type ActesInputGroup, type ActesInputItem, type ActesInputRoom, type ActesModel } from '../src/lib/domain/actes/model';
import type { BoardItem } from '../src/lib/domain/board';
import type { Category } from '../src/lib/domain/categories';
import type { GroupEvaluation } from '../src/lib/domain/evaluation';
import { speakingShares, type MeasuredGroup } from '../src/lib/domain/speaking';

const GROUPS = 40;
const ITEMS = 1000;
const STATEMENTS = 24;
const ROOMS = 3;

const MEMBERS: Category[][] = [['habitant'], ['medecin'], ['infirmier'], ['mediation'], ['patient-expert'], ['travailleur-social'], ['coordinateur'], ['recherche']];
const SENTENCE = 'les habitant·e·s du quartier « ne sont pas assez écouté·e·s » quand il s’agit de décider des actions de santé, et l’on voudrait que ça change';

/** Invented speaking time of one group: one more minute and a third for each next member. */
function measured(groupId: string, members: readonly { categories: readonly Category[] }[]): MeasuredGroup {
	const people = members.map((m, k) => ({ id: `${groupId}.${k}`, categories: [...m.categories] }));
	return { members: people, totals: Object.fromEntries(people.map((p, k) => [p.id, 60_000 + k * 20_000])) };
}

/** Groups spread over statements (the first ones get two), items spread over groups and stages. */
function event(): ActesInput {
	const perGroup = ITEMS / GROUPS;
	const boardItems: BoardItem[] = [];
	let groupSeq = 0;
	const rooms = Array.from({ length: ROOMS }, (_, r): ActesInputRoom => {
		const evaluations: GroupEvaluation[] = [];
		const statements = Array.from({ length: STATEMENTS / ROOMS }, (_, s) => {
			const n = r * (STATEMENTS / ROOMS) + s + 1;
			const count = n <= GROUPS - STATEMENTS ? 2 : 1;
			const groups = Array.from({ length: count }, (_, g): ActesInputGroup => {
				const seq = groupSeq++;
				const members = Array.from({ length: 6 }, (_, k) => ({ categories: MEMBERS[(seq + k) % MEMBERS.length] ?? ['nsp'] }));
				const items = (stage: number, length: number): ActesInputItem[] =>
					Array.from({ length }, (_, k) => ({
						text: `${n}.${g + 1}.${stage}.${k} ${SENTENCE}`,
						who: stage === 3 ? 'la mairie' : '',
						when: stage === 3 ? 'dans six mois' : '',
						agree: 3,
						clarify: k % 10 === 9 ? 4 : 0,
						comments: k % 20 === 19 ? [{ text: 'Que veut dire « assez » ?' }] : [],
						starred: k === 0
					}));
				evaluations.push({ everyoneSpoke: (seq % 4) + 1, feltHeard: ((seq + 1) % 4) + 1, worked: `Écoute ${seq}`, didNotWork: `Bruit ${seq}` });
				return {
					statementId: `s${n}`,
					number: g + 1,
					members,
					label: null,
					writeup: { stages: [{ items: items(1, 9) }, { items: items(2, 8) }, { items: items(3, perGroup - 17) }] }
				};
			});
			for (let k = 0; k < 8; k++) {
				boardItems.push({
					id: `p${n}.${k}`,
					text: `Préconisation ${n}.${k} : ${SENTENCE}`,
					originalText: `Préconisation ${n}.${k}`,
					heading: ['Gouvernance', 'Formation', 'Financement', ''][k % 4] ?? '',
					levels: k % 3 === 0 ? ['equipes', 'institutions'] : k % 3 === 1 ? ['equipes'] : ['institutions'],
					status: k === 7 ? 'a-clarifier' : 'ok',
					...(k === 7 ? { reason: 'Qui finance ?' } : {}),
					support: Array.from({ length: k }, (_, i) => `p${i}`),
					sources: groups.map((g) => ({ id: `group.g${n}.${g.number}/x`, statementId: `s${n}`, groupNumber: g.number, groupId: `g${n}.${g.number}`, stage: 3 as const, itemId: 'x', text: `${n}.${g.number}.3.${k}`, at: 0 })),
					createdAt: 0,
					order: boardItems.length
				});
			}
			return { statement: { id: `s${n}`, text: `Énoncé ${n} : « il faudrait que les habitant·e·s décident »` }, groups };
		});
		const groups = statements.flatMap((s) => s.groups);
		return {
			id: `r${r}`,
			title: `Thème ${r + 1} : quelle place pour les usager·e·s ?`,
			statements: statements.map((s) => s.statement),
			groups,
			evaluations,
			speaking: speakingShares(groups.map((g) => measured(`${g.statementId}.${g.number}`, g.members)))
		};
	});
	return {
		title: 'Gros Débat — banc d’essai',
		date: '2025-06-12',
		endDate: '2025-06-12',
		place: 'Chambéry',
		settings: {
			stageQuestions: ['Quel est le problème ?', 'Quel serait l’idéal ?', 'Que peut-on faire ?'],
			stageNames: ['Le problème', 'Baguette magique', 'Concrètement'],
			stageMinutes: [30, 30, 30],
			maxGroupSize: 6
		},
		people: rooms.flatMap((r) => r.groups.flatMap((g) => g.members.map((m) => ({ categories: m.categories, roomId: r.id })))),
		board: { headings: ['Gouvernance', 'Formation', 'Financement'], items: boardItems },
		rooms
	};
}

/** Wall time of each run, and the longest the event loop was held (what a live event's traffic would wait). */
async function time(run: () => unknown | Promise<unknown>, runs: number) {
	await run();
	const ms: number[] = [];
	const delay = monitorEventLoopDelay({ resolution: 1 });
	delay.enable();
	for (let k = 0; k < runs; k++) {
		const start = performance.now();
		await run();
		ms.push(performance.now() - start);
		// Lets the histogram see the end of a synchronous stretch.
		await new Promise((resolve) => setImmediate(resolve));
	}
	delay.disable();
	ms.sort((a, b) => a - b);
	return { median: ms[Math.floor(ms.length / 2)] ?? 0, min: ms[0] ?? 0, max: ms[ms.length - 1] ?? 0, stall: delay.max / 1e6 };
}

async function main() {
	const at = process.argv.indexOf('--runs');
	const runs = at > 0 ? Math.max(1, Number(process.argv[at + 1]) || 5) : 5;
	const doc = event();
	const groups = doc.rooms.flatMap((r) => r.groups);
	const items = groups.reduce((n, g) => n + g.writeup.stages.reduce((m, s) => m + s.items.length, 0), 0);
	console.log(`${groups.length} groups, ${items} write-up items, ${doc.board.items.length} préconisations; median of ${runs} runs after a warm-up (Node ${process.version})\n`);

	let model: ActesModel = buildActes(doc, { lang: 'fr' });
	const rows: string[][] = [];
	const model_ = await time(() => (model = buildActes(doc, { lang: 'fr' })), runs);
	rows.push(['model (buildActes)', fmt(model_.median), fmt(model_.min), fmt(model_.max), fmt(model_.stall), '—']);
	for (const format of ACTES_FORMATS) {
		let size = 0;
		const t = await time(async () => {
			const out = await renderActes(model, format);
			size = typeof out.body === 'string' ? Buffer.byteLength(out.body) : out.body.length;
		}, runs);
		rows.push([format, fmt(t.median), fmt(t.min), fmt(t.max), fmt(t.stall), `${Math.round(size / 1024)} KiB`]);
	}
	const header = ['format', 'median (ms)', 'min (ms)', 'max (ms)', 'longest event-loop stall (ms)', 'size'];
	console.log(`| ${header.join(' | ')} |\n|${header.map(() => ' --- |').join('')}\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
}

const fmt = (ms: number) => ms.toFixed(1);

await main();
