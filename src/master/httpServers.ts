import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config, Endpoint } from '../config/schema.js';
import type { Logger } from '../log.js';
import { listenTcp, listenUnix, removeSocket } from '../net/listen.js';
import { clientErrorHandler, maxHeaderSize } from '../http/clientError.js';
import { listenOnFd } from '../systemd/inheritedSocket.js';
import { socketSource, type InheritedFd, type SocketSource } from '../systemd/listenFds.js';
import { speakProtocol, type ListenerProtocol } from '../net/protocolSniffer.js';
import { UwsgiConnections, type UwsgiDirect } from '../net/uwsgiConnection.js';

/**
 * The listeners of the master: the Unix socket (HTTP and uwsgi, told apart per connection), the
 * optional TCP one (HTTP), `http-socket` (HTTP) and `uwsgi-socket` (uwsgi), all serving one
 * request listener (the thin GET /predict lane in front of the hono app). Owns socket files:
 * created with `chmod-socket`, replaced when stale, removed on close when `vacuum` is on.
 */
export class HttpServers {
  readonly #servers: Server[] = [];
  #config: Config;
  readonly #uwsgi: UwsgiConnections;
  readonly #log: Logger;
  readonly #inheritedFds: readonly InheritedFd[];
  #source: SocketSource | null = null;
  #headerSize: number | undefined;

  constructor(config: Config, log: Logger, inheritedFds: readonly InheritedFd[] = []) {
    this.#config = config;
    this.#log = log;
    this.#inheritedFds = inheritedFds;
    this.#uwsgi = new UwsgiConnections(() => ({
      bufferSize: this.#config.bufferSize,
      maxBodySize: this.#config.maxBodySize,
      timeoutMs: this.#config.socketTimeout * 1000,
      maxHeadBytes: this.#headerSize,
    }), log);
  }

  /** The socket files this master creates (and removes with vacuum, chowns with chown-socket). */
  socketFiles(): string[] {
    const { socket, httpSocket, uwsgiSocket } = this.#config;
    const owned = this.#source?.inherited || socket === null ? [] : [socket];
    return [...owned, ...[httpSocket, uwsgiSocket].filter((e): e is string => typeof e === 'string')];
  }

  /**
   * Creates the listeners serving `listener` and starts listening; `direct` answers the uwsgi
   * requests it takes without the HTTP server (the GET /predict lane), the others reach `listener`.
   */
  async listen(app: RequestListener, direct: UwsgiDirect | null = null): Promise<void> {
    this.#uwsgi.direct = direct;
    const { socket, http, httpSocket, uwsgiSocket } = this.#config;
    if (socket) {
      this.#source = socketSource(socket, this.#inheritedFds);
      if (this.#source.inherited) await listenOnFd(this.#make(app, 'auto'), this.#source.fd);
      else await this.#listenOn(this.#make(app, 'auto'), socket);
    }
    if (http) await listenTcp(this.#make(app, 'http'), http.host, http.port);
    if (httpSocket) await this.#listenOn(this.#make(app, 'http'), httpSocket);
    if (uwsgiSocket) await this.#listenOn(this.#make(app, 'uwsgi'), uwsgiSocket);
  }

  #listenOn(server: Server, endpoint: Endpoint): Promise<void> {
    return typeof endpoint === 'string' ? listenUnix(server, endpoint, this.#config.chmodSocket) : listenTcp(server, endpoint.host, endpoint.port);
  }

  /**
   * Stops accepting; idle keep-alive connections close now, busy ones after their response (a
   * request received in part is busy: it is read to its end and answered). A connection that
   * has sent nothing yet gets `socket-timeout` to begin its request, as a uWSGI worker reading
   * it would wait, then is closed: its request may already be on the wire, but a connect-only
   * probe must not hold the stop for all of shutdown-timeout. Resolves when every connection
   * has closed.
   */
  close(): Promise<void> {
    const closed = Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const s of this.#servers) s.closeIdleConnections();
    const silentTimer = setTimeout(() => this.#uwsgi.closeSilent(), this.#config.socketTimeout * 1000);
    silentTimer.unref();
    return closed.then(() => clearTimeout(silentTimer));
  }

  /** Cuts every connection still open (end of the grace period). */
  closeAll(): void {
    for (const s of this.#servers) s.closeAllConnections();
    this.#uwsgi.closeAll();
  }

  /**
   * Applies a reloaded config: `vacuum` (read at exit), buffer-size, socket-timeout and
   * max-body-size (read per uwsgi connection), and `keepalive-timeout` (set on the running HTTP
   * servers: new and idle connections follow it). The listeners themselves stay.
   */
  configure(config: Config): void {
    this.#config = config;
    for (const server of this.#servers) applyKeepalive(server, config.keepaliveTimeout);
  }

  /** Removes the socket files when `vacuum` is on. */
  async vacuum(): Promise<void> {
    if (!this.#config.vacuum) return;
    // An inherited socket is systemd's (mlserve.socket): unlinking it would strand the unit.
    for (const file of this.socketFiles()) {
      await removeSocket(file).catch((err: Error) => this.#log.warn({ err, socket: file }, 'could not remove the socket'));
    }
  }

  #make(listener: RequestListener, protocol: ListenerProtocol): Server {
    const { keepaliveTimeout } = this.#config;
    // A uwsgi vars block (up to buffer-size) becomes an HTTP head of about its size. Fixed at
    // start, as node's servers keep it: the uwsgi direct lane hands longer heads to them.
    this.#headerSize ??= Math.max(maxHeaderSize(this.#config.maxTextLength), this.#config.bufferSize + 1024);
    const server = createServer({ maxHeaderSize: this.#headerSize }, listener);
    speakProtocol(server, protocol, this.#uwsgi, keepaliveTimeout * 1000 + 1000);
    // A client that half-closes (shutdown(SHUT_WR), as `socat`, `nc -N` and some HTTP/1.0
    // clients do) once its request is sent still gets the answer, then the connection ends;
    // node's default aborted the request and ended the socket at the client's FIN. Regression:
    // a POST whose last body bytes came with the FIN, around a `systemctl stop`, was closed
    // unanswered (the nspawn drain check, issue 16); it happened without a stop too.
    (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
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
