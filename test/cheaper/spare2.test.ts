import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCheaper } from '../../src/cheaper/createCheaper.js';
import { spare2 } from '../../src/cheaper/spare2.js';
import { actions, opts, simulate, snap } from './fixtures.js';

test('spare2, one cycle at a time: keep `cheaper` workers idle', () => {
  const o = opts('--workers 6 --cheaper 2 --cheaper-algo spare2 --cheaper-step 3 --cheaper-idle 3');
  const cases: Array<[string, number, string, boolean, number, ReturnType<typeof spare2.decide>['decision']]> = [
    // name, idleCount before, slots, canSpawn, idleCount after, decision
    ['no idle: spawn cheaper - idle', 2, 'bbcccc', true, 0, { spawn: 2, reason: 'spare2: 0 idle workers, want 2' }],
    ['one idle: spawn one', 0, 'bbiccc', true, 0, { spawn: 1, reason: 'spare2: 1 idle workers, want 2' }],
    ['limited by cheap slots', 0, 'bbbbbc', true, 0, { spawn: 1, reason: 'spare2: 0 idle workers, want 2' }],
    ['every slot taken: nothing', 0, 'bbbbbb', true, 0, null],
    ['cannot spawn: nothing, idle count reset', 2, 'bbsccc', false, 0, null],
    ['exactly cheaper idle: hold', 2, 'biiccc', true, 0, null],
    ['more idle: count', 0, 'iiiccc', true, 1, null],
    ['more idle for cheaper-idle cycles: cheap one, restart', 2, 'iiiccc', true, 0, { cheap: 1, reason: 'spare2: 3 idle workers for 3 cycles, want 2' }],
  ];
  for (const [name, before, slots, canSpawn, after, decision] of cases) {
    assert.deepEqual(spare2.decide({ idleCount: before }, snap(1000, slots), o, canSpawn), { state: { idleCount: after }, decision }, name);
  }
});

test('spare2 spawns with the default cheaper-step (uWSGI spare2 never spawns unless cheaper-step is set)', () => {
  const o = opts('--workers 6 --cheaper 2 --cheaper-algo spare2');
  assert.equal(o.cheaperStep, 1);
  assert.deepEqual(spare2.decide({ idleCount: 0 }, snap(1000, 'bbcccc'), o, true).decision, { spawn: 1, reason: 'spare2: 0 idle workers, want 2' });
});

test('spare2 timeline: spawns ahead of the load, cheaps after cheaper-idle cycles', () => {
  const cheaper = createCheaper(opts('--workers 6 --cheaper 2 --cheaper-algo spare2 --cheaper-step 2 --cheaper-idle 4'))!;
  // 3 requests from t = 3 to t = 10, then nothing.
  const ticks = simulate(cheaper, { workers: 6, initial: 2, cycles: 24, latency: 0, demand: (t) => (t >= 3 && t <= 10 ? 3 : 0) });
  assert.deepEqual(actions(ticks), {
    3: 'spawn 3,4', // 2 busy, 0 idle: +2 (the third request waits one cycle)
    4: 'spawn 5', // 3 busy, 1 idle: +1, so 2 stay idle
    14: 'cheap 1', // 5 idle from t = 11: the 4th such cycle
    18: 'cheap 2',
    22: 'cheap 3',
  });
  assert.equal(ticks.at(-1)!.active, 2);
});
