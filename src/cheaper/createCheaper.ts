import { backlog } from './backlog.js';
import { busyness } from './busyness.js';
import { manual } from './manual.js';
import { rssLimit, withRssLimits } from './rssLimits.js';
import { pickCheapVictims, pickSpawnSlots } from './slots.js';
import { spare } from './spare.js';
import { spare2 } from './spare2.js';
import type { CheaperAlgoName, CheaperAlgorithm, CheaperDecision, CheaperOptions, CheaperSnapshot, CheaperStateView } from './types.js';

/**
 * What the supervisor does this cycle: spawn threads into these cheap slots, or retire
 * (cheap) these idle workers; `reason` completes a log line:
 * `spawned worker 3 (spare: no idle worker for 4 cycles)`, `cheaped worker 1 (spare: ...)`.
 */
export interface CheaperAction {
  readonly action: 'spawn' | 'cheap';
  /** Slot ids: for a spawn the lowest cheap slots, for a cheap the oldest idle workers. */
  readonly workers: readonly number[];
  readonly reason: string;
  /** `snap.now` of the cycle that decided it. */
  readonly at: number;
}

/** The cheaper loop the supervisor drives, one {@link Cheaper.decide} per check-interval. */
export interface Cheaper {
  readonly algorithm: CheaperAlgoName;
  /** The action for this cycle, or null. Pure apart from the state it keeps between calls. */
  decide(snap: CheaperSnapshot): CheaperAction | null;
  /** An operator's `+n` / `-n` (`mlserve workers +1`): manual moves its target; others act once. */
  adjust(delta: number): void;
  /** The algorithm, its counters, and the last action and why: for the stats socket. */
  state(): CheaperStateView;
  /** The last action taken, null before the first one. */
  readonly lastDecision: CheaperAction | null;
}

/**
 * uWSGI's uwsgi_calc_cheaper (core/master_utils.c) around one algorithm: the rss limits first
 * (hard: cheap one without consulting the algorithm; soft: the algorithm may not spawn), then a
 * pending one-shot change (an operator's request, or a cheap that found no idle worker last
 * cycle: uWSGI's cheaper_fifo_delta, retried before the algorithm runs), else the algorithm.
 */
class CheaperLoop<S> implements Cheaper {
  readonly #algo: CheaperAlgorithm<S>;
  readonly #opts: CheaperOptions;
  #state: S;
  /** uWSGI cheaper_fifo_delta: workers to add (> 0) or remove (< 0) next cycle. */
  #pending = 0;
  #pendingReason = '';
  #now = 0;
  #last: CheaperAction | null = null;

  constructor(algo: CheaperAlgorithm<S>, opts: CheaperOptions) {
    this.#algo = algo;
    this.#opts = opts;
    this.#state = algo.initial(opts);
  }

  get algorithm(): CheaperAlgoName {
    return this.#algo.name;
  }

  get lastDecision(): CheaperAction | null {
    return this.#last;
  }

  decide(snap: CheaperSnapshot): CheaperAction | null {
    this.#now = snap.now;
    const limit = rssLimit(snap, this.#opts);
    let decision: CheaperDecision;
    if (limit === 'hard') {
      this.#pending = 0;
      decision = withRssLimits(null, snap, this.#opts);
    } else if (this.#pending !== 0) {
      const delta = this.#pending;
      this.#pending = 0;
      // uWSGI drops the whole fifo delta at the soft limit; we drop only a spawn.
      if (delta > 0) decision = limit === 'soft' ? null : { spawn: delta, reason: this.#pendingReason };
      else decision = { cheap: -delta, reason: this.#pendingReason };
    } else {
      // mlserve: no second spawn while one is in flight. uWSGI's forked worker is usable at
      // once; our thread loads the model first, and spawning again meanwhile would answer the
      // same overload twice.
      const canSpawn = limit === null && snap.starting === 0;
      const next = this.#algo.decide(this.#state, snap, this.#opts, canSpawn);
      this.#state = next.state;
      decision = next.decision;
      // uWSGI: "BUG! cheaper algo returned %d but it cannot spawn any worker at this time".
      if (!canSpawn && decision !== null && 'spawn' in decision) decision = null;
    }
    const action = this.#act(decision, snap);
    if (action !== null) this.#last = action;
    return action;
  }

  // Which slots: the lowest cheap ones to spawn into, the oldest idle ones to cheap. A cheap
  // with no idle worker to take is kept for the next cycle (uWSGI: "return it to the pool").
  #act(decision: CheaperDecision, snap: CheaperSnapshot): CheaperAction | null {
    if (decision === null) return null;
    if ('spawn' in decision) {
      const workers = pickSpawnSlots(snap, decision.spawn);
      return workers.length > 0 ? { action: 'spawn', workers, reason: decision.reason, at: snap.now } : null;
    }
    const workers = pickCheapVictims(snap, decision.cheap);
    const missing = decision.cheap - workers.length;
    if (missing > 0) {
      this.#pending -= missing;
      this.#pendingReason = decision.reason;
    }
    return workers.length > 0 ? { action: 'cheap', workers, reason: decision.reason, at: snap.now } : null;
  }

  adjust(delta: number): void {
    if (this.#algo.adjust !== undefined) {
      this.#state = this.#algo.adjust(this.#state, delta, this.#opts);
      this.#pending = 0;
      return;
    }
    this.#pending += Math.trunc(delta);
    this.#pendingReason = `requested ${delta > 0 ? '+' : ''}${Math.trunc(delta)}`;
  }

  state(): CheaperStateView {
    const last = this.#last;
    return {
      algorithm: this.#algo.name,
      ...this.#algo.view(this.#state, this.#opts, this.#now),
      pending: this.#pending,
      lastDecision: last === null ? '' : `${last.action} ${last.workers.join(',')} (${last.reason})`,
      lastDecisionSecondsAgo: last === null ? -1 : Math.round((this.#now - last.at) / 1000),
    };
  }
}

/**
 * The cheaper for the resolved config, or null when `cheaper` is 0 (scaling off: every worker
 * runs). The supervisor calls `decide` once per `check-interval` (uWSGI skips it while
 * reloading or shutting down), then spawns into or retires the slots it names.
 *
 * @example
 * const cheaper = createCheaper(config);
 * const action = cheaper?.decide(cheaperSnapshot(slots.snapshot(), { now: performance.now(), backlog, rss }));
 * if (action?.action === 'spawn') for (const id of action.workers) log.info({ worker: id }, `spawned worker ${id} (${action.reason})`);
 */
export function createCheaper(opts: CheaperOptions): Cheaper | null {
  if (opts.cheaper === 0) return null;
  switch (opts.cheaperAlgo) {
    case 'spare': return new CheaperLoop(spare, opts);
    case 'spare2': return new CheaperLoop(spare2, opts);
    case 'backlog': return new CheaperLoop(backlog, opts);
    case 'busyness': return new CheaperLoop(busyness, opts);
    case 'manual': return new CheaperLoop(manual, opts);
  }
}
