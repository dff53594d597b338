import { packedBusy } from './busyFraction.js';
import type { CheaperSnapshot, CheaperWorker } from './types.js';
import { countActive } from './active.js';

/** What the master observed besides the slots, for {@link cheaperSnapshot}. */
export interface CheaperObservation {
  readonly now: number;
  readonly backlog: number;
  readonly rss: number | null;
  /** Slot id -> busy fraction over the check-interval (busyFractions); absent: the instant state. */
  readonly busyFractions?: ReadonlyMap<number, number>;
  /** Mean queue length over the interval; absent: `backlog`. */
  readonly backlogMean?: number;
}

/**
 * Builds the snapshot the cheaper algorithms read from the slots (the slots table's
 * `snapshot()` rows fit as they are), so the counts always agree with the rows.
 *
 * @example
 * const snap = cheaperSnapshot(supervisor.slots.snapshot(), { now: performance.now(), backlog: queue.length, rss: null });
 */
export function cheaperSnapshot(workers: readonly CheaperWorker[], observed: CheaperObservation): CheaperSnapshot {
  const count = (status: CheaperWorker['status']): number => workers.filter((w) => w.status === status).length;
  const idle = count('idle');
  const busy = count('busy');
  const views = workers.map(({ id, status, busyMs, lastSpawn }) => {
    const instant = status === 'busy' ? 1 : 0;
    return { id, status, busyMs, lastSpawn, busyFraction: observed.busyFractions?.get(id) ?? instant };
  });
  const active = idle + busy;
  const activeFractions = views.filter((w) => w.status === 'idle' || w.status === 'busy').map((w) => w.busyFraction);
  const intervalBusy = packedBusy(activeFractions, active);
  return {
    now: observed.now,
    total: workers.length,
    active,
    idle,
    busy,
    intervalBusy,
    intervalIdle: active - intervalBusy,
    starting: count('starting'),
    cheap: count('cheap'),
    backlog: observed.backlog,
    intervalBacklog: observed.backlogMean ?? observed.backlog,
    workers: views,
    rss: observed.rss,
  };
}
