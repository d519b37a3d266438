/** The address put in links and QR codes: one the server listens on, or PUBLIC_URL. */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../server/config';

describe('links without PUBLIC_URL', () => {
	it('listening everywhere, use the LAN address (phones on the same Wi-Fi)', () => {
		for (const HOST of ['0.0.0.0', '::']) {
			expect(readConfig({ HOST }, '192.168.1.20')).toMatchObject({ publicUrl: 'http://192.168.1.20:3000', loopbackOnly: false });
		}
	});
	it('on a loopback HOST, use that address, and say phones cannot reach it', () => {
		expect(readConfig({ HOST: '127.0.0.1', PORT: '4000' }, '192.168.1.20')).toMatchObject({
			publicUrl: 'http://127.0.0.1:4000',
			loopbackOnly: true
		});
		expect(readConfig({ HOST: '::1' }, '192.168.1.20')).toMatchObject({ publicUrl: 'http://[::1]:3000', loopbackOnly: true });
		expect(readConfig({ HOST: 'localhost' }, null)).toMatchObject({ publicUrl: 'http://localhost:3000', loopbackOnly: true });
	});
	it('on one given address, use it: phones can reach it', () => {
		expect(readConfig({ HOST: '10.0.0.5' }, '192.168.1.20')).toMatchObject({ publicUrl: 'http://10.0.0.5:3000', loopbackOnly: false });
	});
});

describe('links with PUBLIC_URL', () => {
	it('use it whatever HOST is: behind a reverse proxy, Palabre listens on loopback', () => {
		expect(readConfig({ HOST: '127.0.0.1', PUBLIC_URL: 'https://palabre.example.org/' }, '192.168.1.20')).toMatchObject({
			publicUrl: 'https://palabre.example.org',
			loopbackOnly: false
		});
	});
});
