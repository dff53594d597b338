/** Which notification each master lifecycle event becomes (attachSystemd), with a recording notifier. */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { MlserveError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { attachSystemd, type SystemdNotifier } from '../../src/systemd/attachSystemd.js';
import type { HeartbeatSnapshot } from '../../src/systemd/heartbeat.js';

function recorder(): { calls: string[]; notifier: SystemdNotifier } {
  const calls: string[] = [];
  const notifier: SystemdNotifier = {
    status: async (text) => void calls.push(`STATUS=${text}`),
    ready: async (status) => void calls.push(`READY=1${status === undefined ? '' : ` STATUS=${status}`}`),
    reloading: async () => void calls.push('RELOADING=1'),
    stopping: async () => void calls.push('STOPPING=1'),
    watchdog: async () => void calls.push('WATCHDOG=1'),
  };
  return { calls, notifier };
}

const log = createLogger({ level: 'silent' });
const snapshot = (): HeartbeatSnapshot => ({ busy: 0, active: 2, total: 2, requests: 0, model: { name: 'reuters', version: 1 }, backend: 'wasm' });
const LINE = '0/2 workers busy, 0 req/s, model reuters v1 (wasm)';

test('boot, reload (good and bad) and shutdown events become STATUS, READY, RELOADING and STOPPING', (t) => {
  const saved = process.env['WATCHDOG_USEC'];
  delete process.env['WATCHDOG_USEC'];
  t.after(() => (saved === undefined ? undefined : (process.env['WATCHDOG_USEC'] = saved)));
  const master = new EventEmitter();
  const { calls, notifier } = recorder();
  const link = attachSystemd(master, { log, snapshot, notifier });

  master.emit('status', 'loading model reuters v1');
  master.emit('status', 'starting 2 workers');
  master.emit('ready');
  master.emit('reloading');
  master.emit('reloaded', {});
  master.emit('reloading');
  // systemd waits for READY=1 after RELOADING=1: a failed reload must still end with one.
  master.emit('reload-failed', new MlserveError('ERR_MODEL_INVALID', 'labels.json: 2 labels, 46 outputs'));
  master.emit('stopping');
  assert.deepEqual(calls, [
    'STATUS=loading model reuters v1',
    'STATUS=starting 2 workers',
    `READY=1 STATUS=${LINE}`,
    'RELOADING=1',
    `READY=1 STATUS=${LINE}`,
    'RELOADING=1',
    'READY=1 STATUS=reload failed (ERR_MODEL_INVALID); serving reuters v1',
    'STOPPING=1',
  ]);

  link.detach();
  master.emit('status', 'after detach');
  assert.equal(calls.length, 8, 'detach() stops listening');
});

test('WATCHDOG=1 every WATCHDOG_USEC/2 from READY=1 until STOPPING=1', (t) => {
  const saved = process.env['WATCHDOG_USEC'];
  process.env['WATCHDOG_USEC'] = '2000000';
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => {
    mock.timers.reset();
    if (saved === undefined) delete process.env['WATCHDOG_USEC'];
    else process.env['WATCHDOG_USEC'] = saved;
  });
  const master = new EventEmitter();
  const { calls, notifier } = recorder();
  attachSystemd(master, { log, snapshot, notifier, statusMs: 60_000 });
  const pings = () => calls.filter((c) => c === 'WATCHDOG=1').length;

  mock.timers.tick(5000);
  assert.equal(pings(), 0, 'no watchdog before READY=1: systemd only watches a started service');
  master.emit('ready');
  mock.timers.tick(3000);
  assert.equal(pings(), 3);
  master.emit('reloading');
  mock.timers.tick(1000);
  assert.equal(pings(), 4, 'a reload keeps the watchdog fed');
  master.emit('stopping');
  mock.timers.tick(5000);
  assert.equal(pings(), 4);
  assert.equal(calls.at(-1), 'STOPPING=1');
});
