import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respawnDelay } from '../../src/master/respawnGuard.js';

test('respawnDelay backs off once more than `limit` respawns happen within a second', () => {
  let history: number[] = [];
  const delays: number[] = [];
  for (const t of [0, 100, 200, 300]) {
    const r = respawnDelay(history, t, 3);
    history = r.history;
    delays.push(r.delayMs);
  }
  assert.deepEqual(delays, [0, 0, 0, 1000]);
  // A second later the window has emptied.
  assert.equal(respawnDelay(history, 1400, 3).delayMs, 0);
});
