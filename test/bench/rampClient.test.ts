/**
 * The ramp's load generator against a loopback node:http server: concurrency is what was set,
 * non-2xx and unanswered requests are errors, and a server closing connections costs nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { median } from '../../bench/percentile.js';
import { RampClient } from '../../bench/rampClient.js';

/** A server that counts requests in flight and lets a test wait for the n-th request to arrive. */
async function countingServer(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let inFlight = 0;
  let seen = 0;
  let maxInFlight = 0;
  let connections = 0;
  const waiters: Array<[number, () => void]> = [];
  const server = createServer((req, res) => {
    seen += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => (inFlight -= 1));
    for (const w of waiters.filter(([n]) => seen >= n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w[1]();
    }
    handle(req, res, seen);
  });
  server.on('connection', () => (connections += 1));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    stats: () => ({ seen, inFlight, maxInFlight, connections }),
    resetMax: () => (maxInFlight = inFlight),
    /** Resolves when `more` requests beyond those seen so far have arrived. */
    waitFor: (more: number) => new Promise<void>((resolve) => waiters.push([seen + more, resolve])),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

const answerSoon = (_req: IncomingMessage, res: ServerResponse): void => {
  setTimeout(() => res.end('{"label":"earn"}'), 2);
};

test('the number of requests in flight follows setConcurrency, up and down', async (t) => {
  const srv = await countingServer(answerSoon);
  const client = new RampClient({ port: srv.port, paths: ['/predict?text=a', '/predict?text=b'] });
  t.after(async () => {
    await client.close();
    await srv.close();
  });

  client.setConcurrency(3);
  await srv.waitFor(40);
  assert.equal(srv.stats().maxInFlight, 3);

  client.setConcurrency(1);
  await srv.waitFor(5); // the two extra connections finish their request and go quiet
  srv.resetMax();
  await srv.waitFor(20);
  assert.equal(srv.stats().maxInFlight, 1);

  client.setConcurrency(5);
  await srv.waitFor(50);
  assert.equal(srv.stats().maxInFlight, 5);
  assert.equal(srv.stats().connections, 5, 'quiet connections are reused, not reopened');

  const tally = client.takeSecond();
  assert.ok(tally.completed >= 100);
  assert.equal(tally.latenciesMs.length, tally.completed);
  assert.equal(tally.errors, 0);
  // libuv's cached loop time can fire a 2 ms timer a little early: the median, not every one.
  assert.ok(median(tally.latenciesMs) >= 1.5, 'latency covers the server\'s 2 ms');
  assert.equal(client.takeSecond().completed < tally.completed, true, 'each tally starts afresh');
});

test('responses outside 2xx are errors; a server closing connections is not', async (t) => {
  const srv = await countingServer((req, res, n) => {
    // Every 7th response closes its connection, as nginx does after keepalive_requests.
    if (n % 7 === 0) res.setHeader('Connection', 'close');
    res.statusCode = req.url?.includes('fail') ? 502 : 200;
    res.end('{}');
  });
  const client = new RampClient({ port: srv.port, paths: ['/ok', '/ok', '/ok', '/fail'] });
  t.after(async () => {
    await client.close();
    await srv.close();
  });
  client.setConcurrency(2);
  await srv.waitFor(100);
  client.setConcurrency(0);
  const tally = client.takeSecond();
  // Every 4th request is /fail; nothing else failed, though connections were closed 14 times.
  assert.ok(srv.stats().connections > 10);
  assert.ok(Math.abs(tally.errors - tally.completed / 4) <= 2, `${tally.errors} errors of ${tally.completed}`);
});

test('a request unanswered for timeoutMs is an error and its connection is replaced', async (t) => {
  const srv = await countingServer((req, res, n) => {
    if (n === 1) return; // never answered
    res.end('{}');
  });
  const client = new RampClient({ port: srv.port, paths: ['/p'], timeoutMs: 100 });
  t.after(async () => {
    await client.close();
    await srv.close();
  });
  client.setConcurrency(1);
  await srv.waitFor(1);
  await delay(150); // past the timeout: takeSecond is where timeouts are noticed
  assert.equal(client.takeSecond().errors, 1);
  await srv.waitFor(10);
  const tally = client.takeSecond();
  assert.equal(tally.errors, 0);
  assert.ok(tally.completed >= 9);
  assert.equal(srv.stats().connections, 2);
});

test('a refused connection is an error, retried after a pause rather than in a busy loop', async () => {
  const srv = await countingServer(answerSoon);
  const port = srv.port;
  await srv.close(); // nothing listens there now
  const client = new RampClient({ port, paths: ['/p'] });
  client.setConcurrency(1);
  await delay(200);
  await client.close();
  const { errors, completed } = client.takeSecond();
  assert.equal(completed, 0);
  assert.ok(errors >= 1 && errors <= 6, `${errors} connect errors in 200 ms`);
});
