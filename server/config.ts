/** Configuration from the environment, with the defaults of a laptop on the venue Wi-Fi. */
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { parseTrustProxy, type TrustProxy } from './http/clientAddress';

export interface Config {
	port: number;
	host: string;
	dataDir: string;
	/** The address put in QR codes and links, without a trailing slash. */
	publicUrl: string;
	/**
	 * True when phones cannot reach us: no PUBLIC_URL, and HOST is a loopback address or the
	 * machine has no LAN address.
	 */
	loopbackOnly: boolean;
	/** `TRUST_PROXY`: read the client's address from `X-Forwarded-For` only behind these proxies. */
	trustProxy: TrustProxy;
	limits: Limits;
	/** `DATABASE_URL`: PostgreSQL holds the data and the write-ups (docs/postgres.md, docs/postgres-yjs.md); without it, SQLite in dataDir. */
	databaseUrl?: string;
	/** `YJS_PROCESSES`: Yjs processes sharing the write-ups, by group (a large event); 1 by default. */
	yjsProcesses: number;
	/**
	 * `PALABRE_NODE_URL` (with DATABASE_URL): this process is one node of several, reached by the
	 * others at this internal address (docs/deploy/README.md); `NODE_ID` names it (else generated).
	 */
	node?: { url: string; id?: string };
}

export interface Limits {
	/**
	 * Joins per minute per room of an event (also the burst): an event's budget grows with its
	 * rooms, and a whole room scanning at once passes. One address may take twice that, so a
	 * venue whose phones share one public address (NAT) is not held back by it.
	 */
	joinsPerMinute: number;
	/** Events created per address per hour. */
	eventsPerHour: number;
	/** Open control-plane connections per participant (tabs, reconnects). */
	connectionsPerParticipant: number;
	/** Open connections (TCP, and socket.io sessions) per client address. */
	connectionsPerAddress: number;
	/** Events are deleted this many days after their creation; undefined keeps them. */
	retentionDays?: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
	const value = env[name] === undefined ? fallback : Number(env[name]);
	if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} invalide : ${env[name]}`);
	return value;
}

/** The first non-internal IPv4 address, the one phones on the same Wi-Fi can reach. */
export function lanAddress(): string | undefined {
	for (const list of Object.values(networkInterfaces())) {
		for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
	}
	return undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env, lan: string | null = lanAddress() ?? null): Config {
	const port = Number(env.PORT ?? 3000);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT invalide : ${env.PORT}`);
	const host = env.HOST ?? '0.0.0.0';
	const dataDir = resolve(env.DATA_DIR ?? './data');
	const trustProxy = parseTrustProxy(env.TRUST_PROXY);
	const limits: Limits = {
		joinsPerMinute: positive(env, 'JOIN_LIMIT', 300),
		eventsPerHour: positive(env, 'CREATE_LIMIT', 20),
		connectionsPerParticipant: positive(env, 'CONNECTIONS_PER_PARTICIPANT', 5),
		connectionsPerAddress: positive(env, 'CONNECTIONS_PER_ADDRESS', 2_000),
		...(env.RETENTION_DAYS ? { retentionDays: positive(env, 'RETENTION_DAYS', 1) } : {})
	};
	const databaseUrl = env.DATABASE_URL || undefined;
	if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
		throw new Error(`DATABASE_URL invalide (attendu : postgres://utilisateur@hôte:port/base) : ${databaseUrl}`);
	}
	const yjsProcesses = positive(env, 'YJS_PROCESSES', 1);
	if (!Number.isInteger(yjsProcesses)) throw new Error(`YJS_PROCESSES invalide : ${env.YJS_PROCESSES}`);
	const nodeUrl = env.PALABRE_NODE_URL || undefined;
	if (nodeUrl !== undefined && (!databaseUrl || !/^https?:\/\/[^/]+\/?$/.test(nodeUrl))) {
		throw new Error(`PALABRE_NODE_URL invalide (attendu : http://hôte:port, avec DATABASE_URL) : ${nodeUrl}`);
	}
	const node = nodeUrl ? { node: { url: nodeUrl.replace(/\/$/, ''), ...(env.NODE_ID ? { id: env.NODE_ID } : {}) } } : {};
	const stores = { yjsProcesses, ...(databaseUrl ? { databaseUrl } : {}), ...node };
	if (env.PUBLIC_URL) {
		return { port, host, dataDir, publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''), loopbackOnly: false, trustProxy, limits, ...stores };
	}
	const local = localAddress(host, lan, port);
	return { port, host, dataDir, publicUrl: local.url, loopbackOnly: local.loopback, trustProxy, limits, ...stores };
}

/** A HOST only this machine can reach. */
export const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;
/** A HOST meaning every interface (the default). */
export const ANY_HOST = /^(0\.0\.0\.0|::)$/;

/**
 * The address links and QR codes use without PUBLIC_URL: one the server listens on. Listening
 * everywhere, the LAN address (phones on the same Wi-Fi); on a loopback or a given address,
 * that address itself, so links at least work on this machine.
 */
function localAddress(host: string, lan: string | null, port: number): { url: string; loopback: boolean } {
	if (ANY_HOST.test(host)) return { url: `http://${lan ?? 'localhost'}:${port}`, loopback: lan === null };
	const name = host.includes(':') ? `[${host}]` : host;
	return { url: `http://${name}:${port}`, loopback: LOOPBACK_HOST.test(host) };
}
