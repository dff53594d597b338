/**
 * The scaler's part of issue 15: between two ticks it keeps the slots' busy clocks and the
 * backlog integral, so the cheaper sees how busy each worker was over the whole interval. A real
 * SlotTable driven by hand and a fake clock; the supervisor is a stub recording spawns and
 * retires (only `slots`, `spawn` and `retire` are used).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCheaper, type CheaperSnapshot } from '../../src/cheaper/index.js';
import { createLogger } from '../../src/log.js';
import { Scaler } from '../../src/master/scaler.js';
import { SlotTable } from '../../src/master/slotTable.js';
import type { Supervisor } from '../../src/master/supervisor.js';
import { opts } from '../cheaper/fixtures.js';
import { Writable } from 'node:stream';

function setup(flags: string) {
  const slots = new SlotTable(4);
  const calls: string[] = [];
  const supervisor = {
    slots,
    spawn: async (id: number) => void calls.push(`spawn ${id}`),
    retire: async (id: number) => void calls.push(`retire ${id}`),
  } as unknown as Supervisor;
  const cheaper = createCheaper(opts(flags))!;
  const seen: CheaperSnapshot[] = [];
  const decide = cheaper.decide.bind(cheaper);
  cheaper.decide = (snap) => (seen.push(snap), decide(snap));
  let now = 0;
  let area = 0;
  const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const scaler = new Scaler({ supervisor, cheaper, backlog: () => 0, backlogArea: () => area, rss: () => null, log, now: () => now });
  return {
    slots, calls, seen, scaler,
    at(t: number) { now = t; },
    addArea(a: number) { area += a; },
  };
}

test('each tick reads busy fractions over the interval, the running batch included, and the mean backlog', () => {
  const s = setup('--workers 4 --cheaper 1 --cheaper-overload 3');
  s.slots.starting(1, 0, false);
  s.slots.ready(1, 0, 11);
  s.slots.starting(2, 0, false);
  s.slots.ready(2, 0, 12);
  // Interval 1 (0..1000 ms): slot 1 runs a 450 ms batch; slot 2 one from 900 ms still running at the tick.
  s.slots.busy(1, 100);
  s.slots.batchDone(1, 550, 1, 1, 0);
  s.slots.busy(2, 900);
  s.addArea(2500); // 2.5 requests waiting on average over the second
  s.at(1000);
  s.scaler.tick();
  const snap = s.seen[0]!;
  assert.deepEqual(snap.workers.slice(0, 2).map((w) => w.busyFraction), [0.45, 0.1]);
  assert.deepEqual([snap.busy, snap.intervalBusy, snap.intervalIdle], [1, 1, 1], 'busy at the instant: slot 2; over the interval: 0.55 workers = one busy');
  assert.equal(snap.intervalBacklog, 2.5);
  // Interval 2: slot 2's batch ends at 1200 ms; nothing else.
  s.slots.batchDone(2, 1200, 1, 1, 0);
  s.at(2000);
  s.scaler.tick();
  assert.deepEqual(s.seen[1]!.workers.slice(0, 2).map((w) => w.busyFraction), [0, 0.2]);
  assert.equal(s.seen[1]!.intervalBacklog, 0);
});

test('a steady load spread over two workers holds: no spawn, no cheap, tick after tick', () => {
  const s = setup('--workers 4 --cheaper 1 --cheaper-overload 3');
  for (const id of [1, 2]) {
    s.slots.starting(id, 0, false);
    s.slots.ready(id, 0, 10 + id);
  }
  // Each second both workers run many short batches, 45% of the time each.
  for (let sec = 0; sec < 30; sec++) {
    const t0 = sec * 1000;
    for (let b = 0; b < 9; b++) {
      for (const id of [1, 2]) {
        s.slots.busy(id, t0 + b * 100 + 1);
        s.slots.batchDone(id, t0 + b * 100 + 51, 8, 8, 0);
      }
    }
    // Caught at the tick: neither, one, both, the other (the coin v0.1 tossed).
    const caught = [[], [1], [1, 2], [2]][sec % 4]!;
    for (const id of caught) s.slots.busy(id, t0 + 950);
    s.at(t0 + 1000);
    s.scaler.tick();
    for (const id of caught) s.slots.batchDone(id, t0 + 1000, 1, 1, 0);
  }
  // The instant reading was all over the place (both idle would cheap, both busy would count
  // toward a spawn); the interval reading is one busy, one spare, every tick.
  assert.deepEqual([...new Set(s.seen.map((snap) => snap.busy))].sort(), [0, 1, 2]);
  assert.deepEqual(s.calls, []);
  assert.ok(s.seen.every((snap) => snap.intervalBusy === 1 && snap.intervalIdle === 1));
});
