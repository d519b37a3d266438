import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEventDates } from '../../src/lib/domain/eventDates';

describe('event dates', () => {
	it('writes a two-day event as the actes do', () => {
		expect(formatEventDates('2017-11-16', '2017-11-17', 'fr')).toBe('16 et 17 novembre 2017');
		expect(formatEventDates('2017-11-16', '2017-11-17', 'en')).toBe('16–17 November 2017');
	});

	it('writes one day alone, whether the end is missing or the same', () => {
		expect(formatEventDates('2017-09-22', null, 'fr')).toBe('22 septembre 2017');
		expect(formatEventDates('2017-09-22', '2017-09-22', 'fr')).toBe('22 septembre 2017');
		expect(formatEventDates('2017-09-22', '2017-09-22', 'en')).toBe('22 September 2017');
		expect(formatEventDates('2017-12-01', null, 'fr')).toBe('1er décembre 2017');
	});

	it('writes longer spans, across months and years', () => {
		expect(formatEventDates('2017-11-16', '2017-11-18', 'fr')).toBe('du 16 au 18 novembre 2017');
		expect(formatEventDates('2017-11-30', '2017-12-01', 'fr')).toBe('du 30 novembre au 1er décembre 2017');
		expect(formatEventDates('2017-11-30', '2017-12-01', 'en')).toBe('30 November – 1 December 2017');
		expect(formatEventDates('2017-12-31', '2018-01-01', 'fr')).toBe('du 31 décembre 2017 au 1er janvier 2018');
		expect(formatEventDates('2017-12-31', '2018-01-01', 'en')).toBe('31 December 2017 – 1 January 2018');
	});

	it('has nothing to write without a start', () => {
		expect(formatEventDates(null, null, 'fr')).toBeNull();
		expect(formatEventDates(null, '2017-11-17', 'en')).toBeNull();
	});

	it('always names both years and the end day', () => {
		const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
		fc.assert(
			fc.property(iso, iso, (x, y) => {
				const [start, end] = x <= y ? [x, y] : [y, x];
				for (const lang of ['fr', 'en'] as const) {
					const text = formatEventDates(start, end, lang) as string;
					expect(text).toContain(start.slice(0, 4));
					expect(text).toContain(end.slice(0, 4));
					expect(text).toMatch(new RegExp(`\\b${Number(end.slice(8))}(er)? \\S+ ${end.slice(0, 4)}$`));
				}
			})
		);
	});
});
