/**
 * « en cours » on the group's evaluation: this phone says when its person fills the form (at
 * most every `RENEW_MS` while they go on, and « no more » once they sent it), and keeps who else
 * fills it, as the server last said (`evaluationFilling`). A mark past its `until` is not shown.
 */
import type { EvaluationFilling } from '$lib/protocol';
import { act, type ControlSocket } from './socket';

/** Well within the server's 30 s mark: the others never see it lapse while one types. */
const RENEW_MS = 10_000;

export function evaluationPresence(socket: ControlSocket) {
	let filling = $state<EvaluationFilling['filling']>([]);
	let saidAt = 0;
	socket.on('evaluationFilling', (f) => (filling = f.filling));
	// Nothing is heard while away: what was shown may have ended.
	socket.on('disconnect', () => (filling = []));

	const say = (on: boolean) => act(socket, 'group:evaluating', { on }).catch(() => undefined);
	return {
		/** The others who fill the form now (server time `now`), by name, in the order they started. */
		others(members: readonly { id: string; displayName: string }[], me: string, now: number): string[] {
			return filling.filter((f) => f.participantId !== me && f.until > now).flatMap((f) => members.find((m) => m.id === f.participantId)?.displayName ?? []);
		},
		/** This person touches the form (on), or sent it (off). */
		mark(on: boolean) {
			const at = Date.now();
			if (on && at - saidAt < RENEW_MS) return;
			if (!on && !saidAt) return;
			saidAt = on ? at : 0;
			void say(on);
		}
	};
}

export type EvaluationPresence = ReturnType<typeof evaluationPresence>;
