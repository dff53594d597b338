/**
 * Helpers for the cheaper tests: options resolved through the real config (so defaults come
 * from the schema only), compact snapshots, and a simulated slot table driven in 1 s cycles.
 */
import { resolveConfig } from '../../src/config/resolve.js';
import { cheaperSnapshot } from '../../src/cheaper/cheaperSnapshot.js';
import type { Cheaper } from '../../src/cheaper/createCheaper.js';
import type { CheaperOptions, CheaperSnapshot, CheaperWorker, CheaperWorkerStatus } from '../../src/cheaper/types.js';

/** The resolved config for these flags, e.g. `opts('--workers 8 --cheaper 2')`. */
export function opts(flags = ''): CheaperOptions {
  return resolveConfig({ cwd: '/', argv: flags.split(/\s+/).filter(Boolean) }).config;
}

const statusOf: Readonly<Record<string, CheaperWorkerStatus>> = { c: 'cheap', s: 'starting', i: 'idle', b: 'busy', x: 'stopping' };

/**
 * A snapshot from one letter per slot (c cheap, s starting, i idle, b busy, x stopping):
 * `snap(5000, 'bbic')` is four slots, two busy, one idle, one cheap, at t = 5 s.
 */
export function snap(
  now: number,
  slots: string,
  extra: {
    backlog?: number;
    rss?: number | null;
    busyMs?: readonly number[];
    lastSpawn?: readonly number[];
    /** Busy fraction over the interval per slot (index = id - 1); absent: the instant state. */
    fractions?: readonly number[];
    backlogMean?: number;
  } = {},
): CheaperSnapshot {
  const workers: CheaperWorker[] = [...slots].map((letter, i) => {
    const status = statusOf[letter];
    if (status === undefined) throw new Error(`unknown slot letter ${letter}`);
    return { id: i + 1, status, busyMs: extra.busyMs?.[i] ?? 0, lastSpawn: extra.lastSpawn?.[i] ?? 0 };
  });
  const busyFractions = extra.fractions ? new Map(extra.fractions.map((f, i) => [i + 1, f])) : undefined;
  return cheaperSnapshot(workers, {
    now,
    backlog: extra.backlog ?? 0,
    rss: extra.rss ?? null,
    ...(busyFractions ? { busyFractions } : {}),
    ...(extra.backlogMean !== undefined ? { backlogMean: extra.backlogMean } : {}),
  });
}

/** One cycle of a simulation, after its action was applied. */
export interface Tick {
  readonly t: number;
  readonly active: number;
  readonly starting: number;
  readonly backlog: number;
  /** `spawn 3,4`, `cheap 1`, or null. */
  readonly action: string | null;
  readonly reason: string | null;
}

/** What a simulation runs. */
export interface Simulation {
  readonly workers: number;
  /** Slots 1..initial are ready at t = 0. */
  readonly initial: number;
  readonly cycles: number;
  /** Requests in the system during cycle t (running + waiting). */
  readonly demand: (t: number) => number;
  /**
   * Cycles from a spawn to ready: 0 = ready before the next check (uWSGI's forked worker);
   * 2 = still `starting` at the next check, ready at the one after.
   */
  readonly latency: number;
  readonly rss?: (active: number) => number | null;
}

/**
 * Drives `cheaper` once per 1 s cycle against a simulated slot table. Each cycle t (now = t s):
 * starting slots whose time has come become idle; the demand occupies the ready slots, lowest id
 * first (as the dispatcher does), the rest waits in the backlog; busy slots accrue 1000 busyMs;
 * then the cheaper decides and its action is applied at once: spawned slots start (ready after
 * `latency` cycles), cheaped slots lose their thread (they are idle, so they stop immediately).
 */
export function simulate(cheaper: Cheaper, sim: Simulation): Tick[] {
  const slots = Array.from({ length: sim.workers }, (_, i) => ({
    id: i + 1,
    status: (i < sim.initial ? 'idle' : 'cheap') as CheaperWorkerStatus,
    busyMs: 0,
    lastSpawn: 0,
    readyAt: 0,
  }));
  const ticks: Tick[] = [];
  for (let t = 1; t <= sim.cycles; t++) {
    for (const s of slots) if (s.status === 'starting' && s.readyAt <= t) s.status = 'idle';
    let demand = sim.demand(t);
    for (const s of slots) {
      if (s.status !== 'idle' && s.status !== 'busy') continue;
      s.status = demand > 0 ? 'busy' : 'idle';
      if (demand > 0) {
        demand--;
        s.busyMs += 1000;
      }
    }
    const active = slots.filter((s) => s.status === 'idle' || s.status === 'busy').length;
    const snapshot = cheaperSnapshot(slots, { now: t * 1000, backlog: demand, rss: sim.rss?.(active) ?? null });
    const action = cheaper.decide(snapshot);
    for (const id of action?.workers ?? []) {
      const s = slots[id - 1]!;
      if (action!.action === 'spawn') {
        s.lastSpawn = t * 1000;
        s.readyAt = t + sim.latency;
        s.status = sim.latency === 0 ? 'idle' : 'starting';
      } else {
        s.status = 'cheap';
      }
    }
    ticks.push({
      t,
      active: slots.filter((s) => s.status === 'idle' || s.status === 'busy').length,
      starting: slots.filter((s) => s.status === 'starting').length,
      backlog: demand,
      action: action === null ? null : `${action.action} ${action.workers.join(',')}`,
      reason: action?.reason ?? null,
    });
  }
  return ticks;
}

/** Only the cycles with an action: `{ 4: 'spawn 3,4', 8: 'spawn 5,6' }`. */
export function actions(ticks: readonly Tick[]): Record<number, string> {
  return Object.fromEntries(ticks.filter((k) => k.action !== null).map((k) => [k.t, k.action!]));
}
