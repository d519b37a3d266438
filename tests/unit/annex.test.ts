/** The rule of the actes' annex: the group's reactions move an idea there, never one tap. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANNEX_MIN_CLARIFY, goesToAnnex } from '../../src/lib/domain/annex';

const counts = fc.record({ agree: fc.nat(12), clarify: fc.nat(12) });

describe('goesToAnnex', () => {
	it('needs two « à préciser » at least, more than « d’accord »', () => {
		expect(goesToAnnex({ agree: 0, clarify: 1 })).toBe(false);
		expect(goesToAnnex({ agree: 0, clarify: 2 })).toBe(true);
		expect(goesToAnnex({ agree: 2, clarify: 2 })).toBe(false);
		expect(goesToAnnex({ agree: 2, clarify: 3 })).toBe(true);
	});

	it('never moves an idea on one person’s tap', () => {
		fc.assert(fc.property(fc.nat(12), (agree) => !goesToAnnex({ agree, clarify: Math.min(1, ANNEX_MIN_CLARIFY - 1) })));
	});

	it('one more « d’accord » never sends an idea to the annex, one more « à préciser » never brings it back', () => {
		fc.assert(
			fc.property(counts, ({ agree, clarify }) => {
				if (goesToAnnex({ agree: agree + 1, clarify })) expect(goesToAnnex({ agree, clarify })).toBe(true);
				if (goesToAnnex({ agree, clarify })) expect(goesToAnnex({ agree, clarify: clarify + 1 })).toBe(true);
			})
		);
	});

	it('an idea in the annex had more « à préciser » than « d’accord »', () => {
		fc.assert(fc.property(counts, (c) => !goesToAnnex(c) || (c.clarify > c.agree && c.clarify >= ANNEX_MIN_CLARIFY)));
	});
});
