/**
 * A server on PostgreSQL acknowledges only what PostgreSQL committed: right after an ack the
 * change is in the database; a change PostgreSQL refuses is answered `notSaved`, the memory is
 * reloaded from PostgreSQL and every client is told to reconnect, then writes are served again.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, nextEvent, request } from '../helpers/clients';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { TestServer } from '../helpers/server';

let cluster: PostgresCluster;
let server: TestServer;
let db: pg.Client;
let url: string;
beforeAll(async () => {
	cluster = await startPostgres();
	url = await cluster.createDatabase();
	server = await TestServer.start({ DATABASE_URL: url });
	db = new pg.Client({ connectionString: url });
	await db.connect();
});
afterAll(async () => {
	await db?.end();
	await server?.dispose();
	await cluster?.stop();
});

const phase = async (roomId: string) => (await db.query('SELECT phase FROM rooms WHERE id = $1', [roomId])).rows[0]?.phase;

it('acks after the commit; a refused commit is answered notSaved, clients resynchronise, writes resume', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Commit', themes: [{ title: 'Salle', statements: ['a', 'b'] }] })).body;
	// The answer to a creation comes after the commit: the row is there.
	expect((await db.query('SELECT title FROM events WHERE id = $1', [e.id])).rows).toEqual([{ title: 'Commit' }]);
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	expect(await request(organiser, 'room:setPhase', { roomId, phase: 'presentation' })).toMatchObject({ ok: true });
	expect(await phase(roomId)).toBe('presentation');

	// A rule only PostgreSQL knows: the memory takes the change, the commit is refused.
	await db.query(`ALTER TABLE rooms ADD CONSTRAINT no_choice CHECK (phase <> 'choice')`);
	const told = nextEvent(organiser, 'restarting');
	expect(await request(organiser, 'room:setPhase', { roomId, phase: 'choice' })).toMatchObject({ ok: false, code: 'notSaved' });
	await told;
	expect(await phase(roomId)).toBe('presentation');
	organiser.disconnect();

	// Reloaded: the server reads what PostgreSQL holds, and takes writes again.
	await db.query('ALTER TABLE rooms DROP CONSTRAINT no_choice');
	const again = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	expect(doc.rooms[0].phase).toBe('presentation');
	expect(await request(again, 'room:setPhase', { roomId, phase: 'choice' })).toMatchObject({ ok: true });
	expect(await phase(roomId)).toBe('choice');
	again.disconnect();
	expect(server.output).toContain('PostgreSQL a refusé une écriture');
});

it('answers a write-up ticket while another write waits for its commit: a ticket stores nothing', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Tickets', themes: [{ title: 'Salle', statements: ['a', 'b'] }] })).body;
	const roomId = e.rooms[0].id as string;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	expect(await request(organiser, 'room:setPhase', { roomId, phase: 'choice' })).toMatchObject({ ok: true });
	const joined = await server.api('POST', `/api/join/${e.joinCode}`, { displayName: 'Awa', roomId });
	const member = await connectClient(server.url, { role: 'participant', token: joined.body.token });
	const statementId = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements[0].id as string;
	const picked = await request(member, 'group:pick', { statementId });
	if (!picked.ok) throw new Error(`pick refused: ${picked.code}`);
	const doc = `group.${(picked.data as { groupId: string }).groupId}`;

	// The rooms table locked: the organiser's next change is made in memory, its commit waits.
	const locker = new pg.Client({ connectionString: url });
	await locker.connect();
	let acked = false;
	try {
		await locker.query('BEGIN');
		await locker.query('LOCK TABLE rooms IN ACCESS EXCLUSIVE MODE');
		const change = request(organiser, 'room:setPhase', { roomId, phase: 'presentation' }).then((ack) => ((acked = true), ack));
		const ticket = await request(member, 'writeup:ticket', { doc });
		expect(ticket).toMatchObject({ ok: true, data: { ticket: expect.any(String) } });
		// The change is still not acknowledged: its commit waits behind the lock.
		expect(acked).toBe(false);
		await locker.query('COMMIT');
		expect(await change).toMatchObject({ ok: true });
		expect(await phase(roomId)).toBe('presentation');
	} finally {
		await locker.end();
		for (const s of [member, organiser]) s.disconnect();
	}
});
