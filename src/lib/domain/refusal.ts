/**
 * A refusal by a rule: a code and its parameters, worded by each device in its own language (the
 * dictionaries' `error.<code>`). Its message is the French wording, for the server's log.
 */
import { format, type Lang, type MessageKey, type Params } from '../i18n/words';

type ErrorKey = Extract<MessageKey, `error.${string}`>;
export type ErrorCode = ErrorKey extends `error.${infer C}` ? C : never;
export type { Params as ErrorParams };

export class Refusal extends Error {
	constructor(
		readonly code: ErrorCode,
		readonly params: Params = {}
	) {
		super(wordRefusal('fr', code, params));
	}
}

export function wordRefusal(lang: Lang, code: ErrorCode, params: Params = {}): string {
	return format(lang, `error.${code}`, params);
}
