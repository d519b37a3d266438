/**
 * The actes of an event (../../../docs/actes.md): a plain model built from the organiser's document,
 * following the structure of the 2017 actes (../shared/GROS-DEBAT.md), then laid out once as a list
 * of generic blocks (headings, paragraphs, lists, quotes, tables) that each format renders.
 * Everything here is pure; every text is already in the event's language.
 *
 * What never enters the model: names (unless the organiser passes the consenting participants'
 * list), who typed an item for whom (`via`), per-person speaking time, and speaking figures of a
 * family too small to hide a person (« non publié », src/lib/domain/speaking.ts `speakingShares`).
 */
import { goesToAnnex } from './annex';
import { en } from '../i18n/en';
import { fr, type MessageKey } from '../i18n/fr';
import type { OrganiserDocument } from '../views';
import { LEVELS, type Level } from './board';
import { FAMILIES, isResidentVoice, type Family } from './categories';
import type { EvaluationSummary } from './evaluation';
import type { SpeakingShares } from './speaking';
import { LABEL_GLOSSARY, type Lang } from './labels';

export interface ActesItem {
	text: string;
	/** The group's number when several groups worked the statement (« (G2) »), else null. */
	group: number | null;
	/** « qui ? » and « quand ? », stage 3 only, when given. */
	who: string | null;
	when: string | null;
}

export interface ActesGroup {
	number: number;
	label: string;
	/** A member declared habitant·e, usager·e or patient·e. */
	hasResident: boolean;
}

export interface ActesStatement {
	id: string;
	text: string;
	groups: ActesGroup[];
	/** Pull-quotes (exergues): starred items, at most three, never attributed. */
	quotes: string[];
	constats: ActesItem[];
	ideal: ActesItem[];
	concretement: ActesItem[];
	/** Items left out of the body as « à clarifier » (listed in the annex). */
	clarify: number;
}

export interface ActesTheme {
	/** a, b, c… as in the 2017 actes. */
	letter: string;
	title: string;
	statements: ActesStatement[];
}

export interface ActesSource {
	/** null when the statement is no longer in the event. */
	statement: string | null;
	group: number;
	stage: 2 | 3;
	text: string;
}

export interface ActesPreconisation {
	text: string;
	/** The first wording, when the organisers reworded it. */
	originalText: string | null;
	levels: Level[];
	support: number;
	sources: ActesSource[];
	/** Only for « à clarifier » items. */
	reason: string | null;
}

export interface ActesClarified {
	statementId: string;
	statement: string;
	group: number;
	stage: 1 | 2 | 3;
	text: string;
	reason: string;
}

export interface ActesRoom {
	title: string;
	participants: number;
	byFamily: Partial<Record<Family, number>>;
	/** The room's shares as the organiser's document computed them; null when nothing was measured. */
	speaking: SpeakingShares | null;
	evaluation: EvaluationSummary;
}

export interface ActesModel {
	lang: Lang;
	title: string;
	/** Already formatted in the event's language. */
	date: string | null;
	place: string | null;
	maxGroupSize: number;
	stages: { name: string; question: string; minutes: number }[];
	themes: ActesTheme[];
	legend: { term: string; meaning: string }[];
	preconisations: {
		/** By heading ('' = none, last), then by level (null = not given); an item for both levels is under both. */
		headings: { title: string; byLevel: { level: Level | null; items: ActesPreconisation[] }[] }[];
		toClarify: ActesPreconisation[];
		/** Distinct items, « à clarifier » included. */
		total: number;
	};
	/** Write-up items left out as « à clarifier », and how many items there were in all. */
	annex: { items: ActesClarified[]; outOf: number };
	participants: { total: number; unassigned: number; byFamily: Partial<Record<Family, number>> };
	rooms: ActesRoom[];
	/** Only when the organiser asked for the list of consenting participants. */
	participantNames: string[] | null;
}

export interface ActesOptions {
	lang: Lang;
	/** Only when the organiser asks for the list of consenting participants. */
	participantNames?: string[];
}

/** Control characters, non-characters and lone surrogates would break XML (DOCX) and confuse readers. */
export function cleanText(value: string): string {
	return value
		.toWellFormed()
		.replace(/\r\n?|[\u2028\u2029]/g, '\n')
		.replace(/\t/g, ' ')
		.replace(/[\u0000-\u0008\u000B-\u001F\u007F\uFFFE\uFFFF]/g, '')
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean)
		.join('\n');
}

