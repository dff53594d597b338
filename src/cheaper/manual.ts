import { initialWorkers } from './initialWorkers.js';
import type { CheaperAlgorithm, CheaperOptions } from './types.js';

/** The target of {@link manual}: the number of workers an operator asked for. */
export interface ManualState {
  readonly target: number;
}

/**
 * A target clamped to what the config allows: at least `cheaper`, at most `workers`.
 *
 * @example
 * setManualTarget(state, state.target + 1, opts) // `mlserve workers +1`
 */
export function setManualTarget(state: ManualState, target: number, opts: CheaperOptions): ManualState {
  return { ...state, target: Math.max(opts.cheaper, Math.min(opts.workers, Math.trunc(target))) };
}

/**
 * `manual`: never changes the worker count by itself; an operator moves its target (uWSGI's
 * manual algorithm returns 0 and leaves changes to the master fifo's `+` and `-`). Each cycle
 * moves the running workers (ready or starting) toward the target: spawns all that are missing
 * at once (when spawning is allowed), cheaps the extra ones (idle ones only, oldest first).
 */
export const manual: CheaperAlgorithm<ManualState> = {
  name: 'manual',
  initial: (opts) => ({ target: initialWorkers(opts) }),
  decide(state, snap, _opts, canSpawn) {
    const running = snap.active + snap.starting;
    if (running < state.target) {
      const n = canSpawn ? Math.min(state.target - running, snap.cheap) : 0;
      return { state, decision: n > 0 ? { spawn: n, reason: `manual: target ${state.target} workers` } : null };
    }
    // Starting workers count as running, so a lowered target cheaps ready ones in their place.
    const excess = Math.min(running - state.target, snap.active);
    if (excess > 0) return { state, decision: { cheap: excess, reason: `manual: target ${state.target} workers` } };
    return { state, decision: null };
  },
  adjust: (state, delta, opts) => setManualTarget(state, state.target + delta, opts),
  view: (state) => ({ target: state.target }),
};
