/**
 * mlserve as a Type=notify service, end to end (needs the master wired to src/systemd/:
 * attachSystemd(master, ...) before it boots; until then no notification arrives and this fails):
 * a NOTIFY_SOCKET receiver stands in for systemd and gets what `systemctl status` would show.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest } from '../helpers/http.js';
import { startMlserve } from '../helpers/mlserve.js';
import { notifyFields, startNotifySocket, type NotifyDatagram } from '../helpers/notifySocket.js';
import { missingTool } from './tools.js';

const skip = missingTool('systemd-notify', 'python3');
const has = (key: string) => (m: string) => key in notifyFields(m);
const STATUS_LINE = /^\d+\/\d+ workers busy( \(\d+ of \d+ not ready\))?, [\d.,]+ req\/s, model reuters v1 \([\w-]+\)$/;

test('STATUS while loading, READY=1 once workers answer, periodic STATUS and WATCHDOG=1, RELOADING=1 ... READY=1 on SIGHUP, STOPPING=1 on SIGTERM', { skip }, async (t) => {
  const notify = await startNotifySocket();
  t.after(() => notify.close());
  // WatchdogSec=2: WATCHDOG=1 every second. No WATCHDOG_PID: systemd's is the service's pid,
  // which a test cannot know before the spawn (sd_watchdog_enabled accepts it unset).
  const ml = await startMlserve({ args: ['--workers', '1'], env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '2000000' } });
  t.after(() => ml.stop('SIGKILL'));

  const ready = await notify.waitFor(has('READY'), 10_000);
  const beforeReady = notify.datagrams.filter((d) => d.seq < ready.seq).map((d) => notifyFields(d.data)['STATUS']);
  assert.ok(beforeReady.some((s) => /loading model/.test(s ?? '')), `a STATUS while the model loads, before READY=1: ${JSON.stringify(beforeReady)}`);
  assert.ok(beforeReady.some((s) => /starting \d+ workers?/.test(s ?? '')), `a STATUS while workers start: ${JSON.stringify(beforeReady)}`);
  const readyz = await httpRequest<{ ready: boolean }>({ socketPath: ml.socketPath, path: '/readyz' });
  assert.equal(readyz.json?.ready, true, 'READY=1 comes once the workers answer');

  // The status line: with READY=1 or right after it.
  const status = await notify.waitFor((m) => STATUS_LINE.test(notifyFields(m)['STATUS'] ?? ''), 10_000);
  assert.ok(status.seq >= ready.seq, `the status line comes with or after READY=1: ${status.data}`);
  // Traffic changes the line: a new STATUS with a non-zero rate within one refresh period.
  const from = notify.datagrams.length;
  for (let i = 0; i < 20; i++) assert.equal((await httpRequest({ socketPath: ml.socketPath, path: '/predict?text=oil' })).status, 200);
  await notify.waitFor((m) => /, (?!0 req)[\d.,]+ req\/s/.test(notifyFields(m)['STATUS'] ?? ''), 12_000, from);

  // WATCHDOG=1 about every WATCHDOG_USEC/2 = 1 s.
  const pingsFrom = notify.datagrams.length;
  const pings: NotifyDatagram[] = [];
  for (let i = 0; i < 4; i++) pings.push(await notify.waitFor((m) => m === 'WATCHDOG=1', 5000, (pings.at(-1)?.seq ?? pingsFrom - 1) + 1));
  const gaps = pings.slice(1).map((p, i) => p.atMs - pings[i]!.atMs);
  assert.ok(gaps.every((ms) => ms > 500 && ms < 1600), `WATCHDOG=1 gaps ${gaps.map(Math.round).join(', ')} ms, want ~1000`);

  // Reload: RELOADING=1 (with MONOTONIC_USEC, for Type=notify-reload), then READY=1 again.
  const reloadFrom = notify.datagrams.length;
  ml.child.kill('SIGHUP');
  const reloading = await notify.waitFor(has('RELOADING'), 10_000, reloadFrom);
  assert.match(notifyFields(reloading.data)['MONOTONIC_USEC'] ?? '', /^\d+$/);
  await notify.waitFor(has('READY'), 30_000, reloading.seq + 1);

  // Shutdown: STOPPING=1, and the watchdog stops with the heartbeat.
  const stopFrom = notify.datagrams.length;
  assert.equal(await ml.stop('SIGTERM'), 0);
  const stopping = await notify.waitFor(has('STOPPING'), 5000, stopFrom);
  assert.deepEqual(notify.datagrams.filter((d) => d.seq > stopping.seq && d.data === 'WATCHDOG=1'), [], 'no WATCHDOG=1 after STOPPING=1');
});

test('shutdown-delay: STOPPING=1 at SIGTERM, then a STATUS saying it drains (issue 14)', { skip }, async (t) => {
  const notify = await startNotifySocket();
  t.after(() => notify.close());
  const ml = await startMlserve({ args: ['--workers', '1', '--shutdown-delay', '1'], env: { NOTIFY_SOCKET: notify.path } });
  t.after(() => ml.stop('SIGKILL'));
  await notify.waitFor(has('READY'), 10_000);
  const from = notify.datagrams.length;
  assert.equal(await ml.stop('SIGTERM'), 0);
  const stopping = await notify.waitFor(has('STOPPING'), 5000, from);
  const draining = await notify.waitFor((m) => /^draining: readyz 503, still serving for shutdown-delay 1 s$/.test(notifyFields(m)['STATUS'] ?? ''), 5000, from);
  assert.ok(draining.seq > stopping.seq, 'the draining STATUS follows STOPPING=1');
});
