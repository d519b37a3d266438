import { expect, it } from 'vitest';
import { rateLimiter } from '../../server/rateLimit';

it('lets a burst through, then the average rate', () => {
	const limit = rateLimiter({ burst: 3, perMinute: 60 });
	expect([0, 0, 0, 0].map(() => limit.take('a', 0))).toEqual([true, true, true, false]);
	expect(limit.take('a', 999)).toBe(false);
	expect(limit.take('a', 1000)).toBe(true);
	expect(limit.take('b', 1000)).toBe(true);
});

it('refills up to the burst only', () => {
	const limit = rateLimiter({ burst: 2, perMinute: 60 });
	limit.take('a', 0);
	expect([0, 0, 0].map(() => limit.take('a', 3_600_000))).toEqual([true, true, false]);
});

it('keeps a bounded number of keys', () => {
	const limit = rateLimiter({ burst: 1, perMinute: 1, maxKeys: 2 });
	limit.take('a', 0);
	limit.take('b', 0);
	limit.take('c', 0);
	// 'a' was forgotten: it starts again with a full bucket.
	expect(limit.take('a', 0)).toBe(true);
	expect(limit.take('c', 0)).toBe(false);
});

it('says how long until a token, without taking one', () => {
	const limit = rateLimiter({ burst: 2, perMinute: 60 });
	expect(limit.wait('a', 0)).toBe(0);
	limit.take('a', 0);
	limit.take('a', 0);
	expect(limit.wait('a', 0)).toBe(1000);
	expect(limit.wait('a', 400)).toBe(600);
	expect(limit.wait('a', 400)).toBe(600);
	expect(limit.take('a', 1000)).toBe(true);
	expect(limit.wait('b', 0)).toBe(0);
});
