/** Options of {@link decideRespawn}. */
export interface RespawnPolicyOptions {
  /** Delay before the second consecutive attempt, ms; each next one doubles it. */
  firstDelayMs: number;
  /** The ceiling of the delay, ms: a `failed` slot is retried this often, for ever. */
  maxDelayMs: number;
  /** A thread that ran this long before dying resets the streak: its death is not a loop. */
  stableMs: number;
  /** Consecutive failures after which the slot is shown as `failed`. */
  failAfter: number;
}

/** The defaults: 0, 0.5, 1, 2, 4 s, then `failed` and every 30 s; reset after 10 s of running. */
export const RESPAWN_POLICY: RespawnPolicyOptions = { firstDelayMs: 500, maxDelayMs: 30_000, stableMs: 10_000, failAfter: 5 };

/** What a slot remembers of its failures. */
export interface SlotFailures {
  /** Consecutive failures: deaths after a short run, or failed starts. */
  readonly streak: number;
  readonly lastError: string | null;
}

/** Why a slot needs a new thread. */
export type RespawnEvent =
  /** Its thread died (crash, out of memory, harakiri) after running `uptimeMs` since ready. */
  | { readonly kind: 'exit'; readonly uptimeMs: number; readonly error: string }
  /** A new thread did not load. */
  | { readonly kind: 'start-failed'; readonly error: string };

/** When to try again, and whether the slot is now shown as failed. */
export interface RespawnDecision {
  readonly delayMs: number;
  readonly failed: boolean;
  readonly state: SlotFailures;
}

/** A slot that never failed. */
export const NO_FAILURES: SlotFailures = { streak: 0, lastError: null };

/**
 * The respawn policy, as a pure decision (PM2's exponential restart delay, lib/God.js: grows
 * on each quick failure, resets after a stable run). A thread that dies after running at least
 * `stableMs` is respawned at once, as uWSGI does; consecutive quick deaths or failed starts wait
 * 0.5, 1, 2, 4 s; after `failAfter` of them the slot is `failed` (shown in /readyz, the stats
 * document, /metrics and mltop, with the last error) and retried every `maxDelayMs`, never
 * dropped. Where we differ from uWSGI on purpose: its fork-bomb guard is one global 1 s pause;
 * this is per slot, so one broken slot does not slow the respawn of the others.
 *
 * @example
 * const d = decideRespawn(NO_FAILURES, { kind: 'start-failed', error: 'ENOMEM' });
 * // { delayMs: 0, failed: false, state: { streak: 1, lastError: 'ENOMEM' } }
 */
export function decideRespawn(state: SlotFailures, event: RespawnEvent, opts: RespawnPolicyOptions = RESPAWN_POLICY): RespawnDecision {
  const stable = event.kind === 'exit' && event.uptimeMs >= opts.stableMs;
  const streak = stable ? 1 : state.streak + 1;
  const failed = streak > opts.failAfter;
  const delayMs = failed ? opts.maxDelayMs : streak === 1 ? 0 : Math.min(opts.maxDelayMs, opts.firstDelayMs * 2 ** (streak - 2));
  return { delayMs, failed, state: { streak, lastError: event.error } };
}
