import type { CheaperSnapshot, CheaperWorker } from './types.js';
import { countActive } from './active.js';

/**
 * Builds the snapshot the cheaper algorithms read from the slots (the slots table's
 * `snapshot()` rows fit as they are), so the counts always agree with the rows.
 *
 * @example
 * const snap = cheaperSnapshot(supervisor.slots.snapshot(), { now: performance.now(), backlog: queue.length, rss: null });
 */
export function cheaperSnapshot(
  workers: readonly CheaperWorker[],
  observed: { readonly now: number; readonly backlog: number; readonly rss: number | null },
): CheaperSnapshot {
  const count = (status: CheaperWorker['status']): number => workers.filter((w) => w.status === status).length;
  const idle = count('idle');
  const busy = count('busy');
  return {
    now: observed.now,
    total: workers.length,
    active: countActive(workers),
    idle,
    busy,
    starting: count('starting'),
    cheap: count('cheap'),
    backlog: observed.backlog,
    workers: workers.map(({ id, status, busyMs, lastSpawn }) => ({ id, status, busyMs, lastSpawn })),
    rss: observed.rss,
  };
}