/** The rule of the annex: more « à préciser » than « d'accord ». */
export function isToClarify(item: { agree: number; clarify: number }): boolean {
	return item.clarify > item.agree;
}

function formatDate(date: string, lang: Lang): string {
	const d = new Date(`${date}T00:00:00Z`);
	if (Number.isNaN(d.getTime())) return date;
	return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

export function buildActes(doc: OrganiserDocument, opts: ActesOptions): ActesModel {
	const s = STRINGS[opts.lang];
	const statementText = new Map<string, string>();
	const annex: ActesClarified[] = [];
	let outOf = 0;

	const themes = doc.rooms.map((room, r): ActesTheme => {
		const letter = String.fromCharCode(97 + r);
		return {
			letter,
			title: cleanText(room.title),
			statements: room.statements.map((st): ActesStatement => {
				const text = cleanText(st.text);
				statementText.set(st.id, text);
				const groups = [...st.groups].sort((a, b) => a.number - b.number);
				const several = groups.length > 1;
				const lists: [ActesItem[], ActesItem[], ActesItem[]] = [[], [], []];
				const starred: { text: string; rank: number; group: number }[] = [];
				let clarify = 0;
				for (const g of groups) {
					let rank = 0;
					g.writeup?.stages.forEach((stage, k) => {
						const list = lists[k];
						if (!list) return;
						for (const item of stage.items) {
							const itemText = cleanText(item.text);
							if (!itemText) continue;
							outOf += 1;
							if (goesToAnnex(item)) {
								clarify += 1;
								const comments = item.comments.map(cleanText).filter(Boolean);
								annex.push({
									statementId: st.id,
									statement: text,
									group: g.number,
									stage: (k + 1) as 1 | 2 | 3,
									text: itemText,
									reason: comments.length ? comments.join(s.semicolon) : s.askedBy(item.clarify)
								});
								continue;
							}
							list.push({
								text: itemText,
								group: several ? g.number : null,
								who: k === 2 ? cleanText(item.who ?? '') || null : null,
								when: k === 2 ? cleanText(item.when ?? '') || null : null
							});
							if (item.starred) starred.push({ text: itemText, rank: rank++, group: g.number });
						}
					});
				}
				// One per group in turn, so that a second group's voice is not crowded out by the first's.
				const quotes = starred
					.sort((a, b) => a.rank - b.rank || a.group - b.group)
					.slice(0, 3)
					.map((q) => q.text);
				return {
					id: st.id,
					text,
					groups: groups.map((g) => ({
						number: g.number,
						label: cleanText(g.label),
						hasResident: g.members.some((m) => isResidentVoice(m.categories))
					})),
					quotes,
					constats: lists[0],
					ideal: lists[1],
					concretement: lists[2],
					clarify
				};
			})
		};
	});

	const preconisation = (item: OrganiserDocument['board']['items'][number]): ActesPreconisation => {
		const text = cleanText(item.text);
		const original = cleanText(item.originalText);
		return {
			text,
			originalText: original && original !== text ? original : null,
			levels: LEVELS.filter((l) => item.levels.includes(l)),
			support: item.support,
			sources: item.sources.map((src) => ({
				statement: statementText.get(src.statementId) ?? null,
				group: src.groupNumber,
				stage: src.stage,
				text: cleanText(src.text)
			})),
			reason: item.status === 'a-clarifier' ? cleanText(item.reason ?? '') : null
		};
	};
	const ok = doc.board.items.filter((i) => i.status === 'ok');
	const headingOrder = [...new Set([...doc.board.headings, ...ok.map((i) => i.heading).filter(Boolean), ''])];
	const headings = headingOrder.flatMap((heading) => {
		const items = ok.filter((i) => i.heading === heading);
		if (!items.length) return [];
		const byLevel = [...LEVELS, null].flatMap((level) => {
			const under = items.filter((i) => (level === null ? !i.levels.some((l) => LEVELS.includes(l)) : i.levels.includes(level)));
			return under.length ? [{ level, items: under.map(preconisation) }] : [];
		});
		return [{ title: cleanText(heading), byLevel }];
	});

	const names = opts.participantNames?.map(cleanText).filter(Boolean);
	return {
		lang: opts.lang,
		title: cleanText(doc.title),
		date: doc.date ? formatDate(doc.date, opts.lang) : null,
		place: doc.place ? cleanText(doc.place) || null : null,
		maxGroupSize: doc.settings.maxGroupSize,
		stages: doc.settings.stageNames.map((name, k) => ({
			name: cleanText(name),
			question: cleanText(doc.settings.stageQuestions[k] ?? ''),
			minutes: doc.settings.stageMinutes[k] ?? 0
		})),
		themes,
		legend: LABEL_GLOSSARY[opts.lang].map((g) => ({ ...g })),
		preconisations: {
			headings,
			toClarify: doc.board.items.filter((i) => i.status === 'a-clarifier').map(preconisation),
			total: doc.board.items.length
		},
		annex: { items: annex, outOf },
		participants: { total: doc.participants.total, unassigned: doc.participants.unassigned, byFamily: { ...doc.participants.byFamily } },
		rooms: doc.rooms.map((room) => ({
			title: cleanText(room.title),
			participants: room.participants.total,
			byFamily: { ...room.participants.byFamily },
			speaking: room.speaking.groups > 0 ? room.speaking : null,
			evaluation: {
				...room.evaluation,
				worked: room.evaluation.worked.map(cleanText).filter(Boolean),
				didNotWork: room.evaluation.didNotWork.map(cleanText).filter(Boolean)
			}
		})),
		participantNames: names ? names : null
	};
}

// ——— Layout: the same sequence of blocks for every format ———

export type ActesBlock =
	| { kind: 'title'; title: string; lines: string[] }
	| { kind: 'heading'; level: 1 | 2 | 3 | 4 | 5; text: string; newPage?: boolean }
	| { kind: 'paragraph'; text: string; note?: boolean }
	| { kind: 'list'; items: ActesListItem[] }
	| { kind: 'quote'; text: string }
	| { kind: 'table'; header: string[]; rows: string[][] };

/**
 * Column widths of a table as shares of its width, from the text the columns hold, for the formats
 * that lay tables out themselves (PDF, Word): each column gets at least its longest word, the rest
 * of the line goes by how much longer than that the column's longest line is. `measure` gives a
 * text's width, padding included, in the unit of `lineWidth`; by default, characters.
 */
export function columnShares(
	header: readonly string[],
	rows: readonly (readonly string[])[],
	lineWidth = 90,
	measure: (text: string, isHeader: boolean) => number = (text) => [...text].length + 2
): number[] {
	const longest = (k: number, separator: RegExp) =>
		Math.max(
			...[{ text: header[k] ?? '', isHeader: true }, ...rows.map((r) => ({ text: r[k] ?? '', isHeader: false }))].flatMap(({ text, isHeader }) =>
				text.split(separator).map((part) => measure(part, isHeader))
			)
		);
	const min = header.map((_, k) => longest(k, /\s+/));
	const natural = header.map((_, k) => longest(k, /\n/));
	const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
	if (sum(natural) <= lineWidth) return natural.map((n) => n / sum(natural));
	if (sum(min) >= lineWidth) return min.map((m) => m / sum(min));
	const spare = lineWidth - sum(min);
	const extra = sum(natural) - sum(min);
	return min.map((m, k) => (m + (spare * ((natural[k] ?? m) - m)) / extra) / lineWidth);
}

export interface ActesListItem {
	/** Shown in bold before the text. */
	lead?: string;
	text: string;
	sub?: string[];
}

export function actesBlocks(model: ActesModel): ActesBlock[] {
	const s = STRINGS[model.lang];
	const t = (key: MessageKey) => (model.lang === 'fr' ? fr : en)[key];
	const locale = model.lang === 'fr' ? 'fr-FR' : 'en-GB';
	const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
	const balance = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
	const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
	const out: ActesBlock[] = [];
	const heading = (level: 1 | 2 | 3 | 4 | 5, text: string, newPage = false) =>
		out.push(newPage ? { kind: 'heading', level, text, newPage } : { kind: 'heading', level, text });
	const para = (text: string, note = false) => out.push(note ? { kind: 'paragraph', text, note } : { kind: 'paragraph', text });
	const list = (items: ActesListItem[]) => out.push({ kind: 'list', items });
	const statements = model.themes.flatMap((th) => th.statements);
	const groups = statements.flatMap((st) => st.groups);
	const perGroup = (st: ActesStatement, value: (g: ActesGroup) => string) =>
		st.groups.length === 0
			? s.notWorked
			: st.groups.length === 1
				? value(st.groups[0] as ActesGroup)
				: st.groups.map((g) => `${s.group(g.number)}${s.colon} ${value(g)}`).join(' / ');
	const groupLabels = (st: ActesStatement) => perGroup(st, (g) => g.label);
	const item = (i: ActesItem): ActesListItem => {
		const mark = i.group === null ? '' : ` (G${i.group})`;
		const details = [i.who ? `${s.who} ${i.who}` : '', i.when ? `${s.when} ${i.when}` : ''].filter(Boolean).join(s.semicolon);
		return { text: `${i.text}${mark}${details ? ` — ${details}` : ''}` };
	};
	const items = (entries: ActesItem[]) => (entries.length ? list(entries.map(item)) : para(s.nothing, true));
	const family = (f: Family) => t(`cat.${f}`);

	out.push({ kind: 'title', title: model.title, lines: [s.actes, ...[model.date, model.place].filter((l): l is string => Boolean(l))] });

	// 1. Method
	heading(1, s.method, true);
	para(s.methodIntro(model.participants.total, model.themes.length, statements.length));
	para(s.methodGroups(model.maxGroupSize, groups.length));
	heading(2, s.themes);
	list(model.themes.map((th) => ({ lead: `${th.letter}. ${th.title}`, text: ` — ${s.themeLine(th.statements.length, th.statements.reduce((n, st) => n + st.groups.length, 0))}` })));
	heading(2, s.stages);
	para(s.stagesIntro);
	list(model.stages.map((st, k) => ({ lead: `${k + 1}. ${st.name} (${st.minutes} min)`, text: ` — ${st.question}` })));
	para(s.clarifyRule(model.annex.items.length));

	// 2. Summary table
	heading(1, s.summary, true);
	for (const th of model.themes) {
		heading(2, `${th.letter}. ${th.title}`);
		out.push({ kind: 'table', header: [s.statement, s.composition], rows: th.statements.map((st) => [s.quote(st.text), groupLabels(st)]) });
	}
	heading(2, s.legend);
	list(model.legend.map((g) => ({ lead: g.term, text: ` — ${g.meaning}` })));

	// 3. What the participants say
	heading(1, s.voices, true);
	model.themes.forEach((th, n) => {
		heading(2, `${th.letter}. ${th.title}`, n > 0);
		th.statements.forEach((st, k) => {
			heading(3, s.quote(st.text), k > 0);
			para(groupLabels(st), true);
			if (!st.groups.length) return;
			for (const q of st.quotes) out.push({ kind: 'quote', text: s.quote(q) });
			heading(4, s.constats);
			items(st.constats);
			heading(4, s.ilFaudrait);
			heading(5, s.ideal);
			items(st.ideal);
			heading(5, s.concretement);
			items(st.concretement);
			if (st.clarify) para(s.clarifyNote(st.clarify), true);
		});
	});

	// 4. Préconisations
	const p = model.preconisations;
	const level = (l: Level | null) => (l === null ? s.noLevel : s.forLevel(t(`board.level.${l}`)));
	const sources = (pr: ActesPreconisation) =>
		pr.sources.map((src) => s.source(src.statement === null ? null : s.quote(src.statement), src.group, src.stage, src.text === pr.text ? null : s.quote(src.text)));
	/** `under`: the level the item is listed under, if any; its other levels are named after it. */
	const preco = (pr: ActesPreconisation, under: Level | null): ActesListItem => {
		const others = pr.levels.filter((l) => l !== under).map((l) => t(`board.level.${l}`));
		const note = !others.length ? '' : ` (${under === null ? s.toLevels(others.join(s.and)) : s.also(others.join(s.and))})`;
		return {
			text: `${pr.text}${note}`,
			sub: [
				...(pr.reason !== null ? [`${s.reason} ${pr.reason}`] : []),
				...(pr.originalText ? [`${s.original} ${s.quote(pr.originalText)}`] : []),
				...(pr.support ? [s.support(pr.support)] : []),
				...sources(pr)
			]
		};
	};
	heading(1, s.preconisations, true);
	para(p.total ? s.precoIntro(p.total, p.toClarify.length) : s.noPreco);
	for (const h of p.headings) {
		heading(2, h.title || s.noHeading);
		for (const g of h.byLevel) {
			heading(3, level(g.level));
			list(g.items.map((pr) => preco(pr, g.level)));
		}
	}
	if (p.toClarify.length) {
		heading(2, s.precoToClarify);
		list(p.toClarify.map((pr) => preco(pr, null)));
	}

	// 5. Participation
	heading(1, s.participation, true);
	para(s.participationIntro(model.participants.total, model.participants.unassigned));
	heading(2, s.byCategory);
	const present = FAMILIES.filter((f) => (model.participants.byFamily[f] ?? 0) > 0 || model.rooms.some((r) => (r.byFamily[f] ?? 0) > 0));
	out.push({
		kind: 'table',
		header: [s.category, ...model.rooms.map((r) => r.title), s.total],
		rows: [
			...present.map((f) => [family(f), ...model.rooms.map((r) => String(r.byFamily[f] ?? 0)), String(model.participants.byFamily[f] ?? 0)]),
			[s.people, ...model.rooms.map((r) => String(r.participants)), String(model.participants.total)]
		]
	});
	heading(2, s.residents);
	para(s.residentsIntro(groups.filter((g) => !g.hasResident).length, groups.length));
	out.push({
		kind: 'table',
		header: [s.theme, s.statement, s.residentsColumn],
		rows: model.themes.flatMap((th) =>
			th.statements.map((st) => [
				th.letter,
				s.quote(st.text),
				perGroup(st, (g) => s.yesNo(g.hasResident))
			])
		)
	});
	heading(2, s.speaking);
	para(s.speakingIntro);
	for (const room of model.rooms) {
		heading(3, room.title);
		if (!room.speaking) {
			para(s.notRecorded, true);
			continue;
		}
		out.push({
			kind: 'table',
			header: [s.category, s.memberShare, s.timeShare],
			rows: room.speaking.rows.map((r) => [family(r.family), pct.format(r.memberShare), r.timeShare === null ? s.withheld : pct.format(r.timeShare)])
		});
		para(s.speakingTotal(Math.round(room.speaking.totalMs / 60_000), room.speaking.balance === null ? null : balance.format(room.speaking.balance)), true);
	}
	heading(2, t('stage.evaluation'));
	for (const room of model.rooms) {
		heading(3, room.title);
		const e = room.evaluation;
		if (!e.groups) {
			para(s.noEvaluation, true);
			continue;
		}
		para(s.evaluationIntro(e.groups));
		const row = (question: MessageKey, mean: number | null, counts: readonly number[]) => [t(question), mean === null ? '—' : num.format(mean), ...counts.map(String)];
		out.push({
			kind: 'table',
			header: [s.question, s.mean, t('eval.scale1'), t('eval.scale2'), t('eval.scale3'), t('eval.scale4')],
			rows: [row('eval.everyoneSpoke', e.everyoneSpoke, e.everyoneSpokeCounts), row('eval.feltHeard', e.feltHeard, e.feltHeardCounts)]
		});
		if (e.worked.length) {
			heading(4, t('eval.worked'));
			list(e.worked.map((text) => ({ text })));
		}
		if (e.didNotWork.length) {
			heading(4, t('eval.didNotWork'));
			list(e.didNotWork.map((text) => ({ text })));
		}
	}
	if (model.participantNames) {
		heading(2, s.names);
		list(model.participantNames.map((text) => ({ text })));
	}

	// Annex
	heading(1, s.annex, true);
	para(s.annexIntro(model.annex.items.length, model.annex.outOf, pct.format(share(model.annex.items.length, model.annex.outOf))));
	for (const st of statements) {
		const mine = model.annex.items.filter((a) => a.statementId === st.id);
		if (!mine.length) continue;
		heading(2, s.quote(st.text));
		list(
			mine.map((a) => ({
				lead: `${s.group(a.group)}, ${model.stages[a.stage - 1]?.name ?? a.stage}${s.colon}`,
				text: ` ${a.text}`,
				sub: [`${s.reason} ${a.reason}`]
			}))
		);
	}
	return out;
}

// ——— Words ———

/** French takes the singular for 0 and 1, English for 1 only. */
const pluriel = (n: number, one: string, many: string) => `${n} ${n <= 1 ? one : many}`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** French typography: no-break spaces inside « » and before the colon, so that a line never starts with » or :. */
const FR = {
	actes: 'Actes du Gros Débat',
	colon: '\u00a0:',
	semicolon: ' ; ',
	quote: (text: string) => `«\u00a0${text}\u00a0»`,
	method: '1. La méthode',
	methodIntro: (people: number, rooms: number, statements: number) =>
		`Le Gros Débat a réuni ${pluriel(people, 'participant·e', 'participant·e·s')} en ${pluriel(rooms, 'salle', 'salles')}, une par thème. ` +
		`Dans chaque salle, les animateur·rice·s ont présenté les énoncés (${pluriel(statements, 'énoncé', 'énoncés')} en tout), choisis pour faire débattre.`,
	methodGroups: (max: number, groups: number) =>
		`Chaque participant·e a rejoint l’énoncé de son choix, en sous-groupes de ${max} personnes au plus : un énoncé choisi par plus de ${max} personnes ` +
		`a été travaillé par plusieurs groupes (${pluriel(groups, 'groupe', 'groupes')} en tout).`,
	themes: 'Les thèmes',
	themeLine: (statements: number, groups: number) => `${pluriel(statements, 'énoncé', 'énoncés')}, ${pluriel(groups, 'groupe', 'groupes')}`,
	stages: 'Les trois étapes',
	stagesIntro:
		'Chaque groupe a travaillé son énoncé en trois étapes. À la fin de chacune, un·e rapporteur·e a saisi la synthèse des échanges, relue par le groupe, dont chaque membre pouvait marquer un élément «\u00a0d’accord\u00a0» ou «\u00a0à préciser\u00a0».',
	clarifyRule: (n: number) =>
		`Un élément marqué «\u00a0à préciser\u00a0» par au moins deux membres, et plus que «\u00a0d’accord\u00a0», ne figure pas dans le corps des actes : il est repris en annexe avec sa raison (${pluriel(n, 'élément', 'éléments')}).`,
	summary: '2. Tableau de synthèse',
	statement: 'Énoncé',
	composition: 'Composition du groupe',
	group: (n: number) => `Groupe ${n}`,
	notWorked: 'Énoncé non travaillé',
	legend: 'Légende',
	voices: '3. Ce qu’en disent les participant·e·s',
	constats: 'CONSTATS',
	ilFaudrait: '«\u00a0IL FAUDRAIT\u00a0»',
	ideal: 'Dans l’idéal',
	concretement: 'Concrètement',
	nothing: 'Rien de noté.',
	who: 'qui\u00a0?',
	when: 'quand\u00a0?',
	clarifyNote: (n: number) => `${pluriel(n, 'élément à clarifier', 'éléments à clarifier')} : voir l’annexe.`,
	askedBy: (n: number) => `«\u00a0à préciser\u00a0» demandé par ${pluriel(n, 'membre', 'membres')}`,
	preconisations: '4. Préconisations',
	precoIntro: (total: number, clarify: number) =>
		`${pluriel(total, 'préconisation', 'préconisations')}, dont ${clarify} à clarifier. Chacune garde ses sources : l’énoncé et le groupe d’où elle vient. ` +
		'Une préconisation destinée aux deux niveaux figure sous chacun d’eux.',
	noPreco: 'Aucune préconisation.',
	noHeading: 'Sans rubrique',
	forLevel: (level: string) => `Pour les ${level}`,
	noLevel: 'Niveau non précisé',
	also: (levels: string) => `aussi pour les ${levels}`,
	toLevels: (levels: string) => `pour les ${levels}`,
	and: ' et ',
	original: 'Texte d’origine :',
	support: (n: number) => `Soutenue par ${pluriel(n, 'personne', 'personnes')}`,
	source: (statement: string | null, group: number, stage: 2 | 3, text: string | null) =>
		`Source : ${statement === null ? '' : `${statement}, `}groupe ${group}, étape ${stage}${text ? ` — ${text}` : ''}`,
	precoToClarify: 'Préconisations à clarifier',
	reason: 'À clarifier :',
	participation: '5. La participation',
	participationIntro: (total: number, unassigned: number) =>
		`${pluriel(total, 'personne a', 'personnes ont')} participé${unassigned ? `, dont ${unassigned} sans salle` : ''}. ` +
		'Une personne peut se déclarer dans plusieurs catégories : les colonnes peuvent dépasser le nombre de personnes.',
	byCategory: 'Participant·e·s par catégorie et par salle',
	category: 'Catégorie',
	total: 'Total',
	people: 'Personnes',
	residents: 'Habitant·e·s, usager·e·s et patient·e·s dans les groupes',
	residentsIntro: (without: number, groups: number) =>
		`${without} ${without <= 1 ? 'groupe' : 'groupes'} sur ${groups} sans habitant·e, usager·e ni patient·e déclaré·e.`,
	theme: 'Thème',
	residentsColumn: 'Habitant·e·s, usager·e·s ou patient·e·s',
	yesNo: (yes: boolean): string => (yes ? 'oui' : 'non'),
	speaking: 'Temps de parole par catégorie',
	speakingIntro:
		'Par salle, la part du temps de parole de chaque catégorie, à comparer avec sa part des membres des groupes (une personne de plusieurs catégories compte dans chacune). ' +
		'Seuls comptent les groupes où le temps de parole a été relevé, et leurs membres. Aucun chiffre individuel n’est publié : le temps d’une catégorie de moins de 2 personnes n’est pas donné, ni un temps qui permettrait de le retrouver.',
	memberShare: 'Part des membres',
	timeShare: 'Part du temps de parole',
	withheld: 'non publié',
	notRecorded: 'Temps de parole non relevé.',
	speakingTotal: (minutes: number, balance: string | null) =>
		`Temps de parole relevé : ${minutes} min${balance === null ? '' : ` ; équilibre moyen de la parole dans les groupes : ${balance} (1 = tout le monde autant)`}.`,
	noEvaluation: 'Aucune évaluation reçue.',
	evaluationIntro: (groups: number) => `${pluriel(groups, 'groupe a', 'groupes ont')} répondu (nombre de groupes par réponse, de 1 à 4).`,
	question: 'Question',
	mean: 'Moyenne',
	names: 'Liste des participant·e·s (avec leur accord)',
	annex: 'Annexe : éléments à clarifier',
	annexIntro: (n: number, outOf: number, percent: string) =>
		n
			? `${n} ${n === 1 ? 'élément' : 'éléments'} sur ${outOf} (${percent}) ${n === 1 ? 'a été marqué' : 'ont été marqués'} «\u00a0à préciser\u00a0» par plus de membres que «\u00a0d’accord\u00a0». Ils ne figurent pas dans le corps des actes ; les voici avec la raison donnée.`
			: `Aucun des ${outOf} éléments n’a été laissé de côté.`
};

const EN: typeof FR = {
	actes: 'Proceedings of the Gros Débat',
	colon: ':',
	semicolon: '; ',
	quote: (text: string) => `“${text}”`,
	method: '1. Method',
	methodIntro: (people: number, rooms: number, statements: number) =>
		`The Gros Débat brought together ${plural(people, 'participant', 'participants')} in ${plural(rooms, 'room', 'rooms')}, one per theme. ` +
		`In each room, facilitators presented the statements (${plural(statements, 'statement', 'statements')} in all), chosen to spark debate.`,
	methodGroups: (max: number, groups: number) =>
		`Each participant joined the statement of their choice, in subgroups of at most ${max} people: a statement chosen by more than ${max} people ` +
		`was worked by several groups (${plural(groups, 'group', 'groups')} in all).`,
	themes: 'Themes',
	themeLine: (statements: number, groups: number) => `${plural(statements, 'statement', 'statements')}, ${plural(groups, 'group', 'groups')}`,
	stages: 'The three stages',
	stagesIntro:
		'Each group worked its statement in three stages. At the end of each, a rapporteur typed the account of the exchange, read by the group, whose members could mark an item “agree” or “to clarify”.',
	clarifyRule: (n: number) =>
		`An item marked “to clarify” by at least two members, and by more than “agree”, is left out of the body of the proceedings and listed in the annex with its reason (${plural(n, 'item', 'items')}).`,
	summary: '2. Summary table',
	statement: 'Statement',
	composition: 'Group composition',
	group: (n: number) => `Group ${n}`,
	notWorked: 'Statement not worked',
	legend: 'Legend',
	voices: '3. What the participants say',
	constats: 'FINDINGS',
	ilFaudrait: '“WHAT IS NEEDED”',
	ideal: 'Ideally',
	concretement: 'In practice',
	nothing: 'Nothing noted.',
	who: 'who?',
	when: 'when?',
	clarifyNote: (n: number) => `${plural(n, 'item to clarify', 'items to clarify')}: see the annex.`,
	askedBy: (n: number) => `“to clarify” requested by ${plural(n, 'member', 'members')}`,
	preconisations: '4. Recommendations',
	precoIntro: (total: number, clarify: number) =>
		`${plural(total, 'recommendation', 'recommendations')}, ${clarify} of them to clarify. Each keeps its sources: the statement and the group it comes from. ` +
		'A recommendation meant for both levels appears under each.',
	noPreco: 'No recommendations.',
	noHeading: 'No heading',
	forLevel: (level: string) => `For ${level}`,
	noLevel: 'Level not given',
	also: (levels: string) => `also for ${levels}`,
	toLevels: (levels: string) => `for ${levels}`,
	and: ' and ',
	original: 'Original text:',
	support: (n: number) => `Supported by ${plural(n, 'person', 'people')}`,
	source: (statement: string | null, group: number, stage: 2 | 3, text: string | null) =>
		`Source: ${statement === null ? '' : `${statement}, `}group ${group}, stage ${stage}${text ? ` — ${text}` : ''}`,
	precoToClarify: 'Recommendations to clarify',
	reason: 'To clarify:',
	participation: '5. Participation',
	participationIntro: (total: number, unassigned: number) =>
		`${plural(total, 'person', 'people')} took part${unassigned ? `, ${unassigned} of them without a room` : ''}. ` +
		'A person may declare several categories: columns can add up to more than the number of people.',
	byCategory: 'Participants by category and by room',
	category: 'Category',
	total: 'Total',
	people: 'People',
	residents: 'Residents, service users and patients in the groups',
	residentsIntro: (without: number, groups: number) => `${without} of ${plural(groups, 'group', 'groups')} without a declared resident, service user or patient.`,
	theme: 'Theme',
	residentsColumn: 'Residents, service users or patients',
	yesNo: (yes: boolean) => (yes ? 'yes' : 'no'),
	speaking: 'Speaking time by category',
	speakingIntro:
		'For each room, the share of speaking time of each category, to compare with its share of the groups’ members (a person in several categories counts in each). ' +
		'Only the groups where speaking time was recorded count, with their members. No individual figure is published: the time of a category of fewer than 2 people is withheld, and so is a time that would reveal it.',
	memberShare: 'Share of members',
	timeShare: 'Share of speaking time',
	withheld: 'not published',
	notRecorded: 'Speaking time not recorded.',
	speakingTotal: (minutes: number, balance: string | null) =>
		`Speaking time recorded: ${minutes} min${balance === null ? '' : `; mean balance of speech in the groups: ${balance} (1 = everyone as much)`}.`,
	noEvaluation: 'No evaluation received.',
	evaluationIntro: (groups: number) => `${plural(groups, 'group', 'groups')} answered (number of groups per answer, 1 to 4).`,
	question: 'Question',
	mean: 'Mean',
	names: 'List of participants (with their consent)',
	annex: 'Annex: items to clarify',
	annexIntro: (n: number, outOf: number, percent: string) =>
		n
			? `${n} of ${plural(outOf, 'item', 'items')} (${percent}) ${n === 1 ? 'was' : 'were'} marked “to clarify” by more members than “agree”. They are not in the body of the proceedings; here they are with the reason given.`
			: `None of the ${plural(outOf, 'item', 'items')} was left out.`
};

const STRINGS: Record<Lang, typeof FR> = { fr: FR, en: EN };
