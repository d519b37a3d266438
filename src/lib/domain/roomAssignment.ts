/**
 * Room assignment before the event (issue 22, docs/room-assignment.md): people ranked the theme
 * rooms; the rooms have capacities. The rule, exact for these sizes (a few hundred people, three to
 * ten rooms), in two minimum-cost flows:
 *
 * 1. Room sizes: everyone placed within capacities, first wishes maximised (then the rank of the
 *    other wishes) — the sizes wishes alone would give.
 * 2. With those sizes fixed, each family's count in each room is held between quotas around its
 *    share of the event (the tolerance below), residents (habitant·e·s and patient·e·s together)
 *    likewise and at least one per room when there are as many residents as rooms; within those
 *    quotas first wishes are maximised again (then the other ranks).
 *
 * A family's share in a room then differs from its share of the event by at most
 * max(tolerance, 1 / room size): `shareBound`. The quotas always admit a solution (a proportional
 * rounding exists); the only case where they may not is the one-resident-per-room floor in rooms
 * of very different sizes, and then the tolerance is widened step by step (the result says which
 * tolerance was used).
 */
import { FAMILIES, isResidentVoice, type Family } from './categories';

export interface AssignmentPerson {
	id: string;
	family?: Family;
	/** Room ids, most wanted first; rooms not listed are accepted but cost most. */
	wishes: readonly string[];
}

export interface AssignmentRoom {
	id: string;
	capacity: number;
}

export interface AssignmentOptions {
	/** Largest accepted difference between a family's share in a room and in the event (0–1). */
	tolerance?: number;
}

export interface RoomFigures {
	roomId: string;
	size: number;
	capacity: number;
	residents: number;
	/** Each family's count in the room. */
	families: Partial<Record<Family, number>>;
}

export interface Assignment {
	/** Person id → room id. */
	rooms: Map<string, string>;
	/** The trade-off, as the organiser reads it. */
	figures: {
		people: number;
		firstWish: number;
		/** Placed in one of the rooms they listed (first wish included). */
		anyWish: number;
		/** Share of people with their first wish (0–1); 1 when nobody gave a wish. */
		firstWishShare: number;
		/** Smallest share of residents among the rooms with people (0–1). */
		minResidentShare: number;
		/** Largest difference between a family's share in a room and in the event (0–1). */
		maxFamilyGap: number;
		/** The tolerance the quotas were built with (the asked one, or wider: see above). */
		tolerance: number;
		rooms: RoomFigures[];
	};
}

export class AssignmentError extends Error {
	override name = 'AssignmentError';
}

export const DEFAULT_TOLERANCE = 0.1;

/** The documented bound: a family's share in a room of `size` people vs the event's. */
export function shareBound(tolerance: number, size: number): number {
	return size > 0 ? Math.max(tolerance, 1 / size) : 0;
}

/** The family a person counts in for spreading; « not said » when none. */
const familyKey = (p: AssignmentPerson): Family => p.family ?? 'nsp';
const isResident = (p: AssignmentPerson): boolean => p.family !== undefined && isResidentVoice([p.family]);

/**
 * Bounds on a group's count in a room: always containing floor and ceil of its proportional share
 * (so that a rounding fits), widened to what the tolerance allows.
 */
export function quota(groupSize: number, total: number, roomSize: number, tolerance: number): [number, number] {
	if (!total || !roomSize) return [0, 0];
	const p = groupSize / total;
	const t = p * roomSize;
	const lower = Math.max(0, Math.min(Math.floor(t), Math.ceil((p - tolerance) * roomSize - 1e-9)));
	const upper = Math.min(roomSize, groupSize, Math.max(Math.ceil(t), Math.floor((p + tolerance) * roomSize + 1e-9)));
	return [lower, upper];
}

/** The quotas of step 2 for given room sizes: per room, per family, and for residents. */
export function spreadQuotas(people: readonly AssignmentPerson[], sizes: ReadonlyMap<string, number>, tolerance: number) {
	const total = people.length;
	const byFamily = new Map<Family, number>();
	for (const p of people) byFamily.set(familyKey(p), (byFamily.get(familyKey(p)) ?? 0) + 1);
	const residents = people.filter(isResident).length;
	const occupied = [...sizes.values()].filter((s) => s > 0).length;
	const out = new Map<string, { families: Map<Family, [number, number]>; residents: [number, number] }>();
	for (const [roomId, size] of sizes) {
		const families = new Map<Family, [number, number]>();
		for (const [f, n] of byFamily) families.set(f, quota(n, total, size, tolerance));
		const r = quota(residents, total, size, tolerance);
		// No room without residents when there are enough of them for every room.
		if (size > 0 && residents >= occupied) r[0] = Math.max(r[0], 1);
		out.set(roomId, { families, residents: r });
	}
	return out;
}

