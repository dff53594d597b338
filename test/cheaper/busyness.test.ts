import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyness, type BusynessState } from '../../src/cheaper/busyness.js';
import { createCheaper } from '../../src/cheaper/createCheaper.js';
import type { CheaperDecision, CheaperOptions } from '../../src/cheaper/types.js';
import { actions, opts, simulate, snap } from './fixtures.js';

const o = opts('--workers 4 --cheaper 1 --cheaper-algo busyness');

/** Feeds `busyness` one snapshot per step; returns each decision and the final state. */
function run(options: CheaperOptions, steps: Array<[t: number, slots: string, busyMs: number[], backlog?: number, canSpawn?: boolean]>) {
  let state: BusynessState = busyness.initial(options);
  const decisions: CheaperDecision[] = [];
  for (const [t, slots, busyMs, backlog = 0, canSpawn = true] of steps) {
    const out = busyness.decide(state, snap(t * 1000, slots, { busyMs, backlog }), options, canSpawn);
    state = out.state;
    decisions.push(out.decision);
  }
  return { decisions, state };
}

test('busyness timeline: a spawn per busy window, then a cheap every overload * multiplier seconds', () => {
  // Defaults: max 50%, min 25%, window (cheaper-overload) 3 s, multiplier 10, step 1.
  const cheaper = createCheaper(o)!;
  const ticks = simulate(cheaper, { workers: 4, initial: 1, cycles: 110, latency: 0, demand: (t) => (t <= 15 ? 20 : 0) });
  // Windows end at t = 4, 7, 10, ... (the first cycle, t = 1, starts the first one). Each spawn
  // sets the next cheap 30 s later: the last spawn at t = 10 allows a cheap from t = 40.
  assert.deepEqual(actions(ticks), { 4: 'spawn 2', 7: 'spawn 3', 10: 'spawn 4', 40: 'cheap 1', 70: 'cheap 2', 100: 'cheap 3' });
  assert.equal(ticks[3]!.reason, 'busyness: 100% average busyness over 3s > 50%');
  assert.equal(ticks[39]!.reason, 'busyness: 0% average busyness over 3s < 25%');
  assert.equal(ticks.at(-1)!.active, 1);
});

test('busyness: a spawn soon after a cheap adds the penalty to the multiplier; later cheaps take it back', () => {
  const cheaper = createCheaper(o)!;
  const ticks = simulate(cheaper, {
    workers: 4, initial: 1, cycles: 150, latency: 0,
    demand: (t) => (t <= 15 || (t >= 41 && t <= 43) ? 20 : 0),
  });
  // Cheaped at 40, busy again in the window ending at 43: one window later, within 10 windows,
  // so the multiplier goes 10 -> 12 and the next cheap waits 36 s (t = 79); the cheap after that
  // lowers it to 11 (33 s: t = 115 -> 148). Slot 1, spawned again at 43, is now the newest.
  assert.deepEqual(actions(ticks), { 4: 'spawn 2', 7: 'spawn 3', 10: 'spawn 4', 40: 'cheap 1', 43: 'spawn 1', 79: 'cheap 2', 115: 'cheap 3', 148: 'cheap 4' });
  assert.equal(ticks[42]!.reason, 'busyness: 100% average busyness over 3s > 50%');
  assert.equal(cheaper.state().multiplier, 10);
});

test('busyness: a worker busy for a whole window without finishing a batch counts as 100% busy', () => {
  // uWSGI: "worker %d was busy %d time(s) in last cycle but no request was completed".
  const { decisions, state } = run(o, [[1, 'bicc', [0, 0]], [2, 'bicc', [0, 0]], [3, 'bicc', [0, 0]], [4, 'bicc', [0, 0]]]);
  assert.deepEqual(state.busyness.slice(0, 2), [100, 0]);
  assert.equal(state.avgBusyness, 50);
  assert.deepEqual(decisions, [null, null, null, null], '50% is not above 50%');
  // The same with a 10 s batch finishing in the window: clamped to 100.
  assert.deepEqual(run(o, [[1, 'bbcc', [0, 0]], [4, 'bbcc', [10000, 3000]]]).state.busyness.slice(0, 2), [100, 100]);
});

