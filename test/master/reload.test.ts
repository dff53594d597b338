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
import { startMaster, type InProcessMaster } from '../helpers/master.js';
import { httpRequest } from '../helpers/http.js';

type Ready = { workers: { total: number; ready: number } };
const readyz = async (socketPath: string) => (await httpRequest<Ready>({ socketPath, path: '/readyz' })).json!.workers;

/** Starts a master on `start`, reloads it onto `then`, runs `check`; `reloadTo` reloads again. */
async function afterReload(start: string[], then: string[], check: (ml: InProcessMaster, reloadTo: (args: string[]) => Promise<void>) => Promise<void>): Promise<void> {
  let next = start;
  const ml = await startMaster({ args: start, reloadArgs: () => next });
  const reloadTo = async (args: string[]): Promise<void> => {
    next = args;
    assert.equal(await ml.master.reload(), true);
  };
  try {
    await reloadTo(then);
    await check(ml, reloadTo);
  } finally {
    assert.equal(await ml.stop(), 0);
  }
}

test('workers: 2 -> 4 adds and starts two slots; 4 -> 1 retires three; changed lists it, not what needs a restart', () =>
  afterReload(['--workers', '2'], ['--workers', '4', '--http', '127.0.0.1:1'], async (ml, reloadTo) => {
    const four = await readyz(ml.socketPath);
    assert.equal(four.total, 4);
    assert.equal(four.ready, 4);
    const reloading = ml.lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('reloading'))!;
    assert.deepEqual(reloading['changed'], ['workers'], 'http needs a restart: not listed as changed');
    assert.ok(ml.lines.some((l) => Array.isArray(l['needRestart']) && (l['needRestart'] as string[]).includes('http')));
    await reloadTo(['--workers', '1']);
    const one = await readyz(ml.socketPath);
    assert.equal(one.total, 1);
    assert.equal(one.ready, 1);
    assert.equal((await httpRequest({ socketPath: ml.socketPath, path: '/predict?text=oil' })).status, 200);
  }));

test('workers with cheaper on: 2 -> 4 adds cheap slots the cheaper can spawn into', () =>
  afterReload(['--workers', '2'], ['--workers', '4', '--cheaper', '1'], async (ml) => {
    const w = await readyz(ml.socketPath);
    assert.equal(w.total, 4);
    assert.ok(w.ready >= 1 && w.ready <= 2, JSON.stringify(w));
  }));

test('vacuum: off at start, on after reload: the socket file is removed at exit', () =>
  afterReload(['--no-vacuum'], ['--vacuum'], async (ml) => {
    assert.equal(await ml.master.stop('test'), 0);
    assert.equal(existsSync(ml.socketPath), false, 'vacuum applied');
  }));

test('keepalive-timeout: 65 s at start, 1 s after reload: an idle keep-alive connection is closed', () =>
  afterReload([], ['--keepalive-timeout', '1'], async (ml) => {
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
  }));

const cheaper = ['--workers', '3', '--cheaper', '1', '--cheaper-initial', '3', '--cheaper-overload', '1'];
test('check-interval: 60 s at start, 1 s after reload: the cheaper cycle runs (an idle worker is cheaped)', () =>
  afterReload([...cheaper, '--check-interval', '60'], [...cheaper, '--check-interval', '1'], async (ml) => {
    await ml.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('cheaped worker'), 8000);
  }));

test('log-format: json at start, pretty after reload', () =>
  afterReload([], ['--log-format', 'pretty'], async (ml) => {
    await ml.waitForLine((l) => typeof l.raw === 'string' && /INFO\s+reloaded/.test(l.raw), 5000);
  }));
