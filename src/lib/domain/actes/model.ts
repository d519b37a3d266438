/**
 * The actes of an event (docs/actes.md), first part: what they say, as plain data built from the
 * event's records (`ActesInput`, read from the store by server/actesInput.ts), following the
 * structure of the 2017 actes (../shared/GROS-DEBAT.md). ./layout.ts lays it out as blocks, in the
 * words of ./words.ts. Everything here is pure.
 *
 * What never enters the model: names (unless the organiser passes the consenting participants'
 * list), who typed an item for whom (`via`), per-person speaking time, and speaking figures of a
 * family too small to hide a person (« non publié », src/lib/domain/speaking.ts `speakingShares`).
 */
import { LEVELS, type Board, type Level } from '../board';
import { isResidentVoice, type Category, type Family } from '../categories';
import { summariseEvaluations, type EvaluationSummary, type GroupEvaluation } from '../evaluation';
import { headcount } from '../headcount';
import { goesToAnnex } from '../annex';
import { formatEventDates } from '../eventDates';
import { compositionLabel, LABEL_GLOSSARY } from '../labels';
import type { Lang } from '../../i18n/words';
import type { SpeakingShares } from '../speaking';
import { actesWords } from './words';

/** A write-up item as the group left it (src/lib/writeup.ts `readItem`); `via` is not read. */
export interface ActesInputItem {
	text: string;
	who: string;
	when: string;
	agree: number;
	clarify: number;
	starred: boolean;
	comments: readonly { text: string }[];
}

export interface ActesInputGroup {
	statementId: string;
	number: number;
	/** The organisers' own label, or null for the label of its composition. */
	label: string | null;
	members: readonly { categories: readonly Category[] }[];
	/** Stages 1, 2, 3, each item list in the group's order. */
	writeup: { stages: readonly { items: readonly ActesInputItem[] }[] };
}

export interface ActesInputRoom {
	id: string;
	title: string;
	/** In the room's order; `source`: the verbatim it was made from (docs/verbatims.md), if any. */
	statements: readonly { id: string; text: string; source?: { workshop: string | null; text: string } | null }[];
	groups: readonly ActesInputGroup[];
	evaluations: readonly GroupEvaluation[];
	/** The room's speaking shares as every screen computes them (src/lib/domain/speaking.ts). */
	speaking: SpeakingShares;
}

/** The event's records the actes are made of: no name, no link, no token. */
export interface ActesInput {
	title: string;
	/** ISO dates (YYYY-MM-DD): the first and the last day. */
	date: string | null;
	endDate: string | null;
	place: string | null;
	settings: { stageNames: readonly string[]; stageQuestions: readonly string[]; stageMinutes: readonly number[]; maxGroupSize: number };
	/** Everyone who joined: their categories and room, nothing else. */
	people: readonly { categories: readonly Category[]; roomId: string | null }[];
	/** In the event's order. */
	rooms: readonly ActesInputRoom[];
	board: Pick<Board, 'items' | 'headings'>;
	/** The day-1 verbatims: how many were noted, how many became statements (absent: none). */
	verbatims?: { collected: number; statements: number };
}

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
	/** Made from a verbatim: its workshop, and its words when the statement rewords them. */
	source: { workshop: string | null; original: string | null } | null;
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
	/** The room's shares; null when nothing was measured. */
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
	/** The day-1 verbatims, when any were noted. */
	verbatims: { collected: number; statements: number } | null;
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

