/**
 * Secrets in links (organiser, facilitator, projection) and on participants' devices.
 * 32 characters of nanoid's 64-letter alphabet: 192 bits of randomness.
 * Every token is stored hashed; comparisons are constant-time. A room's facilitation and
 * projection tokens are derived from the organiser's (roomToken), so the organiser's console can
 * show them again without the store keeping them, and a new organiser token changes them all.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { customAlphabet, nanoid } from 'nanoid';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '../src/lib/domain/joinCode';

export const newToken = (): string => nanoid(32);
export const newId = (): string => nanoid(12);
export const newJoinCode = customAlphabet(JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH);

export type LinkRole = 'facilitation' | 'projection';

/** A room's link token: HMAC-SHA256 keyed by the organiser's token, 192 bits in nanoid's alphabet (base64url). */
export function roomToken(organiserToken: string, roomId: string, role: LinkRole): string {
	return createHmac('sha256', organiserToken).update(`${roomId}:${role}`).digest('base64url').slice(0, 32);
}

/** A workshop's capture link (docs/verbatims.md), derived like a room's. */
export function workshopToken(organiserToken: string, workshopId: string): string {
	return createHmac('sha256', organiserToken).update(`${workshopId}:capture`).digest('base64url').slice(0, 32);
}

export function hashToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

/** Constant-time equality of two strings (lengths may leak, contents do not). */
export function sameSecret(a: string, b: string): boolean {
	const ba = Buffer.from(a);
	const bb = Buffer.from(b);
	return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export function matchesHash(token: string, hash: string): boolean {
	return sameSecret(hashToken(token), hash);
}

/** A participant's token names them: `<participantId>.<secret>`, so lookup needs no secret index. */
export function participantToken(participantId: string): string {
	return `${participantId}.${newToken()}`;
}

export function splitParticipantToken(token: string): { id: string; secret: string } | undefined {
	const dot = token.indexOf('.');
	if (dot <= 0) return undefined;
	return { id: token.slice(0, dot), secret: token };
}
