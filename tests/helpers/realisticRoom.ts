/**
 * A room as it really fills up, for screens' tests: the Chambéry 2017 template's first room (10
 * statements, one of 90 characters) or any statements given, and phones joined over sockets whose
 * picks are skewed like the real ones — a popular statement worked by three groups, another by
 * two, a professionals-only group, the rest spread — with a mix of declared categories.
 */
import type { Socket } from 'socket.io-client';
import { chamberyTemplate } from '../../src/lib/domain/eventSettings';
import type { Category as CategoryId } from '../../src/lib/domain/categories';
import type { Language } from '../../src/lib/protocol';
import { connectClient, nextEvent, request } from './clients';
import type { TestServer } from './server';

export interface RoomPhone {
	id: string;
	name: string;
	token: string;
	categories: CategoryId[];
	socket: Socket;
	statementIndex: number;
	groupId: string;
}

export interface RealisticRoom {
	eventId: string;
	roomId: string;
	projectionUrl: string;
	/** The event's join page, as its QR code opens it (every room to choose from). */
	joinUrl: string;
	organiserToken: string;
	organiser: Socket;
	statements: { id: string; text: string }[];
	/** The three stage questions, in the event's language. */
	questions: [string, string, string];
	phones: RoomPhone[];
	/** Runs a facilitator's command on the room's stages. */
	stage(command: { action: string; [field: string]: unknown }): Promise<void>;
	/** When the last `start` or `next` was acknowledged: speaking time counts only from then. */
	stageStartedAt: number;
	phase(phase: 'welcome' | 'presentation' | 'choice' | 'groups', presenting?: number): Promise<void>;
	close(): void;
}

/** Statement index (in the room) of each of the 36 phones of the template room. */
export const SKEWED_PICKS: number[] = [
	...Array(14).fill(2), // 3 groups, balanced: 5 + 5 + 4
	...Array(8).fill(6), // 2 groups, balanced: 4 + 4
	...Array(4).fill(1), // professionals only (see categoriesFor)
	...[0, 0, 3, 3, 4, 5, 5, 7, 8, 9]
];

/** Declared categories: residents, health and social professionals, a mediator, one researcher, some who say nothing. */
export function categoriesFor(i: number, statementIndex: number): CategoryId[] {
	if (statementIndex === 1) return ([['medecin'], ['coordinateur'], ['travailleur-social'], ['charge-mission']] as CategoryId[][])[i % 4] as CategoryId[];
	const mix: CategoryId[][] = [['habitant'], ['sante'], ['habitant', 'infirmier'], ['mediation'], ['travailleur-social'], ['usager'], [], ['medecin'], ['conseiller-citoyen']];
	if (i === 5) return ['recherche'];
	return mix[i % mix.length] as CategoryId[];
}

