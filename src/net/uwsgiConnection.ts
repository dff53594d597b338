import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseUwsgiPacket } from './uwsgiPacket.js';
import { uwsgiRequestHead } from './uwsgiRequest.js';

/** What a uwsgi connection is read with; the limits are read at each connection (reload). */
export interface UwsgiLimits {
  /** uWSGI's buffer-size: the largest vars block. */
  readonly bufferSize: number;
  /** max-body-size: a larger CONTENT_LENGTH is refused (413 ERR_BODY_TOO_LARGE) before any of it is buffered. */
  readonly maxBodySize: number;
  /** uWSGI's socket-timeout: the whole packet (vars and body) must arrive within it. */
  readonly timeoutMs: number;
}

/** Hands the socket, with the HTTP request it carries unshifted into it, to the HTTP server. */
export type HttpHandoff = (socket: Socket) => void;

/**
 * Reads one uwsgi request from a connection: buffers the header, the vars block (at most
 * `buffer-size`) and the body (CONTENT_LENGTH bytes, at most max-body-size), all within
 * `socket-timeout`, then unshifts the equivalent HTTP/1.0 request into the socket and hands it
 * to the HTTP server, which answers with a raw HTTP response and closes the connection, as
 * uWSGI does. A malformed packet is answered with a JSON error (400, 431, 413, 408) and closed; a
 * client that hangs up is dropped. Nothing here throws: one bad connection touches no other.
 */
export class UwsgiConnections {
  readonly #limits: () => UwsgiLimits;
  readonly #log: Logger;
  readonly #reading = new Set<Socket>();

  constructor(limits: () => UwsgiLimits, log: Logger) {
    this.#limits = limits;
    this.#log = log;
  }

  /** Connections still sending their request (not yet handed to the HTTP server). */
  get reading(): number {
    return this.#reading.size;
  }

  /** Cuts every connection still sending its request (end of the grace period). */
  closeAll(): void {
    for (const socket of this.#reading) socket.destroy();
  }

  /**
   * Takes over a new connection; `first` is what the sniffer read from it already. `handoff`
   * gets it back once the request is whole.
   */
  handle(socket: Socket, handoff: HttpHandoff, first?: Buffer): void {
    const limits = this.#limits();
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const reading = this.#reading;
    reading.add(socket);
    const timer = setTimeout(function tooSlow() {
      finish();
      answer(socket, new MlserveError('ERR_REQUEST_TIMEOUT', `the uwsgi request did not arrive within socket-timeout (${limits.timeoutMs / 1000} s; ${received} bytes received)`));
    }, limits.timeoutMs);
    timer.unref();
    const log = this.#log;

    function finish(): void {
      settled = true;
      clearTimeout(timer);
      reading.delete(socket);
      socket.off('data', onData);
      socket.off('end', onEnd);
    }
    function refuse(err: MlserveError): void {
      finish();
      log.debug({ code: err.code, reason: err.message }, 'uwsgi request refused');
      answer(socket, err);
    }
    // Set once the vars block is whole: the HTTP head, where the body starts, how much of it to wait for.
    let request: { head: Buffer; bodyStart: number; wanted: number } | null = null;
    function onData(chunk: Buffer): void {
      chunks.push(chunk);
      received += chunk.length;
      if (request === null) {
        if (chunks.length > 1) chunks.splice(0, chunks.length, Buffer.concat(chunks, received));
        const parsed = parseUwsgiPacket(chunks[0]!, limits.bufferSize);
        if (parsed.state === 'incomplete') return;
        if (parsed.state === 'too-large') return refuse(new MlserveError('ERR_UWSGI_VARS_TOO_LARGE', parsed.message));
        if (parsed.state === 'malformed') return refuse(new MlserveError('ERR_UWSGI_PACKET', parsed.message));
        const http = uwsgiRequestHead(parsed.packet.vars);
        if (!http.ok) return refuse(new MlserveError('ERR_UWSGI_PACKET', http.message));
        // An oversized body is never buffered: refused from CONTENT_LENGTH, as the HTTP layer
        // does from Content-Length (same code and words), and drained while the answer goes out.
        if (http.contentLength > limits.maxBodySize) {
          return refuse(new MlserveError('ERR_BODY_TOO_LARGE', `request body is larger than max-body-size (${limits.maxBodySize} bytes)`));
        }
        request = { head: http.head, bodyStart: parsed.packet.bodyStart, wanted: http.contentLength };
      }
      if (received - request.bodyStart < request.wanted) return;
      finish();
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
      // Bytes past the body are not a request: uwsgi carries one request per connection.
      const body = all.subarray(request.bodyStart, request.bodyStart + request.wanted);
      socket.pause();
      socket.unshift(Buffer.concat([request.head, body]));
      handoff(socket);
      socket.resume();
    }
    function onEnd(): void {
      if (settled) return;
      finish();
      // The client gave up before its packet was whole: nobody is left to answer.
      log.debug({ received }, 'uwsgi client closed before its request was complete');
      socket.destroy();
    }
    socket.on('error', function onError(err) {
      if (!settled) finish();
      log.debug({ err }, 'uwsgi connection error');
    });
    socket.on('close', () => {
      if (!settled) finish();
    });
    if (first !== undefined) onData(first);
    if (settled) return;
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.resume();
  }
}

/** A raw HTTP/1.1 error answer with the same JSON body as every mlserve error, then close. */
function answer(socket: Socket, err: MlserveError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = errorBody(err.code, err.message);
  const lines = [`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(body)}`];
  for (const [k, v] of Object.entries({ ...err.headers, connection: 'close' })) lines.push(`${k}: ${v}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  // What the client still sends is read and dropped: closing with unread bytes makes the kernel
  // reset the connection, and the client could lose the answer (a "lingering close", bounded).
  socket.on('data', function discard() {});
  socket.once('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), 2000).unref();
}
