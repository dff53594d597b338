/**
 * Requests Node's HTTP parser refuses get JSON too. Regression: a 70 KB query string got a bare
 * `400` with an empty body (Node's 16 KiB header limit and its default clientError answer).
 * A real node server on a loopback port, raw bytes on a socket: the parser is the thing tested.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createApp } from '../../src/http/app.js';
import { fastPredictListener } from '../../src/http/fastPredict.js';
import { clientErrorHandler, maxHeaderSize, maxUriLength } from '../../src/http/clientError.js';
import { appDeps } from './appDeps.js';

async function serve(maxTextLength: number): Promise<Server> {
  const deps = appDeps({ limits: { maxBatch: 4, maxTextLength, maxBodySize: 1024 } });
  const server = createServer({ maxHeaderSize: maxHeaderSize(maxTextLength) }, fastPredictListener(deps, getRequestListener(createApp(deps).fetch)));
  server.on('clientError', clientErrorHandler(deps.log));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Writes `raw`, resolves with status, headers and body of the answer once the server closes. */
async function raw(server: Server, bytes: string): Promise<{ status: number; headers: string; body: string }> {
  const sock = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  sock.on('error', () => {}); // the server may reset while we still write
  sock.write(bytes);
  await once(sock, 'close');
  const text = Buffer.concat(chunks).toString();
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split).toLowerCase();
  let body = text.slice(split + 4);
  if (head.includes('transfer-encoding: chunked')) body = body.split('\r\n').filter((_, i) => i % 2 === 1).join('');
  return { status: Number(head.split(' ')[1]), headers: head, body };
}

test('a request target past the limit: 414 JSON (in the app, and from the parser)', async (t) => {
  const server = await serve(100);
  t.after(() => server.close());
  const inApp = await raw(server, `GET /predict?text=${'a'.repeat(maxUriLength(100))} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  assert.equal(inApp.status, 414);
  assert.equal(JSON.parse(inApp.body).error.code, 'ERR_URI_TOO_LONG');
  const parser = await raw(server, `GET /predict?text=${'a'.repeat(70_000)} HTTP/1.1\r\nhost: x\r\n\r\n`);
  assert.equal(parser.status, 414);
  assert.match(parser.headers, /content-type: application\/json/);
  assert.equal(JSON.parse(parser.body).error.code, 'ERR_URI_TOO_LONG');
});

test('a 70 KB query within the limits of the default max-text-length is served', async (t) => {
  const server = await serve(100_000);
  t.after(() => server.close());
  const r = await raw(server, `GET /predict?text=${'a'.repeat(70_000)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  assert.equal(r.status, 200, r.body);
});

test('headers past maxHeaderSize: 431 JSON; bytes that are not HTTP: 400 JSON', async (t) => {
  const server = await serve(100);
  t.after(() => server.close());
  const big = await raw(server, `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(maxHeaderSize(100))}\r\n\r\n`);
  assert.equal(big.status, 431);
  assert.match(big.headers, /connection: close/);
  assert.equal(JSON.parse(big.body).error.code, 'ERR_HEADERS_TOO_LARGE');
  const junk = await raw(server, 'NOT HTTP AT ALL\r\n\r\n');
  assert.equal(junk.status, 400);
  assert.equal(JSON.parse(junk.body).error.code, 'ERR_BAD_REQUEST');
});
