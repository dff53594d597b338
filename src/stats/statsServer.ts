import { createServer, type Socket } from 'node:net';
import { listenTcp, listenUnix, removeSocket } from '../net/listen.js';
import type { StatsDocument } from './statsDocument.js';

/** The two log calls the stats server makes (a pino Logger, or the stats thread's forwarder). */
export interface StatsLog {
  debug(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** Where the stats server listens: a Unix socket path, or a TCP address. */
export type StatsAddress = string | { host: string; port: number };

/** The address as logs and errors name it: the path, or `host:port`. */
export function describeStatsAddress(address: StatsAddress): string {
  return typeof address === 'string' ? address : `${address.host}:${address.port}`;
}

/** Options of {@link startStatsServer}. */
export interface StatsServerOptions {
  /** A Unix socket path (absolute, or relative to the working directory) or `{ host, port }` (port 0: any free one). */
  address: StatsAddress;
  /** Answer HTTP (uWSGI `stats-http`) instead of writing the document on connect. */
  http?: boolean;
  /** One line of JSON (uWSGI `stats-minified`) instead of tab-indented. */
  minified?: boolean;
  /** Mode of the Unix socket file (`chmod-stats`), 0o600 by default. */
  mode?: number;
  /** Remove the Unix socket file on close (`vacuum`), true by default. */
  vacuum?: boolean;
  /** Builds the document; called once per connection, so keep it cheap (see buildStatsDocument). */
  build: () => StatsDocument | Promise<StatsDocument>;
  log: StatsLog;
  /** A client that has not received its document within this many ms is dropped (5000). */
  timeoutMs?: number;
}

/** A running stats server. */
export interface StatsServer {
  /** Where it listens; for TCP the real port (useful with port 0). */
  readonly address: StatsAddress;
  /** Stops listening, drops open connections, removes the socket file when `vacuum`. */
  close(): Promise<void>;
}

// uWSGI reads one buffer of 4096 bytes for stats-http; a head larger than this is not a stats client.
const MAX_HEAD = 8192;

/**
 * Starts the stats server, uWSGI's way: each connection gets the whole JSON document, then the
 * connection is closed, without waiting for anything from the client (`nc -U stats.sock`,
 * uwsgitop, mltop). With `http`, it first reads the request head and answers `HTTP/1.0 200 OK`
 * with uWSGI's headers (`curl`, `mltop http://...`). A Unix socket path gets `mode`; a stale
 * socket file is replaced and a live one is an error, as for the HTTP socket.
 *
 * @throws MlserveError ERR_SOCKET or ERR_SOCKET_IN_USE when it cannot listen.
 * @example
 * const stats = await startStatsServer({ address: 'run/stats.sock', build: () => buildStatsDocument(input()), log });
 * await stats.close();
 */
export async function startStatsServer(options: StatsServerOptions): Promise<StatsServer> {
  const { log, http = false, minified = false, timeoutMs = 5000 } = options;
  const open = new Set<Socket>();

  async function answer(socket: Socket): Promise<void> {
    let body: string;
    try {
      const doc = await options.build();
      body = minified ? JSON.stringify(doc) : JSON.stringify(doc, null, '\t');
    } catch (err) {
      // uWSGI closes the connection when it cannot generate the document; so do we, and say why.
      log.error({ err: (err as Error).message }, 'stats: cannot build the document');
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    if (!http) {
      socket.end(body);
      return;
    }
    const head =
      'HTTP/1.0 200 OK\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\n' +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    socket.end(head + body);
  }

  // Half-open allowed: a client that shuts its side at once (`nc -U stats.sock < /dev/null`)
  // still gets the whole document; every path below ends or destroys the socket itself.
  const server = createServer({ allowHalfOpen: true }, function statsConnection(socket) {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('error', (err) => log.debug({ err: err.message }, 'stats: client connection error'));
    if (!http) {
      // Nothing is read, but whatever a client sends is drained: closing a socket with unread
      // data would reset the connection and could cut the document short.
      socket.resume();
      void answer(socket);
      return;
    }
    let head = '';
    let answered = false;
    const respond = (): void => {
      if (answered) return;
      answered = true;
      socket.off('data', onData);
      socket.resume();
      void answer(socket);
    };
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (/\r?\n\r?\n/.test(head)) respond();
      else if (head.length > MAX_HEAD) socket.destroy();
    };
    socket.on('data', onData);
    // A client that half-closes after a partial head still gets its answer, as from uWSGI.
    socket.once('end', respond);
  });

  let address: StatsAddress;
  if (typeof options.address === 'string') {
    await listenUnix(server, options.address, options.mode ?? 0o600);
    address = options.address;
  } else {
    await listenTcp(server, options.address.host, options.address.port);
    const bound = server.address();
    address = { host: options.address.host, port: bound && typeof bound === 'object' ? bound.port : options.address.port };
  }
  log.debug({ stats: describeStatsAddress(address), http }, 'stats server listening');

  let closed: Promise<void> | null = null;
  return {
    address,
    close() {
      closed ??= (async () => {
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of open) socket.destroy();
        await done;
        if (typeof address === 'string' && (options.vacuum ?? true)) await removeSocket(address);
      })();
      return closed;
    },
  };
}
