/** Shape of the ramp: load doubling up to a peak and halving back down, then an idle tail. */
export interface RampOptions {
  /** Highest concurrency; the levels are the powers of two up to it (plus itself). */
  peak: number;
  /** Seconds each level is held. */
  stepS: number;
  /** Seconds at concurrency 0 after the last level, so scale-down shows. */
  tailS: number;
}

/**
 * The levels of the ramp: 1, 2, 4, ... up to `peak`, then back down to 1, the peak once.
 *
 * @example
 * rampLevels(8) // [1, 2, 4, 8, 4, 2, 1]
 */
export function rampLevels(peak: number): number[] {
  if (!Number.isInteger(peak) || peak < 1) throw new RangeError(`rampLevels: peak must be an integer >= 1, got ${peak}`);
  const up: number[] = [];
  for (let c = 1; c < peak; c *= 2) up.push(c);
  return [...up, peak, ...up.slice().reverse()];
}

/**
 * The ramp as one concurrency per second (the load generator reads entry `i` at second `i`):
 * rising then falling load, the profile of the seed's autoscaling article, so the cheaper's
 * spawns and cheaps can be watched against latency.
 *
 * @example
 * rampSchedule({ peak: 4, stepS: 2, tailS: 1 }) // [1, 1, 2, 2, 4, 4, 2, 2, 1, 1, 0]
 */
export function rampSchedule(options: RampOptions): number[] {
  const { peak, stepS, tailS } = options;
  if (!Number.isInteger(stepS) || stepS < 1) throw new RangeError(`rampSchedule: stepS must be an integer >= 1, got ${stepS}`);
  if (!Number.isInteger(tailS) || tailS < 0) throw new RangeError(`rampSchedule: tailS must be an integer >= 0, got ${tailS}`);
  return [...rampLevels(peak).flatMap((c) => Array<number>(stepS).fill(c)), ...Array<number>(tailS).fill(0)];
}
