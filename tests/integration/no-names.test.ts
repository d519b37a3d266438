/**
 * No name where none was promised (docs/actes.md, « What is never exported »): an event where a
 * helper typed for a member without a phone, with speaking taps, evaluations and a board, exported
 * in every format and seen from every screen outside the group, shows no display name of the event
 * unless the organiser asked for names (`names=1`), and then only where documented.
 */
import JSZip from 'jszip';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readWriteup } from '../../src/lib/writeup';
import { connectClient, received, request } from '../helpers/clients';
import { TestServer } from '../helpers/server';
import { writeItems } from '../helpers/writeupClient';

/** Distinctive, so that any of their words found anywhere is a leak. */
const NAMES = ['Zéphyrine Quillardou', 'Barnabé Vortigern', 'Ondine Pélagie-Mirabeau', 'Théodule Ravachol', 'Kassandre Oberkampf'];
const WORDS = NAMES.flatMap((n) => n.split(/[\s-]+/));

let server: TestServer;
const sockets: Socket[] = [];
beforeAll(async () => {
	server = await TestServer.start();
});
afterAll(async () => {
	for (const s of sockets) s.disconnect();
	await server?.dispose();
});

/** Every word of `names` found in `text`, accents and case kept. */
const leaked = (text: string, words = WORDS) => words.filter((w) => text.includes(w));

async function download(path: string, token: string): Promise<Buffer> {
	const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
	expect(res.status, path).toBe(200);
	return Buffer.from(await res.arrayBuffer());
}

/** Every part of the Word file as text, tags removed (a name split over runs would still be found). */
async function docxText(body: Buffer): Promise<string> {
	const zip = await JSZip.loadAsync(body);
	const parts = await Promise.all(Object.values(zip.files).map((f) => f.async('string')));
	return parts.map((xml) => xml.replace(/<[^>]+>/g, '')).join('\n');
}

async function pdfText(body: Buffer): Promise<string> {
	const pdf = await pdfjs.getDocument({ data: new Uint8Array(body), useSystemFonts: false }).promise;
	const pages: string[] = [];
	for (let n = 1; n <= pdf.numPages; n++) {
		const content = await (await pdf.getPage(n)).getTextContent();
		pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
	}
	await pdf.destroy();
	return pages.join('\n');
}

/** The archive as text, its write-ups (Yjs state in base64) decoded too. */
function archiveText(archive: { groups: { writeup: string }[] }): string {
	return JSON.stringify(archive) + archive.groups.map((g) => Buffer.from(g.writeup, 'base64').toString('utf8')).join('\n');
}

/** The `via` of every item of an archive's write-ups. */
function vias(archive: { groups: { writeup: string }[] }): (string | null)[] {
	return archive.groups.flatMap((g) => {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Buffer.from(g.writeup, 'base64'));
		const out = readWriteup(doc).stages.flatMap((s) => s.items.map((i) => i.via));
		doc.destroy();
		return out;
	});
}

