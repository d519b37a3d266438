/** The control plane's typed server and sockets, and the channels (socket.io rooms) it sends to. */
import type { Server, Socket } from 'socket.io';
import type { ClientEvents, ServerEvents } from '../../src/lib/protocol';
import type { Identity } from '../access';

/** Who is connected, and the token they connected with (a write-up's ticket is checked against it at the upgrade). */
export type SocketData = { who: Identity; token: string };
export type ControlServer = Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>;
export type ControlSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>;

export const channel = {
	/** Every phone of one person. */
	participant: (id: string) => `p:${id}`,
	/** The phones of a group's members: its speaking time and the facilitators' notices. */
	group: (id: string) => `g:${id}`,
	/** The phones in a room. */
	room: (id: string) => `r:${id}`,
	projection: (roomId: string) => `rp:${roomId}`,
	facilitators: (roomId: string) => `f:${roomId}`,
	organisers: (eventId: string) => `o:${eventId}`,
	/** Everyone connected to an event: its board. */
	event: (eventId: string) => `e:${eventId}`
};
