import { decheaped } from './slots.js';
import type { CheaperAlgorithm } from './types.js';

/** The counter of {@link spare2}. */
export interface Spare2State {
  /** Consecutive cycles with more than `cheaper` idle workers. */
  readonly idleCount: number;
}

/**
 * uWSGI 2.1's `spare2` (core/master_utils.c, uwsgi_cheaper_algo_spare2): keep `cheaper` workers
 * idle. Fewer idle: spawn min(cheaper - idle, cheap slots, cheaper-step) at once, before the
 * workers are overloaded. Exactly `cheaper` idle: hold. More: after `cheaper-idle` consecutive
 * such cycles, cheap one.
 *
 * Unlike uWSGI, `cheaper-step` defaults to 1 here: uWSGI leaves it at 0 unless set, and its
 * spare2 then clamps every spawn to 0, so spare2 without `cheaper-step` never spawns.
 *
 * As in {@link spare}, "idle" is idle for most of the check-interval (`snap.intervalIdle`), not
 * at its last instant.
 */
export const spare2: CheaperAlgorithm<Spare2State> = {
  name: 'spare2',
  initial: () => ({ idleCount: 0 }),
  decide(state, snap, opts, canSpawn) {
    if (snap.intervalIdle < opts.cheaper) {
      if (!canSpawn) return { state: { idleCount: 0 }, decision: null };
      const n = Math.min(opts.cheaper - snap.intervalIdle, decheaped(snap, opts.cheaperStep));
      const decision = n > 0 ? { spawn: n, reason: `spare2: ${snap.intervalIdle} idle workers, want ${opts.cheaper}` } : null;
      return { state: { idleCount: 0 }, decision };
    }
    if (snap.intervalIdle === opts.cheaper) return { state: { idleCount: 0 }, decision: null };
    const idleCount = state.idleCount + 1;
    if (idleCount < opts.cheaperIdle) return { state: { idleCount }, decision: null };
    return {
      state: { idleCount: 0 },
      decision: { cheap: 1, reason: `spare2: ${snap.intervalIdle} idle workers for ${idleCount} cycles, want ${opts.cheaper}` },
    };
  },
  view: (state) => ({ idleCount: state.idleCount }),
};
