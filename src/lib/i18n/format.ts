/** The dictionaries and their formatting, without the device's reactive state: usable on the server too. */
import { en } from './en';
import { fr, type MessageKey } from './fr';

export type Lang = 'fr' | 'en';

const dictionaries: Record<Lang, Record<MessageKey, string>> = { fr, en };

export function format(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
	return dictionaries[lang][key].replace(/\{(\w+)\}/g, (m, name: string) =>
		name in params ? String(params[name]) : m
	);
}
