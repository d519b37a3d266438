/**
 * The event's addresses: the join link, the organiser's, each room's projection and
 * facilitation links and each workshop's capture link, derived from the organiser's token (server/tokens.ts) so the store keeps
 * their hashes only.
 *
 * Every link names its event, the routing key of several nodes (docs/deploy/README.md): in the
 * path for the organiser's, as `?e=` for a room's. The join link stays /j/CODE, short enough to
 * type and to print as a light QR code: any node serves the join page (it looks the code up), and
 * the page sends `e=` with everything that follows.
 */
import type { EventRecord, RoomLinkHashes } from './store/store';
import { hashToken, roomToken, workshopToken } from './tokens';

export class Links {
	/**
	 * Each event's organiser token as last presented, in memory only: the console's room links are
	 * derived from it. An event has one valid organiser token at a time, so every organiser
	 * watching it presented this one.
	 */
	private readonly organiserTokens = new Map<string, string>();

	constructor(readonly publicUrl: string) {}

	join = (e: Pick<EventRecord, 'joinCode'>) => `${this.publicUrl}/j/${e.joinCode}`;
	/** Registering before the event, with ranked wishes (the same code: the same identity on the day). */
	register = (e: Pick<EventRecord, 'joinCode'>) => `${this.publicUrl}/r/${e.joinCode}`;
	organiser = (eventId: string, token: string) => `${this.publicUrl}/o/${eventId}#${token}`;
	projection = (eventId: string, roomId: string, organiserToken: string) =>
		`${this.publicUrl}/p/${roomId}?e=${eventId}#${roomToken(organiserToken, roomId, 'projection')}`;
	facilitation = (eventId: string, roomId: string, organiserToken: string) =>
		`${this.publicUrl}/f/${roomId}?e=${eventId}#${roomToken(organiserToken, roomId, 'facilitation')}`;

	capture = (workshopId: string, organiserToken: string) => `${this.publicUrl}/v/${workshopId}#${workshopToken(organiserToken, workshopId)}`;
	/** What the store keeps of a workshop's capture link: its hash. */
	workshopHash = (workshopId: string, organiserToken: string) => hashToken(workshopToken(organiserToken, workshopId));

	/** What the store keeps of a room's links: their hashes. */
	roomHashes = (roomId: string, organiserToken: string): RoomLinkHashes => ({
		facilitation: hashToken(roomToken(organiserToken, roomId, 'facilitation')),
		projection: hashToken(roomToken(organiserToken, roomId, 'projection'))
	});

	rememberOrganiser(eventId: string, token: string) {
		this.organiserTokens.set(eventId, token);
	}

	forget(eventId: string) {
		this.organiserTokens.delete(eventId);
	}

	/** A room's links for the organiser's console, once the organiser presented their token. */
	roomLinks(eventId: string, roomId: string): { projectionUrl: string; facilitatorUrl: string } {
		const token = this.organiserTokens.get(eventId);
		return token
			? { projectionUrl: this.projection(eventId, roomId, token), facilitatorUrl: this.facilitation(eventId, roomId, token) }
			: { projectionUrl: '', facilitatorUrl: '' };
	}

	/** A workshop's capture link for the console, once the organiser presented their token. */
	captureLink(eventId: string, workshopId: string): string {
		const token = this.organiserTokens.get(eventId);
		return token ? this.capture(workshopId, token) : '';
	}

	/** The organiser's token as last presented (a new workshop's link is derived from it). */
	organiserToken(eventId: string): string | undefined {
		return this.organiserTokens.get(eventId);
	}
}
