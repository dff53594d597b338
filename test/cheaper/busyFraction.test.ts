/**
 * The busy fraction over a check-interval (issue 15): the cheaper algorithms written for one
 * request = one worker (spare, spare2, backlog) read how busy the workers were over the whole
 * interval, so a batching server's steady load does not read as a coin toss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUSY_FOR_MOST, busyFractions, busyMark, packedBusy } from '../../src/cheaper/busyFraction.js';
import { cheaperSnapshot } from '../../src/cheaper/cheaperSnapshot.js';
import { createCheaper } from '../../src/cheaper/createCheaper.js';
import { backlog } from '../../src/cheaper/backlog.js';
import { spare } from '../../src/cheaper/spare.js';
import { spare2 } from '../../src/cheaper/spare2.js';
import type { CheaperWorkerStatus } from '../../src/cheaper/types.js';
import { opts, snap } from './fixtures.js';

test('busyFractions: busy ms over the interval, the running batch counted up to the mark', () => {
  const from = busyMark([{ id: 1, busyMs: 100 }, { id: 2, busyMs: 0, busySince: 900 }, { id: 3, busyMs: 50 }], 1000);
  // slot 2 has been running one batch since t = 900: 100 ms at the first mark, 1100 at the second.
  const to = busyMark([{ id: 1, busyMs: 400 }, { id: 2, busyMs: 0, busySince: 900 }, { id: 3, busyMs: 50 }, { id: 4, busyMs: 10 }], 2000);
  assert.deepEqual(to.busyMs.get(2), 1100);
  assert.deepEqual([...busyFractions(from, to)], [[1, 0.3], [2, 1], [3, 0]]); // slot 4 was not marked before: no entry
  assert.equal(busyFractions(to, to).size, 0, 'an empty interval: no fractions (the instant state is used)');
});

test('packedBusy: the work packed onto the fewest workers; a whole number of busy workers is uWSGI\'s count', () => {
  const cases: Array<[number[], number, number]> = [
    // fractions of the active workers, active, busy
    [[0.45, 0.45], 2, 1], // 0.9 workers' worth: one busy, one spare (counted one by one: both idle)
    [[0.3, 0.3, 0.3], 3, 1],
    [[0.8, 0.8], 2, 2], // 1.6: the second worker would be busy most of the interval
    [[0.5, 0], 2, 1], // exactly one half counts as busy
    [[0.49, 0], 2, 0],
    [[1, 1, 0], 3, 2], // uWSGI: two long requests hold two workers
    [[1, 0, 0, 0], 4, 1],
    [[0.9999999, 0.9999999], 2, 2], // float noise does not lose a worker
    [[1, 1], 1, 1], // never more than active
    [[], 0, 0],
  ];
  for (const [fractions, active, busy] of cases) assert.equal(packedBusy(fractions, active), busy, JSON.stringify(fractions));
  assert.equal(BUSY_FOR_MOST, 0.5);
});

test('the snapshot: interval counts from the fractions; without them, the instant state (uWSGI)', () => {
  const instant = snap(1000, 'bbiic');
  assert.deepEqual([instant.intervalBusy, instant.intervalIdle, instant.intervalBacklog], [2, 2, 0]);
  assert.deepEqual(instant.workers.map((w) => w.busyFraction), [1, 1, 0, 0, 0]);
  // The same instant, but over the interval the two "busy" ones worked 20% and the idle ones 30%.
  const interval = snap(1000, 'bbiic', { fractions: [0.2, 0.2, 0.3, 0.3, 0], backlog: 9, backlogMean: 0.4 });
  assert.deepEqual([interval.busy, interval.idle, interval.intervalBusy, interval.intervalIdle], [2, 2, 1, 3]);
  assert.deepEqual([interval.backlog, interval.intervalBacklog], [9, 0.4]);
});

test('spare reads the interval: busy at the check but idle most of the interval is idle, and the reverse', () => {
  const o = opts('--workers 4 --cheaper 1 --cheaper-overload 3');
  const cases: Array<[string, string, number[] | undefined, { overloadCount: number; idleCount: number }, ReturnType<typeof spare.decide>['decision']]> = [
    // name, slots at the instant, fractions, state after (from 3/0), decision
    ['uWSGI case: both busy all along, overload spawns', 'bbcc', [1, 1, 0, 0], { overloadCount: 0, idleCount: 0 }, { spawn: 1, reason: 'spare: no idle worker for 4 cycles' }],
    ['both seen busy at the instant but 0.9 workers of work: one spare, no spawn', 'bbcc', [0.45, 0.45, 0, 0], { overloadCount: 2, idleCount: 0 }, null],
    ['both seen idle at the instant but 1.6 workers of work: overloaded', 'iicc', [0.8, 0.8, 0, 0], { overloadCount: 0, idleCount: 0 }, { spawn: 1, reason: 'spare: no idle worker for 4 cycles' }],
  ];
  for (const [name, slots, fractions, after, decision] of cases) {
    const out = spare.decide({ overloadCount: 3, idleCount: 0 }, snap(1000, slots, fractions ? { fractions } : {}), o, true);
    assert.deepEqual(out, { state: after, decision }, name);
  }
  // Cheaping: three workers sharing 0.9 workers of work are two spares: counted (and cheaped in time).
  const out = spare.decide({ overloadCount: 0, idleCount: 2 }, snap(1000, 'bbbc', { fractions: [0.3, 0.3, 0.3, 0] }), o, true);
  assert.deepEqual(out.decision, { cheap: 1, reason: 'spare: 2 idle workers for 3 cycles' });
  // Two sharing 0.9: exactly one spare, the stable state.
  assert.deepEqual(spare.decide({ overloadCount: 0, idleCount: 2 }, snap(1000, 'bbcc', { fractions: [0.45, 0.45, 0, 0] }), o, true), {
    state: { overloadCount: 0, idleCount: 2 },
    decision: null,
  });
});

test('spare2 and backlog read the interval too', () => {
  const o2 = opts('--workers 6 --cheaper 1 --cheaper-algo spare2 --cheaper-idle 3');
  // Seen busy at the instant, yet one worker's worth of the interval is idle: exactly `cheaper` idle, hold.
  assert.deepEqual(spare2.decide({ idleCount: 0 }, snap(1000, 'bbcccc', { fractions: [0.5, 0.4, 0, 0, 0, 0] }), o2, true).decision, null);
  // uWSGI's case unchanged: two fully busy, none idle: spawn.
  assert.deepEqual(spare2.decide({ idleCount: 0 }, snap(1000, 'bbcccc'), o2, true).decision, { spawn: 1, reason: 'spare2: 0 idle workers, want 1' });
  const ob = opts('--workers 4 --cheaper 1 --cheaper-algo backlog --cheaper-overload 3');
  // 9 waiting at the instant of the check, 0.4 on average over it: no spawn, and a cheap.
  assert.deepEqual(backlog.decide({}, snap(1000, 'biic', { backlog: 9, backlogMean: 0.4 }), ob, true).decision, { cheap: 1, reason: 'backlog: 0.4 waiting requests < 3' });
  assert.deepEqual(backlog.decide({}, snap(1000, 'biic', { backlog: 0, backlogMean: 7.25 }), ob, true).decision, { spawn: 1, reason: 'backlog: 7.3 waiting requests > 3' });
});

/**
 * A batching server under a steady load of `load` workers' worth of work, spread evenly over
 * the active workers (the dispatcher gives a batch to whichever is idle): each worker's state at
 * the check is busy with probability = its share (a seeded coin), and its busy ms grow by the
 * share of the interval. Returns the cycles with a decision.
 */
