import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlotTable } from '../../src/master/slotTable.js';

test('SlotTable spawns into the lowest cheap slot and leases the lowest idle one', () => {
  const t = new SlotTable(4);
  assert.equal(t.firstCheap(), 1);
  t.starting(1, 1000, false);
  t.starting(2, 1000, false);
  assert.equal(t.firstCheap(), 3);
  assert.equal(t.firstIdle(), 0, 'a starting slot takes no work');
  t.ready(2, 1500, 7);
  t.ready(1, 1600, 6);
  assert.equal(t.firstIdle(), 1);
  assert.deepEqual(t.counts(), { cheap: 2, starting: 0, idle: 2, busy: 0, stopping: 0, failed: 0 });
  assert.equal(t.get(2).spawnMs, 500);
});

test('SlotTable accounts batches like uWSGI counts requests, and keeps totals across respawns', () => {
  const t = new SlotTable(2);
  t.starting(1, 0, false);
  t.ready(1, 10, 5);
  t.busy(1, 100);
  t.batchDone(1, 102, 3, 5, 0); // 3 requests, 5 rows, 2 ms
  t.addTx(1, 120);
  let s = t.get(1);
  assert.equal(s.status, 'idle');
  assert.equal(s.requests, 3);
  assert.equal(s.deltaRequests, 3);
  assert.equal(s.rows, 5);
  assert.equal(s.runningTimeUs, 2000);
  assert.equal(s.avgRtUs, 2000);
  assert.equal(s.tx, 120);
  t.busy(1, 200);
  t.batchDone(1, 204, 1, 1, 1);
  s = t.get(1);
  assert.equal(s.avgRtUs, 3000, 'uWSGI avg_rt = (avg + last) / 2');
  assert.equal(s.exceptions, 1);
  // The thread dies and is replaced: delta_requests restarts, requests and respawn_count carry on.
  t.cheap(1);
  t.starting(1, 500, true);
  s = t.get(1);
  assert.equal(s.status, 'starting');
  assert.equal(s.requests, 4);
  assert.equal(s.deltaRequests, 0);
  assert.equal(s.respawnCount, 1);
  assert.throws(() => t.get(3), RangeError);
});
