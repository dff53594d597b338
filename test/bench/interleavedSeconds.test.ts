import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareInterleaved } from '../../bench/interleavedSeconds.js';

test('odd seconds are compared with the even ones, and each with its two neighbours', () => {
  // A drifting machine: +10 req/s per second; odd seconds lose 5% of what they would do.
  const series: Array<[number, number]> = [];
  for (let sec = 100; sec <= 120; sec++) {
    const base = 1000 + 10 * (sec - 100);
    series.push([sec, sec % 2 ? base * 0.95 : base]);
  }
  const c = compareInterleaved(series);
  assert.equal(c.onSeconds, 10);
  assert.equal(c.offSeconds, 11);
  assert.equal(c.paired.length, 10);
  // Each odd second against the mean of its neighbours is exactly -5%, drift or not.
  for (const p of c.paired) assert.ok(Math.abs(p + 0.05) < 1e-12, String(p));
  assert.ok(Math.abs(c.pairedMean + 0.05) < 1e-12);
  assert.ok(c.pairedTwoSe < 1e-9, 'no spread');
  assert.ok(c.change < -0.04 && c.change > -0.07, `plain means are close too: ${c.change}`);
});

test('gaps are skipped; too little data is an error', () => {
  const c = compareInterleaved([[10, 100], [11, 90], [12, 100], [14, 100], [15, 50]]);
  assert.deepEqual(c.paired.map((p) => Math.round(p * 100) / 100), [-0.1], 'second 15 has no right neighbour');
  assert.throws(() => compareInterleaved([[11, 5], [12, 5]]), RangeError);
  assert.throws(() => compareInterleaved([]), RangeError);
});
