import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile } from '../../bench/percentile.js';

test('nearest rank: every percentile is a measured value', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 99), 1000, 'p99 of 10 values is the largest');
  assert.equal(median([5, 1, 3, 2, 4]), 3);
  assert.equal(median([4, 1, 3, 2]), 2, 'an even count gives the lower middle');
});

test('the input is not reordered, and no values give NaN', () => {
  const values = [3, 1, 2];
  percentile(values, 50);
  assert.deepEqual(values, [3, 1, 2]);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('p outside (0, 100] is refused', () => {
  assert.throws(() => percentile([1], 0), RangeError);
  assert.throws(() => percentile([1], 101), RangeError);
});
