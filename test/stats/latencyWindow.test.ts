import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyWindow, bucketValue, latencyBucket } from '../../src/stats/latencyWindow.js';
import { SecondRing } from '../../src/stats/secondRing.js';

const T0 = 1_700_000_000_000; // a whole second

test('buckets: monotonic, and a value is known within 5%', () => {
  let last = -1;
  for (let ms = 0.001; ms < 100_000; ms *= 1.01) {
    const b = latencyBucket(ms);
    assert.ok(b >= last, `bucket of ${ms}`);
    last = b;
    if (ms >= 0.01 && ms < 80_000) assert.ok(Math.abs(bucketValue(b) / ms - 1) < 0.05, `${ms} ms -> ${bucketValue(b)}`);
  }
  assert.equal(latencyBucket(0), 0);
  assert.equal(latencyBucket(NaN), 0);
});

test('percentiles by nearest rank over the window; one value is exact', () => {
  const w = new LatencyWindow();
  assert.deepEqual(w.stats(T0), { count: 0, p50: null, p90: null, p99: null });
  w.record(T0, 7.3);
  assert.deepEqual(w.stats(T0 + 10), { count: 1, p50: 7.3, p90: 7.3, p99: 7.3 }, 'clamped to the exact min and max');
  // 1..100 ms spread over 10 seconds.
  const w2 = new LatencyWindow();
  for (let i = 1; i <= 100; i++) w2.record(T0 + (i % 10) * 1000, i);
  const s = w2.stats(T0 + 9_999);
  assert.equal(s.count, 100);
  for (const [got, want] of [[s.p50, 50], [s.p90, 90], [s.p99, 99]] as const) {
    assert.ok(got !== null && Math.abs(got / want - 1) < 0.05, `${got} ~ ${want}`);
  }
});

test('values age out 60 s after their second (fake clock)', () => {
  const w = new LatencyWindow();
  w.record(T0 + 500, 1000);
  w.record(T0 + 30_000, 1);
  assert.equal(w.stats(T0 + 59_999).count, 2);
  assert.ok(Math.abs(w.stats(T0 + 59_999).p99! / 1000 - 1) < 0.05);
  const later = w.stats(T0 + 60_000);
  assert.deepEqual([later.count, later.p99], [1, 1], 'the slow request left the window');
  assert.equal(w.stats(T0 + 90_000).count, 0);
  // The ring's rows are reused: recording long after does not resurrect old counts.
  w.record(T0 + 120_500, 5);
  assert.deepEqual(w.stats(T0 + 120_600), { count: 1, p50: 5, p90: 5, p99: 5 });
});

test('SecondRing: fixed memory, stale rows reset, samples from before the ring dropped', () => {
  const r = new SecondRing(3, [0, -Infinity]);
  r.add(T0, 0, 2);
  r.max(T0, 1, 9);
  r.add(T0 + 3000, 0, 1); // same row, three seconds later: reset first
  assert.equal(r.get(T0 / 1000, 0), undefined);
  assert.equal(r.get(T0 / 1000 + 3, 0), 1);
  assert.equal(r.get(T0 / 1000 + 3, 1), -Infinity);
  r.add(T0, 0, 100); // the clock went back past the ring: dropped
  assert.equal(r.get(T0 / 1000 + 3, 0), 1);
  assert.throws(() => new SecondRing(0, [0]), RangeError);
});
