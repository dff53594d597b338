import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ResponseParser, type ParsedResponse } from './responseParser.js';

/** Options of {@link RampClient}. */
export interface RampClientOptions {
  /** nginx's loopback port. */
  port: number;
  /** Request paths (with query), sent in turn by all connections. */
  paths: string[];
  /** A request unanswered for this long counts as an error and its connection is reopened. */
  timeoutMs?: number;
}

/** What completed since the previous {@link RampClient.takeSecond}. */
export interface SecondTally {
  /** Responses received, whatever their status. */
  completed: number;
  /** Responses outside 2xx plus socket errors and timeouts. */
  errors: number;
  /** Latency of every response received, ms. */
  latenciesMs: number[];
}

// A failed connect is retried after this pause, so a server that is down does not spin the loop.
const RECONNECT_PAUSE_MS = 50;

/**
 * The ramp's load generator: closed-loop keep-alive connections to 127.0.0.1 whose number can
 * change at any moment. Connection i sends a request, waits for its response, and sends the next
 * while i < concurrency; raising the concurrency wakes (or opens) more connections, lowering it
 * lets the extra ones go quiet after their current response (they stay open, as a browser's
 * would). Unlike a wrk process per step it keeps its connections across steps, so a step change
 * opens no burst of connections, and it tallies latency per second rather than per run.
 *
 * HTTP is written by hand over node:net with {@link ResponseParser}: node:http's client costs
 * several times more CPU per request, and on a 2-core machine the load generator's CPU is taken
 * from the servers it measures.
 *
 * @example
 * const client = new RampClient({ port, paths: ['/predict?text=oil'] });
 * client.setConcurrency(4);
 * // ... a second later
 * const { completed, latenciesMs } = client.takeSecond();
 * await client.close();
 */
export class RampClient {
  readonly #port: number;
  readonly #requests: Buffer[];
  readonly #timeoutMs: number;
  readonly #connections: RampConnection[] = [];
  #concurrency = 0;
  #next = 0;
  #closed = false;
  #tally: SecondTally = { completed: 0, errors: 0, latenciesMs: [] };
  readonly #host: ConnectionHost;

  constructor(options: RampClientOptions) {
    if (options.paths.length === 0) throw new RangeError('RampClient: paths must not be empty');
    this.#port = options.port;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#requests = options.paths.map((path) => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\n\r\n`, 'latin1'));
    const client = this;
    this.#host = {
      get closed() {
        return client.#closed;
      },
      get concurrency() {
        return client.#concurrency;
      },
      nextRequest: function nextRequest() {
        // One counter for all connections, so the texts are spread evenly whatever the concurrency.
        const request = client.#requests[client.#next]!;
        client.#next = (client.#next + 1) % client.#requests.length;
        return request;
      },
      openSocket: function openSocket() {
        return connect(client.#port, '127.0.0.1');
      },
      record: function record(latencyMs, status) {
        client.#tally.completed += 1;
        client.#tally.latenciesMs.push(latencyMs);
        if (status < 200 || status > 299) client.#tally.errors += 1;
      },
      recordError: function recordError() {
        client.#tally.errors += 1;
      },
    };
  }

  /** Connections that may have a request in flight. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Sets how many connections send requests from now on. */
  setConcurrency(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`setConcurrency: n must be an integer >= 0, got ${n}`);
    if (this.#closed) throw new Error('setConcurrency: the client is closed');
    this.#concurrency = n;
    while (this.#connections.length < n) this.#connections.push(new RampConnection(this.#connections.length, this.#host));
    for (let i = 0; i < n; i++) this.#connections[i]!.wake();
  }

  /** Returns the tally since the last call and starts a new one; also times out stuck requests. */
  takeSecond(): SecondTally {
    const now = performance.now();
    for (const connection of this.#connections) connection.checkTimeout(now, this.#timeoutMs);
    const tally = this.#tally;
    this.#tally = { completed: 0, errors: 0, latenciesMs: [] };
    return tally;
  }

  /** Stops sending and closes every connection; requests in flight are abandoned, not counted. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#concurrency = 0;
    await Promise.all(this.#connections.map((connection) => connection.close()));
  }
}

/** What a connection needs from its client. */
interface ConnectionHost {
  readonly closed: boolean;
  readonly concurrency: number;
  nextRequest(): Buffer;
  openSocket(): Socket;
  record(latencyMs: number, status: number): void;
  recordError(): void;
}

/** One closed-loop connection of a {@link RampClient}: at most one request in flight. */
class RampConnection {
  readonly #index: number;
  readonly #client: ConnectionHost;
  #socket: Socket | null = null;
  #parser = new ResponseParser();
  #running = false;
  /** performance.now() when the request in flight was written; 0 when none. */
  #sentAt = 0;

  constructor(index: number, client: ConnectionHost) {
    this.#index = index;
    this.#client = client;
  }

  /** Starts the send loop unless it runs already. */
  wake(): void {
    if (this.#running) return;
    this.#running = true;
    this.#send();
  }

  checkTimeout(now: number, timeoutMs: number): void {
    if (this.#sentAt > 0 && now - this.#sentAt > timeoutMs) this.#fail(false);
  }

  close(): Promise<void> {
    this.#running = false;
    this.#sentAt = 0;
    const socket = this.#socket;
    this.#socket = null;
    if (socket === null || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  #send(): void {
    if (this.#client.closed || this.#index >= this.#client.concurrency) {
      this.#running = false;
      return;
    }
    const socket = this.#socket ?? this.#open();
    this.#sentAt = performance.now();
    socket.write(this.#client.nextRequest());
  }

  #open(): Socket {
    const socket = this.#client.openSocket();
    socket.setNoDelay(true);
    this.#parser = new ResponseParser();
    let connected = false;
    socket.once('connect', () => (connected = true));
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.#socket) return;
      let responses: ParsedResponse[];
      try {
        responses = this.#parser.feed(chunk);
      } catch {
        this.#fail(false); // a malformed response: counted as an error, the connection reopened
        return;
      }
      for (const response of responses) this.#done(response);
    });
    socket.on('error', () => {
      if (socket === this.#socket) this.#fail(!connected);
    });
    socket.on('close', () => {
      if (socket !== this.#socket) return;
      // The server closed a kept-alive connection: harmless when idle, an error mid-request.
      if (this.#sentAt > 0) this.#fail(false);
      else this.#socket = null;
    });
    this.#socket = socket;
    return socket;
  }

  #done(response: ParsedResponse): void {
    if (this.#sentAt === 0) return; // a response after its request timed out: already counted
    this.#client.record(performance.now() - this.#sentAt, response.status);
    this.#sentAt = 0;
    if (response.close) {
      // nginx closes after keepalive_requests (1000): reconnect rather than write into a closing socket.
      this.#socket?.destroy();
      this.#socket = null;
    }
    this.#send();
  }

  #fail(connectFailed: boolean): void {
    const socket = this.#socket;
    this.#socket = null;
    socket?.destroy();
    if (this.#sentAt > 0 || connectFailed) this.#client.recordError();
    this.#sentAt = 0;
    if (!this.#running) return;
    if (connectFailed) setTimeout(() => this.#send(), RECONNECT_PAUSE_MS);
    else setImmediate(() => this.#send());
  }
}
