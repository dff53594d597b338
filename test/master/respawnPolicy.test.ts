import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRespawn, NO_FAILURES, RESPAWN_POLICY, type RespawnEvent, type SlotFailures } from '../../src/master/respawnPolicy.js';

function run(events: RespawnEvent[]): { delays: number[]; failed: boolean[]; state: SlotFailures } {
  let state = NO_FAILURES;
  const delays: number[] = [];
  const failed: boolean[] = [];
  for (const e of events) {
    const d = decideRespawn(state, e);
    state = d.state;
    delays.push(d.delayMs);
    failed.push(d.failed);
  }
  return { delays, failed, state };
}

const startFailed = (error = 'no model'): RespawnEvent => ({ kind: 'start-failed', error });
const died = (uptimeMs: number): RespawnEvent => ({ kind: 'exit', uptimeMs, error: 'crash' });

test('failed starts back off exponentially, then the slot is failed and retried at the ceiling', () => {
  const r = run(Array.from({ length: 8 }, () => startFailed()));
  assert.deepEqual(r.delays, [0, 500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
  assert.deepEqual(r.failed, [false, false, false, false, false, true, true, true]);
  assert.deepEqual(r.state, { streak: 8, lastError: 'no model' });
});

test('a death after a stable run resets the backoff; quick deaths keep growing it', () => {
  const quick = run([died(100), died(100), died(100)]);
  assert.deepEqual(quick.delays, [0, 500, 1000]);
  const reset = run([died(100), died(100), died(100), died(RESPAWN_POLICY.stableMs)]);
  assert.deepEqual(reset.delays, [0, 500, 1000, 0]);
  assert.equal(reset.state.streak, 1);
});

test('the delay never passes the ceiling and keeps the last error', () => {
  const d = decideRespawn({ streak: 40, lastError: 'old' }, startFailed('new'), { ...RESPAWN_POLICY, failAfter: 100 });
  assert.equal(d.delayMs, RESPAWN_POLICY.maxDelayMs);
  assert.equal(d.failed, false);
  assert.equal(d.state.lastError, 'new');
});
