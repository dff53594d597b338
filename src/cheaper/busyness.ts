import { decheaped } from './slots.js';
import type { CheaperAlgorithm, CheaperDecision, CheaperOptions, CheaperSnapshot } from './types.js';

/**
 * The state of {@link busyness}: uWSGI's `uwsgi_cheaper_busyness_global`, with times in ms of
 * the snapshot clock and per-slot arrays indexed by slot id - 1.
 */
export interface BusynessState {
  /** Start of the current `cheaper-overload`-second window; null until the first cycle. */
  readonly tcheck: number | null;
  /** Each slot's busyMs at the start of the window (uWSGI `last_values`). */
  readonly lastValues: readonly number[];
  /** Cycles each active slot was seen busy in this window (uWSGI `was_busy`). */
  readonly wasBusy: readonly number[];
  /** Each slot's busy percent over the last window (uWSGI `current_busyness`). */
  readonly busyness: readonly number[];
  /** Average busy percent of the active workers over the last window. */
  readonly avgBusyness: number;
  /** Current multiplier (uWSGI `cheap_multi`): grows with the penalty, shrinks back to the option. */
  readonly multiplier: number;
  /** No cheap before this time (uWSGI `next_cheap`). */
  readonly nextCheap: number;
  /** When a worker was last cheaped for low busyness; null = never. */
  readonly lastCheaped: number | null;
  readonly lastAction: 'none' | 'spawn' | 'cheap';
  /** Windows in a row with min <= busyness <= max (uWSGI `tolerance_counter`). */
  readonly tolerance: number;
  /** Workers spawned for the backlog and not cheaped yet (uWSGI `emergency_workers`). */
  readonly emergencyWorkers: number;
  /** Since when the queue has not been empty; null when it is empty (uWSGI `backlog_nonzero_since`). */
  readonly backlogNonzeroSince: number | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Working = Mutable<Omit<BusynessState, 'lastValues' | 'wasBusy' | 'busyness'>> & {
  lastValues: number[];
  wasBusy: number[];
  busyness: number[];
};

const seconds = (ms: number): number => Math.floor(ms / 1000);

// uWSGI set_next_cheap_time: with emergency workers running, the shorter backlog multiplier.
function setNextCheapTime(s: Working, now: number, opts: CheaperOptions): void {
  const multi = s.emergencyWorkers > 0 ? opts.cheaperBusynessBacklogMultiplier : s.multiplier;
  s.nextCheap = now + opts.cheaperOverload * multi * 1000;
}

// uWSGI decrease_multi: down to the configured multiplier, never below.
function decreaseMulti(s: Working, opts: CheaperOptions): void {
  if (s.multiplier > opts.cheaperBusynessMultiplier) s.multiplier--;
}

// uWSGI spawn_emergency_worker.
function spawnEmergency(s: Working, snap: CheaperSnapshot, opts: CheaperOptions, why: string): CheaperDecision {
  s.multiplier = opts.cheaperBusynessMultiplier;
  s.lastAction = 'spawn';
  const n = decheaped(snap, opts.cheaperBusynessBacklogStep);
  setNextCheapTime(s, snap.now, opts);
  if (n === 0) return null;
  s.emergencyWorkers += n;
  return { spawn: n, reason: `busyness: ${why}, emergency` };
}

// The end of a window: each active worker's busy percent, their average, and what it calls for.
function endOfWindow(s: Working, snap: CheaperSnapshot, opts: CheaperOptions, canSpawn: boolean): CheaperDecision {
  const windowMs = opts.cheaperOverload * 1000;
  let total = 0;
  for (const w of snap.workers) {
    const i = w.id - 1;
    if (w.status === 'idle' || w.status === 'busy') {
      const delta = Math.max(0, w.busyMs - (s.lastValues[i] ?? 0));
      let percent = Math.floor((delta * 100) / windowMs);
      if (percent > 100) percent = 100;
      // Seen busy but no batch finished in the window: its requests outlast the window.
      else if (delta === 0 && (s.wasBusy[i] ?? 0) > 0) percent = 100;
      s.wasBusy[i] = 0;
      s.busyness[i] = percent;
      total += percent;
    } else {
      s.busyness[i] = 0;
    }
    s.lastValues[i] = w.busyMs;
  }
  const avg = snap.active > 0 ? Math.floor(total / snap.active) : 0;
  s.avgBusyness = avg;
  const over = `${avg}% average busyness over ${opts.cheaperOverload}s`;

  if (avg > opts.cheaperBusynessMax) {
    s.tolerance = 0;
    const n = canSpawn ? decheaped(snap, opts.cheaperStep) : 0;
    if (n === 0) return null;
    s.lastAction = 'spawn';
    // Spawned again within multiplier * overload seconds of a cheap: wait longer next time.
    // (uWSGI's integer division: whole windows since the cheap.)
    const tooSoon = s.lastCheaped !== null && Math.floor((snap.now - s.lastCheaped) / windowMs) <= s.multiplier;
    if (tooSoon) s.multiplier += opts.cheaperBusynessPenalty;
    else decreaseMulti(s, opts);
    setNextCheapTime(s, snap.now, opts);
    return { spawn: n, reason: `busyness: ${over} > ${opts.cheaperBusynessMax}%` };
  }
  if (canSpawn && snap.backlog > opts.cheaperBusynessBacklogAlert && snap.active < snap.total) {
    return spawnEmergency(s, snap, opts, `${snap.backlog} waiting requests > ${opts.cheaperBusynessBacklogAlert}`);
  }
  if (avg < opts.cheaperBusynessMin) {
    if (snap.active === 1) return null;
    s.tolerance = 0;
    if (snap.active > opts.cheaper && snap.now >= s.nextCheap) {
      if (s.lastAction === 'cheap') decreaseMulti(s, opts);
      setNextCheapTime(s, snap.now, opts);
      s.lastCheaped = snap.now;
      s.lastAction = 'cheap';
      if (s.emergencyWorkers > 0) s.emergencyWorkers--;
      return { cheap: 1, reason: `busyness: ${over} < ${opts.cheaperBusynessMin}%` };
    }
    return null;
  }
  if (snap.active === 1) return null;
  if (s.emergencyWorkers > 0) s.emergencyWorkers--;
  s.tolerance++;
  // Three windows in a row between min and max: restart the cheap timer. Fewer: maybe a short
  // spike, so only push the timer by this window, which does not count as idle.
  if (s.tolerance >= 3) setNextCheapTime(s, snap.now, opts);
  else s.nextCheap += windowMs;
  return null;
}

/**
 * uWSGI's `busyness` algorithm (plugins/cheaper_busyness/cheaper_busyness.c, by Łukasz
 * Mierzwa). Every `cheaper-overload` seconds it averages the active workers' busy percent
 * (from the growth of their cumulative `busyMs`): above `cheaper-busyness-max` it spawns
 * `cheaper-step` workers; below `cheaper-busyness-min` it cheaps one, but only after
 * `cheaper-overload * multiplier` seconds of such windows. A spawn soon after a cheap adds
 * `cheaper-busyness-penalty` to the multiplier. Independently, each cycle, more than
 * `cheaper-busyness-backlog-alert` waiting requests (or a queue not empty for
 * `cheaper-busyness-backlog-nonzero` seconds) spawns `cheaper-busyness-backlog-step`
 * emergency workers, which are cheaped on the shorter `cheaper-busyness-backlog-multiplier`.
 */
export const busyness: CheaperAlgorithm<BusynessState> = {
  name: 'busyness',
  initial: (opts) => ({
    tcheck: null,
    lastValues: [],
    wasBusy: [],
    busyness: [],
    avgBusyness: 0,
    multiplier: opts.cheaperBusynessMultiplier,
    nextCheap: 0,
    lastCheaped: null,
    lastAction: 'none',
    tolerance: 0,
    emergencyWorkers: 0,
    backlogNonzeroSince: null,
  }),
  decide(state, snap, opts, canSpawn) {
    const s: Working = {
      ...state,
      lastValues: [...state.lastValues],
      wasBusy: [...state.wasBusy],
      busyness: [...state.busyness],
    };
    // uwsgi_cheaper_busyness_init, on the first cycle: the window and the cheap timer start now.
    if (s.tcheck === null) {
      s.tcheck = snap.now;
      for (const w of snap.workers) s.lastValues[w.id - 1] = w.busyMs;
      setNextCheapTime(s, snap.now, opts);
    }
    for (const w of snap.workers) {
      const i = w.id - 1;
      const active = w.status === 'idle' || w.status === 'busy';
      s.wasBusy[i] = active ? (s.wasBusy[i] ?? 0) + (w.status === 'busy' ? 1 : 0) : 0;
    }

    let decision: CheaperDecision = null;
    if (snap.now - s.tcheck >= opts.cheaperOverload * 1000) {
      s.tcheck = snap.now;
      decision = endOfWindow(s, snap, opts, canSpawn);
    } else if (canSpawn && snap.backlog > opts.cheaperBusynessBacklogAlert && snap.active < snap.total) {
      // The backlog is checked every cycle, not only at the end of a window.
      decision = spawnEmergency(s, snap, opts, `${snap.backlog} waiting requests > ${opts.cheaperBusynessBacklogAlert}`);
    } else if (snap.backlog > 0) {
      if (s.backlogNonzeroSince === null) {
        s.backlogNonzeroSince = snap.now;
      } else if (canSpawn && seconds(snap.now - s.backlogNonzeroSince) >= opts.cheaperBusynessBacklogNonzero) {
        const waited = seconds(snap.now - s.backlogNonzeroSince);
        s.backlogNonzeroSince = snap.now;
        decision = spawnEmergency(s, snap, opts, `queue not empty for ${waited}s`);
      }
    } else {
      s.backlogNonzeroSince = null;
    }
    return { state: s, decision };
  },
  view: (state, opts, now) => ({
    avgBusyness: state.avgBusyness,
    workerBusyness: state.busyness.join(','),
    multiplier: state.multiplier,
    tolerance: state.tolerance,
    emergencyWorkers: state.emergencyWorkers,
    lastAction: state.lastAction,
    windowSeconds: opts.cheaperOverload,
    nextCheapInSeconds: state.tcheck === null ? 0 : Math.max(0, Math.ceil((state.nextCheap - now) / 1000)),
  }),
};
