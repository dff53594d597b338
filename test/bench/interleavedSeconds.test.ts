import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareInterleaved, replicateInterval } from '../../bench/interleavedSeconds.js';

test('odd seconds are compared with the even ones, and each with its two neighbours', () => {
  // A drifting machine: +1% per second; odd seconds lose 5% of what they would do.
  const series: Array<[number, number]> = [];
  for (let sec = 100; sec <= 120; sec++) {
    const base = 1000 * 1.01 ** (sec - 100);
    series.push([sec, sec % 2 ? base * 0.95 : base]);
  }
  const c = compareInterleaved(series);
  assert.equal(c.onSeconds, 10);
  assert.equal(c.offSeconds, 11);
  assert.equal(c.logRatios.length, 10);
  // Against the geometric mean of its neighbours each odd second is exactly -5%, drift or not.
  assert.ok(Math.abs(c.pairedChange + 0.05) < 1e-12, String(c.pairedChange));
  assert.ok(c.pairedTwoSe < 1e-9, 'no spread');
  assert.ok(c.change < -0.04 && c.change > -0.07, `plain means are close too: ${c.change}`);
});

test('the error comes from disjoint triples only', () => {
  // Odd seconds alternate -10% and 0% against neighbours of 100: all ten ratios spread, but the
  // disjoint triples (101, 105, 109, ...) are all -10%, so their error is 0.
  const series: Array<[number, number]> = [];
  for (let sec = 100; sec <= 120; sec++) series.push([sec, sec % 2 === 0 ? 100 : (sec - 101) % 4 === 0 ? 90 : 100]);
  const c = compareInterleaved(series);
  assert.equal(c.logRatios.length, 10);
  assert.ok(Math.abs(c.pairedChange - Math.expm1((5 * Math.log(0.9)) / 10)) < 1e-12);
  assert.equal(c.pairedTwoSe, 0);
});

test('gaps are skipped; too little data is an error', () => {
  const c = compareInterleaved([[10, 100], [11, 90], [12, 100], [14, 100], [15, 50]]);
  assert.equal(c.logRatios.length, 1, 'second 15 has no right neighbour');
  assert.ok(Math.abs(c.pairedChange + 0.1) < 1e-12);
  assert.throws(() => compareInterleaved([[11, 5], [12, 5]]), RangeError);
  assert.throws(() => compareInterleaved([]), RangeError);
});

test('rounds as replicates: a Student t interval', () => {
  const r = replicateInterval([-0.039, -0.036, -0.027]);
  assert.ok(Math.abs(r.mean + 0.034) < 1e-12);
  // sd 0.00624, se 0.0036, t(2) 4.303
  assert.ok(Math.abs(r.halfWidth - 4.303 * Math.sqrt(((0.005 ** 2 + 0.002 ** 2 + 0.007 ** 2) / 2) / 3)) < 1e-12);
  assert.ok(Number.isNaN(replicateInterval([1]).halfWidth));
  assert.throws(() => replicateInterval([]), RangeError);
});
