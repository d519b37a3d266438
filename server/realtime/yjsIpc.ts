/**
 * Messages between the main process and the Yjs process (server/realtime/yjsHost.ts), over
 * Node's IPC channel with the 'advanced' serialization (bytes travel as bytes). Both ends are
 * ours and built together, so types suffice here; clients' messages have schemas.
 */
import type { Fence } from '../store/postgres/ydocs';
import type { Pens, UpgradeRequest, YjsGrant } from './yjs';

export type ToYjsHost =
	/** Sent with the socket as handle: the main process has routed and authorised it. */
	| { t: 'socket'; id: number; req: UpgradeRequest; head: Uint8Array; docName: string; grant: YjsGrant }
	/** A doc's pen holders changed: only they may change that stage's items. */
	| { t: 'pens'; docName: string; pens: Pens }
	/** A doc closed with its group's stages, or reopened: closed, no client's change is taken. */
	| { t: 'closed'; docName: string; closed: boolean }
	/** A change made by the server (a comment, a person's reactions removed), as a Yjs update. */
	| { t: 'apply'; id: number; docName: string; update: Uint8Array; fence?: Fence }
	/** The event's lease moved to this epoch: the writes of its loaded docs carry it. */
	| { t: 'fence'; fence: Fence }
	/** The event moved to another node: close its docs' connections (they reconnect there), unload them. */
	| { t: 'release'; eventId: string }
	/** Access withdrawn: close these holders' connections, but those to `keep`. */
	| { t: 'revoke'; holders: string[]; keep?: string }
	/** A deleted doc: close its connections, forget it, remove any row it still has. */
	| { t: 'drop'; docName: string }
	/**
	 * PostgreSQL: answered at once with `caughtUp`. Every `stored` this process sent before it
	 * arrives first (the channel keeps order), so the main process's copy then holds all that any
	 * writer was told is saved.
	 */
	| { t: 'catchUp'; id: number }
	/** Stop: close the connections, then exit. */
	| { t: 'close' };

export type FromYjsHost =
	| { t: 'ready' }
	| { t: 'applied'; id: number; error?: string }
	| { t: 'caughtUp'; id: number }
	/** The socket passed with this id closed: the main process counts open connections. */
	| { t: 'gone'; id: number }
	/** A group doc's items per stage changed (the projection's sign of progress). */
	| { t: 'progress'; docName: string; counts: [number, number, number] }
	/** PostgreSQL only: updates just committed, in order (the main process's copy of the stored docs). */
	| { t: 'stored'; updates: { docName: string; update: Uint8Array }[] };
