import fc from 'fast-check';
import { expect, it } from 'vitest';
import { retryDelay, retryable } from '../../src/lib/client/retry';

it('waits at least what the server asked, doubling up to 30 s, with up to half again of jitter', () => {
	fc.assert(
		fc.property(fc.nat(20), fc.option(fc.nat(600), { nil: null }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, asked, r) => {
			const delay = retryDelay(attempt, asked === null ? null : String(asked), 0, () => r);
			const base = Math.max((asked ?? 0) * 1000, Math.min(30_000, 1000 * 2 ** attempt));
			expect(delay).toBeGreaterThanOrEqual(base);
			expect(delay).toBeLessThanOrEqual(base * 1.5 + 1);
		})
	);
	// An HTTP date is honoured too.
	expect(retryDelay(0, new Date(10_000).toUTCString(), 0, () => 0)).toBe(10_000);
	// Two phones refused together come back apart.
	expect(retryDelay(3, '1', 0, () => 0)).not.toBe(retryDelay(3, '1', 0, () => 0.9));
	expect([429, 503, 400, 404, 500].map(retryable)).toEqual([true, true, false, false, false]);
});
