import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cheaperInfo } from '../../src/stats/cheaperInfo.js';

test('the cheaper as the stats document shows it: monotonic decision time turned into epoch ms', () => {
  assert.equal(cheaperInfo(null, 0, 0), null);
  const info = cheaperInfo(
    {
      algorithm: 'spare',
      state: () => ({ algorithm: 'spare', overloadCount: 2 }),
      lastDecision: { action: 'spawn', workers: [3, 4], reason: 'spare: no idle worker for 4 cycles', at: 9_000 },
    },
    1_795_237_540_000,
    10_000,
  );
  assert.deepEqual(info, {
    algo: 'spare',
    state: { algorithm: 'spare', overloadCount: 2 },
    lastDecision: { at: 1_795_237_539_000, action: 'spawn', n: 2, reason: 'worker 3,4: spare: no idle worker for 4 cycles' },
  });
  const fresh = cheaperInfo({ algorithm: 'manual', state: () => ({}), lastDecision: null }, 1, 1);
  assert.deepEqual(fresh, { algo: 'manual', state: {}, lastDecision: null });
});
