/** sd_watchdog_enabled(3) semantics of watchdogIntervalMs: half of WATCHDOG_USEC, for our pid only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchdogIntervalMs } from '../../src/systemd/watchdog.js';

test('watchdogIntervalMs: half the period in ms, or null when no watchdog applies to this pid', () => {
  const cases: Array<[Record<string, string>, number | null, string]> = [
    [{}, null, 'no WatchdogSec='],
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 15_000, 'WatchdogSec=30 for us'],
    [{ WATCHDOG_USEC: '2000000' }, 1000, 'no WATCHDOG_PID: for whoever reads it'],
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, null, 'another process\'s watchdog'],
    [{ WATCHDOG_USEC: '1' }, 1, 'never 0 ms (a busy loop)'],
    [{ WATCHDOG_USEC: '0' }, null, 'zero is invalid (sd_watchdog_enabled: -EINVAL)'],
    [{ WATCHDOG_USEC: 'soon' }, null, 'not a number'],
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: 'x' }, null, 'malformed pid'],
  ];
  for (const [env, expected, why] of cases) assert.equal(watchdogIntervalMs(env, 42), expected, why);
});