export function buildActes(input: ActesInput, opts: ActesOptions): ActesModel {
	const words = actesWords(opts.lang);
	const statementText = new Map<string, string>();
	const annex: ActesClarified[] = [];
	let outOf = 0;

	const themes = input.rooms.map((room, r): ActesTheme => ({
		letter: String.fromCharCode(97 + r),
		title: cleanText(room.title),
		statements: room.statements.map((st): ActesStatement => {
			const text = cleanText(st.text);
			statementText.set(st.id, text);
			const groups = room.groups.filter((g) => g.statementId === st.id).sort((a, b) => a.number - b.number);
			const several = groups.length > 1;
			const lists: [ActesItem[], ActesItem[], ActesItem[]] = [[], [], []];
			const starred: { text: string; rank: number; group: number }[] = [];
			let clarify = 0;
			for (const g of groups) {
				let rank = 0;
				g.writeup.stages.forEach((stage, k) => {
					const list = lists[k];
					if (!list) return;
					for (const item of stage.items) {
						const itemText = cleanText(item.text);
						if (!itemText) continue;
						outOf += 1;
						if (goesToAnnex(item)) {
							clarify += 1;
							const comments = item.comments.map((c) => cleanText(c.text)).filter(Boolean);
							annex.push({
								statementId: st.id,
								statement: text,
								group: g.number,
								stage: (k + 1) as 1 | 2 | 3,
								text: itemText,
								reason: comments.length ? comments.join(words.semicolon) : words.askedBy(item.clarify)
							});
							continue;
						}
						list.push({
							text: itemText,
							group: several ? g.number : null,
							who: k === 2 ? cleanText(item.who) || null : null,
							when: k === 2 ? cleanText(item.when) || null : null
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
			const original = st.source ? cleanText(st.source.text) : '';
			return {
				id: st.id,
				text,
				source: st.source
					? { workshop: st.source.workshop ? cleanText(st.source.workshop) || null : null, original: original && original !== text ? original : null }
					: null,
				groups: groups.map((g) => ({
					number: g.number,
					label: cleanText(g.label ?? compositionLabel(g.members, opts.lang)),
					hasResident: g.members.some((m) => isResidentVoice(m.categories))
				})),
				quotes,
				constats: lists[0],
				ideal: lists[1],
				concretement: lists[2],
				clarify
			};
		})
	}));

	const preconisation = (item: ActesInput['board']['items'][number]): ActesPreconisation => {
		const text = cleanText(item.text);
		const original = cleanText(item.originalText);
		return {
			text,
			originalText: original && original !== text ? original : null,
			levels: LEVELS.filter((l) => item.levels.includes(l)),
			support: item.support.length,
			sources: item.sources.map((src) => ({
				statement: statementText.get(src.statementId) ?? null,
				group: src.groupNumber,
				stage: src.stage,
				text: cleanText(src.text)
			})),
			reason: item.status === 'a-clarifier' ? cleanText(item.reason ?? '') : null
		};
	};
	const { board } = input;
	const ok = board.items.filter((i) => i.status === 'ok');
	const headingOrder = [...new Set([...board.headings, ...ok.map((i) => i.heading).filter(Boolean), ''])];
	const headings = headingOrder.flatMap((heading) => {
		const items = ok.filter((i) => i.heading === heading);
		if (!items.length) return [];
		const byLevel = [...LEVELS, null].flatMap((level) => {
			const under = items.filter((i) => (level === null ? !i.levels.some((l) => LEVELS.includes(l)) : i.levels.includes(level)));
			return under.length ? [{ level, items: under.map(preconisation) }] : [];
		});
		return [{ title: cleanText(heading), byLevel }];
	});

	const everyone = headcount(input.people);
	const names = opts.participantNames?.map(cleanText).filter(Boolean);
	return {
		lang: opts.lang,
		title: cleanText(input.title),
		date: formatEventDates(input.date, input.endDate, opts.lang),
		place: input.place ? cleanText(input.place) || null : null,
		maxGroupSize: input.settings.maxGroupSize,
		stages: input.settings.stageNames.map((name, k) => ({
			name: cleanText(name),
			question: cleanText(input.settings.stageQuestions[k] ?? ''),
			minutes: input.settings.stageMinutes[k] ?? 0
		})),
		themes,
		legend: LABEL_GLOSSARY[opts.lang].map((g) => ({ ...g })),
		preconisations: {
			headings,
			toClarify: board.items.filter((i) => i.status === 'a-clarifier').map(preconisation),
			total: board.items.length
		},
		annex: { items: annex, outOf },
		participants: { total: everyone.total, unassigned: input.people.filter((p) => !p.roomId).length, byFamily: everyone.byFamily },
		rooms: input.rooms.map((room) => {
			const present = headcount(input.people.filter((p) => p.roomId === room.id));
			const evaluation = summariseEvaluations(room.evaluations);
			return {
				title: cleanText(room.title),
				participants: present.total,
				byFamily: present.byFamily,
				speaking: room.speaking.groups > 0 ? room.speaking : null,
				evaluation: {
					...evaluation,
					worked: evaluation.worked.map(cleanText).filter(Boolean),
					didNotWork: evaluation.didNotWork.map(cleanText).filter(Boolean)
				}
			};
		}),
		participantNames: names ? names : null,
		verbatims: input.verbatims?.collected ? { ...input.verbatims } : null
	};
}
