import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCheaper } from '../../src/cheaper/createCheaper.js';
import { manual, setManualTarget } from '../../src/cheaper/manual.js';
import { actions, opts, simulate, snap } from './fixtures.js';

const o = opts('--workers 6 --cheaper 1 --cheaper-initial 2 --cheaper-algo manual');

test('manual: never changes by itself, whatever the load', () => {
  const ticks = simulate(createCheaper(o)!, { workers: 6, initial: 2, cycles: 30, latency: 0, demand: (t) => (t < 15 ? 50 : 0) });
  assert.deepEqual(actions(ticks), {});
});

test('manual: the target starts at cheaper-initial and is clamped to [cheaper, workers]', () => {
  const state = manual.initial(o);
  assert.deepEqual(state, { target: 2 });
  assert.deepEqual(setManualTarget(state, 9, o), { target: 6 });
  assert.deepEqual(setManualTarget(state, 0, o), { target: 1 });
  assert.deepEqual(setManualTarget(state, 4, o), { target: 4 });
});

test('manual: each cycle moves the running workers toward the target', () => {
  const cases: Array<[string, number, string, boolean, ReturnType<typeof manual.decide>['decision']]> = [
    ['at target', 2, 'biccc', true, null],
    ['below: spawn the difference', 4, 'biccc', true, { spawn: 2, reason: 'manual: target 4 workers' }],
    ['below, some starting: spawn the rest later', 4, 'bisccc', false, null],
    ['above: cheap the difference', 1, 'biiccc', true, { cheap: 2, reason: 'manual: target 1 workers' }],
    ['above, one starting: cheap a ready one in its place', 2, 'iisccc', false, { cheap: 1, reason: 'manual: target 2 workers' }],
  ];
  for (const [name, target, slots, canSpawn, decision] of cases) {
    assert.deepEqual(manual.decide({ target }, snap(1000, slots), o, canSpawn).decision, decision, name);
  }
});

test('manual through the cheaper: adjust(+2) then adjust(-3)', () => {
  const cheaper = createCheaper(o)!;
  assert.equal(cheaper.decide(snap(1000, 'iicccc')), null);
  cheaper.adjust(+2);
  assert.deepEqual(cheaper.decide(snap(2000, 'iicccc')), { action: 'spawn', workers: [3, 4], reason: 'manual: target 4 workers', at: 2000 });
  cheaper.adjust(-3);
  assert.equal(cheaper.state().target, 1);
  assert.deepEqual(cheaper.decide(snap(3000, 'iiiicc', { lastSpawn: [0, 0, 2000, 2000] })), {
    action: 'cheap', workers: [1, 2, 3], reason: 'manual: target 1 workers', at: 3000,
  });
});
