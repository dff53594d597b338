/**
 * Kubernetes-style termination (issue 14): with `shutdown-delay`, SIGTERM turns /readyz to 503
 * `draining` at once while the listener keeps accepting and serving for the delay (the Service
 * still routes to the pod until the endpoint is removed), then the usual drain; and the
 * in-flight gauge an HPA custom metric reads counts requests being answered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { startMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { findFreePort } from '../helpers/ports.js';
import { parsePromText, sampleValue } from '../stats/promText.js';

test('shutdown-delay: readyz 503 draining at once, new and in-flight requests served during the delay, exit 0 after it', async () => {
  const port = await findFreePort();
  const ml = await startMlserve({ args: ['--workers', '1', '--http', `127.0.0.1:${port}`, '--shutdown-delay', '2', '--shutdown-timeout', '5'] });
  try {
    // A POST whose body is still arriving: in flight from its headers on.
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    const body = JSON.stringify({ texts: ['oil prices rose'] });
    sock.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    let answer = '';
    sock.on('data', (d) => (answer += d.toString()));
    // The scrape itself is not counted: exactly the one held request.
    const inFlight = async () => sampleValue(parsePromText((await httpRequest({ port, path: '/metrics' })).body), 'mlserve_requests_in_flight');
    for (let i = 0; (await inFlight()) !== 1; i++) assert.ok(i < 100, 'the held POST never showed in mlserve_requests_in_flight');
    assert.equal(sampleValue(parsePromText((await httpRequest({ port, path: '/metrics' })).body), 'mlserve_queue_length'), 0);

    const exited = once(ml.child, 'exit');
    const t0 = Date.now();
    ml.child.kill('SIGTERM');
    const draining = await ml.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('draining'));
    assert.equal(draining['delayMs'], 2000);
    const ready = await httpRequest<{ ready: boolean; reason: string }>({ port, path: '/readyz' });
    assert.equal(ready.status, 503);
    assert.equal(ready.json?.reason, 'draining');
    assert.ok(Date.now() - t0 < 2000, 'readyz turned 503 within the delay');
    // A new connection during the delay is accepted and answered (told to close: it should reconnect elsewhere).
    const fresh = await httpRequest({ port, path: '/predict?text=wheat%20exports' });
    assert.equal(fresh.status, 200, fresh.body);
    assert.equal(fresh.headers.connection, 'close');
    assert.ok(Date.now() - t0 < 2000, 'that request was served during the delay, not after it');
    sock.write(body.slice(5));
    await once(sock, 'end');
    assert.match(answer, /^HTTP\/1\.1 200/);
    const [code] = await exited;
    const took = Date.now() - t0;
    assert.equal(code, 0);
    assert.ok(took >= 2000 && took < 2000 + 5000, `exit ${took} ms after SIGTERM: after the delay, within delay + timeout`);
    const shuttingDown = ml.lines.find((l) => l.msg === 'shutting down');
    assert.ok(shuttingDown && Date.parse(shuttingDown['time'] as string) - Date.parse(draining['time'] as string) >= 1900, `the drain starts when the delay ends: ${JSON.stringify(ml.lines.slice(-6))}`);
  } finally {
    await ml.stop();
  }
});

test('shutdown-delay 0 (the default): SIGTERM closes the listener at once, as before', async () => {
  const port = await findFreePort();
  const ml = await startMlserve({ args: ['--workers', '1', '--http', `127.0.0.1:${port}`] });
  const exited = once(ml.child, 'exit');
  ml.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.equal(ml.lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('draining')), false);
  await ml.stop();
});
