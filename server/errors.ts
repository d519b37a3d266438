/**
 * What the server answers when it refuses: a status, a code and its parameters (the dictionaries
 * word them in each device's language), and the French wording for the log and for API users.
 */
import { Refusal, type ErrorCode, type ErrorParams } from '../src/lib/domain/refusal';
import type { Refused } from '../src/lib/protocol';
import { isStorageFull } from './store/sqlite';

export class PalabreError extends Refusal {
	constructor(
		readonly status: number,
		code: ErrorCode,
		params?: ErrorParams
	) {
		super(code, params);
	}
}

/**
 * The answer to a failed action: a rule's refusal as such (a domain rule refuses with 409), a full
 * disk as 503, anything else as an internal error (`internal: true`: the caller logs it).
 */
export function refusalOf(err: unknown, internal: ErrorCode = 'internal'): { status: number; refused: Refused; internal: boolean } {
	if (err instanceof PalabreError) return { status: err.status, refused: wire(err), internal: false };
	if (err instanceof Refusal) return { status: 409, refused: wire(err), internal: false };
	if (isStorageFull(err)) return { status: 503, refused: wire(new Refusal('storageFull')), internal: false };
	return { status: 500, refused: wire(new Refusal(internal)), internal: true };
}

function wire(r: Refusal): Refused {
	return { error: r.message, code: r.code, ...(Object.keys(r.params).length ? { params: r.params } : {}) };
}
