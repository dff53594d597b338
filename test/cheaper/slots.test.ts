import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cheaperSnapshot } from '../../src/cheaper/cheaperSnapshot.js';
import { pickCheapVictim, pickCheapVictims, pickSpawnSlots } from '../../src/cheaper/slots.js';
import { snap } from './fixtures.js';

test('pickCheapVictim: the idle worker with the oldest spawn, ties to the lowest id, never a busy one', () => {
  const cases: Array<[string, string, number[], number]> = [
    ['oldest idle', 'iii', [3000, 1000, 2000], 2],
    ['tie: lowest id', 'iii', [1000, 1000, 1000], 1],
    ['tie among the oldest', 'iii', [2000, 1000, 1000], 2],
    ['a busy worker is never picked, even the oldest', 'bii', [0, 2000, 1000], 3],
    ['starting and stopping are not idle', 'sxi', [0, 0, 5000], 3],
    ['none idle: 0', 'bbsxc', [0, 0, 0, 0, 0], 0],
  ];
  for (const [name, slots, lastSpawn, expected] of cases) {
    assert.equal(pickCheapVictim(snap(9000, slots, { lastSpawn })), expected, name);
  }
});

test('pickCheapVictims: in cheap order, as many as there are idle workers', () => {
  assert.deepEqual(pickCheapVictims(snap(0, 'ibii', { lastSpawn: [5, 0, 3, 3] }), 5), [3, 4, 1]);
  assert.deepEqual(pickCheapVictims(snap(0, 'ibii', { lastSpawn: [5, 0, 3, 3] }), 2), [3, 4]);
});

test('pickSpawnSlots: the lowest cheap slots (uWSGI spawns into the first cheaped ones)', () => {
  assert.deepEqual(pickSpawnSlots(snap(0, 'icbcxc'), 2), [2, 4]);
  assert.deepEqual(pickSpawnSlots(snap(0, 'icbcxc'), 9), [2, 4, 6]);
  assert.deepEqual(pickSpawnSlots(snap(0, 'ib'), 1), []);
});

test('cheaperSnapshot counts each status; active is idle + busy', () => {
  const s = cheaperSnapshot(
    [
      { id: 1, status: 'idle', busyMs: 1, lastSpawn: 0 },
      { id: 2, status: 'busy', busyMs: 2, lastSpawn: 0 },
      { id: 3, status: 'starting', busyMs: 0, lastSpawn: 0 },
      { id: 4, status: 'stopping', busyMs: 0, lastSpawn: 0 },
      { id: 5, status: 'cheap', busyMs: 0, lastSpawn: 0 },
    ],
    { now: 7, backlog: 3, rss: null },
  );
  assert.deepEqual(
    { total: s.total, active: s.active, idle: s.idle, busy: s.busy, starting: s.starting, cheap: s.cheap, backlog: s.backlog, now: s.now },
    { total: 5, active: 2, idle: 1, busy: 1, starting: 1, cheap: 1, backlog: 3, now: 7 },
  );
});
