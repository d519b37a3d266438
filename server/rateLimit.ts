/**
 * Token buckets per key (an address, an event): `burst` requests at once, then `perMinute` on
 * average. A venue's phones each have their own address on the Wi-Fi, so a burst of a whole room
 * joining passes; a script creating events or joins in a loop does not.
 */
export interface RateLimiter {
	/** True if the request may go ahead (and counts it); `cost`: how many requests it weighs. */
	take(key: string, now?: number, cost?: number): boolean;
	/** Milliseconds until `key` has a token (0: now); counts nothing. */
	wait(key: string, now?: number): number;
}

export function rateLimiter(opts: { burst: number; perMinute: number; maxKeys?: number }): RateLimiter {
	const buckets = new Map<string, { tokens: number; at: number }>();
	const maxKeys = opts.maxKeys ?? 10_000;
	const refillPerMs = opts.perMinute / 60_000;
	const bucket = (key: string, now: number) => {
		const b = buckets.get(key) ?? { tokens: opts.burst, at: now };
		b.tokens = Math.min(opts.burst, b.tokens + (now - b.at) * refillPerMs);
		b.at = now;
		return b;
	};
	return {
		take(key, now = Date.now(), cost = 1) {
			const b = bucket(key, now);
			// Bounded memory: forget the oldest key (Map keeps insertion order).
			buckets.delete(key);
			if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
			buckets.set(key, b);
			if (b.tokens < cost) return false;
			b.tokens -= cost;
			return true;
		},
		wait(key, now = Date.now()) {
			const b = buckets.get(key);
			if (!b) return 0;
			const tokens = Math.min(opts.burst, b.tokens + (now - b.at) * refillPerMs);
			return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / refillPerMs);
		}
	};
}
