/**
 * One i18n mechanism for every string: typed dictionaries (fr.ts is the reference, en.ts must
 * have every key — checked by TypeScript) and a reactive current language per device.
 * Chosen over Paraglide for now: no compile step, no generated files, type-checked keys.
 */
import { format, type Lang } from './format';
import type { MessageKey } from './fr';

export type { Lang, MessageKey };

const STORAGE_KEY = 'palabre.lang';

export const locale = $state<{ lang: Lang }>({ lang: 'fr' });

/** Translates in the device's current language (reactive in templates). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
	return format(locale.lang, key, params);
}

/**
 * A device's own choice wins; without one, with `browser` (a phone, once its page is mounted),
 * the browser's language when Palabre speaks it (every event offers both), else the event's.
 */
export function initLang(eventLanguage: Lang | undefined, { browser = false } = {}) {
	const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null;
	locale.lang = saved === 'fr' || saved === 'en' ? saved : ((browser ? browserLang() : undefined) ?? eventLanguage ?? 'fr');
	syncDocumentLang();
}

function browserLang(): Lang | undefined {
	if (typeof navigator === 'undefined') return undefined;
	for (const tag of navigator.languages?.length ? navigator.languages : [navigator.language]) {
		const primary = tag.slice(0, 2).toLowerCase();
		if (primary === 'fr' || primary === 'en') return primary;
	}
	return undefined;
}

export function setLang(lang: Lang, remember = true) {
	locale.lang = lang;
	if (remember) localStorage.setItem(STORAGE_KEY, lang);
	syncDocumentLang();
}

function syncDocumentLang() {
	if (typeof document !== 'undefined') document.documentElement.lang = locale.lang;
}
