/**
 * Reload applies every option it lists as changed, one test per option that a reload used to
 * ignore (regression: SIGHUP logged `"changed":["workers","cheaper"]` and /readyz still showed
 * `"total":2`; vacuum, check-interval, keepalive-timeout and log-format were read once at
 * start). A Master in-process with real threads and its real socket; `reload()` is what SIGHUP
 * calls (test/e2e/reload.test.ts covers the signal and the chain reload under load).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { startMaster } from '../helpers/master.js';
import { httpRequest } from '../helpers/http.js';

type Ready = { workers: { total: number; ready: number } };
const readyz = async (socketPath: string) => (await httpRequest<Ready>({ socketPath, path: '/readyz' })).json!.workers;

test('workers: 2 -> 4 adds and starts two slots; 4 -> 1 retires three; changed lists it, not what needs a restart', async () => {
  let next = ['--workers', '2'];
  const ml = await startMaster({ args: next, reloadArgs: () => next });
  try {
    next = ['--workers', '4', '--http', '127.0.0.1:1'];
    assert.equal(await ml.master.reload(), true);
    assert.deepEqual(await readyz(ml.socketPath), { ...(await readyz(ml.socketPath)), total: 4, ready: 4 });
    const reloading = ml.lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('reloading'))!;
    assert.deepEqual(reloading['changed'], ['workers'], 'http needs a restart: not listed as changed');
    assert.ok(ml.lines.some((l) => Array.isArray(l['needRestart']) && (l['needRestart'] as string[]).includes('http')));
    next = ['--workers', '1'];
    assert.equal(await ml.master.reload(), true);
    const after = await readyz(ml.socketPath);
    assert.equal(after.total, 1);
    assert.equal(after.ready, 1);
    assert.equal((await httpRequest({ socketPath: ml.socketPath, path: '/predict?text=oil' })).status, 200);
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});

test('workers with cheaper on: 2 -> 4 adds cheap slots the cheaper can spawn into', async () => {
  let next = ['--workers', '2'];
  const ml = await startMaster({ args: next, reloadArgs: () => next });
  try {
    next = ['--workers', '4', '--cheaper', '1'];
    assert.equal(await ml.master.reload(), true);
    const w = await readyz(ml.socketPath);
    assert.equal(w.total, 4);
    assert.ok(w.ready >= 1 && w.ready <= 2, JSON.stringify(w));
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});

test('vacuum: off at start, on after reload: the socket file is removed at exit', async () => {
  let next = ['--no-vacuum'];
  const ml = await startMaster({ args: next, reloadArgs: () => next });
  next = ['--vacuum'];
  assert.equal(await ml.master.reload(), true);
  const path = ml.socketPath;
  assert.equal(await ml.master.stop('test'), 0);
  assert.equal(existsSync(path), false, 'vacuum applied');
  await ml.stop();
});

test('keepalive-timeout: 65 s at start, 1 s after reload: an idle keep-alive connection is closed', async () => {
  let next: string[] = [];
  const ml = await startMaster({ args: next, reloadArgs: () => next });
  try {
    next = ['--keepalive-timeout', '1'];
    assert.equal(await ml.master.reload(), true);
    const sock = connect(ml.socketPath);
    await once(sock, 'connect');
    sock.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(sock, 'data');
    const t0 = Date.now();
    const closed = once(sock, 'close');
    const timeout = setTimeout(() => sock.destroy(new Error('still open after 5 s: keepalive-timeout was not applied')), 5000);
    sock.on('error', () => {});
    await closed;
    clearTimeout(timeout);
    assert.ok(Date.now() - t0 < 4000, 'closed by the server after ~1 s');
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});

test('check-interval: 60 s at start, 1 s after reload: the cheaper cycle runs (an idle worker is cheaped)', async () => {
  const cheaper = ['--workers', '3', '--cheaper', '1', '--cheaper-initial', '3', '--cheaper-overload', '1'];
  let next = [...cheaper, '--check-interval', '60'];
  const ml = await startMaster({ args: next, reloadArgs: () => next });
  try {
    next = [...cheaper, '--check-interval', '1'];
    assert.equal(await ml.master.reload(), true);
    await ml.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('cheaped worker'), 8000);
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});

test('log-format: json at start, pretty after reload', async () => {
  let next: string[] = [];
  const ml = await startMaster({ args: next, reloadArgs: () => next });
  try {
    next = ['--log-format', 'pretty'];
    assert.equal(await ml.master.reload(), true);
    const reloaded = await ml.waitForLine((l) => typeof l.raw === 'string' && /INFO\s+reloaded/.test(l.raw), 5000);
    assert.ok(reloaded.raw);
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});
