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
