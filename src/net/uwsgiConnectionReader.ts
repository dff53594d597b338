import type { Socket } from 'node:net';
import { MlserveError } from '../errors.js';
import { sniffProtocol } from './protocolSniffer.js';
import { rawHttpResponse, writeErrorAndLinger } from './rawResponse.js';
import { parseUwsgiPacket } from './uwsgiPacket.js';
import { httpHead, httpHeadLength, uwsgiHttpRequest, type UwsgiHttpRequest } from './uwsgiRequest.js';
import type { DeadlineItem, HttpHandoff, Phase, ReaderHost, UwsgiLimits, UwsgiReply } from './uwsgiTypes.js';

const kConnection = Symbol('uwsgiConnection');
type Tagged = Socket & { [kConnection]?: UwsgiConnectionReader };

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

/**
 * One connection's uwsgi request as it is read: buffers the header, the vars block (at most
 * `buffer-size`) and the body (CONTENT_LENGTH bytes, at most max-body-size), all within
 * `socket-timeout`; then the direct handler answers it, or the equivalent HTTP/1.0 request is
 * unshifted into the socket and handed to the HTTP server. Nothing here throws.
 */
export class UwsgiConnectionReader implements UwsgiReply, DeadlineItem {
  readonly owner: ReaderHost;
  readonly socket: Tagged;
  readonly #handoff: HttpHandoff;
  phase: Phase;
  #limits: UwsgiLimits | null = null;
  #chunks: Buffer[] = [];
  #received = 0;
  // Set once the vars block is whole: the request, where the body starts, how much of it to wait for.
  #request: UwsgiHttpRequest | null = null;
  #bodyStart = 0;

  constructor(owner: ReaderHost, socket: Socket, handoff: HttpHandoff, phase: Phase) {
    this.owner = owner;
    this.socket = socket as Tagged;
    this.#handoff = handoff;
    this.phase = phase;
    this.socket[kConnection] = this;
    if (phase === 'reading') this.#startReading();
  }

  listen(sniffTimeoutMs?: number): void {
    const s = this.socket;
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('error', onError);
    s.on('close', onClose);
    if (sniffTimeoutMs !== undefined) this.owner.watch(this, sniffTimeoutMs);
  }

  #startReading(): void {
    this.#limits = this.owner.limits();
    this.owner.watch(this, this.#limits.timeoutMs);
  }

  /** Nothing of ours listens any more: the HTTP server or nobody owns the socket now. */
  #release(): void {
    this.phase = 'done';
    this.owner.unwatch(this);
    this.owner.answering(this, false);
    const s = this.socket;
    s[kConnection] = undefined;
    s.off('data', onData);
    s.off('end', onEnd);
    s.off('error', onError);
    s.off('close', onClose);
  }

  data(chunk: Buffer): void {
    if (this.phase === 'sniff') {
      if (chunk.length === 0) return;
      if (sniffProtocol(chunk[0]!) === 'http') {
        this.#release();
        this.#giveBack(chunk);
        return;
      }
      this.phase = 'reading';
      this.#startReading();
    }
    if (this.phase !== 'reading') return; // bytes past the request: one request per connection
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
    this.owner.unwatch(this);
    const exact = this.#received === this.#bodyStart + wanted;
    const direct = this.owner.directHandler();
    // Bytes past the body (nginx never sends any) go the HTTP server's way, which drains them before closing.
    if (direct !== null && exact && httpHeadLength(request) < (limits.maxHeadBytes ?? Infinity)) {
      this.phase = 'answering';
      this.owner.answering(this, true);
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
      this.phase = 'reading';
      this.owner.answering(this, false);
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
    if (this.phase !== 'answering') return;
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
    if (this.phase === 'sniff') {
      this.#release();
      this.socket.destroy();
      return;
    }
    if (this.phase !== 'reading') return;
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
    if (this.phase === 'answering') return;
    if (this.phase === 'reading') this.owner.log.debug({ received: this.#received }, 'uwsgi client closed before its request was complete');
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
