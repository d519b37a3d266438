/**
 * Organisers' translations of statements and stage questions (issue 11): a phone set to another
 * language than the event's shows the translation where the organisers gave one, else the original.
 * The language that comes back is the text's own, for `lang="…"` on the element (WCAG 3.1.2,
 * language of parts) and for the voice that reads it aloud.
 */
import type { Lang as Language } from '../i18n/words';

/** A text's translations by language; a missing or empty one means « not translated ». */
export type Translations = Partial<Record<Language, string>>;

/** The stages in one other language, in the event settings; '' leaves that one untranslated. */
export interface StageTranslation {
	stageQuestions: [string, string, string];
	stageNames: [string, string, string];
}
export type StageTranslations = Partial<Record<Language, StageTranslation>>;

export interface Localised {
	text: string;
	lang: Language;
}

/** The language organisers translate into: the one that is not the event's. */
export function otherLanguage(lang: Language): Language {
	return lang === 'fr' ? 'en' : 'fr';
}

/** The text to show to someone reading `lang`. */
export function localised(original: string, originalLang: Language, translations: Translations | undefined, lang: Language): Localised {
	const translated = lang === originalLang ? '' : (translations?.[lang]?.trim() ?? '');
	return translated ? { text: translated, lang } : { text: original, lang: originalLang };
}

/** Stage k's (0–2) question or name in every language given, in the shape `localised` takes. */
export function stageTranslations(all: StageTranslations | undefined, field: keyof StageTranslation, k: number): Translations {
	const out: Translations = {};
	for (const [lang, stages] of Object.entries(all ?? {}) as [Language, StageTranslation][]) out[lang] = stages[field][k];
	return out;
}