it('exports and public screens carry no display name unless the organiser asks for names', async () => {
	const e = (await server.api('POST', '/api/events', { title: 'Sans noms', themes: [{ title: 'Salle', statements: ['Se soigner près de chez soi', 'Être écouté·e'] }] })).body;
	const roomId: string = e.rooms[0].id;
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const projection = await connectClient(server.url, { role: 'projection', roomId, token: new URL(e.rooms[0].projectionUrl).hash.slice(1) });
	sockets.push(organiser, projection);
	await request(organiser, 'room:setPhase', { roomId, phase: 'choice' });
	const [a, b] = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.rooms[0].statements.map((s: { id: string }) => s.id);

	// Three members with phones on statement a, one alone on b; the fifth, without a phone, is added to a.
	const categories = [['habitant'], ['medecin'], ['infirmier'], ['travailleur-social']];
	const people: { token: string; id: string; socket: Socket }[] = [];
	for (const [k, name] of NAMES.slice(0, 4).entries()) {
		const joined = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: name, categories: categories[k], roomId })).body;
		const socket = await connectClient(server.url, { role: 'participant', token: joined.token });
		sockets.push(socket);
		expect((await request(socket, 'group:pick', { statementId: k < 3 ? a : b })).ok).toBe(true);
		people.push({ token: joined.token, id: joined.session.me.id, socket });
	}
	const added = await request(organiser, 'room:addPerson', { roomId, displayName: NAMES[4], categories: ['patient'], statementId: a });
	if (!added.ok) throw new Error(added.error);
	const helped = (added.data as { participantId: string }).participantId;
	const [writer, other] = people as [(typeof people)[number], (typeof people)[number]];
	const session = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const groupA: string = session.rooms[0].statements[0].groups[0].id;
	const groupB: string = session.rooms[0].statements[1].groups[0].id;
	expect(session.rooms[0].statements[0].groups[0].memberCount).toBe(4);

	await request(organiser, 'stage:control', { roomId, command: { action: 'start' } });
	const start = Date.now();
	// Helper mode: the writer types for the member without a phone. And an item from an older
	// write-up, which stored the member's name in `via`.
	await writeItems(server.url, writer.token, groupA, 1, ['Les rendez-vous sont trop loin'], helped);
	await writeItems(server.url, writer.token, groupA, 1, ['Le bus ne passe plus'], NAMES[1] as string);
	await writeItems(server.url, people[3]!.token, groupB, 1, ['Personne ne nous écoute']);
	const now = Date.now();
	const step = Math.floor((now - start) / 4);
	const taps = [writer.id, other.id, helped].map((participantId, k) => ({ id: `t${k}`, stage: 1, tap: { kind: 'speak', participantId, at: start + k * step } }));
	expect((await request(writer.socket, 'speaking:taps', { taps: [...taps, { id: 'end', stage: 1, tap: { kind: 'silence', at: now } }] })).ok).toBe(true);

	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	const [idea] = await writeItems(server.url, writer.token, groupA, 2, ['Une maison de santé ouverte le soir'], helped);
	expect((await request(writer.socket, 'board:send', { itemId: idea })).ok).toBe(true);
	const board = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body.board;
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	await request(organiser, 'stage:control', { roomId, command: { action: 'next' } });
	// Support opens once the three stages are done.
	expect((await request(other.socket, 'board:support', { itemId: board.items[0].id, on: true })).ok).toBe(true);
	for (const p of [writer, people[3]!]) {
		expect((await request(p.socket, 'group:evaluate', { everyoneSpoke: 3, feltHeard: 4, worked: 'On a pu parler', didNotWork: 'Le bruit' })).ok).toBe(true);
	}

	// Without names: every format, the archive, the CSV and the organiser's document.
	const token = e.organiserToken;
	const actes = `/api/events/${e.id}/actes`;
	const md = (await download(`${actes}?format=md`, token)).toString('utf8');
	// The event is all there: write-ups, measured speaking, evaluations, the board.
	for (const text of ['Les rendez-vous sont trop loin', 'Temps de parole relevé', 'On a pu parler', 'Soutenue par 1 personne']) expect(md).toContain(text);
	expect(leaked(md)).toEqual([]);
	expect(leaked((await download(`${actes}?format=html`, token)).toString('utf8'))).toEqual([]);
	const docx = await docxText(await download(`${actes}?format=docx`, token));
	expect(docx).toContain('Une maison de santé ouverte le soir');
	expect(leaked(docx)).toEqual([]);
	const pdf = await pdfText(await download(`${actes}?format=pdf`, token));
	expect(pdf).toContain('Le bus ne passe plus');
	expect(leaked(pdf)).toEqual([]);
	const archive = JSON.parse((await download(`${actes}?format=json`, token)).toString('utf8'));
	expect(leaked(archiveText(archive))).toEqual([]);
	// The helped member stays referred to, by id; the older write-up's name is gone.
	expect(vias(archive).sort()).toEqual([helped, helped, null, null].sort());
	const csv = (await download(`/api/events/${e.id}/speaking.csv`, token)).toString('utf8');
	expect(csv.split('\r\n').length).toBeGreaterThan(4);
	expect(leaked(csv)).toEqual([]);
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, token)).body;
	expect(leaked(JSON.stringify(doc))).toEqual([]);

	// Screens outside the group: the projection, the public join page, a phone of another group
	// (whose own session names itself only).
	expect(leaked(JSON.stringify((await server.api('GET', `/api/join/${e.joinCode}`)).body))).toEqual([]);
	const onProjection = received(projection);
	const onOtherGroup = received(people[3]!.socket);
	expect([...onProjection.keys()]).toEqual(expect.arrayContaining(['projection', 'board']));
	expect(leaked(JSON.stringify([...onProjection]))).toEqual([]);
	expect([...onOtherGroup.keys()]).toEqual(expect.arrayContaining(['room', 'session', 'board']));
	const others = WORDS.filter((w) => !(NAMES[3] as string).includes(w));
	expect(leaked(JSON.stringify([...onOtherGroup]), others)).toEqual([]);

	// With names: the list of participants in the actes, the names in the archive (the older
	// write-up's too), never in the CSV.
	for (const format of ['md', 'html']) {
		const text = (await download(`${actes}?format=${format}&names=1`, token)).toString('utf8');
		expect(leaked(text), format).toEqual(WORDS);
	}
	expect(leaked(await docxText(await download(`${actes}?format=docx&names=1`, token)))).toEqual(WORDS);
	expect(leaked(await pdfText(await download(`${actes}?format=pdf&names=1`, token)))).toEqual(WORDS);
	const named = JSON.parse((await download(`${actes}?format=json&names=1`, token)).toString('utf8'));
	expect(named.participants.map((p: { displayName: string }) => p.displayName).sort()).toEqual([...NAMES].sort());
	expect(vias(named)).toContain(NAMES[1]);
	expect(vias(named)).toContain(helped);

	// An archive moves the reference with the person: imported, `via` is the new id of the helped member.
	const imported = (await server.api('POST', '/api/events/import', archive)).body;
	const again = JSON.parse((await download(`/api/events/${imported.id}/actes?format=json&names=1`, imported.organiserToken)).toString('utf8'));
	const kassandre = again.participants.find((p: { displayName: string }) => p.displayName === archive.participants.find((q: { id: string }) => q.id === helped).displayName);
	expect(kassandre.id).not.toBe(helped);
	expect(vias(again).filter(Boolean)).toEqual([kassandre.id, kassandre.id]);
}, 120_000);
