import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineSweep } from '../../src/net/deadlineSweep.js';

// Real time on purpose: the sweep is the timer (its callers' decisions are tested with their own clocks).
test('expires what is past its deadline within a tick, never what was deleted', { timeout: 5000 }, async () => {
  const expired: string[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const sweep = new DeadlineSweep<string>((item) => {
    expired.push(item);
    if (item === 'late') done();
  }, 10);
  // The sweep's interval is unref'd (it never keeps a process up): this keeps the test's loop alive.
  const alive = setTimeout(() => undefined, 4000);
  const t0 = Date.now();
  sweep.add('early', 20);
  sweep.add('kept', 30);
  sweep.add('late', 80);
  sweep.delete('kept');
  assert.equal(sweep.size, 2);
  await all;
  assert.deepEqual(expired, ['early', 'late']);
  assert.ok(Date.now() - t0 >= 80, 'not before its deadline');
  assert.ok(Date.now() - t0 < 1000, `within a tick or so, took ${Date.now() - t0} ms`);
  assert.equal(sweep.size, 0);
  clearTimeout(alive);
});

// Regression: deadlines were Date.now()-based; a wall-clock step forward (NTP, a VM resumed)
// expired every waiting uwsgi connection at once (408s unearned, silent connections cut).
test('a wall-clock step does not expire a deadline early', { timeout: 5000 }, async () => {
  const expired: string[] = [];
  const sweep = new DeadlineSweep<string>((s) => expired.push(s), 10);
  sweep.add('slow sender', 4000);
  const realNow = Date.now;
  const stepped = realNow() + 60_000;
  Date.now = () => stepped; // the clock stepped a minute forward; no real time passed
  try {
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    Date.now = realNow;
    sweep.delete('slow sender');
  }
  assert.deepEqual(expired, []);
});
