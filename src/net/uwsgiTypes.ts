/**
 * The shapes shared by the uwsgi connection registry (uwsgiConnection.ts) and the reader of one
 * connection (uwsgiConnectionReader.ts), and by the direct handler (http/uwsgiLane.ts).
 */
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import type { UwsgiHttpRequest } from './uwsgiRequest.js';

/** What a uwsgi connection is read with; the limits are read at each connection (reload). */
export interface UwsgiLimits {
  /** uWSGI's buffer-size: the largest vars block. */
  readonly bufferSize: number;
  /** max-body-size: a larger CONTENT_LENGTH is refused (413 ERR_BODY_TOO_LARGE) before any of it is buffered. */
  readonly maxBodySize: number;
  /** uWSGI's socket-timeout: the whole packet (vars and body) must arrive within it. */
  readonly timeoutMs: number;
  /** The HTTP server's maxHeaderSize: a request whose HTTP head would be longer goes to it, which refuses it (431/414) as it does over HTTP. */
  readonly maxHeadBytes?: number;
}

/** Hands the socket, with the HTTP request it carries unshifted into it, to the HTTP server. */
export type HttpHandoff = (socket: Socket) => void;

/** How a direct handler answers: once, a whole response; the connection closes after it. */
export interface UwsgiReply {
  send(status: number, headers: Readonly<Record<string, string>>, body: string): void;
}

/**
 * Answers a whole uwsgi request without the HTTP server (no HTTP head written and parsed again,
 * no IncomingMessage/ServerResponse), or returns false, and the request goes to the HTTP server
 * as every other does. It only sees requests that arrived whole, body included, and whose HTTP
 * head would pass the HTTP server's limits, so what it declines is answered as before.
 */
export type UwsgiDirect = (request: UwsgiHttpRequest, reply: UwsgiReply) => boolean;

/**
 * Where one connection is: `sniff` (an `auto` listener, nothing read yet), `reading` (the uwsgi
 * packet and its body), `answering` (whole, answered directly, waiting for the answer), `done`
 * (handed to the HTTP server, answered with an error, or gone: nothing of ours left).
 */
export type Phase = 'sniff' | 'reading' | 'answering' | 'done';

/** What a connection's reader needs of the registry that owns it: narrow, so the registry's state stays its own. */
export interface ReaderHost {
  /** The limits now (read when a connection starts reading: a reload changes them). */
  limits(): UwsgiLimits;
  readonly log: Logger;
  directHandler(): UwsgiDirect | null;
  /** Expire `reader` in `ms` unless it is unwatched first. */
  watch(reader: DeadlineItem, ms: number): void;
  /** It made its deadline, or is gone. */
  unwatch(reader: DeadlineItem): void;
  /** Whether it waits for a direct answer (closeAll cuts those too). */
  answering(reader: DeadlineItem, on: boolean): void;
}

/** What the registry's deadline sweep and shutdown act on. */
export interface DeadlineItem {
  readonly phase: Phase;
  readonly socket: Socket;
  expire(): void;
}