function steadyBatching(withFractions: boolean, load: number, cycles: number): number[] {
  const cheaper = createCheaper(opts('--workers 4 --cheaper 1 --cheaper-overload 3'))!;
  let seed = 42;
  const coin = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const slots = Array.from({ length: 4 }, (_, i) => ({ id: i + 1, status: (i === 0 ? 'idle' : 'cheap') as CheaperWorkerStatus, busyMs: 0, lastSpawn: 0 }));
  let mark = busyMark(slots, 0);
  const decided: number[] = [];
  for (let t = 1; t <= cycles; t++) {
    const active = slots.filter((s) => s.status === 'idle' || s.status === 'busy');
    // One worker can do at most one worker's worth; with fewer workers than the load, they saturate.
    const share = Math.min(1, load / active.length);
    for (const s of active) {
      s.busyMs += share * 1000;
      s.status = coin() < share ? 'busy' : 'idle';
    }
    const next = busyMark(slots, t * 1000);
    const fractions = busyFractions(mark, next);
    mark = next;
    const action = cheaper.decide(cheaperSnapshot(slots, { now: t * 1000, backlog: 0, rss: null, ...(withFractions ? { busyFractions: fractions } : {}) }));
    if (action === null) continue;
    decided.push(t);
    for (const id of action.workers) {
      const s = slots[id - 1]!;
      s.status = action.action === 'spawn' ? 'idle' : 'cheap';
    }
  }
  return decided;
}

test('regression (issue 15): under a steady batching load spare settles instead of flapping between 1 and 2 workers', () => {
  // v0.1 read the instant: 0.9 workers of work spread over 2 workers is a coin toss each check,
  // and spare spawned and cheaped all run long.
  const instant = steadyBatching(false, 0.9, 120);
  assert.ok(instant.filter((t) => t > 10).length >= 3, `the instant reading flaps: decisions at ${instant.join(',')}`);
  // Over the interval: one spawn (1 worker is overloaded at 0.9 + queueing), then nothing.
  for (const load of [0.9, 1.3, 1.7]) {
    const steady = steadyBatching(true, load, 120);
    assert.ok(steady.filter((t) => t > 10).length <= 1, `load ${load}: decisions at ${steady.join(',')}`);
  }
});
