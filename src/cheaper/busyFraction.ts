/**
 * How busy the workers were over a whole check-interval, for the cheaper algorithms that uWSGI
 * wrote for one-request-per-worker servers (spare, spare2, backlog). Pure: the scaler keeps the
 * previous mark and passes both.
 */

/**
 * A worker counts as busy over an interval when it was busy for at least this fraction of it,
 * i.e. idle only if it was idle for most of the interval. Why one half: under a steady load a
 * batching worker is busy in many short bursts; its share of the interval is stable from one
 * check to the next while its state at the instant of the check is a coin toss weighted by that
 * share. One half is where "idle most of the time" starts, and it is the point a worker's load
 * must cross before moving it to a neighbour (see {@link packedBusy}) would leave that neighbour
 * busy for most of the interval too.
 */
export const BUSY_FOR_MOST = 0.5;

/** Each slot's cumulative busy ms at one instant, running batches included. */
export interface BusyMark {
  /** ms, the snapshot clock. */
  readonly at: number;
  /** Slot id -> busy ms so far. */
  readonly busyMs: ReadonlyMap<number, number>;
}

/** The fields of a slot a mark reads (the slots table's rows fit). */
export interface BusyClockRow {
  readonly id: number;
  /** Cumulative ms of completed batches. */
  readonly busyMs: number;
  /** When the running batch started (same clock as `at`), 0 when none runs. */
  readonly busySince?: number;
}

/** The busy ms of every slot at `at`, counting the running batch up to now. */
export function busyMark(rows: readonly BusyClockRow[], at: number): BusyMark {
  const busyMs = new Map<number, number>();
  for (const r of rows) busyMs.set(r.id, r.busyMs + (r.busySince ? Math.max(0, at - r.busySince) : 0));
  return { at, busyMs };
}

/**
 * Busy time / interval for each slot between two marks, clamped to [0, 1]. A slot missing from
 * `from` (or an empty interval) gets no entry: the caller falls back to the instant state.
 *
 * @example
 * busyFractions(busyMark([{ id: 1, busyMs: 0 }], 0), busyMark([{ id: 1, busyMs: 700 }], 1000)) // Map { 1 => 0.7 }
 */
export function busyFractions(from: BusyMark, to: BusyMark): Map<number, number> {
  const out = new Map<number, number>();
  const interval = to.at - from.at;
  if (!(interval > 0)) return out;
  for (const [id, ms] of to.busyMs) {
    const before = from.busyMs.get(id);
    if (before === undefined) continue;
    out.set(id, Math.min(1, Math.max(0, (ms - before) / interval)));
  }
  return out;
}

/**
 * How many of `active` workers were busy over the interval, counted as if the work (the sum of
 * their busy fractions, in workers' worth) were packed onto the fewest workers: the lowest
 * slots full, the next one with the remainder, busy when that remainder is at least
 * {@link BUSY_FOR_MOST}.
 *
 * Why packed and not each worker's own fraction: the dispatcher hands a batch to whichever
 * worker is idle, so under a steady load of short batches two workers each end up busy ~45% of
 * the time where one would be busy ~90%. Counted one by one, both look idle, spare cheaps one,
 * the survivor is overloaded and spare spawns again: the flapping this function removes. Packed,
 * the same load reads "one busy, one spare", spare's stable state. When every busy worker is busy
 * for the whole interval (uWSGI's case: one long request holds one worker), the load is a whole
 * number and this is exactly the count of busy workers, as uWSGI sees it.
 *
 * @example
 * packedBusy([0.45, 0.45], 2) // 1: 0.9 workers' worth of work
 * packedBusy([1, 1, 0], 3)    // 2: uWSGI's count
 */
export function packedBusy(fractions: readonly number[], active: number): number {
  let load = 0;
  for (const f of fractions) load += f;
  // Float noise (0.999999 for a worker busy all along) must not lose a whole worker.
  const whole = Math.floor(load + 1e-6);
  const busy = load - whole >= BUSY_FOR_MOST ? whole + 1 : whole;
  return Math.min(active, busy);
}
