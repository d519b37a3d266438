import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { familiesOf, isResidentVoice, normaliseCategories } from '../../src/lib/domain/categories';
import { chamberyTemplate } from '../../src/lib/domain/eventSettings';
import { headcount } from '../../src/lib/domain/headcount';
import { JOIN_CODE_ALPHABET, isJoinCode, normaliseJoinCode } from '../../src/lib/domain/joinCode';
import { CreateEventBody } from '../../src/lib/protocol';
import { readConfig } from '../../server/config';
import { hashToken, matchesHash, newJoinCode, newToken, roomToken, sameSecret, splitParticipantToken } from '../../server/tokens';

describe('join codes', () => {
	it('use no look-alike characters', () => {
		for (const c of 'O0I1LS5Z2B8UV') expect(JOIN_CODE_ALPHABET).not.toContain(c);
	});
	it('are six characters of the alphabet', () => {
		for (let i = 0; i < 200; i++) expect(isJoinCode(newJoinCode())).toBe(true);
	});
	it('forgive case, spaces, dashes and O/0 typed for Q', () => {
		expect(normaliseJoinCode(' dw3-ry9 ')).toBe('DW3RY9');
		expect(normaliseJoinCode('A0C')).toBe('AQC');
	});
});

describe('tokens', () => {
	it('carry at least 128 bits and compare in constant time', () => {
		const t = newToken();
		expect(t.length * 6).toBeGreaterThanOrEqual(128);
		expect(matchesHash(t, hashToken(t))).toBe(true);
		expect(matchesHash(t + 'x', hashToken(t))).toBe(false);
		expect(sameSecret('abc', 'abd')).toBe(false);
		expect(sameSecret('abc', 'abcd')).toBe(false);
	});
	it('name the participant they belong to', () => {
		expect(splitParticipantToken('p1.secret')?.id).toBe('p1');
		expect(splitParticipantToken('nodot')).toBeUndefined();
		expect(splitParticipantToken('.x')).toBeUndefined();
	});
	it('derive a room link per room, role and organiser token: 192 bits, one apart from another', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), (o1, o2, r1, r2) => {
				const t = roomToken(o1, r1, 'facilitation');
				expect(t).toMatch(/^[\w-]{32}$/);
				expect(roomToken(o1, r1, 'facilitation')).toBe(t);
				expect(roomToken(o1, r1, 'projection')).not.toBe(t);
				if (r1 !== r2) expect(roomToken(o1, r2, 'facilitation')).not.toBe(t);
				if (o1 !== o2) expect(roomToken(o2, r1, 'facilitation')).not.toBe(t);
			})
		);
	});
});

describe('categories', () => {
	it('derive families, details included, and drop « nsp » beside a real answer', () => {
		expect(familiesOf(['habitant', 'infirmier'])).toEqual(['habitant', 'sante']);
		expect(familiesOf(['nsp', 'medecin'])).toEqual(['sante']);
		expect(normaliseCategories(['nsp', 'medecin', 'medecin', 'pirate'])).toEqual(['medecin']);
		expect(normaliseCategories(['nsp'])).toEqual(['nsp']);
	});
	it('recognise residents, users and patients', () => {
		expect(isResidentVoice(['conseiller-citoyen'])).toBe(true);
		expect(isResidentVoice(['patient'])).toBe(true);
		expect(isResidentVoice(['medecin', 'mediation'])).toBe(false);
	});
	it('count people once per declared family', () => {
		expect(headcount([{ categories: ['habitant', 'infirmier'] }, { categories: [] }, { categories: ['medecin'] }])).toEqual({
			total: 3,
			byFamily: { habitant: 1, sante: 2, nsp: 1 }
		});
	});
});

describe('configuration', () => {
	it('has the defaults of a laptop on the venue Wi-Fi: links use the LAN address', () => {
		const c = readConfig({}, '192.168.1.20');
		expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', publicUrl: 'http://192.168.1.20:3000', loopbackOnly: false });
		expect(c.dataDir).toMatch(/\/data$/);
	});
	it('says so when only loopback exists', () => {
		expect(readConfig({ PORT: '4000' }, null)).toMatchObject({ publicUrl: 'http://localhost:4000', loopbackOnly: true });
	});
	it('puts PUBLIC_URL in links, without a trailing slash', () => {
		expect(readConfig({ PUBLIC_URL: 'https://palabre.example.org/', PORT: '8080' })).toMatchObject({
			port: 8080,
			publicUrl: 'https://palabre.example.org',
			loopbackOnly: false
		});
	});
	it('refuses a bad port', () => {
		expect(() => readConfig({ PORT: 'abc' })).toThrow(/PORT/);
	});
	it('keeps the data in PostgreSQL with DATABASE_URL, in SQLite without, and refuses another kind of URL', () => {
		expect(readConfig({ DATABASE_URL: 'postgres://palabre@db:5432/palabre' }, null).databaseUrl).toBe('postgres://palabre@db:5432/palabre');
		expect(readConfig({}, null).databaseUrl).toBeUndefined();
		expect(readConfig({ DATABASE_URL: '' }, null).databaseUrl).toBeUndefined();
		expect(() => readConfig({ DATABASE_URL: 'mysql://db/palabre' }, null)).toThrow(/DATABASE_URL/);
	});
	it('makes a node of several with PALABRE_NODE_URL and DATABASE_URL, named by NODE_ID if given', () => {
		const db = { DATABASE_URL: 'postgres://palabre@db:5432/palabre' };
		expect(readConfig(db, null).node).toBeUndefined();
		expect(readConfig({ ...db, PALABRE_NODE_URL: 'http://10.0.0.11:3000/' }, null).node).toEqual({ url: 'http://10.0.0.11:3000' });
		expect(readConfig({ ...db, PALABRE_NODE_URL: 'http://10.0.0.11:3000', NODE_ID: 'n1' }, null).node).toEqual({ url: 'http://10.0.0.11:3000', id: 'n1' });
		// A node without the shared store, or an address that is not one, is refused.
		expect(() => readConfig({ PALABRE_NODE_URL: 'http://10.0.0.11:3000' }, null)).toThrow(/PALABRE_NODE_URL/);
		expect(() => readConfig({ ...db, PALABRE_NODE_URL: '10.0.0.11:3000' }, null)).toThrow(/PALABRE_NODE_URL/);
		expect(() => readConfig({ ...db, PALABRE_NODE_URL: 'http://10.0.0.11:3000/palabre' }, null)).toThrow(/PALABRE_NODE_URL/);
	});
});

describe('the Chambéry 2017 template', () => {
	it('is a valid event with 3 themes and 21 statements', () => {
		const d = chamberyTemplate();
		expect(d.themes).toHaveLength(3);
		expect(d.themes.flatMap((t) => t.statements)).toHaveLength(21);
		const { language: _l, ...body } = d;
		expect(CreateEventBody.safeParse({ ...body, language: 'fr' }).success).toBe(true);
	});
});
