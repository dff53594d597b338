import type { Logger } from '../log.js';
import { cheaperSnapshot, type Cheaper, type CheaperAction } from '../cheaper/index.js';
import type { Supervisor } from './supervisor.js';

/** Options of {@link Scaler}. */
export interface ScalerOptions {
  supervisor: Supervisor;
  cheaper: Cheaper;
  /** Requests waiting for a worker, read each cycle (uWSGI's listen queue). */
  backlog: () => number;
  /** Memory of the active workers, bytes, or null when not measured (rss limits off). */
  rss: () => number | null;
  log: Logger;
  now?: () => number;
}

/**
 * The cheaper loop's effects: once per check-interval, snapshot the slots, ask the cheaper
 * algorithm, and apply its action — spawn threads into the named cheap slots, retire the named
 * idle workers — with a log line that says why. The decision itself is pure (src/cheaper/).
 */
export class Scaler {
  readonly #opts: ScalerOptions;
  readonly #now: () => number;

  constructor(options: ScalerOptions) {
    this.#opts = options;
    // The cheaper runs on the monotonic clock (the stats convert its decision times).
    this.#now = options.now ?? (() => performance.now());
  }

  get cheaper(): Cheaper {
    return this.#opts.cheaper;
  }

  /** One check-interval cycle; returns the action taken (or null). */
  tick(): CheaperAction | null {
    const { supervisor, cheaper, log } = this.#opts;
    const snap = cheaperSnapshot(supervisor.slots.snapshot(), {
      now: this.#now(),
      backlog: this.#opts.backlog(),
      rss: this.#opts.rss(),
    });
    const action = cheaper.decide(snap);
    if (!action) return null;
    for (const id of action.workers) {
      if (action.action === 'spawn') {
        log.info({ worker: id, algo: cheaper.algorithm, reason: action.reason }, `spawned worker ${id} (${action.reason})`);
        // A failed start is logged by the supervisor, which retries it under its respawn policy.
        supervisor.spawn(id).catch(() => {});
      } else {
        log.info({ worker: id, algo: cheaper.algorithm, reason: action.reason }, `cheaped worker ${id} (${action.reason})`);
        void supervisor.retire(id);
      }
    }
    return action;
  }
}
