import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { DeadlineSweep } from './deadlineSweep.js';
import { UwsgiConnectionReader } from './uwsgiConnectionReader.js';
import type { DeadlineItem, HttpHandoff, ReaderHost, UwsgiDirect, UwsgiLimits } from './uwsgiTypes.js';

export type { HttpHandoff, UwsgiDirect, UwsgiLimits, UwsgiReply } from './uwsgiTypes.js';

// How late a slow sender (or a silent connection) is cut at most, past its deadline.
const SWEEP_TICK_MS = 100;

/**
 * Reads one uwsgi request from a connection: buffers the header, the vars block (at most
 * `buffer-size`) and the body (CONTENT_LENGTH bytes, at most max-body-size), all within
 * `socket-timeout`. Then either the direct handler answers it (the hot route, written as raw
 * HTTP bytes), or the equivalent HTTP/1.0 request is unshifted into the socket and handed to the
 * HTTP server; both answer with a raw HTTP response and close the connection, as uWSGI does. A
 * malformed packet is answered with a JSON error (400, 431, 413, 408) and closed; a client that
 * hangs up is dropped. Nothing here throws: one bad connection touches no other.
 *
 * uwsgi behind nginx's uwsgi_pass is a new connection per request, so the per-connection work is
 * kept small: one state object, shared listener functions, one sweep timer for every deadline.
 */
export class UwsgiConnections {
  readonly #deadlines = new DeadlineSweep<DeadlineItem>((c) => c.expire(), SWEEP_TICK_MS);
  /** Connections answered directly whose answer is not written yet. */
  readonly #answering = new Set<DeadlineItem>();
  readonly #host: ReaderHost;
  #direct: UwsgiDirect | null = null;

  constructor(limits: () => UwsgiLimits, log: Logger) {
    const deadlines = this.#deadlines;
    const answering = this.#answering;
    this.#host = {
      limits,
      log,
      directHandler: () => this.#direct,
      watch: (reader, ms) => deadlines.add(reader, ms),
      unwatch: (reader) => deadlines.delete(reader),
      answering: (reader, on) => void (on ? answering.add(reader) : answering.delete(reader)),
    };
  }

  /** Sets the handler that answers requests without the HTTP server (null: every request goes to it). */
  set direct(direct: UwsgiDirect | null) {
    this.#direct = direct;
  }

  /** Cuts every connection still sending its request or waiting for a direct answer (end of the grace period). */
  closeAll(): void {
    for (const c of [...this.#deadlines.items(), ...this.#answering]) c.socket.destroy();
  }

  /** Closes every connection of an `auto` listener that has not sent its first byte yet (shutdown). */
  closeSilent(): void {
    for (const c of [...this.#deadlines.items()]) if (c.phase === 'sniff') c.expire();
  }

  /**
   * Takes over a new connection; `first` is what a sniffer read from it already. `handoff`
   * gets it back once the request is whole, unless the direct handler answers it.
   */
  handle(socket: Socket, handoff: HttpHandoff, first?: Buffer): void {
    const c = new UwsgiConnectionReader(this.#host, socket, handoff, 'reading');
    c.listen();
    if (first !== undefined) c.data(first);
  }

  /**
   * Takes over a new connection of an `auto` listener: an HTTP request (its first byte a method
   * letter, see sniffProtocol) goes to `handoff` as it came, a uwsgi packet is read here. A
   * connection that sends nothing within `sniffTimeoutMs` is closed.
   */
  sniff(socket: Socket, handoff: HttpHandoff, sniffTimeoutMs: number): void {
    new UwsgiConnectionReader(this.#host, socket, handoff, 'sniff').listen(sniffTimeoutMs);
  }
}
