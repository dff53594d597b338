import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCheaper } from '../../src/cheaper/createCheaper.js';
import { initialWorkers } from '../../src/cheaper/initialWorkers.js';
import { opts, snap } from './fixtures.js';

const M = 1024 * 1024;

test('createCheaper: null when cheaper is 0 (scaling off), else the configured algorithm', () => {
  assert.equal(createCheaper(opts('--workers 4')), null);
  for (const algo of ['spare', 'spare2', 'backlog', 'busyness', 'manual'] as const) {
    assert.equal(createCheaper(opts(`--workers 4 --cheaper 1 --cheaper-algo ${algo}`))?.algorithm, algo);
  }
});

test('initialWorkers: every worker when scaling is off, else cheaper-initial, by default cheaper', () => {
  const cases: Array<[string, number]> = [
    ['--workers 4', 4],
    ['--workers 4 --cheaper-initial 2', 4],
    ['--workers 8 --cheaper 2', 2],
    ['--workers 8 --cheaper 2 --cheaper-initial 5', 5],
    ['--workers 8 --cheaper 2 --cheaper-initial 1', 2], // clamped by the resolve step, with a warning
    ['--workers 8 --cheaper 2 --cheaper-initial 20', 8],
  ];
  for (const [flags, n] of cases) assert.equal(initialWorkers(opts(flags)), n, flags);
});

test('actions name slots: spawn into the lowest cheap ones, cheap the oldest idle one', () => {
  const cheaper = createCheaper(opts('--workers 5 --cheaper 1 --cheaper-algo backlog --cheaper-step 2'))!;
  assert.deepEqual(cheaper.decide(snap(1000, 'bcbcc', { backlog: 9 })), {
    action: 'spawn', workers: [2, 4], reason: 'backlog: 9 waiting requests > 3', at: 1000,
  });
  assert.deepEqual(cheaper.decide(snap(2000, 'iiibc', { lastSpawn: [0, 900, 800, 0] })), {
    action: 'cheap', workers: [1], reason: 'backlog: 0 waiting requests < 3', at: 2000,
  });
  assert.equal(cheaper.lastDecision?.at, 2000);
});

test('a cheap that finds no idle worker is retried the next cycle, before the algorithm (uWSGI cheaper_fifo_delta)', () => {
  const cheaper = createCheaper(opts('--workers 4 --cheaper 1 --cheaper-algo backlog'))!;
  // Queue empty but both workers busy: nothing to cheap now.
  assert.equal(cheaper.decide(snap(1000, 'bbcc')), null);
  assert.equal(cheaper.state().pending, -1);
  // Next cycle the queue is long, yet the pending cheap goes first, as in uWSGI.
  assert.deepEqual(cheaper.decide(snap(2000, 'bicc', { backlog: 9 })), {
    action: 'cheap', workers: [2], reason: 'backlog: 0 waiting requests < 3', at: 2000,
  });
  assert.equal(cheaper.state().pending, 0);
  assert.deepEqual(cheaper.decide(snap(3000, 'bccc', { backlog: 9 }))?.action, 'spawn');
});

test('an operator request acts once (uWSGI fifo + / -), the algorithm answers after it', () => {
  const cheaper = createCheaper(opts('--workers 4 --cheaper 1'))!;
  cheaper.adjust(+2);
  assert.deepEqual(cheaper.decide(snap(1000, 'iccc')), { action: 'spawn', workers: [2, 3], reason: 'requested +2', at: 1000 });
  assert.equal(cheaper.decide(snap(2000, 'iiic')), null);
});

test('rss limits through the cheaper: soft drops a pending spawn but not a pending cheap; hard replaces both', () => {
  const o = opts('--workers 4 --cheaper 1 --cheaper-rss-limit-soft 400M --cheaper-rss-limit-hard 500M');
  const soft = createCheaper(o)!;
  soft.adjust(+1);
  assert.equal(soft.decide(snap(1000, 'iicc', { rss: 450 * M })), null);
  soft.adjust(-1);
  assert.deepEqual(soft.decide(snap(2000, 'iicc', { rss: 450 * M }))?.action, 'cheap');

  const hard = createCheaper(o)!;
  hard.adjust(+1);
  assert.deepEqual(hard.decide(snap(1000, 'iicc', { rss: 600 * M })), {
    action: 'cheap', workers: [1], reason: 'rss 600M over cheaper-rss-limit-hard 500M', at: 1000,
  });
  assert.equal(hard.state().pending, 0);
});

test('spare while a worker is starting: it may not spawn, and its counter keeps counting', () => {
  const cheaper = createCheaper(opts('--workers 4 --cheaper 1 --cheaper-overload 1'))!;
  assert.equal(cheaper.decide(snap(1000, 'bscc')), null);
  assert.equal(cheaper.decide(snap(2000, 'bscc')), null);
  assert.equal(cheaper.state().overloadCount, 2);
  assert.deepEqual(cheaper.decide(snap(3000, 'bbcc'))?.workers, [3]);
});

test('state() for the stats socket: the algorithm, its counters, the last decision and why', () => {
  const cheaper = createCheaper(opts('--workers 4 --cheaper 1 --cheaper-overload 1'))!;
  assert.deepEqual(cheaper.state(), { algorithm: 'spare', overloadCount: 0, idleCount: 0, pending: 0, lastDecision: '', lastDecisionSecondsAgo: -1 });
  cheaper.decide(snap(1000, 'bccc'));
  cheaper.decide(snap(2000, 'bccc'));
  cheaper.decide(snap(5000, 'bbcc'));
  assert.deepEqual(cheaper.state(), {
    algorithm: 'spare', overloadCount: 1, idleCount: 0, pending: 0,
    lastDecision: 'spawn 2 (spare: no idle worker for 2 cycles)', lastDecisionSecondsAgo: 3,
  });
});
