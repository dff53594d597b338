import { SecondRing } from './secondRing.js';
import type { LatencyStats } from './statsInput.js';

// A fixed log-scale histogram: bucket 0 holds [0, 10 µs), then 8 buckets per doubling up to
// ~84 s, the last one open-ended. A value is known within ±4.5% (half a bucket, 2^(1/16)), plus
// exact min and max per second, whatever the traffic: HdrHistogram's idea at a coarser grain.
const BASE_MS = 0.01;
const PER_DOUBLING = 8;
const BUCKETS = 1 + 23 * PER_DOUBLING;
const MIN = BUCKETS;
const MAX = BUCKETS + 1;
const COUNT = BUCKETS + 2;

/** The histogram bucket of a duration in ms. */
export function latencyBucket(ms: number): number {
  if (!(ms >= BASE_MS)) return 0;
  return Math.min(BUCKETS - 1, 1 + Math.floor(Math.log2(ms / BASE_MS) * PER_DOUBLING));
}

/** The value a bucket stands for: the geometric middle of its bounds, in ms. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return BASE_MS / 2;
  return BASE_MS * 2 ** ((bucket - 0.5) / PER_DOUBLING);
}

/**
 * Request latencies of the last `seconds` seconds (60 by default) and their percentiles, in
 * bounded memory: one histogram per second, in a {@link SecondRing}. A value recorded at `t`
 * counts while `now` is in the same second or one of the next `seconds - 1`.
 *
 * @example
 * const w = new LatencyWindow();
 * w.record(Date.now(), 12.5);
 * w.stats(Date.now()).p99; // ~12.5
 */
export class LatencyWindow {
  readonly #ring: SecondRing;

  constructor(seconds = 60) {
    const initial = new Array<number>(COUNT + 1).fill(0);
    initial[MIN] = Infinity;
    initial[MAX] = -Infinity;
    this.#ring = new SecondRing(seconds, initial);
  }

  /** Records one request of `ms` milliseconds, finished at `now` (epoch ms). */
  record(now: number, ms: number): void {
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.#ring.add(now, latencyBucket(value), 1);
    this.#ring.add(now, COUNT, 1);
    this.#ring.min(now, MIN, value);
    this.#ring.max(now, MAX, value);
  }

  /** Count and p50/p90/p99 (ms) of the window ending in the second of `now`. */
  stats(now: number): LatencyStats {
    const sec = Math.floor(now / 1000);
    const counts = new Float64Array(BUCKETS);
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    this.#ring.forEach(sec - this.#ring.seconds + 1, sec, (values, offset) => {
      for (let b = 0; b < BUCKETS; b++) counts[b]! += values[offset + b]!;
      count += values[offset + COUNT]!;
      min = Math.min(min, values[offset + MIN]!);
      max = Math.max(max, values[offset + MAX]!);
    });
    if (count === 0) return { count: 0, p50: null, p90: null, p99: null };
    const at = (q: number): number => {
      // Nearest rank: the smallest value with at least q of the values at or below it.
      const rank = Math.max(1, Math.ceil(q * count));
      let seen = 0;
      for (let b = 0; b < BUCKETS; b++) {
        seen += counts[b]!;
        if (seen >= rank) return Math.min(max, Math.max(min, bucketValue(b)));
      }
      return max;
    };
    return { count, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
  }
}
