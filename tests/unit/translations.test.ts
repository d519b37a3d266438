import { describe, expect, it } from 'vitest';
import {
	DEFAULT_STAGE_NAMES,
	DEFAULT_STAGE_NAMES_EN,
	DEFAULT_STAGE_QUESTIONS,
	DEFAULT_STAGE_QUESTIONS_EN,
	defaultStageTranslations
} from '../../src/lib/domain/eventSettings';
import { localised, otherLanguage, stageTranslations, type StageTranslation, type StageTranslations } from '../../src/lib/domain/translations';

describe('localised', () => {
	it('gives the translation in the reader’s language, tagged with that language', () => {
		expect(localised('Bonjour', 'fr', { en: 'Hello' }, 'en')).toEqual({ text: 'Hello', lang: 'en' });
	});

	it('falls back to the original, tagged with its own language, when there is no translation', () => {
		expect(localised('Bonjour', 'fr', undefined, 'en')).toEqual({ text: 'Bonjour', lang: 'fr' });
		expect(localised('Bonjour', 'fr', {}, 'en')).toEqual({ text: 'Bonjour', lang: 'fr' });
		expect(localised('Bonjour', 'fr', { en: '' }, 'en')).toEqual({ text: 'Bonjour', lang: 'fr' });
		expect(localised('Bonjour', 'fr', { en: '   ' }, 'en')).toEqual({ text: 'Bonjour', lang: 'fr' });
	});

	it('keeps the original for a reader of the event’s language, whatever the translations say', () => {
		expect(localised('Bonjour', 'fr', { en: 'Hello', fr: 'Salut' }, 'fr')).toEqual({ text: 'Bonjour', lang: 'fr' });
		expect(localised('Hello', 'en', { fr: 'Bonjour' }, 'fr')).toEqual({ text: 'Bonjour', lang: 'fr' });
	});
});

describe('stage translations', () => {
	const all: StageTranslations = { en: { stageQuestions: ['Q1', '', 'Q3'], stageNames: ['N1', 'N2', 'N3'] } };

	it('picks one stage’s question or name in every language', () => {
		expect(stageTranslations(all, 'stageQuestions', 0)).toEqual({ en: 'Q1' });
		expect(stageTranslations(all, 'stageNames', 2)).toEqual({ en: 'N3' });
		expect(localised('Question 2', 'fr', stageTranslations(all, 'stageQuestions', 1), 'en')).toEqual({ text: 'Question 2', lang: 'fr' });
		expect(stageTranslations(undefined, 'stageQuestions', 0)).toEqual({});
	});

	it('translates the method’s default wordings, and only those, into the other language', () => {
		expect(otherLanguage('fr')).toBe('en');
		expect(otherLanguage('en')).toBe('fr');
		const fr: StageTranslation = { stageQuestions: [...DEFAULT_STAGE_QUESTIONS], stageNames: [...DEFAULT_STAGE_NAMES] };
		expect(defaultStageTranslations('fr', fr)).toEqual({
			en: { stageQuestions: [...DEFAULT_STAGE_QUESTIONS_EN], stageNames: [...DEFAULT_STAGE_NAMES_EN] }
		});
		expect(defaultStageTranslations('en', { stageQuestions: [...DEFAULT_STAGE_QUESTIONS_EN], stageNames: ['Un', 'Deux', 'Trois'] })).toEqual({
			fr: { stageQuestions: [...DEFAULT_STAGE_QUESTIONS], stageNames: ['', '', ''] }
		});
		// One custom question keeps no translation; the others keep theirs.
		const custom = defaultStageTranslations('fr', { stageQuestions: ['À nous', DEFAULT_STAGE_QUESTIONS[1], DEFAULT_STAGE_QUESTIONS[2]], stageNames: ['a', 'b', 'c'] });
		expect(custom.en?.stageQuestions).toEqual(['', DEFAULT_STAGE_QUESTIONS_EN[1], DEFAULT_STAGE_QUESTIONS_EN[2]]);
		// French defaults in an English event are not English defaults: nothing to translate.
		expect(defaultStageTranslations('en', fr)).toEqual({});
	});
});
