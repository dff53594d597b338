import { setTimeout as delay } from 'node:timers/promises';
import { cpuSnapshot, foreignCpu } from './foreignCpu.js';
import { treeMemory } from './procs.js';
import type { LoadRun } from './results.js';
import type { Target } from './targets.js';
import { runWrk, type WrkOptions } from './wrk.js';

/** What to send in {@link measureLoad}: wrk's options without the URL and the duration. */
export type LoadSpec = Omit<WrkOptions, 'url' | 'durationS'>;

/** A run during which other processes took more of the CPUs than this is taken again. */
export const BUSY_SHARE = 0.1;

/** How {@link measureLoad} treats runs disturbed by other processes. */
export interface RetryPolicy {
  /** Extra attempts when a run's foreign CPU share exceeds {@link BUSY_SHARE}. */
  retries: number;
  /** Longest wait, before a retry, for a second with foreign CPU under the threshold. */
  settleS: number;
  /** Seconds left for retries in the whole bench, shared by every run, so a machine busy all along cannot stretch the bench by many minutes. */
  budget: { leftS: number };
  log(line: string): void;
}

/**
 * Waits (up to `maxS`) for one second in which processes outside the bench use under
 * {@link BUSY_SHARE} of the CPUs. CPU time has no event to wait on: this samples /proc each second.
 */
async function settle(target: Target, maxS: number): Promise<void> {
  for (let i = 0; i < maxS; i++) {
    const before = cpuSnapshot(target.daemonPids());
    await delay(1000);
    if (foreignCpu(before, cpuSnapshot(target.daemonPids())).share < BUSY_SHARE) return;
  }
}

/**
 * One measured wrk run against `target` after a warm-up with the same load: the figures, the
 * server's memory right after, and the CPU other processes of the machine took meanwhile. On a
 * shared machine a run that others disturbed (over {@link BUSY_SHARE} of the CPUs) is taken
 * again, up to `retry.retries` times, and the least disturbed attempt is kept.
 */
export async function measureLoad(target: Target, load: LoadSpec, durationS: number, warmupS: number, retry?: RetryPolicy): Promise<LoadRun> {
  let best: LoadRun | undefined;
  for (let attempt = 1; ; attempt++) {
    if (warmupS > 0) await runWrk({ ...load, url: target.url, durationS: warmupS });
    const before = cpuSnapshot(target.daemonPids());
    const wrk = await runWrk({ ...load, url: target.url, durationS });
    const foreign = foreignCpu(before, cpuSnapshot(target.daemonPids()));
    const run: LoadRun = { wrk, memAfter: treeMemory(target.serverPid), foreign, attempts: attempt };
    if (best === undefined || run.foreign.share < best.foreign.share) best = { ...run };
    best.attempts = attempt;
    if (run.foreign.share <= BUSY_SHARE || !retry || attempt > retry.retries) return best;
    const cost = retry.settleS + warmupS + durationS;
    if (retry.budget.leftS < cost) {
      retry.log(`${target.name}: other processes took ${(run.foreign.share * 100).toFixed(0)}% of the CPUs; no retry time left`);
      return best;
    }
    retry.log(`${target.name}: other processes took ${(run.foreign.share * 100).toFixed(0)}% of the CPUs (${run.foreign.top.join(', ')}); measuring again`);
    const started = Date.now();
    await settle(target, retry.settleS);
    retry.budget.leftS -= (Date.now() - started) / 1000 + warmupS + durationS;
  }
}
