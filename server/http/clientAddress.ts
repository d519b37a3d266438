/**
 * The address a request comes from, for per-address limits. Behind a reverse proxy every phone
 * arrives from the proxy's address, so the proxy's `X-Forwarded-For` is read instead; but only
 * when `TRUST_PROXY` says a proxy is there, or anyone could pick their own address (and their own
 * rate-limit bucket) by sending the header.
 */
import { isIP } from 'node:net';

/** How many proxies stand in front of us, or which addresses are proxies; null: none (the default). */
export type TrustProxy = { hops: number } | { addresses: string[] } | null;

/** `TRUST_PROXY`: empty or 0 (no proxy), a number of hops, or a comma-separated list of proxy addresses. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
	const text = value?.trim() ?? '';
	if (text === '' || text === '0' || text === 'false') return null;
	if (/^\d+$/.test(text)) return { hops: Number(text) };
	const addresses = text.split(',').map((a) => normaliseAddress(a.trim()));
	if (addresses.some((a) => !isIP(a))) throw new Error(`TRUST_PROXY invalide : ${value} (un nombre de proxys ou une liste d’adresses IP)`);
	return { addresses };
}

/** IPv4 addresses seen through an IPv6 socket (`::ffff:1.2.3.4`) count as the IPv4 address. */
export function normaliseAddress(address: string | undefined): string {
	if (!address) return '?';
	return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** True if the peer is a proxy we trust: its connections are many people's, not one person's. */
export function isTrustedProxy(trust: TrustProxy, peer: string | undefined): boolean {
	if (!trust) return false;
	return 'hops' in trust || trust.addresses.includes(normaliseAddress(peer));
}

/**
 * The client's address: the peer's, or behind trusted proxies the last address in
 * `X-Forwarded-For` that no trusted proxy wrote (entries further left are the client's own say).
 */
export function clientAddress(trust: TrustProxy, peer: string | undefined, forwardedFor: string | string[] | undefined): string {
	const direct = normaliseAddress(peer);
	if (!trust || !isTrustedProxy(trust, peer) || forwardedFor === undefined) return direct;
	const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
	const chain = [
		...header
			.split(',')
			.map((a) => a.trim())
			.filter(Boolean)
			.map(normaliseAddress),
		direct
	];
	let at: number;
	if ('hops' in trust) at = Math.max(0, chain.length - 1 - trust.hops);
	else {
		at = chain.length - 1;
		while (at > 0 && trust.addresses.includes(chain[at] as string)) at--;
	}
	const found = chain[at] as string;
	// A proxy that wrote no valid address is misconfigured: fall back to what we know.
	return isIP(found) ? found : direct;
}