// ---- minimum-cost flow (successive shortest paths, Bellman-Ford queue: costs may be negative) ----

interface Edge {
	to: number;
	cap: number;
	cost: number;
	rev: number;
}

class Flow {
	readonly graph: Edge[][] = [];
	node(): number {
		this.graph.push([]);
		return this.graph.length - 1;
	}
	/** Returns a handle to read the edge's flow afterwards. */
	edge(from: number, to: number, cap: number, cost: number): () => number {
		const a = this.graph[from] as Edge[];
		const b = this.graph[to] as Edge[];
		a.push({ to, cap, cost, rev: b.length });
		b.push({ to: from, cap: 0, cost: -cost, rev: a.length - 1 });
		const e = a[a.length - 1] as Edge;
		return () => (b[e.rev] as Edge).cap;
	}
	/** Sends up to `want` units from s to t at least cost; returns the amount sent. */
	run(s: number, t: number, want: number): number {
		const n = this.graph.length;
		let sent = 0;
		while (sent < want) {
			const dist = new Array<number>(n).fill(Infinity);
			const prev = new Array<[number, number] | null>(n).fill(null);
			const queued = new Array<boolean>(n).fill(false);
			dist[s] = 0;
			const queue = [s];
			queued[s] = true;
			for (let head = 0; head < queue.length; head++) {
				const u = queue[head] as number;
				queued[u] = false;
				const du = dist[u] as number;
				(this.graph[u] as Edge[]).forEach((e, i) => {
					if (e.cap > 0 && du + e.cost < (dist[e.to] as number)) {
						dist[e.to] = du + e.cost;
						prev[e.to] = [u, i];
						if (!queued[e.to]) {
							queued[e.to] = true;
							queue.push(e.to);
						}
					}
				});
			}
			if (dist[t] === Infinity) break;
			let push = want - sent;
			for (let v = t; v !== s; ) {
				const [u, i] = prev[v] as [number, number];
				push = Math.min(push, ((this.graph[u] as Edge[])[i] as Edge).cap);
				v = u;
			}
			for (let v = t; v !== s; ) {
				const [u, i] = prev[v] as [number, number];
				const e = (this.graph[u] as Edge[])[i] as Edge;
				e.cap -= push;
				((this.graph[e.to] as Edge[])[e.rev] as Edge).cap += push;
				v = u;
			}
			sent += push;
		}
		return sent;
	}
}

/**
 * A person's cost of a room: one more first wish always outweighs any change among the others
 * (the weight exceeds the sum of all other ranks), then lower ranks are preferred.
 */
function wishCost(people: readonly AssignmentPerson[], rooms: number) {
	const heavy = people.length * (rooms + 1) + 1;
	return (p: AssignmentPerson, roomId: string): number => {
		const rank = p.wishes.indexOf(roomId);
		if (rank === 0) return 0;
		return heavy + (rank > 0 ? rank : rooms);
	};
}

/**
 * Solves one flow: person → (family, room) → residents-or-not of the room → room → sink.
 * `bounds`, when given, puts quotas on the middle edges; a quota's lower part carries a reward
 * larger than every wish cost together, so it is filled whenever possible (checked after).
 */
function solve(
	people: readonly AssignmentPerson[],
	rooms: readonly AssignmentRoom[],
	roomCap: (roomId: string) => number,
	bounds: ReturnType<typeof spreadQuotas> | null
): Map<string, string> | null {
	const cost = wishCost(people, rooms.length);
	const reward = -(people.length * (people.length * (rooms.length + 1) + rooms.length + 2) + 1);
	const flow = new Flow();
	const source = flow.node();
	const sink = flow.node();
	const lowerParts: { read: () => number; need: number }[] = [];
	const bounded = (from: number, to: number, [lo, hi]: [number, number]) => {
		if (lo > 0) lowerParts.push({ read: flow.edge(from, to, lo, reward), need: lo });
		if (hi > lo) flow.edge(from, to, hi - lo, 0);
	};
	const families = new Set(people.map(familyKey));
	const entry = new Map<string, number>();
	for (const room of rooms) {
		const roomNode = flow.node();
		flow.edge(roomNode, sink, roomCap(room.id), 0);
		const q = bounds?.get(room.id);
		const residentsNode = flow.node();
		const othersNode = flow.node();
		bounded(residentsNode, roomNode, q ? q.residents : [0, people.length]);
		flow.edge(othersNode, roomNode, people.length, 0);
		for (const f of families) {
			const node = flow.node();
			entry.set(`${f}\u0000${room.id}`, node);
			bounded(node, isResidentVoice([f]) ? residentsNode : othersNode, q?.families.get(f) ?? [0, people.length]);
		}
	}
	const reads = people.map((p) => {
		const node = flow.node();
		flow.edge(source, node, 1, 0);
		return rooms.map((room) => ({
			roomId: room.id,
			read: flow.edge(node, entry.get(`${familyKey(p)}\u0000${room.id}`) as number, 1, cost(p, room.id))
		}));
	});
	if (flow.run(source, sink, people.length) < people.length) return null;
	if (lowerParts.some((l) => l.read() < l.need)) return null;
	const out = new Map<string, string>();
	people.forEach((p, i) => out.set(p.id, (reads[i] as { roomId: string; read: () => number }[]).find((r) => r.read() > 0)!.roomId));
	return out;
}

