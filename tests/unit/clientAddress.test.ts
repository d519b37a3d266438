import { describe, expect, it } from 'vitest';
import { clientAddress, isTrustedProxy, normaliseAddress, parseTrustProxy } from '../../server/http/clientAddress';
import { readConfig } from '../../server/config';

describe('TRUST_PROXY', () => {
	it('is off by default, and reads hops or a list of proxy addresses', () => {
		expect(parseTrustProxy(undefined)).toBeNull();
		expect(parseTrustProxy('')).toBeNull();
		expect(parseTrustProxy('0')).toBeNull();
		expect(parseTrustProxy('2')).toEqual({ hops: 2 });
		expect(parseTrustProxy('10.0.0.1, ::ffff:10.0.0.2,::1')).toEqual({ addresses: ['10.0.0.1', '10.0.0.2', '::1'] });
		expect(() => parseTrustProxy('proxy.example.org')).toThrow(/TRUST_PROXY/);
		expect(readConfig({}, null).trustProxy).toBeNull();
		expect(readConfig({ TRUST_PROXY: '1' }, null).trustProxy).toEqual({ hops: 1 });
	});

	it('without a proxy, a spoofed X-Forwarded-For changes nothing', () => {
		expect(clientAddress(null, '::ffff:192.0.2.1', '203.0.113.5')).toBe('192.0.2.1');
		// Behind listed proxies, a peer that is not one of them is the client itself.
		expect(clientAddress({ addresses: ['10.0.0.1'] }, '192.0.2.1', '203.0.113.5')).toBe('192.0.2.1');
	});

	it('behind N proxies, takes the address the last of them wrote, not what the client wrote before', () => {
		const hops = { hops: 1 };
		expect(clientAddress(hops, '10.0.0.1', '203.0.113.5')).toBe('203.0.113.5');
		expect(clientAddress(hops, '10.0.0.1', 'spoofed, 1.2.3.4, 203.0.113.5')).toBe('203.0.113.5');
		expect(clientAddress({ hops: 2 }, '10.0.0.1', '1.2.3.4, 203.0.113.5, 10.0.0.9')).toBe('203.0.113.5');
		// Fewer addresses than hops: the furthest one known.
		expect(clientAddress({ hops: 3 }, '10.0.0.1', '203.0.113.5')).toBe('203.0.113.5');
		// No header, or garbage where the proxy should have written: the peer.
		expect(clientAddress(hops, '10.0.0.1', undefined)).toBe('10.0.0.1');
		expect(clientAddress(hops, '10.0.0.1', 'not-an-address')).toBe('10.0.0.1');
	});

	it('behind listed proxies, skips them from the right', () => {
		const listed = { addresses: ['10.0.0.1', '10.0.0.2'] };
		expect(clientAddress(listed, '10.0.0.1', '1.2.3.4, 203.0.113.5, 10.0.0.2')).toBe('203.0.113.5');
		expect(clientAddress(listed, '::ffff:10.0.0.1', ['203.0.113.5'])).toBe('203.0.113.5');
		expect(isTrustedProxy(listed, '::ffff:10.0.0.2')).toBe(true);
		expect(isTrustedProxy(listed, '10.0.0.3')).toBe(false);
		expect(isTrustedProxy(null, '10.0.0.1')).toBe(false);
		expect(normaliseAddress(undefined)).toBe('?');
	});
});
