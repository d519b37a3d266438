/**
 * The actes, second part: the model (./model.ts) laid out once as a sequence of typed blocks (title
 * page, headings, paragraphs, lists, pull-quotes, tables) in the words of ./words.ts. Every format
 * (server/actes/) renders these blocks and nothing else, so all formats hold the same text.
 */
import type { Level } from '../board';
import { FAMILIES } from '../categories';
import type { MessageKey } from '../../i18n/fr';
import type { ActesGroup, ActesItem, ActesModel, ActesPreconisation, ActesStatement } from './model';
import { actesWords } from './words';

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
	const s = actesWords(model.lang);
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

	out.push({ kind: 'title', title: model.title, lines: [s.actes, ...[model.date, model.place].filter((l): l is string => Boolean(l))] });

	// 1. Method
	heading(1, s.method, true);
	para(s.methodIntro(model.participants.total, model.themes.length, statements.length));
	if (model.verbatims) para(s.methodVerbatims(model.verbatims.collected, model.verbatims.statements));
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
			if (st.source) para(s.statementSource(st.source.workshop, st.source.original), true);
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
	const sources = (pr: ActesPreconisation) =>
		pr.sources.map((src) => s.source(src.statement, src.group, src.stage, src.text === pr.text ? null : src.text));
	/** `under`: the level the item is listed under, if any; its other levels are named after it. */
	const preco = (pr: ActesPreconisation, under: Level | null): ActesListItem => {
		const others = pr.levels.filter((l) => l !== under);
		const note = others.length ? ` (${s.otherLevels(others, under)})` : '';
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
			heading(3, s.forLevel(g.level));
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
			...present.map((f) => [s.family(f), ...model.rooms.map((r) => String(r.byFamily[f] ?? 0)), String(model.participants.byFamily[f] ?? 0)]),
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
			rows: room.speaking.rows.map((r) => [s.family(r.family), pct.format(r.memberShare), r.timeShare === null ? s.withheld : pct.format(r.timeShare)])
		});
		para(s.speakingTotal(Math.round(room.speaking.totalMs / 60_000), room.speaking.balance === null ? null : balance.format(room.speaking.balance)), true);
	}
	heading(2, s.screen('stage.evaluation'));
	for (const room of model.rooms) {
		heading(3, room.title);
		const e = room.evaluation;
		if (!e.groups) {
			para(s.noEvaluation, true);
			continue;
		}
		para(s.evaluationIntro(e.groups));
		// « Je préfère ne pas répondre » gets its own column, only when a group chose it.
		const declined = e.declined.everyoneSpoke + e.declined.feltHeard > 0;
		const row = (question: MessageKey, mean: number | null, counts: readonly number[], declinedBy: number) => [
			s.screen(question),
			mean === null ? '—' : num.format(mean),
			...counts.map(String),
			...(declined ? [String(declinedBy)] : [])
		];
		out.push({
			kind: 'table',
			header: [
				s.question,
				s.mean,
				s.screen('eval.scale1'),
				s.screen('eval.scale2'),
				s.screen('eval.scale3'),
				s.screen('eval.scale4'),
				...(declined ? [s.screen('eval.declined')] : [])
			],
			rows: [
				row('eval.everyoneSpoke', e.everyoneSpoke, e.everyoneSpokeCounts, e.declined.everyoneSpoke),
				row('eval.feltHeard', e.feltHeard, e.feltHeardCounts, e.declined.feltHeard)
			]
		});
		if (e.worked.length) {
			heading(4, s.screen('eval.worked'));
			list(e.worked.map((text) => ({ text })));
		}
		if (e.didNotWork.length) {
			heading(4, s.screen('eval.didNotWork'));
			list(e.didNotWork.map((text) => ({ text })));
		}
	}
	if (model.participantNames) {
		heading(2, s.names);
		list(model.participantNames.map((text) => ({ text })));
	}

	// Annex
	heading(1, s.annex, true);
	para(s.annexIntro(model.annex.items.length, model.annex.outOf, pct.format(model.annex.outOf > 0 ? model.annex.items.length / model.annex.outOf : 0)));
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

/** What every renderer reads: the blocks, and the language and title for the file's own metadata. */
export interface ActesLayout {
	lang: ActesModel['lang'];
	title: string;
	blocks: ActesBlock[];
}
