/**
 * Client estimate of the offset to the server clock, NTP style: timers are stored as server epoch ms,
 * and a phone's clock can be minutes off.
 */

export interface ClockSample {
	/** Client ms when the request left. */
	sentAt: number;
	/** Server ms when it answered. */
	serverTime: number;
	/** Client ms when the answer came back. */
	receivedAt: number;
}

export const CLOCK_WINDOW = 8;

export function roundTrip(sample: ClockSample): number {
	return sample.receivedAt - sample.sentAt;
}

/** Assumes the request and the answer took as long: the error is at most half the round trip. */
export function sampleOffset(sample: ClockSample): number {
	return sample.serverTime - (sample.sentAt + sample.receivedAt) / 2;
}

/** Keeps the last `window` samples; drops one whose client clock jumped backwards mid-flight. */
export function addSample(samples: readonly ClockSample[], sample: ClockSample, window = CLOCK_WINDOW): ClockSample[] {
	const valid =
		Number.isFinite(sample.sentAt) && Number.isFinite(sample.serverTime) && Number.isFinite(sample.receivedAt) && roundTrip(sample) >= 0;
	if (!valid) return samples.slice(-window);
	return [...samples, sample].slice(-window);
}

/**
 * Offset (server − client) from the sample with the lowest round trip among the last `window`:
 * a short round trip leaves little room for asymmetric delays. On a tie the latest wins (clocks drift).
 * 0 without samples: display as if the clocks agreed until the first answer.
 */
export function estimateOffset(samples: readonly ClockSample[], window = CLOCK_WINDOW): number {
	let best: ClockSample | undefined;
	for (const s of samples.slice(-window)) if (best === undefined || roundTrip(s) <= roundTrip(best)) best = s;
	return best === undefined ? 0 : sampleOffset(best);
}

export function serverNow(offset: number, clientNow: number): number {
	return clientNow + offset;
}

/** « mm:ss », rounded up so that 00:00 shows only when time is up; minutes go past 59 (« 90:00 »). */
export function formatRemaining(ms: number): string {
	const seconds = Number.isFinite(ms) ? Math.max(0, Math.ceil(ms / 1000)) : 0;
	const mm = String(Math.floor(seconds / 60)).padStart(2, '0');
	const ss = String(seconds % 60).padStart(2, '0');
	return `${mm}:${ss}`;
}

