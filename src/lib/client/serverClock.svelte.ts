/**
 * The server's clock as seen from this device. The offset is measured NTP-style over the
 * control-plane socket (best of the last samples), re-measured on reconnect and when the
 * phone wakes up; `clock.now` ticks four times a second. Timers display from the server's
 * `endsAt` with this clock, so a phone whose own clock is wrong still shows the right time.
 */
import type { Socket } from 'socket.io-client';
import { addSample, estimateOffset, type ClockSample } from '../domain/clock';

const TICK_MS = 250;
const RESAMPLE_MS = 30_000;

export function serverClock(socket: Socket) {
	let samples: ClockSample[] = [];
	const state = $state({ offset: 0, now: Date.now(), synced: false });

	function sample() {
		if (!socket.connected) return;
		const sentAt = Date.now();
		socket.timeout(5_000).emit('time', (err: Error | null, serverTime: number) => {
			if (err || typeof serverTime !== 'number') return;
			samples = addSample(samples, { sentAt, serverTime, receivedAt: Date.now() });
			// Whole milliseconds: times sent to the server are integers.
			state.offset = Math.round(estimateOffset(samples));
			state.synced = true;
			state.now = Date.now() + state.offset;
		});
	}

	function burst() {
		// A few samples in a row: the one with the shortest round trip wins.
		for (let i = 0; i < 4; i++) setTimeout(sample, i * 150);
	}

	const onVisible = () => {
		if (document.visibilityState === 'visible') burst();
	};
	socket.on('connect', burst);
	document.addEventListener('visibilitychange', onVisible);
	if (socket.connected) burst();
	const tick = setInterval(() => (state.now = Date.now() + state.offset), TICK_MS);
	const resample = setInterval(sample, RESAMPLE_MS);

	return {
		get now() {
			return state.now;
		},
		get synced() {
			return state.synced;
		},
		/** The server's time right now (not the last tick): for stamping taps. */
		read(): number {
			return Date.now() + state.offset;
		},
		stop() {
			clearInterval(tick);
			clearInterval(resample);
			socket.off('connect', burst);
			document.removeEventListener('visibilitychange', onVisible);
		}
	};
}

export type ServerClock = ReturnType<typeof serverClock>;
