import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	CLOCK_WINDOW,
	addSample,
	estimateOffset,
	formatRemaining,
	roundTrip,
	sampleOffset,
	serverNow,
	type ClockSample
} from '../../src/lib/domain/clock';

const MIN = 60_000;

/** A sample from a client whose clock is `offset` behind the server, with the given one-way delays. */
function sample(sentAt: number, offset: number, up: number, down: number): ClockSample {
	return { sentAt, serverTime: sentAt + up + offset, receivedAt: sentAt + up + down };
}

describe('sampleOffset', () => {
	it('is exact when both ways take as long', () => {
		const s = sample(1_000, 5_000, 40, 40);
		expect(s).toEqual({ sentAt: 1_000, serverTime: 6_040, receivedAt: 1_080 });
		expect(roundTrip(s)).toBe(80);
		expect(sampleOffset(s)).toBe(5_000);
	});
	it('is off by half the asymmetry otherwise, never more than half the round trip', () => {
		const s = sample(1_000, 5_000, 100, 20);
		expect(sampleOffset(s)).toBe(5_040);
		const worst = sample(1_000, 5_000, 120, 0);
		expect(Math.abs(sampleOffset(worst) - 5_000)).toBe(roundTrip(worst) / 2);
	});
	it('handles a client ahead of the server', () => {
		expect(sampleOffset(sample(1_000_000, -42_000, 30, 30))).toBe(-42_000);
	});
});

describe('addSample', () => {
	it('keeps the last eight samples without touching the input', () => {
		let samples: ClockSample[] = [];
		for (let i = 0; i < 10; i++) {
			const before = samples;
			samples = addSample(samples, sample(i * 1_000, 0, 10, 10));
			expect(before).toHaveLength(Math.min(i, CLOCK_WINDOW));
		}
		expect(CLOCK_WINDOW).toBe(8);
		expect(samples.map((s) => s.sentAt)).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map((i) => i * 1_000));
		expect(addSample(samples, sample(0, 0, 1, 1), 3)).toHaveLength(3);
	});
	it('drops a sample whose client clock went backwards or that is not a number', () => {
		const samples = [sample(0, 0, 10, 10)];
		expect(addSample(samples, { sentAt: 1_000, serverTime: 1_000, receivedAt: 900 })).toEqual(samples);
		expect(addSample(samples, { sentAt: Number.NaN, serverTime: 1_000, receivedAt: 900 })).toEqual(samples);
		expect(addSample(samples, { sentAt: 0, serverTime: Number.POSITIVE_INFINITY, receivedAt: 1 })).toEqual(samples);
		// A zero round trip (same millisecond) is a fine sample.
		expect(addSample(samples, { sentAt: 5, serverTime: 5, receivedAt: 5 })).toHaveLength(2);
	});
});

describe('estimateOffset', () => {
	it('is 0 before any sample', () => {
		expect(estimateOffset([])).toBe(0);
	});
	it('trusts the sample with the lowest round trip', () => {
		const samples = [
			sample(0, 10 * MIN, 400, 50), // slow upload: offset reads 175 ms too high
			sample(1_000, 10 * MIN, 12, 8), // best: 10 ms too high at most
			sample(2_000, 10 * MIN, 30, 300)
		];
		expect(estimateOffset(samples)).toBe(10 * MIN + 2);
	});
	it('prefers the latest sample on a tie', () => {
		expect(estimateOffset([sample(0, 1_000, 10, 10), sample(1_000, 1_500, 10, 10)])).toBe(1_500);
	});
	it('looks only at the last samples of the window', () => {
		const old = sample(0, 999, 1, 1);
		const recent = Array.from({ length: 8 }, (_, i) => sample(10_000 + i * 1_000, 3_000, 50, 50));
		expect(estimateOffset([old, ...recent])).toBe(3_000);
		expect(estimateOffset([old, ...recent], 9)).toBe(999);
	});
	it('stays within half the best round trip of the true offset', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: -24 * 60 * MIN, max: 24 * 60 * MIN }),
				fc.array(fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 2_000 })), { minLength: 1, maxLength: 20 }),
				(offset, delays) => {
					let samples: ClockSample[] = [];
					delays.forEach(([up, down], i) => (samples = addSample(samples, sample(1_700_000_000_000 + i * 5_000, offset, up, down))));
					const best = Math.min(...samples.map(roundTrip));
					expect(Math.abs(estimateOffset(samples) - offset)).toBeLessThanOrEqual(best / 2);
				}
			)
		);
	});
});

describe('serverNow', () => {
	it('corrects a client clock ten minutes behind', () => {
		const server = 1_700_000_000_000;
		const client = server - 10 * MIN;
		const samples = [sample(client - 100, 10 * MIN, 20, 20), sample(client - 50, 10 * MIN, 25, 25)];
		expect(serverNow(estimateOffset(samples), client)).toBe(server);
	});
	it('corrects a client clock ten minutes ahead, so the timer reads right', () => {
		const server = 1_700_000_000_000;
		const client = server + 10 * MIN;
		const offset = estimateOffset([sample(client - 200, -10 * MIN, 30, 30)]);
		expect(offset).toBe(-10 * MIN);
		const endsAt = server + 7 * MIN;
		expect(formatRemaining(endsAt - serverNow(offset, client))).toBe('07:00');
		// Without the offset the phone would show the stage as over.
		expect(formatRemaining(endsAt - client)).toBe('00:00');
	});
});

describe('formatRemaining', () => {
	it('shows minutes and seconds, rounded up to the second', () => {
		expect(formatRemaining(30 * MIN)).toBe('30:00');
		expect(formatRemaining(5 * MIN + 7_000)).toBe('05:07');
		expect(formatRemaining(59_001)).toBe('01:00');
		expect(formatRemaining(59_000)).toBe('00:59');
		expect(formatRemaining(1)).toBe('00:01');
		expect(formatRemaining(0)).toBe('00:00');
	});
	it('never goes negative and lets minutes pass 59', () => {
		expect(formatRemaining(-1)).toBe('00:00');
		expect(formatRemaining(-5 * MIN)).toBe('00:00');
		expect(formatRemaining(Number.NaN)).toBe('00:00');
		expect(formatRemaining(90 * MIN)).toBe('90:00');
		expect(formatRemaining(125 * MIN + 1)).toBe('125:01');
	});
});

