import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A stand-in for a uWSGI stats server: writes `text()` to each connection and closes it. Used
 * for documents startStatsServer would never write (uWSGI's, with unescaped strings).
 */
export async function serveText(path: string, text: () => string): Promise<{ close(): Promise<void> }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined); // a client that went away: nothing to answer
    socket.end(text());
  });
  server.listen(path);
  await once(server, 'listening');
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
