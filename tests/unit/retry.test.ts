import fc from 'fast-check';
import { afterEach, expect, it, vi } from 'vitest';
import { RECONNECT_SPREAD_MS, reconnectJitter, retryDelay, retryable } from '../../src/lib/client/retry';
import { ticketedWebSocket } from '../../src/lib/client/yjsTicket';
import type { Ack } from '../../src/lib/protocol';

/** A WebSocket class that opens nothing and records the URL of each socket made. */
function recordingSocket(opened: string[]) {
	return class {
		binaryType = 'arraybuffer';
		readyState = 0;
		onopen = null;
		onmessage = null;
		onerror = null;
		onclose = null;
		constructor(url: string) {
			opened.push(url);
		}
		send() {}
		close() {}
	};
}

afterEach(() => {
	vi.useRealTimers();
	vi.unstubAllGlobals();
});

it('waits at least what the server asked, doubling up to 30 s, with up to half again of jitter', () => {
	fc.assert(
		fc.property(fc.nat(20), fc.option(fc.nat(600), { nil: null }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, asked, r) => {
			const delay = retryDelay(attempt, asked === null ? null : String(asked), 0, () => r);
			const base = Math.max((asked ?? 0) * 1000, Math.min(30_000, 1000 * 2 ** attempt));
			expect(delay).toBeGreaterThanOrEqual(base);
			expect(delay).toBeLessThanOrEqual(base * 1.5 + 1);
		})
	);
	// An HTTP date is honoured too.
	expect(retryDelay(0, new Date(10_000).toUTCString(), 0, () => 0)).toBe(10_000);
	// Two phones refused together come back apart.
	expect(retryDelay(3, '1', 0, () => 0)).not.toBe(retryDelay(3, '1', 0, () => 0.9));
	expect([429, 503, 400, 404, 500].map(retryable)).toEqual([true, true, false, false, false]);
});

it('spreads reconnections over the whole window', () => {
	fc.assert(
		fc.property(fc.double({ min: 0, max: 0.999_999, noNaN: true }), (r) => {
			const wait = reconnectJitter(() => r);
			expect(wait).toBeGreaterThanOrEqual(0);
			expect(wait).toBeLessThan(RECONNECT_SPREAD_MS);
		})
	);
	expect(reconnectJitter(() => 0)).toBe(0);
	expect(reconnectJitter(() => 0.5)).toBe(RECONNECT_SPREAD_MS / 2);
});

it('asks for the first ticket of a write-up at once, and for each reconnection after a random wait within the spread', async () => {
	vi.useFakeTimers();
	const asked: string[] = [];
	vi.stubGlobal('fetch', async (url: string) => {
		asked.push(url);
		return new Response(JSON.stringify({ ticket: `t${asked.length}` }), { status: 201 });
	});
	const opened: string[] = [];
	const Socket = recordingSocket(opened);
	const random = vi.spyOn(Math, 'random').mockReturnValue(0.75);
	const Ticketed = ticketedWebSocket('http://palabre.test', 'group.g1', 'p.secret', Socket);
	new Ticketed('ws://palabre.test/yjs/group.g1');
	expect(asked).toHaveLength(1);
	await vi.advanceTimersByTimeAsync(0);
	expect(opened).toEqual(['ws://palabre.test/yjs/group.g1?ticket=t1']);

	// The connection dropped: y-websocket makes a new socket, which waits 0.75 of the spread.
	new Ticketed('ws://palabre.test/yjs/group.g1');
	await vi.advanceTimersByTimeAsync(RECONNECT_SPREAD_MS * 0.75 - 1);
	expect(asked).toHaveLength(1);
	await vi.advanceTimersByTimeAsync(1);
	expect(asked).toHaveLength(2);
	expect(opened.at(-1)).toBe('ws://palabre.test/yjs/group.g1?ticket=t2');

	// Closed while it waits: no ticket is asked for, and it ends as a socket closed while connecting.
	const closes: number[] = [];
	const waiting = new Ticketed('ws://palabre.test/yjs/group.g1');
	(waiting as unknown as { onclose: (e: { code: number }) => void }).onclose = (e) => closes.push(e.code);
	waiting.close();
	await vi.advanceTimersByTimeAsync(RECONNECT_SPREAD_MS);
	expect(asked).toHaveLength(2);
	expect(closes).toEqual([1006]);
	random.mockRestore();
});

it('asks the ticket over the open control connection, and over HTTP when it is down or says no', async () => {
	const asked: string[] = [];
	vi.stubGlobal('fetch', async (url: string) => {
		asked.push(url);
		return new Response(JSON.stringify({ ticket: 'http' }), { status: 201 });
	});
	const opened: string[] = [];
	const Socket = recordingSocket(opened);
	/** A control connection answering `writeup:ticket` with `answer`. */
	const channel = (connected: boolean, answer: Ack) => ({
		connected,
		emitted: [] as unknown[],
		timeout() {
			return { emit: (_event: string, msg: unknown, ack: (err: Error | null, a: Ack) => void) => (this.emitted.push(msg), ack(null, answer)) };
		}
	});
	const open = async (c: ReturnType<typeof channel>) => {
		const Ticketed = ticketedWebSocket('http://palabre.test', 'group.g1', 'p.secret', Socket, () => c);
		new Ticketed('ws://palabre.test/yjs/group.g1');
		await vi.waitFor(() => expect(opened.length).toBeGreaterThan(0));
		return opened.splice(0);
	};

	const up = channel(true, { ok: true, data: { ticket: 'socket', expiresInMs: 30_000 } });
	expect(await open(up)).toEqual(['ws://palabre.test/yjs/group.g1?ticket=socket']);
	expect(up.emitted).toEqual([{ doc: 'group.g1' }]);
	expect(asked).toEqual([]);

	const down = channel(false, { ok: true, data: { ticket: 'socket', expiresInMs: 30_000 } });
	expect(await open(down)).toEqual(['ws://palabre.test/yjs/group.g1?ticket=http']);
	expect(down.emitted).toEqual([]);

	// A refusal is worded by HTTP's answer (403 → the final close 4403), so it asks there too.
	const no = channel(true, { ok: false, error: 'refusé', code: 'badWriteupToken' });
	expect(await open(no)).toEqual(['ws://palabre.test/yjs/group.g1?ticket=http']);
	expect(asked).toHaveLength(2);
});
