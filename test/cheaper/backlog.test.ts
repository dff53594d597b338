import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backlog } from '../../src/cheaper/backlog.js';
import { createCheaper } from '../../src/cheaper/createCheaper.js';
import { actions, opts, simulate, snap } from './fixtures.js';

test('backlog: more waiting than cheaper-overload spawns a step, fewer cheaps one, equal holds', () => {
  const o = opts('--workers 4 --cheaper 1 --cheaper-algo backlog --cheaper-overload 3 --cheaper-step 2');
  const cases: Array<[string, string, number, boolean, ReturnType<typeof backlog.decide>['decision']]> = [
    ['backlog > overload: spawn step', 'bbcc', 4, true, { spawn: 2, reason: 'backlog: 4 waiting requests > 3' }],
    ['... limited by cheap slots', 'bbbc', 9, true, { spawn: 1, reason: 'backlog: 9 waiting requests > 3' }],
    ['... every slot taken: nothing', 'bbbb', 9, true, null],
    ['... cannot spawn: nothing, not a cheap either', 'bbsc', 9, false, null],
    ['backlog == overload: hold', 'bbcc', 3, true, null],
    ['backlog < overload: cheap one', 'iicc', 2, true, { cheap: 1, reason: 'backlog: 2 waiting requests < 3' }],
    ['... also while busy (the victim is picked later)', 'bbcc', 0, true, { cheap: 1, reason: 'backlog: 0 waiting requests < 3' }],
    ['... never below cheaper', 'iccc', 0, true, null],
  ];
  for (const [name, slots, waiting, canSpawn, decision] of cases) {
    assert.deepEqual(backlog.decide({}, snap(1000, slots, { backlog: waiting }), o, canSpawn), { state: {}, decision }, name);
  }
});

test('backlog timeline: follows our queue up and down', () => {
  const cheaper = createCheaper(opts('--workers 6 --cheaper 1 --cheaper-algo backlog --cheaper-overload 2'))!;
  // 6 requests for 6 cycles, then none.
  const ticks = simulate(cheaper, { workers: 6, initial: 1, cycles: 14, latency: 0, demand: (t) => (t <= 6 ? 6 : 0) });
  assert.deepEqual(actions(ticks), {
    1: 'spawn 2', 2: 'spawn 3', 3: 'spawn 4', // backlog 5, 4, 3 > 2
    // backlog 2 at t = 4..6: hold; 0 from t = 7: one cheap per cycle down to cheaper
    7: 'cheap 1', 8: 'cheap 2', 9: 'cheap 3',
  });
  assert.deepEqual(ticks.map((k) => k.active), [2, 3, 4, 4, 4, 4, 3, 2, 1, 1, 1, 1, 1, 1]);
});
