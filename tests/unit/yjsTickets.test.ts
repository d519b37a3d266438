import { describe, expect, it } from 'vitest';
import { TICKET_TTL_MS, YjsTickets } from '../../server/realtime/yjsTickets';

describe('write-up tickets', () => {
	it('open one doc, once, within their lifetime', () => {
		let now = 1_000;
		const tickets = new YjsTickets(() => now);
		const a = tickets.issue('jeton', 'group.a');
		expect(tickets.redeem(a, 'group.b')).toBeUndefined();
		// Used up even by a wrong try: a ticket is never tried twice.
		expect(tickets.redeem(a, 'group.a')).toBeUndefined();
		const b = tickets.issue('jeton', 'group.a');
		expect(tickets.redeem(b, 'group.a')).toBe('jeton');
		expect(tickets.redeem(b, 'group.a')).toBeUndefined();
		const late = tickets.issue('jeton', 'group.a');
		now += TICKET_TTL_MS;
		expect(tickets.redeem(late, 'group.a')).toBeUndefined();
	});

	it('stay bounded: expired ones are swept, one token keeps at most 32', () => {
		let now = 0;
		const tickets = new YjsTickets(() => now);
		const first = tickets.issue('bavard', 'group.a');
		const other = tickets.issue('autre', 'group.a');
		for (let i = 0; i < 100; i++) tickets.issue('bavard', 'group.a');
		expect(tickets.size).toBe(33);
		expect(tickets.redeem(first, 'group.a')).toBeUndefined();
		expect(tickets.redeem(other, 'group.a')).toBe('autre');
		now += TICKET_TTL_MS + 1;
		tickets.issue('autre', 'group.a');
		expect(tickets.size).toBe(1);
	});
});
