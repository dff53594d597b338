import type { Logger } from '../log.js';
import { busyFractions, busyMark, cheaperSnapshot, type BusyMark, type Cheaper, type CheaperAction } from '../cheaper/index.js';
import type { Supervisor } from './supervisor.js';

/** Options of {@link Scaler}. */
export interface ScalerOptions {
  supervisor: Supervisor;
  cheaper: Cheaper;
  /** Requests waiting for a worker, read each cycle (uWSGI's listen queue). */
  backlog: () => number;
  /**
   * Cumulative waiting requests x ms (the queue length integrated over time, on `now`'s clock),
   * so a cycle reads the mean backlog over its interval; absent: the instant backlog.
   */
  backlogArea?: () => number;
  /** Memory of the active workers, bytes, or null when not measured (rss limits off). */
  rss: () => number | null;
  log: Logger;
  now?: () => number;
}

/**
 * The cheaper loop's effects: once per check-interval, snapshot the slots, ask the cheaper
 * algorithm, and apply its action — spawn threads into the named cheap slots, retire the named
 * idle workers — with a log line that says why. The decision itself is pure (src/cheaper/).
 *
 * Between two ticks it keeps where the busy clocks and the backlog integral stood at the last
 * one, so each snapshot says how busy each worker was over the whole interval.
 */
export class Scaler {
  readonly #opts: ScalerOptions;
  readonly #now: () => number;
  #mark: BusyMark;
  #area: { at: number; value: number } | null;

  constructor(options: ScalerOptions) {
    this.#opts = options;
    // The cheaper runs on the monotonic clock (the stats convert its decision times); the slots'
    // busySince is on the same clock.
    this.#now = options.now ?? (() => performance.now());
    const now = this.#now();
    this.#mark = busyMark(options.supervisor.slots.snapshot(), now);
    this.#area = options.backlogArea ? { at: now, value: options.backlogArea() } : null;
  }

  get cheaper(): Cheaper {
    return this.#opts.cheaper;
  }

  /** One check-interval cycle; returns the action taken (or null). */
  tick(): CheaperAction | null {
    const { supervisor, cheaper, log } = this.#opts;
    const now = this.#now();
    const rows = supervisor.slots.snapshot();
    const mark = busyMark(rows, now);
    const fractions = busyFractions(this.#mark, mark);
    this.#mark = mark;
    const snap = cheaperSnapshot(rows, {
      now,
      backlog: this.#opts.backlog(),
      rss: this.#opts.rss(),
      busyFractions: fractions,
      ...this.#backlogMean(now),
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

  #backlogMean(now: number): { backlogMean?: number } {
    const read = this.#opts.backlogArea;
    if (!read || !this.#area) return {};
    const value = read();
    const span = now - this.#area.at;
    const mean = span > 0 ? (value - this.#area.value) / span : undefined;
    this.#area = { at: now, value };
    return mean === undefined ? {} : { backlogMean: mean };
  }
}