test('busyness: windows between min and max push the cheap timer; the third in a row restarts it', () => {
  // 1 s of 3 busy per worker: 33%.
  const steps: Array<[number, string, number[]]> = [[1, 'iicc', [0, 0]]];
  for (let w = 1; w <= 4; w++) steps.push([1 + 3 * w, 'iicc', [1000 * w, 1000 * w]]);
  let state = busyness.initial(o);
  const nextCheaps: number[] = [];
  for (const [t, slots, busyMs] of steps) {
    state = busyness.decide(state, snap(t * 1000, slots, { busyMs }), o, true).state;
    nextCheaps.push(state.nextCheap);
  }
  // init: 1 s + 30 s; +3 s; +3 s; third window: now + 30 s; fourth: again now + 30 s.
  assert.deepEqual(nextCheaps, [31000, 34000, 37000, 40000, 43000]);
  assert.equal(state.tolerance, 4);
  assert.equal(state.avgBusyness, 33);
});

test('busyness: more than backlog-alert waiting spawns backlog-step emergency workers at once, cheaped on the shorter timer', () => {
  const e = opts('--workers 6 --cheaper 1 --cheaper-algo busyness --cheaper-busyness-backlog-step 2');
  const steps: Array<[number, string, number[], number?]> = [
    [1, 'iicccc', [0, 0]],
    [2, 'bbcccc', [0, 0], 33],
    [3, 'bbcccc', [0, 0], 34],
  ];
  // Then idle: a window of 0% ends every 3 s from t = 4.
  for (let t = 4; t <= 61; t += 3) steps.push([t, 'iiiicc', [0, 0, 0, 0]]);
  const { decisions, state } = run(e, steps);
  assert.deepEqual(decisions[2], { spawn: 2, reason: 'busyness: 34 waiting requests > 33, emergency' });
  // The spawn sets the cheap timer before counting its emergency workers: 30 s, t = 33. The
  // window ending at 4 is 50% (two workers seen busy, no batch finished): between min and max,
  // it pushes the timer 3 s (t = 36) and counts one emergency worker down, as uWSGI does. The
  // cheap at 37 runs with an emergency worker left, so the next is overload * backlog-multiplier
  // = 9 s away (46); then none is left and the timer is back to 30 s.
  const cheapAt = steps.filter((_, i) => decisions[i] !== null && 'cheap' in decisions[i]!).map(([t]) => t);
  assert.deepEqual(cheapAt, [37, 46]);
  assert.equal(state.emergencyWorkers, 0);
  assert.equal(state.nextCheap, 46000 + 30000);
  assert.equal(state.multiplier, 10);
});

test('busyness: a queue not empty for backlog-nonzero seconds spawns an emergency worker', () => {
  const n = opts('--workers 4 --cheaper 1 --cheaper-algo busyness --cheaper-busyness-backlog-nonzero 5 --cheaper-overload 30');
  const steps: Array<[number, string, number[], number]> = [];
  for (let t = 1; t <= 7; t++) steps.push([t, 'bbcc', [0, 0], 1]);
  const { decisions, state } = run(n, steps);
  // The queue fills at t = 1; 5 s later (t = 6) an emergency spawn, and the timer restarts.
  assert.deepEqual(decisions.map((d) => d && ('spawn' in d ? d.spawn : -d.cheap)), [null, null, null, null, null, 1, null]);
  assert.equal(decisions[5]!.reason, 'busyness: queue not empty for 5s, emergency');
  assert.equal(state.backlogNonzeroSince, 6000);
});

test('busyness: when it may not spawn (a spawn in flight, rss soft limit) nothing changes but the window', () => {
  const { decisions, state } = run(o, [[1, 'bsbc', [0, 0, 0]], [4, 'bsbc', [3000, 0, 3000], 40, false]]);
  assert.equal(state.avgBusyness, 100);
  assert.deepEqual(decisions, [null, null]);
  assert.equal(state.multiplier, 10);
  assert.equal(state.lastAction, 'none');
  assert.equal(state.emergencyWorkers, 0);
});

test('busyness state for the stats socket', () => {
  const cheaper = createCheaper(o)!;
  cheaper.decide(snap(1000, 'bicc'));
  cheaper.decide(snap(4000, 'bicc', { busyMs: [3000, 0] }));
  assert.deepEqual(cheaper.state(), {
    algorithm: 'busyness',
    avgBusyness: 50,
    workerBusyness: '100,0,0,0',
    multiplier: 10,
    tolerance: 1,
    emergencyWorkers: 0,
    lastAction: 'none',
    windowSeconds: 3,
    nextCheapInSeconds: 30,
    pending: 0,
    lastDecision: '',
    lastDecisionSecondsAgo: -1,
  });
});
