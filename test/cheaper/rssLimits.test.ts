import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCheaper } from '../../src/cheaper/createCheaper.js';
import { rssLimit, withRssLimits } from '../../src/cheaper/rssLimits.js';
import { actions, opts, simulate, snap } from './fixtures.js';

const M = 1024 * 1024;
const limits = opts('--workers 4 --cheaper 1 --cheaper-rss-limit-soft 400M --cheaper-rss-limit-hard 500M');

test('rssLimit: none below soft or when unknown, soft from soft, hard from hard with more than one active', () => {
  const cases: Array<[string, number | null, string, ReturnType<typeof rssLimit>]> = [
    ['unknown rss: no limit', null, 'iicc', null],
    ['below soft', 399 * M, 'iicc', null],
    ['at soft', 400 * M, 'iicc', 'soft'],
    ['at hard', 500 * M, 'iicc', 'hard'],
    ['at hard with one active worker: only no spawning (uWSGI: active_workers > 1)', 900 * M, 'iccc', 'soft'],
  ];
  for (const [name, rss, slots, expected] of cases) assert.equal(rssLimit(snap(0, slots, { rss }), limits), expected, name);
  assert.equal(rssLimit(snap(0, 'iicc', { rss: 900 * M }), opts('--workers 4')), null, 'no limits set');
  assert.equal(rssLimit(snap(0, 'iicc', { rss: 900 * M }), opts('--workers 4 --cheaper-rss-limit-hard 500M')), 'hard', 'hard alone');
});

test('withRssLimits: at soft a spawn becomes null and a cheap stays; at hard, cheap one regardless', () => {
  const spawn = { spawn: 2, reason: 'spare: no idle worker for 4 cycles' };
  const cheap = { cheap: 1, reason: 'spare: 2 idle workers for 3 cycles' };
  const hardCheap = { cheap: 1, reason: 'rss 500M over cheaper-rss-limit-hard 500M' };
  const cases: Array<[string, typeof spawn | typeof cheap | null, number, ReturnType<typeof withRssLimits>]> = [
    ['below: unchanged spawn', spawn, 100 * M, spawn],
    ['soft: spawn dropped', spawn, 450 * M, null],
    ['soft: cheap kept', cheap, 450 * M, cheap],
    ['soft: nothing stays nothing', null, 450 * M, null],
    ['hard: spawn replaced by a cheap', spawn, 500 * M, hardCheap],
    ['hard: nothing becomes a cheap', null, 500 * M, hardCheap],
  ];
  for (const [name, decision, rss, expected] of cases) {
    assert.deepEqual(withRssLimits(decision, snap(0, 'bbcc', { rss }), limits), expected, name);
  }
});

test('through the cheaper: the soft limit stops growth, the hard limit cheaps one per cycle down to one worker', () => {
  const cheaper = createCheaper(limits)!;
  // Each active worker uses 150M: 3 workers = 450M (soft), 4 would be 600M (hard).
  const ticks = simulate(cheaper, { workers: 4, initial: 1, cycles: 20, latency: 0, demand: () => 10, rss: (active) => active * 150 * M });
  assert.deepEqual(actions(ticks), { 4: 'spawn 2', 8: 'spawn 3' });
  assert.ok(ticks.every((k) => k.active <= 3));

  // Over the hard limit: one cheap per cycle (idle ones; busy ones are never taken), even below
  // `cheaper`, but never the last worker.
  const hard = createCheaper(limits)!;
  const down = simulate(hard, { workers: 4, initial: 4, cycles: 5, latency: 0, demand: () => 0, rss: () => 600 * M });
  assert.deepEqual(actions(down), { 1: 'cheap 1', 2: 'cheap 2', 3: 'cheap 3' });
  assert.equal(down[0]!.reason, 'rss 600M over cheaper-rss-limit-hard 500M');
  assert.equal(down.at(-1)!.active, 1);
});
