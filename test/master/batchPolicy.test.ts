import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchCount } from '../../src/master/batchPolicy.js';

test('batchCount takes waiting requests in order while their rows fit', () => {
  const cases: [number[], number, number][] = [
    [[], 32, 0],
    [[1], 32, 1],
    [[1, 1, 1], 32, 3],
    [Array(40).fill(1), 32, 32],
    [[1, 1, 30, 1], 32, 3], // exactly full
    [[1, 1, 31, 1], 32, 2], // the 31-row request would overflow: FIFO, no skipping ahead
    [[16, 16, 1], 32, 2],
    [[300, 1], 32, 1], // a POST larger than a batch goes alone, unsplit
    [[5], 1, 1],
  ];
  for (const [rows, max, want] of cases) assert.equal(batchCount(rows, max), want, `${JSON.stringify(rows)} max ${max}`);
});

test('holdMicros: a partial batch waits up to batch-timeout-micros from its oldest request', async () => {
  const { holdMicros } = await import('../../src/master/batchPolicy.js');
  assert.equal(holdMicros(3, 32, 400, 0), 0, 'timeout 0 (the default) never waits');
  assert.equal(holdMicros(3, 32, 400, 1000), 600);
  assert.equal(holdMicros(3, 32, 1500, 1000), 0, 'expired: send what there is');
  assert.equal(holdMicros(32, 32, 0, 1000), 0, 'a full batch leaves at once');
});

test('lingerMicros: a partial batch that arrived in a crowd waits, one that arrived alone never', async () => {
  const { lingerMicros } = await import('../../src/master/batchPolicy.js');
  assert.equal(lingerMicros(2, 32, 100, 500, true), 400, 'crowded: wait up to the rest of the linger');
  assert.equal(lingerMicros(1, 32, 0, 500, false), 0, 'alone (c=1): send at once');
  assert.equal(lingerMicros(2, 32, 600, 500, true), 0, 'the oldest waited the whole linger: send');
  assert.equal(lingerMicros(32, 32, 0, 500, true), 0, 'a full batch leaves at once');
  assert.equal(lingerMicros(2, 32, 0, 0, true), 0, 'batch-linger-micros = 0 turns it off');
});

test('queueHasRoom: bounded by listen (requests) and max-enqueued-batches (rows)', async () => {
  const { queueHasRoom } = await import('../../src/master/batchPolicy.js');
  const limits = { listen: 3, maxEnqueuedBatches: 2, maxBatchSize: 32 };
  assert.equal(queueHasRoom({ requests: 0, rows: 0 }, 1, limits), true);
  assert.equal(queueHasRoom({ requests: 3, rows: 3 }, 1, limits), false, 'listen reached');
  assert.equal(queueHasRoom({ requests: 1, rows: 60 }, 4, limits), true, '64 rows = 2 batches: fits');
  assert.equal(queueHasRoom({ requests: 1, rows: 60 }, 5, limits), false, '65 rows do not');
  assert.equal(queueHasRoom({ requests: 0, rows: 0 }, 256, limits), true, 'an empty queue takes even a large POST');
});
