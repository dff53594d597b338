/**
 * Shared shapes of the cheaper algorithms (uWSGI's adaptive worker count): what the master
 * observes each check-interval, what an algorithm answers, and the options they read. No code
 * here; the algorithms are pure functions of (state, snapshot) and never read a clock.
 */
import type { Config } from '../config/schema.js';

/** A worker slot's status, as in the slots table. */
export type CheaperWorkerStatus = 'cheap' | 'starting' | 'idle' | 'busy' | 'stopping' | 'failed';

/** One slot as the cheaper sees it; the slots table's rows fit this shape as they are. */
export interface CheaperWorker {
  readonly id: number;
  readonly status: CheaperWorkerStatus;
  /**
   * Cumulative ms spent running batches (uWSGI `running_time`). Completed batches are enough:
   * busyness counts a worker seen busy with no completed batch in a window as 100% busy, as
   * uWSGI does for requests longer than the window.
   */
  readonly busyMs: number;
  /** When the slot's current thread was spawned, ms, any clock (only compared between slots). */
  readonly lastSpawn: number;
}

/** A slot in a snapshot: {@link CheaperWorker} plus how busy it was over the check-interval. */
export interface CheaperWorkerView extends CheaperWorker {
  /**
   * Busy time / check-interval, 0..1. Without a previous mark (the first cycle, or a caller that
   * passes none) the instant state: 1 when busy, else 0, which is what uWSGI reads.
   */
  readonly busyFraction: number;
}

/** What the master observes each check-interval. Build it with {@link cheaperSnapshot}. */
export interface CheaperSnapshot {
  /** ms, monotonic (a fake clock in tests). */
  readonly now: number;
  /** Slots: `workers`. */
  readonly total: number;
  /** Slots with a ready thread (idle + busy): uWSGI's "active" workers. */
  readonly active: number;
  /** At the instant of the check. */
  readonly idle: number;
  readonly busy: number;
  /**
   * Active workers busy over the interval, the work packed onto the fewest workers
   * (src/cheaper/busyFraction.ts, packedBusy): what spare and spare2 count. Equals `busy` when
   * every busy worker was busy for the whole interval (uWSGI's one request = one worker).
   */
  readonly intervalBusy: number;
  /** `active - intervalBusy`: workers idle for most of the interval. */
  readonly intervalIdle: number;
  /** Spawned, not yet ready: counts against spawning more (a spawn is in flight). */
  readonly starting: number;
  /** Slots with no thread: what can be spawned into. */
  readonly cheap: number;
  /** Requests waiting for a worker at the instant (our queue; uWSGI's listen queue). */
  readonly backlog: number;
  /** Requests waiting, averaged over the interval (time-weighted); `backlog` when unknown. */
  readonly intervalBacklog: number;
  readonly workers: readonly CheaperWorkerView[];
  /** Bytes summed over active workers, null when unknown (the rss limits are then inactive). */
  readonly rss: number | null;
}

/** An algorithm's answer for one cycle: how many workers to spawn or cheap, and why. */
export type CheaperDecision =
  | { readonly spawn: number; readonly reason: string }
  | { readonly cheap: number; readonly reason: string }
  | null;

/**
 * The options the cheaper reads, straight from the resolved config (defaults live only in
 * src/config/schema.ts).
 */
export type CheaperOptions = Pick<
  Config,
  | 'workers'
  | 'cheaper'
  | 'cheaperInitial'
  | 'cheaperAlgo'
  | 'cheaperStep'
  | 'cheaperOverload'
  | 'cheaperIdle'
  | 'cheaperBusynessMax'
  | 'cheaperBusynessMin'
  | 'cheaperBusynessMultiplier'
  | 'cheaperBusynessPenalty'
  | 'cheaperBusynessBacklogAlert'
  | 'cheaperBusynessBacklogMultiplier'
  | 'cheaperBusynessBacklogStep'
  | 'cheaperBusynessBacklogNonzero'
  | 'cheaperRssLimitSoft'
  | 'cheaperRssLimitHard'
>;

/** The algorithm names of `cheaper-algo`. */
export type CheaperAlgoName = CheaperOptions['cheaperAlgo'];

/** The state counters an algorithm shows on the stats socket. */
export type CheaperStateView = Readonly<Record<string, number | string>>;

/**
 * One cheaper algorithm: pure, state in and state out, no I/O, no clock but `snap.now`.
 *
 * `canSpawn` is uWSGI's `can_spawn` argument: false while the soft rss limit is reached and, in
 * mlserve, while a spawned worker is still starting. An algorithm that cannot spawn keeps
 * counting (uWSGI's spare keeps raising its overload counter) and may still cheap.
 */
export interface CheaperAlgorithm<S> {
  readonly name: CheaperAlgoName;
  initial(opts: CheaperOptions): S;
  decide(state: S, snap: CheaperSnapshot, opts: CheaperOptions, canSpawn: boolean): { state: S; decision: CheaperDecision };
  /**
   * An operator's request for `delta` more (or fewer) workers, for an algorithm that holds a
   * target (manual). Without it the request is one-shot, as uWSGI's master fifo `+` / `-`.
   */
  adjust?(state: S, delta: number, opts: CheaperOptions): S;
  /** The counters for the stats socket ("overloadCount", "idleCount", ...); `now` as in snapshots. */
  view(state: S, opts: CheaperOptions, now: number): CheaperStateView;
}
