import { version } from '$app/environment';
import type { ParticipantSession, PhoneRoomView } from '../views';

/** The resumable participant token, kept on the device per event so a reload is the same person. */
const key = (joinCode: string) => `palabre.participant.${joinCode}`;
/** What the page last showed this person: a reload without network shows it again. */
const lastSeenKey = (joinCode: string) => `palabre.lastSeen.${joinCode}`;

export interface LastSeen {
	session: ParticipantSession;
	room: PhoneRoomView | null;
}

export const loadToken = (joinCode: string): string | null => localStorage.getItem(key(joinCode));
export const saveToken = (joinCode: string, token: string) => localStorage.setItem(key(joinCode), token);

/** Ends this identity on the device: its token and its last-seen copy. */
export function forgetToken(joinCode: string) {
	localStorage.removeItem(key(joinCode));
	localStorage.removeItem(lastSeenKey(joinCode));
}

export function saveLastSeen(joinCode: string, seen: LastSeen) {
	try {
		localStorage.setItem(lastSeenKey(joinCode), JSON.stringify({ version, ...seen }));
	} catch {
		// Storage full or refused: the page still works online.
	}
}

/** The last-seen copy, if one was saved by this version of the app (views change between versions). */
export function loadLastSeen(joinCode: string): LastSeen | null {
	try {
		const saved = JSON.parse(localStorage.getItem(lastSeenKey(joinCode)) ?? 'null') as (LastSeen & { version: string }) | null;
		return saved?.version === version ? { session: saved.session, room: saved.room } : null;
	} catch {
		return null;
	}
}
