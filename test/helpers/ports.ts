import { createServer } from 'node:net';
import { once } from 'node:events';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it for a listen on port 0,
 * then the listener closes. Another process may take it before the caller binds; callers that
 * start a server on it (startNginx) retry with a new port when the bind fails.
 */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP address for a port-0 listener');
  return address.port;
}
