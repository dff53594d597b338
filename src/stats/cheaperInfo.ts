import type { Cheaper } from '../cheaper/index.js';
import type { CheaperInfo } from './statsInput.js';

/**
 * The cheaper's part of a StatsInput: its algorithm, its counters and its last action. The
 * cheaper runs on the monotonic clock (`snap.now` is performance.now()), the document on epoch
 * ms: `now` and `perfNow` are the same instant on both, to convert the decision's time.
 *
 * @example
 * const input = { ...facts, cheaper: cheaperInfo(master.cheaper, Date.now(), performance.now()) };
 */
export function cheaperInfo(cheaper: Pick<Cheaper, 'algorithm' | 'state' | 'lastDecision'> | null, now: number, perfNow: number): CheaperInfo | null {
  if (!cheaper) return null;
  const last = cheaper.lastDecision;
  return {
    algo: cheaper.algorithm,
    state: { ...cheaper.state() },
    lastDecision: last && {
      at: Math.round(now - (perfNow - last.at)),
      action: last.action,
      n: last.workers.length,
      reason: last.workers.length > 0 ? `worker ${last.workers.join(',')}: ${last.reason}` : last.reason,
    },
  };
}
