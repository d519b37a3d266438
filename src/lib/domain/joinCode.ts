/**
 * Short join codes typed by people reading them off a projector: six characters,
 * without look-alikes (no O/0, I/1/L, S/5, Z/2, B/8, U/V).
 */
export const JOIN_CODE_ALPHABET = 'ACDEFGHJKMNPQRTWXY3469';
export const JOIN_CODE_LENGTH = 6;

/** Uppercases, drops spaces and dashes, and maps look-alikes to the letters we use. */
export function normaliseJoinCode(input: string): string {
	return input
		.toUpperCase()
		.replace(/[\s-]/g, '')
		.replace(/[O0]/g, 'Q')
		.slice(0, 32);
}

export function isJoinCode(input: string): boolean {
	return (
		input.length === JOIN_CODE_LENGTH && [...input].every((c) => JOIN_CODE_ALPHABET.includes(c))
	);
}
