import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { descendants, procTable, type ProcStat } from './procs.js';

/** Linux's USER_HZ: /proc reports CPU times in 1/100 s on every architecture Node runs on. */
const TICKS_PER_S = 100;

/**
 * CPU time used by processes that are not the bench's while it measured: other engineers' tests
 * on a shared 2-core machine. The load average says the machine was busy before a run; this says
 * how much of the run's CPU someone else took.
 */
export interface ForeignCpu {
  /** CPU seconds used outside the bench's process trees. */
  cpuS: number;
  /** That as a share of the machine over the run: cpuS / (wall s × CPUs), 0..1. */
  share: number;
  /** The biggest foreign users still alive at the end (their reaped children included), "comm (pid) 1.2 s", largest first, at most three. */
  top: string[];
}

/** What {@link foreignCpu} compares: the machine's CPU time and the bench's, at one moment. */
export interface CpuSnapshot {
  at: number;
  /** user + nice + system ticks of all CPUs, from /proc/stat. */
  machineTicks: number;
  /** CPU ticks of the bench's processes, their reaped children included. */
  oursTicks: number;
  /** Every process, for naming the biggest foreign users. */
  table: ReadonlyMap<number, ProcStat>;
  ours: ReadonlySet<number>;
}

/**
 * Reads /proc now. `roots` are the bench's process trees besides its own (daemons it started
 * that were reparented away from it: the peer's uWSGI and nginx).
 */
export function cpuSnapshot(roots: readonly number[] = []): CpuSnapshot {
  const machineTicks = machineBusyTicks(readFileSync('/proc/stat', 'utf8'));
  const table = procTable();
  const ours = descendants(table, [process.pid, ...roots]);
  let oursTicks = 0;
  for (const pid of ours) oursTicks += table.get(pid)!.cpuTicks;
  return { at: performance.now(), machineTicks, oursTicks, table, ours };
}

/**
 * user + nice + system ticks of the `cpu` line of /proc/stat: time the CPUs ran processes. irq
 * and softirq are left out: on loopback most of them are the bench's own traffic, which no
 * process is charged for.
 */
export function machineBusyTicks(procStat: string): number {
  const line = /^cpu\s+(.+)$/m.exec(procStat);
  if (!line) throw new Error('/proc/stat has no cpu line');
  const [user = 0, nice = 0, system = 0] = line[1]!.trim().split(/\s+/).map(Number);
  return user + nice + system;
}

/**
 * Foreign CPU between two snapshots: the machine's busy time minus the bench's. The bench's is
 * summed with each process's reaped children (cutime), so a wrk that ran and was reaped in
 * between, or a uWSGI worker the cheaper killed, still counts as the bench's; a foreign process
 * is counted whether or not it lived through the whole run, which a per-process sum would miss.
 */
export function foreignCpu(before: CpuSnapshot, after: CpuSnapshot, cpus: number = availableParallelism()): ForeignCpu {
  const ticks = Math.max(0, after.machineTicks - before.machineTicks - (after.oursTicks - before.oursTicks));
  const users: Array<[string, number]> = [];
  for (const [pid, stat] of after.table) {
    if (after.ours.has(pid) || before.ours.has(pid)) continue;
    const earlier = before.table.get(pid);
    // With reaped children's time, so a test runner shows its tests' CPU; but init's own time
    // only: it reaps every orphan, and an orphan's whole life would land in one run.
    const ticks = (st: ProcStat): number => (pid === 1 ? st.cpuTicks - st.childTicks : st.cpuTicks);
    const used = earlier !== undefined && ticks(earlier) <= ticks(stat) ? ticks(stat) - ticks(earlier) : ticks(stat);
    if (used > 0) users.push([`${stat.comm} (${pid}) ${(used / TICKS_PER_S).toFixed(1)} s`, used]);
  }
  const cpuS = ticks / TICKS_PER_S;
  const wallS = (after.at - before.at) / 1000;
  const top = users.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([label]) => label);
  return { cpuS, share: wallS > 0 ? Math.min(1, cpuS / (wallS * cpus)) : 0, top };
}
