import type { Socket } from 'node:net';
import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import { DeadlineSweep } from './deadlineSweep.js';
import { sniffProtocol } from './protocolSniffer.js';
import { rawHttpResponse, writeErrorAndLinger } from './rawResponse.js';
import { parseUwsgiPacket } from './uwsgiPacket.js';
import { httpHead, httpHeadLength, uwsgiHttpRequest, type UwsgiHttpRequest } from './uwsgiRequest.js';

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

// How late a slow sender (or a silent connection) is cut at most, past its deadline.
const SWEEP_TICK_MS = 100;

const enum Phase {
  /** `auto` listener: nothing read yet, the protocol is not known. */
  Sniff,
  /** Reading the uwsgi packet and its body. */
  Reading,
  /** Whole: answered directly, waiting for the answer. */
  Answering,
  /** Handed to the HTTP server, answered with an error, or gone: nothing of ours left. */
  Done,
}

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
  readonly #limits: () => UwsgiLimits;
  readonly #log: Logger;
  readonly #deadlines = new DeadlineSweep<Connection>((c) => c.expire(), SWEEP_TICK_MS);
  /** Connections answered directly whose answer is not written yet. */
  readonly #answering = new Set<Connection>();
  #direct: UwsgiDirect | null = null;

  constructor(limits: () => UwsgiLimits, log: Logger) {
    this.#limits = limits;
    this.#log = log;
  }

  /** Sets the handler that answers requests without the HTTP server (null: every request goes to it). */
  set direct(direct: UwsgiDirect | null) {
    this.#direct = direct;
  }

  /** Connections still sending their request (not yet handed to the HTTP server or answered). */
  get reading(): number {
    let n = 0;
    for (const c of this.#deadlines.items()) if (c.phase === Phase.Reading) n++;
    return n;
  }

  /** Cuts every connection still sending its request or waiting for a direct answer (end of the grace period). */
  closeAll(): void {
    for (const c of [...this.#deadlines.items(), ...this.#answering]) c.socket.destroy();
  }

  /** Closes every connection of an `auto` listener that has not sent its first byte yet (shutdown). */
  closeSilent(): void {
    for (const c of [...this.#deadlines.items()]) if (c.phase === Phase.Sniff) c.expire();
  }

  /**
   * Takes over a new connection; `first` is what a sniffer read from it already. `handoff`
   * gets it back once the request is whole, unless the direct handler answers it.
   */
  handle(socket: Socket, handoff: HttpHandoff, first?: Buffer): void {
    const c = new Connection(this, socket, handoff, Phase.Reading);
    c.listen();
    if (first !== undefined) c.data(first);
  }

  /**
   * Takes over a new connection of an `auto` listener: an HTTP request (its first byte a method
   * letter, see sniffProtocol) goes to `handoff` as it came, a uwsgi packet is read here. A
   * connection that sends nothing within `sniffTimeoutMs` is closed.
   */
  sniff(socket: Socket, handoff: HttpHandoff, sniffTimeoutMs: number): void {
    new Connection(this, socket, handoff, Phase.Sniff).listen(sniffTimeoutMs);
  }

  /** @internal the parts a {@link Connection} reads. */
  get limits(): UwsgiLimits {
    return this.#limits();
  }
  get log(): Logger {
    return this.#log;
  }
  get directHandler(): UwsgiDirect | null {
    return this.#direct;
  }
  get deadlines(): DeadlineSweep<Connection> {
    return this.#deadlines;
  }
  get answering(): Set<Connection> {
    return this.#answering;
  }
}

const kConnection = Symbol('uwsgiConnection');
type Tagged = Socket & { [kConnection]?: Connection };

// One set of listener functions for every connection: `this` is the socket.
function onData(this: Tagged, chunk: Buffer): void {
  this[kConnection]?.data(chunk);
}
function onEnd(this: Tagged): void {
  this[kConnection]?.ended();
}
function onError(this: Tagged, err: Error): void {
  this[kConnection]?.failed(err);
}
function onClose(this: Tagged): void {
  this[kConnection]?.closed();
}

/** One connection's request as it is read. */
class Connection implements UwsgiReply {
  readonly owner: UwsgiConnections;
  readonly socket: Tagged;
  readonly #handoff: HttpHandoff;
  phase: Phase;
  #limits: UwsgiLimits | null = null;
  #chunks: Buffer[] = [];
  #received = 0;
  // Set once the vars block is whole: the request, where the body starts, how much of it to wait for.
  #request: UwsgiHttpRequest | null = null;
  #bodyStart = 0;

  constructor(owner: UwsgiConnections, socket: Socket, handoff: HttpHandoff, phase: Phase) {
    this.owner = owner;
    this.socket = socket as Tagged;
    this.#handoff = handoff;
    this.phase = phase;
    this.socket[kConnection] = this;
    if (phase === Phase.Reading) this.#startReading();
  }

  listen(sniffTimeoutMs?: number): void {
    const s = this.socket;
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('error', onError);
    s.on('close', onClose);
    if (sniffTimeoutMs !== undefined) this.owner.deadlines.add(this, sniffTimeoutMs);
  }

  #startReading(): void {
    this.#limits = this.owner.limits;
    this.owner.deadlines.add(this, this.#limits.timeoutMs);
  }

  /** Nothing of ours listens any more: the HTTP server or nobody owns the socket now. */
  #release(): void {
    this.phase = Phase.Done;
    this.owner.deadlines.delete(this);
    this.owner.answering.delete(this);
    const s = this.socket;
    s[kConnection] = undefined;
    s.off('data', onData);
    s.off('end', onEnd);
    s.off('error', onError);
    s.off('close', onClose);
  }

  data(chunk: Buffer): void {
    if (this.phase === Phase.Sniff) {
      if (chunk.length === 0) return;
      if (sniffProtocol(chunk[0]!) === 'http') {
        this.#release();
        this.#giveBack(chunk);
        return;
      }
      this.phase = Phase.Reading;
      this.#startReading();
    }
    if (this.phase !== Phase.Reading) return; // bytes past the request: one request per connection
    const limits = this.#limits!;
    const chunks = this.#chunks;
    chunks.push(chunk);
    this.#received += chunk.length;
    if (this.#request === null) {
      if (chunks.length > 1) chunks.splice(0, chunks.length, Buffer.concat(chunks, this.#received));
      const parsed = parseUwsgiPacket(chunks[0]!, limits.bufferSize);
      if (parsed.state === 'incomplete') return;
      if (parsed.state === 'too-large') return this.#refuse(new MlserveError('ERR_UWSGI_VARS_TOO_LARGE', parsed.message));
      if (parsed.state === 'malformed') return this.#refuse(new MlserveError('ERR_UWSGI_PACKET', parsed.message));
      const http = uwsgiHttpRequest(parsed.packet.vars);
      if (!http.ok) return this.#refuse(new MlserveError('ERR_UWSGI_PACKET', http.message));
      // An oversized body is never buffered: refused from CONTENT_LENGTH, as the HTTP layer
      // does from Content-Length (same code and words), and drained while the answer goes out.
      if (http.request.contentLength > limits.maxBodySize) {
        return this.#refuse(new MlserveError('ERR_BODY_TOO_LARGE', `request body is larger than max-body-size (${limits.maxBodySize} bytes)`));
      }
      this.#request = http.request;
      this.#bodyStart = parsed.packet.bodyStart;
    }
    const request = this.#request;
    const wanted = request.contentLength;
    if (this.#received - this.#bodyStart < wanted) return;
    this.owner.deadlines.delete(this);
    const exact = this.#received === this.#bodyStart + wanted;
    const direct = this.owner.directHandler;
    // Bytes past the body (nginx never sends any) go the HTTP server's way, which drains them before closing.
    if (direct !== null && exact && httpHeadLength(request) < (limits.maxHeadBytes ?? Infinity)) {
      this.phase = Phase.Answering;
      this.owner.answering.add(this);
      this.#chunks = [];
      let taken = false;
      try {
        taken = direct(request, this);
      } catch (err) {
        this.owner.log.error({ err }, 'uwsgi direct handler failed');
        this.#release();
        writeErrorAndLinger(this.socket, new MlserveError('ERR_INTERNAL', 'internal server error'));
        return;
      }
      if (taken) return;
      this.phase = Phase.Reading;
      this.owner.answering.delete(this);
      this.#chunks = chunks;
    }
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#received);
    const body = all.subarray(this.#bodyStart, this.#bodyStart + wanted);
    this.#release();
    this.#giveBack(Buffer.concat([httpHead(request), body]));
  }

  #giveBack(bytes: Buffer): void {
    const s = this.socket;
    s.pause();
    s.unshift(bytes);
    this.#handoff(s);
    s.resume();
  }

  /** The direct handler's answer: one write, then close (no half-close to wait on: uwsgi has one request a connection). */
  send(status: number, headers: Readonly<Record<string, string>>, body: string): void {
    if (this.phase !== Phase.Answering) return;
    this.#release();
    const s = this.socket;
    if (s.destroyed || !s.writable) {
      s.destroy();
      return;
    }
    s.on('error', swallow); // the peer may be gone by the time the bytes go: nobody to tell
    s.write(rawHttpResponse(status, headers, body));
    // Written to the kernel at once (the usual case on a Unix socket): close on the next tick,
    // after the stream's own write bookkeeping (closing inside it makes node build an
    // ERR_STREAM_DESTROYED error, stack trace and all, per connection). Otherwise end and close
    // once the bytes are out.
    if (s.writableLength === 0) process.nextTick(destroySocket, s);
    else s.destroySoon();
  }

  /** The deadline passed: a silent connection is closed, a slow sender gets 408. */
  expire(): void {
    if (this.phase === Phase.Sniff) {
      this.#release();
      this.socket.destroy();
      return;
    }
    if (this.phase !== Phase.Reading) return;
    const limits = this.#limits!;
    this.#refuse(new MlserveError('ERR_REQUEST_TIMEOUT', `the uwsgi request did not arrive within socket-timeout (${limits.timeoutMs / 1000} s; ${this.#received} bytes received)`), false);
  }

  #refuse(err: MlserveError, log = true): void {
    this.#release();
    if (log) this.owner.log.debug({ code: err.code, reason: err.message }, 'uwsgi request refused');
    writeErrorAndLinger(this.socket, err);
  }

  ended(): void {
    // The request is whole and its answer is being computed: a client that half-closes after
    // sending it still gets the answer, as uWSGI (which reads the request, then writes) and the
    // HTTP side (httpAllowHalfOpen) answer it; a client that is really gone makes the write fail,
    // and send() closes. Regression: the answer was dropped at the client's FIN.
    if (this.phase === Phase.Answering) return;
    if (this.phase === Phase.Reading) this.owner.log.debug({ received: this.#received }, 'uwsgi client closed before its request was complete');
    // Before the first byte (sniffing) or during the packet: the client gave up before asking.
    // http.Server sockets are half-open, so this closes it (regression: a connect-only probe kept
    // server.close(), so SIGTERM, waiting).
    this.#release();
    this.socket.destroy();
  }

  failed(err: Error): void {
    this.owner.log.debug({ err }, 'uwsgi connection error');
    this.#release();
    this.socket.destroy();
  }

  closed(): void {
    this.#release();
  }
}

function swallow(): void {}

function destroySocket(socket: Socket): void {
  socket.destroy();
}
