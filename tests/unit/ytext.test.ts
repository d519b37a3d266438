import { expect, it } from 'vitest';
import { diff, shiftCaret } from '../../src/lib/client/ytext';

it('finds the single change between two strings', () => {
	expect(diff('Le problème', 'Le vrai problème')).toEqual({ index: 3, remove: 0, insert: 'vrai ' });
	expect(diff('abcdef', 'abef')).toEqual({ index: 2, remove: 2, insert: '' });
	expect(diff('aaa', 'aaaa')).toEqual({ index: 3, remove: 0, insert: 'a' });
	expect(diff('abc', 'xyz')).toEqual({ index: 0, remove: 3, insert: 'xyz' });
	expect(diff('', '')).toEqual({ index: 0, remove: 0, insert: '' });
});

it('keeps the caret in place through remote inserts and deletes', () => {
	expect(shiftCaret(5, [{ insert: 'ab' }])).toBe(7);
	expect(shiftCaret(5, [{ retain: 6 }, { insert: 'ab' }])).toBe(5);
	expect(shiftCaret(5, [{ retain: 1 }, { delete: 2 }])).toBe(3);
	expect(shiftCaret(5, [{ retain: 4 }, { delete: 3 }])).toBe(4);
	expect(shiftCaret(5, [{ retain: 5 }, { delete: 3 }])).toBe(5);
});
