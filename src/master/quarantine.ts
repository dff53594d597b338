/**
 * Who runs next, and where, after a batch's worker died (issue 15). Pure: no timers, no
 * threads; every call takes `now` (ms, monotonic), so tests drive it with a fake clock.
 *
 * The rules, and what they guarantee:
 * - The worker reports the request it was on (a shared progress cell, see
 *   src/worker/progress.ts). When it names one, that request is the culprit: answered with the
 *   batch's error and never run again. Its batch-mates are innocent: they go back ahead of the
 *   queue, batched together, on a worker. One poison request costs one worker.
 * - When the worker could not say (it died in a batch-wide step, e.g. tfjs's matrix product),
 *   every request of the batch is a suspect: each runs alone on the quarantine thread (a thread
 *   outside the slots, so serving capacity is not touched), one after the other. The one that
 *   kills it is the culprit; the suspects after it are innocent and go back to the workers.
 * - A request that was in a failed batch has a deadline: harakiri + 1 s after it first started
 *   running. Its later runs get what is left of that budget, never a fresh harakiri; one still
 *   waiting at its deadline is answered then (504).
 */

/** Why a batch's worker went away. */
export type KillCause = 'crash' | 'oom' | 'harakiri';

/** A request as the quarantine tracks it. */
export interface Tracked<T> {
  readonly item: T;
  /** When it first started running on a worker, ms. */
  readonly firstStartedAt: number;
  /** harakiri + 1 s after `firstStartedAt`; Infinity when harakiri is off. */
  readonly deadline: number;
}

/** A request that is answered now with an error. */
export interface Verdict<T> {
  readonly item: T;
  readonly cause: KillCause;
  /** true: the request that killed the worker; false: its deadline passed before it could run again. */
  readonly culprit: boolean;
}

/** What one failed batch turns into. */
export interface Judgement<T> {
  readonly answer: Verdict<T>[];
  /** Cleared: back to a worker, ahead of the queue. */
  readonly rerun: Tracked<T>[];
  /** Unknown culprit: one by one on the quarantine thread. */
  readonly isolate: Tracked<T>[];
}

/** One more second than harakiri: the bound a request of a failed batch is answered within. */
export const QUARANTINE_GRACE_MS = 1000;

/**
 * The share of a suspect's run kept for each suspect still waiting behind it: a suspect that
 * runs longer than its deadline allows, minus this for every one behind it, is stopped there,
 * so a spinner running first does not make the innocent ones behind it miss their deadline. An
 * innocent request alone takes about a millisecond on the fast path; 100 ms leaves room for
 * tfjs and for a loaded machine.
 */
export const SUSPECT_RESERVE_MS = 100;

/**
 * Sorts out a failed batch. `requests` in batch order with when each first started (now's
 * clock); `culpritIndex` is the request the worker reported it was on, null when it could not
 * say; `alone` is true when the batch was a single request (on a worker or the quarantine
 * thread): then it is the culprit whatever the report.
 *
 * @example
 * judge({ requests, culpritIndex: 3, cause: 'crash', harakiriMs: 2000, now }).answer // [{ item: requests[3].item, culprit: true, ... }]
 */
export function judge<T>(failure: {
  readonly requests: readonly { readonly item: T; readonly firstStartedAt: number }[];
  readonly culpritIndex: number | null;
  readonly cause: KillCause;
  readonly harakiriMs: number;
  readonly now: number;
}): Judgement<T> {
  const { requests, cause, harakiriMs, now } = failure;
  const out: Judgement<T> = { answer: [], rerun: [], isolate: [] };
  const culprit = requests.length === 1 ? 0 : failure.culpritIndex !== null && failure.culpritIndex < requests.length ? failure.culpritIndex : null;
  requests.forEach((r, i) => {
    if (i === culprit) {
      out.answer.push({ item: r.item, cause, culprit: true });
      return;
    }
    const deadline = harakiriMs > 0 ? r.firstStartedAt + harakiriMs + QUARANTINE_GRACE_MS : Infinity;
    if (now >= deadline) out.answer.push({ item: r.item, cause, culprit: false });
    else (culprit === null ? out.isolate : out.rerun).push({ item: r.item, firstStartedAt: r.firstStartedAt, deadline });
  });
  return out;
}

/**
 * How long a run may take before its thread is killed, ms, or null for no limit: harakiri, but
 * no later than the earliest deadline of the requests in it.
 */
export function runBudget(harakiriMs: number, deadlines: readonly number[], now: number): number | null {
  let budget = harakiriMs > 0 ? harakiriMs : Infinity;
  for (const d of deadlines) budget = Math.min(budget, d - now);
  return Number.isFinite(budget) ? Math.max(0, budget) : null;
}

