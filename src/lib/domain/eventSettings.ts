/** Defaults of the method (../shared/GROS-DEBAT.md): three stages of 30 minutes, groups of at most six. */
import template from '../templates/chambery-2017.json' with { type: 'json' };

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
export const DEFAULT_WRITING_WARNING_MINUTES = 5;
export const DEFAULT_STAGE_MINUTES: readonly [number, number, number] = [30, 30, 30];
export const DEFAULT_MAX_GROUP_SIZE = 6;

export interface EventDraft {
	title: string;
	date?: string;
	place?: string;
	language: 'fr' | 'en';
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
		date: '2017-09-22',
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
