import { parseStats } from '../src/mltop/parseStats.js';
import { readStatsText } from '../src/mltop/statsTarget.js';

/**
 * Active workers in a uWSGI-style stats document (mlserve's or uWSGI 2.0's): the entries of
 * `workers[]` whose status is `idle` or `busy`. A `cheap` worker has no process or thread;
 * uWSGI's `pause` and `sig<N>` are neither serving nor about to, so they do not count either.
 *
 * @throws TypeError when the document has no `workers` array.
 * @example
 * activeWorkers({ workers: [{ status: 'busy' }, { status: 'idle' }, { status: 'cheap' }] }) // 2
 */
export function activeWorkers(doc: unknown): number {
  const workers = (doc as { workers?: unknown } | null)?.workers;
  if (!Array.isArray(workers)) throw new TypeError('stats document: no workers array');
  return workers.filter((w: unknown) => {
    const status = (w as { status?: unknown } | null)?.status;
    return status === 'idle' || status === 'busy';
  }).length;
}

/** Reads the stats socket at `path` once and counts its {@link activeWorkers}. */
export async function readActiveWorkers(path: string, timeoutMs = 900): Promise<number> {
  return activeWorkers(parseStats(await readStatsText({ kind: 'unix', path }, timeoutMs)));
}
