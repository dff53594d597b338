import { decheaped } from './slots.js';
import type { CheaperAlgorithm } from './types.js';

/** The counters of {@link spare}, uWSGI's two statics. */
export interface SpareState {
  /** Consecutive cycles with every active worker busy (decremented by a cycle with one idle). */
  readonly overloadCount: number;
  /** Cycles since the overload went away; a worker is cheaped every `cheaper-overload` of them. */
  readonly idleCount: number;
}

/**
 * uWSGI 2.0's default `spare` algorithm (core/master_utils.c, uwsgi_cheaper_algo_spare):
 * spawn `cheaper-step` workers once every active worker was busy for more than
 * `cheaper-overload` cycles; with no overload, keep exactly one spare worker, and cheap one
 * worker every `cheaper-overload` cycles down to `cheaper`.
 *
 * uWSGI 2.1 (master) spawns at `overload_count >= cheaper_overload`; 2.0 at `>`. We follow 2.0,
 * which is what users of the 2.0 series measured: with overload 3, a spawn every 4 cycles.
 *
 * mlserve differs in what "idle" means: uWSGI looks at each worker's state at the instant of the
 * check, which under batching (a worker busy for microseconds per batch) is a coin toss. Here a
 * worker is idle only if it was idle for most of the check-interval (`snap.intervalIdle`, see
 * src/cheaper/busyFraction.ts); with one request holding one worker for the whole interval both
 * readings agree.
 *
 * @example
 * let state = spare.initial(opts);
 * ({ state, decision } = spare.decide(state, snap, opts, true));
 */
export const spare: CheaperAlgorithm<SpareState> = {
  name: 'spare',
  initial: () => ({ overloadCount: 0, idleCount: 0 }),
  decide(state, snap, opts, canSpawn) {
    let { overloadCount, idleCount } = state;
    // Step 1: a single non-busy active worker means we are healthy.
    if (snap.intervalIdle > 0) {
      if (overloadCount > 0) overloadCount--;
    } else {
      overloadCount++;
      idleCount = 0;
    }

    if (canSpawn && overloadCount > opts.cheaperOverload) {
      const busyFor = overloadCount;
      // uWSGI resets the counter even when every slot already has a worker (decheaped = 0):
      // after a long load at the maximum the counter is small, so cheaping starts promptly.
      const n = decheaped(snap, opts.cheaperStep);
      const next = { overloadCount: 0, idleCount };
      return { state: next, decision: n > 0 ? { spawn: n, reason: `spare: no idle worker for ${busyFor} cycles` } : null };
    }
    if (overloadCount === 0) {
      // "stable state": exactly one spare worker, touch nothing (idle_count is not advanced).
      if (snap.intervalIdle === 1) {
        return { state: { overloadCount, idleCount }, decision: null };
      }
      idleCount++;
      if (snap.active > opts.cheaper && idleCount % opts.cheaperOverload === 0) {
        return {
          state: { overloadCount, idleCount },
          decision: { cheap: 1, reason: `spare: ${snap.intervalIdle} idle workers for ${idleCount} cycles` },
        };
      }
    }
    return { state: { overloadCount, idleCount }, decision: null };
  },
  view: (state) => ({ overloadCount: state.overloadCount, idleCount: state.idleCount }),
};
