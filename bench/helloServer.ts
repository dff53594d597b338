/**
 * The ceiling of the bench: a hono app on @hono/node-server answering `GET /predict` with a fixed
 * JSON body, on a Unix socket behind the same nginx site file as mlserve. Whatever mlserve does
 * beyond this (parse, queue, hand to a thread, predict, answer) is what it costs over a
 * do-nothing Node server on the same stack.
 *
 *   node dist/bench/helloServer.js SOCKET_PATH
 *
 * Prints one line, `listening SOCKET_PATH`, once the socket accepts connections; SIGTERM or
 * SIGINT closes the server and removes the socket.
 */
import type { Server } from 'node:http';
import { rmSync } from 'node:fs';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';

/** The body every `GET /predict` gets: the shape of mlserve's answer. */
const HELLO_BODY = '{"prediction":"3","label":"earn","probability":0.97}';

/** mlserve's default keepalive-timeout (s): kept equal, so nginx reuses upstream connections alike. */
const KEEPALIVE_TIMEOUT_S = 65;

function helloApp(): Hono {
  const app = new Hono();
  app.get('/predict', function predict(c) {
    return c.body(HELLO_BODY, 200, { 'content-type': 'application/json' });
  });
  return app;
}

function main(): void {
  const socketPath = process.argv[2];
  if (!socketPath) {
    console.error('usage: helloServer.js SOCKET_PATH');
    process.exit(2);
  }
  const server = createAdaptorServer({ fetch: helloApp().fetch, autoCleanupIncoming: false }) as Server;
  server.keepAliveTimeout = KEEPALIVE_TIMEOUT_S * 1000;
  server.headersTimeout = KEEPALIVE_TIMEOUT_S * 1000 + 1000;
  rmSync(socketPath, { force: true });
  server.listen(socketPath, () => console.log(`listening ${socketPath}`));
  const stop = function stop(): void {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
