/** Defaults of the method (../shared/GROS-DEBAT.md): three stages of 30 minutes, groups of at most six. */
import template from '../templates/chambery-2017.json' with { type: 'json' };
import type { Lang as Language } from '../i18n/words';
import { otherLanguage, type StageTranslation, type StageTranslations } from './translations';

export const DEFAULT_STAGE_QUESTIONS: readonly [string, string, string] = [
	'Quel est le problème / la question posée ?',
	'« Baguette magique » : quel serait l’idéal ?',
	'Et maintenant, concrètement, que peut-on faire ?'
];
export const DEFAULT_STAGE_QUESTIONS_EN: readonly [string, string, string] = [
	'What is the problem / the question raised?',
	'« Magic wand »: what would be ideal?',
	'And now, concretely, what can we do?'
];
export const DEFAULT_STAGE_NAMES: readonly [string, string, string] = ['Le problème', 'Baguette magique', 'Concrètement'];
export const DEFAULT_STAGE_NAMES_EN: readonly [string, string, string] = ['The problem', 'Magic wand', 'Concretely'];
const DEFAULT_STAGES: Record<Language, { stageQuestions: readonly string[]; stageNames: readonly string[] }> = {
	fr: { stageQuestions: DEFAULT_STAGE_QUESTIONS, stageNames: DEFAULT_STAGE_NAMES },
	en: { stageQuestions: DEFAULT_STAGE_QUESTIONS_EN, stageNames: DEFAULT_STAGE_NAMES_EN }
};

/** The method's stage questions and names in one language (copies, free to change). */
export function defaultStages(language: Language): StageTranslation {
	const { stageQuestions, stageNames } = DEFAULT_STAGES[language];
	return { stageQuestions: [...stageQuestions] as [string, string, string], stageNames: [...stageNames] as [string, string, string] };
}

/**
 * A stage question or name left at the method's wording gets that wording in the other language
 * as its translation: a phone in English at a French event reads English questions out of the box.
 * Organisers' own wordings get none ('') until they translate them.
 */
export function defaultStageTranslations(language: Language, given: StageTranslation): StageTranslations {
	const other = otherLanguage(language);
	const translate = (field: keyof StageTranslation) =>
		given[field].map((text, k) => (text === DEFAULT_STAGES[language][field][k] ? (DEFAULT_STAGES[other][field][k] as string) : '')) as [string, string, string];
	const translation = { stageQuestions: translate('stageQuestions'), stageNames: translate('stageNames') };
	return [...translation.stageQuestions, ...translation.stageNames].some(Boolean) ? { [other]: translation } : {};
}

export const DEFAULT_WRITING_WARNING_MINUTES = 5;
export const DEFAULT_STAGE_MINUTES: readonly [number, number, number] = [30, 30, 30];
export const DEFAULT_MAX_GROUP_SIZE = 6;

export interface EventDraft {
	title: string;
	date?: string;
	endDate?: string;
	place?: string;
	language: Language;
	themes: { title: string; statements: string[] }[];
	stageQuestions: [string, string, string];
	stageMinutes: [number, number, number];
	maxGroupSize: number;
}

/** The 2017 Chambéry Gros Débat: 3 themes, 21 statements. */
export const CHAMBERY_SOURCE: string = template.source;

export function chamberyTemplate(): EventDraft {
	return {
		title: 'Rencontres Nationales de la Santé en Quartiers Populaires — Gros Débat',
		// The Rencontres lasted two days; the Gros Débat was the morning of the second.
		date: '2017-09-21',
		endDate: '2017-09-22',
		place: 'Chambéry',
		language: 'fr',
		themes: template.themes.map((t) => ({
			title: t.title,
			statements: t.statements.map((s) => s.text)
		})),
		stageQuestions: [...template.stages] as [string, string, string],
		stageMinutes: [...template.stageMinutes] as [number, number, number],
		maxGroupSize: template.maxGroupSize
	};
}
