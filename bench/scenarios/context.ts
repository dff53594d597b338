import type { RetryPolicy } from '../measure.js';
import type { BenchOptions } from '../options.js';

/** What every part of the bench gets from bench.ts. */
export interface BenchContext {
  options: BenchOptions;
  /** Model base dir (integer version subdirs) mlserve serves. */
  modelBase: string;
  /** The version dir it resolves to, which the peer is given. */
  modelDir: string;
  /** GET /predict?text=... paths over real Reuters test texts, fitted for both servers. */
  getPaths: string[];
  /** Progress lines, to stderr. */
  log(line: string): void;
  /** What is left of the time the whole bench may spend measuring disturbed runs again. */
  retryBudget: { leftS: number };
}

/** The retry policy of measured wrk runs, from the options. */
export function retryPolicy(ctx: BenchContext): RetryPolicy {
  return { retries: ctx.options.retries, settleS: 15, budget: ctx.retryBudget, log: ctx.log };
}
