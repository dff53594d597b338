/** Throughput in seconds with a disturbance (odd epoch seconds) against seconds without (even). */
export interface InterleavedComparison {
  /** Seconds of each kind that were compared. */
  onSeconds: number;
  offSeconds: number;
  /** Mean requests per second over each kind. */
  meanOn: number;
  meanOff: number;
  /** meanOn / meanOff - 1. */
  change: number;
  /**
   * Each odd second against the geometric mean of the two even seconds around it, as a log
   * ratio: one value per odd second that has both neighbours. Adjacent seconds share the
   * machine's state, so these are free of its slow drift; logs keep the average unbiased.
   */
  logRatios: number[];
  /** exp(mean of logRatios) - 1: the change, second against neighbours. */
  pairedChange: number;
  /**
   * Twice the standard error of pairedChange, from every other odd second only: neighbouring
   * odd seconds share an even second, so their ratios are correlated and using them all would
   * understate the error.
   */
  pairedTwoSe: number;
}

/**
 * Compares the odd seconds (disturbed) with the even ones (quiet) of a per-second series of
 * `[epoch second, count]`, oldest first (gaps allowed).
 *
 * @throws RangeError when there is not one odd second with both neighbours.
 * @example
 * compareInterleaved([[10, 100], [11, 95], [12, 100]]).pairedChange; // -0.05
 */
export function compareInterleaved(series: ReadonlyArray<readonly [number, number]>): InterleavedComparison {
  const bySecond = new Map(series.map(([sec, n]) => [sec, n] as const));
  const on = series.filter(([sec]) => sec % 2 !== 0).map(([, n]) => n);
  const off = series.filter(([sec]) => sec % 2 === 0).map(([, n]) => n);
  const logRatios: number[] = [];
  const disjoint: number[] = [];
  let lastUsed = -Infinity;
  for (const [sec, n] of series) {
    if (sec % 2 === 0) continue;
    const before = bySecond.get(sec - 1);
    const after = bySecond.get(sec + 1);
    if (before === undefined || after === undefined || before <= 0 || after <= 0 || n <= 0) continue;
    const r = Math.log(n) - (Math.log(before) + Math.log(after)) / 2;
    logRatios.push(r);
    // Triples (sec-1, sec, sec+1) that share no second with the last one kept.
    if (sec - 1 > lastUsed) {
      disjoint.push(r);
      lastUsed = sec + 1;
    }
  }
  if (logRatios.length === 0) throw new RangeError('compareInterleaved: no odd second with both neighbours');
  const meanOn = mean(on);
  const meanOff = mean(off);
  const m = mean(logRatios);
  const se = disjoint.length > 1 ? Math.sqrt(sampleVariance(disjoint) / disjoint.length) : 0;
  return {
    onSeconds: on.length,
    offSeconds: off.length,
    meanOn,
    meanOff,
    change: meanOn / meanOff - 1,
    logRatios,
    pairedChange: Math.expm1(m),
    // The error of exp(m) - 1 near 0 is exp(m) times the error of m.
    pairedTwoSe: 2 * se * Math.exp(m),
  };
}

/** Mean ± half-width of a 95% Student t interval of a few replicated values (rounds). */
export function replicateInterval(values: readonly number[]): { mean: number; halfWidth: number } {
  if (values.length === 0) throw new RangeError('replicateInterval: no values');
  const m = mean(values);
  if (values.length === 1) return { mean: m, halfWidth: NaN };
  const t = T975[values.length - 1] ?? 1.96;
  return { mean: m, halfWidth: t * Math.sqrt(sampleVariance(values) / values.length) };
}

// Student t quantiles, 0.975, by degrees of freedom.
const T975: Record<number, number> = { 1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228 };

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sampleVariance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}
