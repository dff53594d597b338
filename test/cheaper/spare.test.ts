import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCheaper } from '../../src/cheaper/createCheaper.js';
import { spare, type SpareState } from '../../src/cheaper/spare.js';
import { actions, opts, simulate, snap } from './fixtures.js';

const measured = opts('--workers 8 --cheaper 2 --cheaper-step 2 --cheaper-overload 3');

test('spare, one cycle at a time: the uWSGI 2.0 rules', () => {
  const o = opts('--workers 4 --cheaper 2 --cheaper-step 2 --cheaper-overload 3');
  const cases: Array<[string, SpareState, string, boolean, SpareState, ReturnType<typeof spare.decide>['decision']]> = [
    // name, state before, slots, canSpawn, state after, decision
    ['all busy: overload grows, idle resets', { overloadCount: 0, idleCount: 5 }, 'bbcc', true, { overloadCount: 1, idleCount: 0 }, null],
    ['overload == cheaper-overload: not yet (2.0 spawns on >)', { overloadCount: 2, idleCount: 0 }, 'bbcc', true, { overloadCount: 3, idleCount: 0 }, null],
    ['overload > cheaper-overload: spawn min(step, cheap), reset', { overloadCount: 3, idleCount: 0 }, 'bbcc', true, { overloadCount: 0, idleCount: 0 }, { spawn: 2, reason: 'spare: no idle worker for 4 cycles' }],
    ['only one cheap slot: spawn 1', { overloadCount: 3, idleCount: 0 }, 'bbbc', true, { overloadCount: 0, idleCount: 0 }, { spawn: 1, reason: 'spare: no idle worker for 4 cycles' }],
    ['no cheap slot: nothing, but the counter resets as in uWSGI', { overloadCount: 3, idleCount: 0 }, 'bbbb', true, { overloadCount: 0, idleCount: 0 }, null],
    ['cannot spawn: the counter keeps growing', { overloadCount: 3, idleCount: 0 }, 'bbcc', false, { overloadCount: 4, idleCount: 0 }, null],
    ['a starting worker is not an idle one', { overloadCount: 0, idleCount: 0 }, 'bbsc', false, { overloadCount: 1, idleCount: 0 }, null],
    ['an idle worker: overload decreases', { overloadCount: 2, idleCount: 0 }, 'bicc', true, { overloadCount: 1, idleCount: 0 }, null],
    ['exactly one spare: stable, idle_count does not move', { overloadCount: 0, idleCount: 2 }, 'bbic', true, { overloadCount: 0, idleCount: 2 }, null],
    ['two idle: idle_count advances', { overloadCount: 0, idleCount: 0 }, 'biic', true, { overloadCount: 0, idleCount: 1 }, null],
    ['every cheaper-overload idle cycles: cheap one', { overloadCount: 0, idleCount: 2 }, 'biic', true, { overloadCount: 0, idleCount: 3 }, { cheap: 1, reason: 'spare: 2 idle workers for 3 cycles' }],
    ['cheaping also when spawning is not allowed', { overloadCount: 0, idleCount: 5 }, 'iiic', false, { overloadCount: 0, idleCount: 6 }, { cheap: 1, reason: 'spare: 3 idle workers for 6 cycles' }],
    ['never below cheaper', { overloadCount: 0, idleCount: 2 }, 'iicc', true, { overloadCount: 0, idleCount: 3 }, null],
    ['overload just went to 0 in this cycle: idle counting starts now', { overloadCount: 1, idleCount: 0 }, 'biic', true, { overloadCount: 0, idleCount: 1 }, null],
  ];
  for (const [name, before, slots, canSpawn, after, decision] of cases) {
    const out = spare.decide(before, snap(1000, slots), o, canSpawn);
    assert.deepEqual(out, { state: after, decision }, name);
  }
});

