import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { listenTcp, listenUnix, removeSocket } from '../net/listen.js';
import { clientErrorHandler, maxHeaderSize } from '../http/clientError.js';
import { listenOnFd } from '../systemd/inheritedSocket.js';
import { socketSource, type InheritedFd, type SocketSource } from '../systemd/listenFds.js';

/**
 * The HTTP listeners of the master: the Unix socket (and the optional TCP one) serving one
 * request listener (the thin GET /predict lane in front of the hono app). Owns socket files: created with `chmod-socket`, replaced when stale, removed on close
 * when `vacuum` is on.
 */
export class HttpServers {
  readonly #servers: Server[] = [];
  #config: Config;
  readonly #log: Logger;
  readonly #inheritedFds: readonly InheritedFd[];
  #source: SocketSource | null = null;

  constructor(config: Config, log: Logger, inheritedFds: readonly InheritedFd[] = []) {
    this.#config = config;
    this.#log = log;
    this.#inheritedFds = inheritedFds;
  }

  /** Creates the listeners serving `listener` and starts listening. */
  async listen(app: RequestListener): Promise<void> {
    const { socket, http, chmodSocket } = this.#config;
    if (socket) {
      this.#source = socketSource(socket, this.#inheritedFds);
      if (this.#source.inherited) await listenOnFd(this.#make(app), this.#source.fd);
      else await listenUnix(this.#make(app), socket, chmodSocket);
    }
    if (http) await listenTcp(this.#make(app), http.host, http.port);
  }

  /**
   * Stops accepting; idle keep-alive connections close now, busy ones after their response.
   * Resolves when every connection has closed.
   */
  close(): Promise<void> {
    const closed = Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const s of this.#servers) s.closeIdleConnections();
    return closed.then(() => undefined);
  }

  /** Cuts every connection still open (end of the grace period). */
  closeAll(): void {
    for (const s of this.#servers) s.closeAllConnections();
  }

  /**
   * Applies a reloaded config: `vacuum` (read at exit) and `keepalive-timeout` (set on the
   * running servers: new and idle connections follow it). The listeners themselves stay.
   */
  configure(config: Config): void {
    this.#config = config;
    for (const server of this.#servers) applyKeepalive(server, config.keepaliveTimeout);
  }

  /** Removes the socket file when `vacuum` is on. */
  async vacuum(): Promise<void> {
    // An inherited socket is systemd's (mlserve.socket): unlinking it would strand the unit.
    if (!this.#config.vacuum || !this.#config.socket || this.#source?.inherited) return;
    await removeSocket(this.#config.socket).catch((err: Error) => this.#log.warn({ err }, 'could not remove the socket'));
  }

  #make(listener: RequestListener): Server {
    const { keepaliveTimeout } = this.#config;
    const server = createServer({ maxHeaderSize: maxHeaderSize(this.#config.maxTextLength) }, listener);
    applyKeepalive(server, keepaliveTimeout);
    server.on('clientError', clientErrorHandler(this.#log));
    this.#servers.push(server);
    return server;
  }
}

// Longer than nginx's upstream keepalive_timeout, so nginx never reuses a connection we just closed (502).
function applyKeepalive(server: Server, seconds: number): void {
  server.keepAliveTimeout = seconds * 1000;
  server.headersTimeout = seconds * 1000 + 1000;
}