export async function realisticRoom(
	server: TestServer,
	options: { language?: Language; statements?: string[]; picks?: number[]; title?: string; stageMinutes?: [number, number, number]; writingWarningMinutes?: number } = {}
): Promise<RealisticRoom> {
	const template = chamberyTemplate();
	const theme = template.themes[0] as { title: string; statements: string[] };
	const language = options.language ?? 'fr';
	const e = (
		await server.api('POST', '/api/events', {
			title: options.title ?? template.title,
			date: template.date,
			place: template.place,
			language,
			themes: [{ title: theme.title, statements: options.statements ?? theme.statements }, ...template.themes.slice(1)],
			...(language === 'fr' ? { stageQuestions: template.stageQuestions } : {}),
			stageMinutes: options.stageMinutes ?? template.stageMinutes,
			...(options.writingWarningMinutes !== undefined ? { writingWarningMinutes: options.writingWarningMinutes } : {})
		})
	).body;
	const roomId = e.rooms[0].id as string;
	const doc = (await server.api('GET', `/api/events/${e.id}`, undefined, e.organiserToken)).body;
	const statements = doc.rooms[0].statements as { id: string; text: string }[];
	const organiser = await connectClient(server.url, { role: 'organiser', eventId: e.id, token: e.organiserToken });
	const ok = async (name: 'room:setPhase' | 'stage:control', msg: object) => {
		const ack = await request(organiser, name, msg);
		if (!ack.ok) throw new Error(`${name}: ${ack.error}`);
	};

	const picks = options.picks ?? SKEWED_PICKS;
	const joined = await Promise.all(
		picks.map(async (statementIndex, i) => {
			const name = `Pseudo${String(i + 1).padStart(2, '0')}Xq`;
			const categories = categoriesFor(i, statementIndex);
			const body = (await server.api('POST', `/api/join/${e.joinCode}`, { displayName: name, categories, roomId })).body;
			const socket = await connectClient(server.url, { role: 'participant', token: body.token });
			return { id: body.session.me.id as string, name, token: body.token as string, categories, socket, statementIndex, groupId: '' };
		})
	);
	const room: RealisticRoom = {
		eventId: e.id,
		roomId,
		projectionUrl: e.rooms[0].projectionUrl,
		joinUrl: e.joinUrl,
		organiserToken: e.organiserToken,
		organiser,
		statements,
		questions: doc.settings.stageQuestions,
		phones: joined,
		stageStartedAt: 0,
		async stage(command) {
			await ok('stage:control', { roomId, command });
			if (command.action === 'start' || command.action === 'next') room.stageStartedAt = Date.now();
		},
		phase: (phase, presenting) => ok('room:setPhase', { roomId, phase, ...(presenting !== undefined ? { presenting } : {}) }),
		close() {
			organiser.disconnect();
			for (const p of joined) p.socket.disconnect();
		}
	};
	return room;
}

/** Every phone picks its statement, in order (the seventh on a statement splits its group 4 + 3, docs/seating.md). */
export async function pickAll(room: RealisticRoom) {
	for (const p of room.phones) {
		const statement = room.statements[p.statementIndex];
		if (!statement) throw new Error(`no statement ${p.statementIndex}`);
		const ack = await request(p.socket, 'group:pick', { statementId: statement.id });
		if (!ack.ok) throw new Error(`group:pick: ${ack.error}`);
	}
	// Seating balances a statement's groups, so a pick can move someone seated before: the seats
	// are read from the organisers' list once it holds everyone (the last pick included).
	const people = await nextEvent<{ id: string; groupId: string | null }[]>(room.organiser, 'people', (list) =>
		room.phones.every((p) => list.some((v) => v.id === p.id && v.groupId))
	);
	const seat = new Map(people.map((v) => [v.id, v.groupId as string]));
	for (const p of room.phones) p.groupId = seat.get(p.id) as string;
}

/**
 * A timekeeper in each listed group taps who spoke since the stage began (at least `seconds`
 * of it, waited for if need be: time counts only while the stage runs): each member in turn,
 * the first one twice as long. Returns the people measured.
 */
export async function speakIn(room: RealisticRoom, groupIds: string[], stage: 1 | 2 | 3, seconds = 2): Promise<RoomPhone[]> {
	const measured: RoomPhone[] = [];
	const wait = room.stageStartedAt + seconds * 1000 - Date.now();
	if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	for (const groupId of groupIds) {
		const members = room.phones.filter((p) => p.groupId === groupId);
		const keeper = members[0];
		if (!keeper) throw new Error(`no member in ${groupId}`);
		const start = room.stageStartedAt + 50;
		const slot = (Date.now() - 150 - start) / (members.length + 2);
		const taps = members.map((m, k) => ({
			id: `${groupId}-${stage}-${k}`,
			stage,
			tap: { kind: 'speak' as const, participantId: m.id, at: Math.round(start + (k === 0 ? 0 : (k + 1) * slot)) }
		}));
		taps.push({ id: `${groupId}-${stage}-end`, stage, tap: { kind: 'silence', at: Date.now() - 100 } as never });
		const ack = await request(keeper.socket, 'speaking:taps', { taps });
		if (!ack.ok) throw new Error(`speaking:taps: ${ack.error}`);
		measured.push(...members);
	}
	return measured;
}