test('the measured uWSGI 2.0.21 sequence: 2 -> 4 -> 6 -> 8 every 4 s under load, then one cheaped every 3 s, oldest first', () => {
  // workers=8 cheaper=2 cheaper-step=2 cheaper-overload=3, 1 s cycles; 20 long requests keep
  // every active worker busy with a large backlog until t = 30 s, then nothing.
  const cheaper = createCheaper(measured)!;
  const ticks = simulate(cheaper, { workers: 8, initial: 2, cycles: 70, latency: 0, demand: (t) => (t <= 30 ? 20 : 0) });
  assert.deepEqual(actions(ticks), {
    4: 'spawn 3,4', 8: 'spawn 5,6', 12: 'spawn 7,8',
    // overload_count is reset at 16, 20, 24 and 28 (nothing to spawn), so it is 2 when the load
    // ends: down to 0 at t = 32, then a cheap every cheaper-overload idle cycles.
    34: 'cheap 1', 37: 'cheap 2', 40: 'cheap 3', 43: 'cheap 4', 46: 'cheap 5', 49: 'cheap 6',
  });
  assert.deepEqual(ticks.filter((k) => [3, 4, 8, 12, 30, 34, 49, 70].includes(k.t)).map((k) => [k.t, k.active]), [
    [3, 2], [4, 4], [8, 6], [12, 8], [30, 8], [34, 7], [49, 2], [70, 2],
  ]);
  assert.ok(ticks.every((k) => k.active <= 8 && k.active >= 2));
  assert.equal(ticks[3]!.reason, 'spare: no idle worker for 4 cycles');
});

test('the same sequence when a spawned worker is still starting at the next check', () => {
  // Ready two cycles after the spawn: the check after a spawn sees it `starting`, counted
  // neither idle nor active; the overload counter keeps counting, so the period stays 4 s.
  const ticks = simulate(createCheaper(measured)!, { workers: 8, initial: 2, cycles: 70, latency: 2, demand: (t) => (t <= 30 ? 20 : 0) });
  assert.deepEqual(actions(ticks), {
    4: 'spawn 3,4', 8: 'spawn 5,6', 12: 'spawn 7,8',
    34: 'cheap 1', 37: 'cheap 2', 40: 'cheap 3', 43: 'cheap 4', 46: 'cheap 5', 49: 'cheap 6',
  });
  assert.deepEqual(ticks.filter((k) => [4, 5, 6].includes(k.t)).map((k) => [k.t, k.active, k.starting]), [[4, 2, 2], [5, 2, 2], [6, 4, 0]]);
});

test('no second spawn while a spawn is in flight, however long the thread takes to load', () => {
  // Loading takes 6 cycles; uWSGI would have spawned again at t = 8 into workers that do not
  // serve yet. We wait for them, then spawn at once if the load still needs more.
  const ticks = simulate(createCheaper(measured)!, { workers: 8, initial: 2, cycles: 20, latency: 6, demand: () => 20 });
  assert.deepEqual(actions(ticks), { 4: 'spawn 3,4', 10: 'spawn 5,6', 16: 'spawn 7,8' });
  assert.ok(ticks.slice(4, 9).every((k) => k.starting === 2 && k.action === null), 't = 5..9: starting, no spawn');
  assert.equal(ticks[9]!.reason, 'spare: no idle worker for 6 cycles');
});

test('exactly one idle worker: the count never changes', () => {
  // Demand is always one less than the active workers: the "stable state" of uWSGI's spare.
  const cheaper = createCheaper(opts('--workers 8 --cheaper 2 --cheaper-initial 5 --cheaper-overload 3'))!;
  const ticks = simulate(cheaper, { workers: 8, initial: 5, cycles: 200, latency: 0, demand: () => 4 });
  assert.deepEqual(actions(ticks), {});
  assert.ok(ticks.every((k) => k.active === 5));
});

test('a new load interrupts "cheap them all"', () => {
  const ticks = simulate(createCheaper(measured)!, {
    workers: 8, initial: 2, cycles: 62, latency: 0,
    demand: (t) => (t <= 30 || (t >= 38 && t <= 45) ? 20 : 0),
  });
  const a = actions(ticks);
  assert.equal(a[34], 'cheap 1');
  assert.equal(a[37], 'cheap 2');
  // Busy again from t = 38 with 6 workers: nothing is cheaped, and after 4 overloaded cycles
  // slots 1 and 2 are spawned again; being the newest now, they are the last to be cheaped.
  assert.deepEqual(Object.entries(a).filter(([t]) => Number(t) > 37), [
    ['41', 'spawn 1,2'], ['48', 'cheap 3'], ['51', 'cheap 4'], ['54', 'cheap 5'], ['57', 'cheap 6'], ['60', 'cheap 7'],
  ]);
});
