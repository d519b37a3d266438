/**
 * The dictionaries and the one function that fills a sentence in: plain data, usable by the server
 * (error messages, actes) as well as by pages (through index.svelte.ts, which adds the device's
 * current language).
 */
import { en } from './en';
import { fr, type MessageKey } from './fr';

/** The languages Palabre speaks: every event offers both. */
export const LANGUAGES = ['fr', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export type { MessageKey };

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { fr, en };

/** A parameter is a value, or another sentence of the dictionary worded in the same language. */
export type Param = string | number | { key: MessageKey; params?: Record<string, string | number> };
export type Params = Record<string, Param>;

export function format(lang: Lang, key: MessageKey, params: Params = {}): string {
	return dictionaries[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => {
		const value = params[name];
		if (value === undefined) return m;
		return typeof value === 'object' ? format(lang, value.key, value.params) : String(value);
	});
}
