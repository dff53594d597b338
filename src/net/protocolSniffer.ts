import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { UwsgiConnections } from './uwsgiConnection.js';

/** What a listener speaks: `auto` tells uwsgi from HTTP per connection (uWSGI's `socket` is uwsgi). */
export type ListenerProtocol = 'auto' | 'http' | 'uwsgi';

/**
 * The protocol of a connection from its first byte: an HTTP request starts with a method, an
 * upper-case letter; a uwsgi packet starts with modifier1, which is 0 for an HTTP request
 * (and a control byte or lower-case for the other plugins). Pure.
 *
 * @example sniffProtocol(0x47) // 'http' (G of GET)
 */
export function sniffProtocol(firstByte: number): 'http' | 'uwsgi' {
  return firstByte >= 0x41 && firstByte <= 0x5a ? 'http' : 'uwsgi';
}

/**
 * Makes an HTTP server's listener speak `protocol`: its own connection handling stays as it is
 * for HTTP (keep-alive, timeouts, connection tracking), and uwsgi connections go to `uwsgi`,
 * which hands them back as HTTP requests. For `auto`, a connection that sends nothing within
 * `sniffTimeoutMs` is closed (node's headersTimeout would have closed it too); until its first
 * byte it is in `silent` (the HTTP server does not know it yet: shutdown bounds and closes these).
 */
export function speakProtocol(server: Server, protocol: ListenerProtocol, uwsgi: UwsgiConnections, sniffTimeoutMs: number, silent: Set<Socket> = new Set()): void {
  if (protocol === 'http') return;
  // http.Server's own 'connection' listener, kept to hand HTTP connections to.
  const httpListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const toHttp = (socket: Socket): void => {
    for (const listener of httpListeners) listener.call(server, socket);
  };
  if (protocol === 'uwsgi') {
    server.on('connection', function uwsgiConnection(socket: Socket) {
      uwsgi.handle(socket, toHttp);
    });
    return;
  }
  server.on('connection', function sniffConnection(socket: Socket) {
    const timer = setTimeout(() => socket.destroy(), sniffTimeoutMs);
    timer.unref();
    silent.add(socket);
    function onReadable(): void {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null || chunk.length === 0) return;
      stop();
      if (sniffProtocol(chunk[0]!) === 'http') {
        socket.pause();
        socket.unshift(chunk);
        toHttp(socket);
        socket.resume();
      } else {
        uwsgi.handle(socket, toHttp, chunk);
      }
    }
    // http.Server sockets allow half-open connections (its own connection handler ends them):
    // a client that hangs up before its first byte must be closed here, or it stays open and
    // server.close() waits for it forever (regression: SIGTERM hung after a connect-only probe).
    function onEnd(): void {
      stop();
      socket.destroy();
    }
    function stop(): void {
      clearTimeout(timer);
      silent.delete(socket);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', stop);
      socket.off('error', stop);
    }
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('close', stop);
    socket.once('error', stop);
  });
}
