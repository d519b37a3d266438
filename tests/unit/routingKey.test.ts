/**
 * The routing key (docs/deploy/README.md): what pages send (src/lib/client/eventRoute.ts) and
 * what links carry (server/links.ts) is what nodes read (server/cluster/forward.ts `eventOfUrl`),
 * for any event id.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { eventQuery, routeToEvent, withEvent } from '../../src/lib/client/eventRoute';
import { eventOfUrl } from '../../server/cluster/forward';
import { Links } from '../../server/links';

const eventId = fc.stringMatching(/^[\w-]{1,40}$/).filter((id) => id !== 'import');
const pathAndQuery = (url: string) => {
	const u = new URL(url, 'https://palabre.example.org');
	return u.pathname + u.search;
};

afterEach(() => routeToEvent(undefined));

describe('the routing key', () => {
	it('is nothing until the page knows its event', () => {
		expect(eventQuery()).toEqual({});
		expect(withEvent('/api/join/ABCDEF')).toBe('/api/join/ABCDEF');
		routeToEvent(null);
		expect(eventQuery()).toEqual({});
	});

	it('is read back by the nodes from every URL a page sends, and from the links', () => {
		const links = new Links('https://palabre.example.org');
		fc.assert(
			fc.property(eventId, (id) => {
				routeToEvent(id);
				expect(eventQuery()).toEqual({ e: id });
				for (const url of [
					withEvent('/api/join/ABCDEF'),
					withEvent('https://palabre.example.org/api/yjs-tickets/palabre-writeup-g1'),
					`/socket.io/?EIO=4&transport=polling&${new URLSearchParams(eventQuery())}`,
					`/yjs/palabre-writeup-g1?${new URLSearchParams({ ...eventQuery(), ticket: 't' })}`,
					`/api/events/${id}/actes?format=docx`,
					links.projection(id, 'room1', 'token'),
					links.facilitation(id, 'room1', 'token')
				]) {
					expect(eventOfUrl(pathAndQuery(url))).toBe(id);
				}
			})
		);
	});

	it('keeps what a URL already asks', () => {
		routeToEvent('ev1');
		expect(withEvent('/api/join/ABCDEF?x=1')).toBe('/api/join/ABCDEF?x=1&e=ev1');
	});
});