/**
 * The quarantine's queues: requests cleared to rerun on a worker, and suspects waiting for the
 * quarantine thread. The dispatcher asks it who runs next on an idle worker
 * ({@link takeReruns}) and on the quarantine thread ({@link takeSuspect}), and answers the
 * requests it {@link expire}s.
 */
export class QuarantinePlan<T> {
  #reruns: Tracked<T>[] = [];
  #suspects: Tracked<T>[] = [];

  /** Requests waiting here (both queues). */
  get length(): number {
    return this.#reruns.length + this.#suspects.length;
  }

  get suspects(): number {
    return this.#suspects.length;
  }

  get reruns(): number {
    return this.#reruns.length;
  }

  /** Files a judgement's reruns and suspects; returns its answers. */
  add(j: Judgement<T>): Verdict<T>[] {
    this.#reruns.push(...j.rerun);
    this.#suspects.push(...j.isolate);
    // Earliest deadline first: the one with the least time left runs first.
    this.#suspects.sort((a, b) => a.deadline - b.deadline);
    return j.answer;
  }

  /**
   * The suspects after a culprit was found on the quarantine thread are innocent: they move to
   * the reruns (a batch, on a worker).
   */
  clearSuspects(): void {
    this.#reruns.push(...this.#suspects.splice(0));
  }

  /**
   * The next batch for an idle worker: the reruns, in order, whose rows fit in `maxRows` and
   * that are `joinable` with the first (the first one always), with its budget: harakiri, but no later than {@link SUSPECT_RESERVE_MS} before the
   * earliest deadline (or that deadline, when less is left). Null when none waits.
   */
  takeReruns(
    now: number,
    harakiriMs: number,
    rowsOf: (item: T) => number,
    maxRows: number,
    joinable: (first: T, next: T) => boolean = () => true,
  ): { batch: Tracked<T>[]; budgetMs: number | null } | null {
    if (this.#reruns.length === 0) return null;
    const first = this.#reruns[0]!.item;
    let rows = rowsOf(first);
    let n = 1;
    while (n < this.#reruns.length && joinable(first, this.#reruns[n]!.item) && rows + rowsOf(this.#reruns[n]!.item) <= maxRows) rows += rowsOf(this.#reruns[n++]!.item);
    const batch = this.#reruns.splice(0, n);
    // The reserve again: should a second poison request hold the rerun, it is stopped early
    // enough for its batch-mates to run once more before their deadline.
    const whole = runBudget(harakiriMs, batch.map((t) => t.deadline), now);
    const reserved = runBudget(harakiriMs, batch.map((t) => t.deadline - SUSPECT_RESERVE_MS), now);
    const budgetMs = whole === null || reserved === null ? whole : Math.max(reserved, Math.min(SUSPECT_RESERVE_MS, whole));
    return { batch, budgetMs };
  }

  /**
   * The next suspect for the quarantine thread and its budget: what is left of harakiri and of
   * its deadline, less {@link SUSPECT_RESERVE_MS} for each suspect still waiting after it (so
   * they can meet theirs), never less than the reserve itself.
   */
  takeSuspect(now: number, harakiriMs: number): { suspect: Tracked<T>; budgetMs: number | null } | null {
    const suspect = this.#suspects.shift();
    if (!suspect) return null;
    const own = runBudget(harakiriMs, [suspect.deadline], now) ?? Infinity;
    let budget = own;
    this.#suspects.forEach((s, i) => (budget = Math.min(budget, s.deadline - now - SUSPECT_RESERVE_MS * (i + 1))));
    // However crowded, a suspect gets the reserve (or what is left of its own budget, if less).
    budget = Math.max(budget, Math.min(SUSPECT_RESERVE_MS, own));
    const budgetMs = Number.isFinite(budget) ? budget : null;
    return { suspect, budgetMs };
  }

  /** Removes and returns the requests whose deadline has come while they waited. */
  expire(now: number): T[] {
    const gone: T[] = [];
    const keep = (t: Tracked<T>): boolean => {
      if (now < t.deadline) return true;
      gone.push(t.item);
      return false;
    };
    this.#reruns = this.#reruns.filter(keep);
    this.#suspects = this.#suspects.filter(keep);
    return gone;
  }

  /** The earliest deadline of a waiting request, for a timer; null when none has one. */
  nextDeadline(): number | null {
    let d = Infinity;
    for (const t of this.#reruns) d = Math.min(d, t.deadline);
    for (const t of this.#suspects) d = Math.min(d, t.deadline);
    return Number.isFinite(d) ? d : null;
  }

  /** Removes and returns everything (shutdown). */
  drain(): T[] {
    return [...this.#reruns.splice(0), ...this.#suspects.splice(0)].map((t) => t.item);
  }
}
