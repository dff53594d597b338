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
   * Each odd second against the mean of the two even seconds around it, minus 1: one value per
   * odd second that has both neighbours. Adjacent seconds share the machine's state, so these
   * are free of its slow drift.
   */
  paired: number[];
  /** Mean of `paired`, and twice its standard error (a ~95% interval is mean ± this). */
  pairedMean: number;
  pairedTwoSe: number;
}

/**
 * Compares the odd seconds (disturbed) with the even ones (quiet) of a per-second series of
 * `[epoch second, count]`, oldest first (gaps allowed).
 *
 * @throws RangeError when there is not one odd second with both neighbours.
 * @example
 * compareInterleaved([[10, 100], [11, 95], [12, 100]]).pairedMean; // -0.05
 */
export function compareInterleaved(series: ReadonlyArray<readonly [number, number]>): InterleavedComparison {
  const bySecond = new Map(series.map(([sec, n]) => [sec, n] as const));
  const on = series.filter(([sec]) => sec % 2 !== 0).map(([, n]) => n);
  const off = series.filter(([sec]) => sec % 2 === 0).map(([, n]) => n);
  const paired: number[] = [];
  for (const [sec, n] of series) {
    if (sec % 2 === 0) continue;
    const before = bySecond.get(sec - 1);
    const after = bySecond.get(sec + 1);
    if (before === undefined || after === undefined || before + after === 0) continue;
    paired.push(n / ((before + after) / 2) - 1);
  }
  if (paired.length === 0) throw new RangeError('compareInterleaved: no odd second with both neighbours');
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanOn = mean(on);
  const meanOff = mean(off);
  const pairedMean = mean(paired);
  const variance = paired.length > 1 ? paired.reduce((a, x) => a + (x - pairedMean) ** 2, 0) / (paired.length - 1) : 0;
  return {
    onSeconds: on.length,
    offSeconds: off.length,
    meanOn,
    meanOff,
    change: meanOn / meanOff - 1,
    paired,
    pairedMean,
    pairedTwoSe: 2 * Math.sqrt(variance / paired.length),
  };
}
