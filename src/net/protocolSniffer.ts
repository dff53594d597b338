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
 * which answers them itself (its direct handler) or hands them back as HTTP requests. For
 * `auto`, `uwsgi` sniffs each connection's first byte ({@link sniffProtocol}); one that sends
 * nothing within `sniffTimeoutMs` is closed (node's headersTimeout would have closed it too).
 */
export function speakProtocol(server: Server, protocol: ListenerProtocol, uwsgi: UwsgiConnections, sniffTimeoutMs: number): void {
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
    uwsgi.sniff(socket, toHttp, sniffTimeoutMs);
  });
}