export function assignRooms(
	people: readonly AssignmentPerson[],
	rooms: readonly AssignmentRoom[],
	options: AssignmentOptions = {}
): Assignment {
	const asked = options.tolerance ?? DEFAULT_TOLERANCE;
	if (!(asked >= 0 && asked <= 1)) throw new AssignmentError('la tolérance doit être entre 0 et 1');
	if (new Set(rooms.map((r) => r.id)).size !== rooms.length) throw new AssignmentError('deux salles ont le même identifiant');
	if (new Set(people.map((p) => p.id)).size !== people.length) throw new AssignmentError('deux personnes ont le même identifiant');
	for (const r of rooms) {
		if (!Number.isInteger(r.capacity) || r.capacity < 0) throw new AssignmentError(`capacité invalide pour la salle ${r.id}`);
	}
	const capacity = rooms.reduce((sum, r) => sum + r.capacity, 0);
	if (capacity < people.length) {
		throw new AssignmentError(`capacité totale insuffisante : ${capacity} places pour ${people.length} personnes`);
	}
	const capacityOf = new Map(rooms.map((r) => [r.id, r.capacity]));
	// Step 1: the sizes wishes alone would give.
	const free = solve(people, rooms, (id) => capacityOf.get(id) as number, null) as Map<string, string>;
	const sizes = new Map(rooms.map((r) => [r.id, 0]));
	for (const roomId of free.values()) sizes.set(roomId, (sizes.get(roomId) as number) + 1);
	// Step 2: the same sizes, families spread.
	let tolerance = asked;
	let rooms2: Map<string, string> | null = null;
	for (;;) {
		rooms2 = solve(people, rooms, (id) => sizes.get(id) as number, spreadQuotas(people, sizes, tolerance));
		if (rooms2 || tolerance >= 1) break;
		tolerance = Math.min(1, Math.round((tolerance + 0.05) * 100) / 100);
	}
	const assigned = rooms2 ?? free;
	return { rooms: assigned, figures: figuresOf(people, rooms, assigned, tolerance) };
}

/** The trade-off figures of any assignment (the organiser's adjustments included). */
export function figuresOf(
	people: readonly AssignmentPerson[],
	rooms: readonly AssignmentRoom[],
	assigned: ReadonlyMap<string, string>,
	tolerance: number = DEFAULT_TOLERANCE
): Assignment['figures'] {
	const total = people.length;
	const eventShare = new Map<Family, number>();
	for (const p of people) eventShare.set(familyKey(p), (eventShare.get(familyKey(p)) ?? 0) + 1 / total);
	const perRoom: RoomFigures[] = rooms.map((r) => ({ roomId: r.id, size: 0, capacity: r.capacity, residents: 0, families: {} }));
	const byId = new Map(perRoom.map((r) => [r.roomId, r]));
	let firstWish = 0;
	let anyWish = 0;
	let wishers = 0;
	for (const p of people) {
		const roomId = assigned.get(p.id);
		const room = roomId ? byId.get(roomId) : undefined;
		if (!room) continue;
		room.size++;
		if (isResident(p)) room.residents++;
		room.families[familyKey(p)] = (room.families[familyKey(p)] ?? 0) + 1;
		if (p.wishes.length) {
			wishers++;
			if (p.wishes[0] === roomId) firstWish++;
			if (p.wishes.includes(roomId as string)) anyWish++;
		}
	}
	const occupied = perRoom.filter((r) => r.size > 0);
	let maxFamilyGap = 0;
	for (const r of occupied) {
		for (const f of FAMILIES) {
			const gap = Math.abs((r.families[f] ?? 0) / r.size - (eventShare.get(f) ?? 0));
			maxFamilyGap = Math.max(maxFamilyGap, gap);
		}
	}
	return {
		people: total,
		firstWish,
		anyWish,
		firstWishShare: wishers ? firstWish / wishers : 1,
		minResidentShare: occupied.length ? Math.min(...occupied.map((r) => r.residents / r.size)) : 0,
		maxFamilyGap,
		tolerance,
		rooms: perRoom
	};
}
