/**
 * Joining as a real venue does, and as an attacker would: 300 phones behind one address, invalid
 * bodies before valid joins, a budget per event, join-code guessing, `X-Forwarded-For` trusted
 * only behind a configured proxy, JSON accepted only as `application/json`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_GUESSES } from '../../server/http/api';
import { requestFrom } from '../helpers/addresses';
import { TestServer } from '../helpers/server';

const body = { title: 'Salle comble', themes: [{ title: 'Salle', statements: ['A', 'B'] }] };

describe('with the default limits, no proxy', () => {
	let server: TestServer;
	// 300 joins per minute per room: the default, said explicitly (tests run with higher limits).
	beforeAll(async () => {
		server = await TestServer.start({ JOIN_LIMIT: '300' });
	});
	afterAll(async () => server?.dispose());

	const joinFrom = (from: string, code: string, payload: unknown = { displayName: 'Awa' }, contentType?: string | null) =>
		requestFrom(`${server.url}/api/join/${code}`, { from, method: 'POST', body: payload, ...(contentType !== undefined ? { contentType } : {}) });

	it('lets 300 phones behind one address join in a burst, after 120 invalid bodies from that address', async () => {
		const e = (await server.api('POST', '/api/events', body)).body;
		// One hostile phone on the venue's Wi-Fi: invalid bodies are refused before any budget is charged.
		const invalid = await Promise.all(Array.from({ length: 120 }, () => joinFrom('127.0.0.20', e.joinCode, {})));
		expect(invalid.every((r) => r.status === 400)).toBe(true);
		const joins = [];
		for (let batch = 0; batch < 10; batch++) {
			joins.push(...(await Promise.all(Array.from({ length: 30 }, (_, i) => joinFrom('127.0.0.20', e.joinCode, { displayName: `P${batch * 30 + i}` })))));
		}
		expect(joins.filter((r) => r.status !== 201).map((r) => r.text)).toEqual([]);
		expect(server.countRowsWhere('participants', 'event_id = ?', e.id)).toBe(300);

		// The event's budget (300 a minute for one room, refilled meanwhile) runs out whatever the
		// address: the next one waits, told how long, and nothing is stored.
		let more = 0;
		let over = await joinFrom('127.0.0.21', e.joinCode);
		while (over.status === 201 && more < 100) {
			more++;
			over = await joinFrom('127.0.0.21', e.joinCode);
		}
		expect(over.status).toBe(429);
		expect(over.json.error).toMatch(/encore quelques secondes/);
		expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
		expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
		expect(server.countRowsWhere('participants', 'event_id = ?', e.id)).toBe(300 + more);
		// Another event is not held back by this one.
		const other = (await server.api('POST', '/api/events', body)).body;
		expect((await joinFrom('127.0.0.21', other.joinCode)).status).toBe(201);
	});

	it('accepts JSON only as application/json (415), so no web page can post joins or imports for its visitors', async () => {
		const e = (await server.api('POST', '/api/events', body)).body;
		const people = () => server.countRowsWhere('participants', 'event_id = ?', e.id);
		for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
			const answer = await joinFrom('127.0.0.22', e.joinCode, { displayName: 'Forgée' }, type);
			expect(answer.status, String(type)).toBe(415);
			expect(answer.json.error).toMatch(/application\/json/);
		}
		const events = server.countRows('events');
		for (const path of ['/api/events', '/api/events/import']) {
			const answer = await requestFrom(server.url + path, { from: '127.0.0.22', method: 'POST', body, contentType: 'text/plain' });
			expect(answer.status, path).toBe(415);
		}
		expect(server.countRows('events')).toBe(events);
		expect(people()).toBe(0);
		expect((await joinFrom('127.0.0.22', e.joinCode, { displayName: 'Awa' }, 'application/json; charset=utf-8')).status).toBe(201);
		expect(people()).toBe(1);
	});

	it('slows down join-code guessing: after 20 unknown codes, 10 lookups a minute; the real code still works elsewhere', async () => {
		const e = (await server.api('POST', '/api/events', body)).body;
		const guesser = '127.0.0.23';
		const lookup = (code: string, from = guesser, forwardedFor?: string) =>
			requestFrom(`${server.url}/api/join/${code}`, { from, ...(forwardedFor ? { forwardedFor } : {}) });
		const guesses = [];
		for (let i = 0; i < CODE_GUESSES.burst; i++) guesses.push(await lookup(`ZZZZ${String(i).padStart(2, '0')}`));
		expect(guesses.every((g) => g.status === 404)).toBe(true);

		// Now every lookup from that address waits, the real code's too (else the answer would tell a hit),
		// whatever `X-Forwarded-For` says (no proxy is configured), on the API and on the join page.
		const held = await lookup('ZZZZZZ');
		expect(held.status).toBe(429);
		expect(Number(held.headers['retry-after'])).toBe(60 / CODE_GUESSES.perMinute);
		expect((await lookup(e.joinCode)).status).toBe(429);
		expect((await lookup('ZZZZZZ', guesser, '203.0.113.9')).status).toBe(429);
		expect((await requestFrom(`${server.url}/j/${e.joinCode}`, { from: guesser })).status).toBe(429);
		expect((await requestFrom(`${server.url}/api/join/${e.joinCode}`, { from: guesser, method: 'POST', body: { displayName: 'X' } })).status).toBe(429);

		// Hammering for a while gets at most one lookup through per 6 seconds.
		const until = Date.now() + 6_500;
		let through = 0;
		let tries = 0;
		while (Date.now() < until) {
			tries++;
			if ((await lookup(`Y${tries}`)).status !== 429) through++;
			await new Promise((r) => setTimeout(r, 50));
		}
		expect(tries).toBeGreaterThan(20);
		expect(through).toBeLessThanOrEqual(2);

		// The venue's phones, from their own addresses, are unaffected.
		const info = await lookup(e.joinCode, '127.0.0.24');
		expect(info.status).toBe(200);
		expect(info.json.title).toBe(body.title);
		expect((await requestFrom(`${server.url}/j/${e.joinCode}`, { from: '127.0.0.24' })).text).toContain(body.title);
	});
});

describe('behind a reverse proxy (TRUST_PROXY)', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await TestServer.start({ TRUST_PROXY: '1' });
	});
	afterAll(async () => server?.dispose());

	it('reads the client from X-Forwarded-For: one guesser behind the proxy does not hold back the others', async () => {
		const e = (await server.api('POST', '/api/events', body)).body;
		// The proxy (127.0.0.30) adds the client's address last; what the client wrote before it is ignored.
		const lookup = (code: string, client: string, spoofed = '') =>
			requestFrom(`${server.url}/api/join/${code}`, { from: '127.0.0.30', forwardedFor: `${spoofed}${client}` });
		for (let i = 0; i < CODE_GUESSES.burst; i++) expect((await lookup(`ZZZZ${i}`, '198.51.100.7', `10.0.0.${i}, `)).status).toBe(404);
		expect((await lookup(e.joinCode, '198.51.100.7')).status).toBe(429);
		expect((await lookup(e.joinCode, '198.51.100.8')).status).toBe(200);
		const joined = await requestFrom(`${server.url}/api/join/${e.joinCode}`, {
			from: '127.0.0.30',
			forwardedFor: '198.51.100.8',
			method: 'POST',
			body: { displayName: 'Awa' }
		});
		expect(joined.status).toBe(201);
	});
});
