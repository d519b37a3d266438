/**
 * `node build/palabre.js migrate --from <dataDir> --to <DATABASE_URL>`: a real room's data
 * directory (people seated, taps, write-ups) copied into PostgreSQL, checked by the command
 * itself (organiser documents from both stores), refused a second time without change, and then
 * served by a server on PostgreSQL with the same tokens and the same documents.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { realisticRoom, pickAll, speakIn } from '../helpers/realisticRoom';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

const ENTRY = join(import.meta.dirname, '..', '..', 'build', 'palabre.js');

let server: TestServer;
let cluster: PostgresCluster;
beforeAll(async () => {
	[server, cluster] = await Promise.all([TestServer.start(), startPostgres()]);
});
afterAll(async () => {
	await server?.dispose();
	await cluster?.stop();
});

function migrate(...args: string[]): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [ENTRY, 'migrate', ...args], { env: { ...process.env, DATABASE_URL: '' } });
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		child.once('exit', (code) => resolve({ code, output }));
	});
}

async function count(url: string, table: string): Promise<number> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
	} finally {
		await client.end();
	}
}

it('copies a data directory into PostgreSQL, checks it, refuses to copy it twice, and PostgreSQL then serves it', async () => {
	const room = await realisticRoom(server, { picks: [0, 0, 0, 1, 1, 2, 2, 2] });
	await room.phase('choice');
	await pickAll(room);
	await room.phase('groups');
	await room.stage({ action: 'start' });
	const groups = [...new Set(room.phones.map((p) => p.groupId))];
	await speakIn(room, groups.slice(0, 1), 1, 1);
	const writer = room.phones.find((p) => p.groupId === groups[0]) as (typeof room.phones)[number];
	await writeItems(server.url, writer.token, writer.groupId, 1, ['Une idée « à garder »', 'Une autre']);
	const before = (await server.api('GET', `/api/events/${room.eventId}`, undefined, room.organiserToken)).body;
	expect(JSON.stringify(before)).toContain('Une idée « à garder »');
	room.close();
	await server.stop();

	const url = await cluster.createDatabase();
	const copied = await migrate('--from', server.dataDir, '--to', url);
	expect(copied.output).toMatch(/1 événement\(s\) copié\(s\) et vérifié\(s\)/);
	expect(copied.code).toBe(0);
	const participants = await count(url, 'participants');
	expect(participants).toBe(room.phones.length);
	expect(await count(url, 'speaking_taps')).toBeGreaterThan(0);
	expect(await count(url, 'ydoc_updates')).toBeGreaterThan(0);

	// A second copy would mix two events with one id: refused, nothing written.
	const again = await migrate('--from', server.dataDir, '--to', url);
	expect(again.code).toBe(1);
	expect(again.output).toContain('déjà dans PostgreSQL');
	expect(await count(url, 'participants')).toBe(participants);
	// Bad input: a clear usage, or a directory without data.
	expect(await migrate('--from', server.dataDir)).toMatchObject({ code: 2, output: expect.stringContaining('Usage') });
	expect(await migrate('--from', join(server.dataDir, 'nowhere'), '--to', url)).toMatchObject({ code: 1, output: expect.stringContaining('Pas de données Palabre') });

	// The same links and tokens work on PostgreSQL, and the organiser's document is the same.
	await server.spawn({ DATABASE_URL: url });
	expect((await server.api('GET', `/api/events/${room.eventId}`, undefined, room.organiserToken)).body).toEqual(before);
	expect((await server.api('GET', '/api/session', undefined, writer.token)).status).toBe(200);
});
