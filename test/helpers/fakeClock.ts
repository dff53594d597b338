import type { Clock, TimerHandle } from '../../src/master/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when the test says so: `advance(ms)` runs the timers that fall due,
 * in order, so backoff delays and harakiri are tested without waiting.
 *
 * @example
 * const clock = new FakeClock();
 * new Supervisor({ ...options, clock });
 * await clock.advance(1000);
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Set<Timer>();

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as Timer);
  }

  /** Timers waiting, for assertions ("a respawn is scheduled"). */
  get pending(): number {
    return this.#timers.size;
  }

  /** Delay until the next timer, or null when none waits. */
  nextIn(): number | null {
    let next: number | null = null;
    for (const t of this.#timers) next = next === null ? t.at : Math.min(next, t.at);
    return next === null ? null : next - this.#now;
  }

  /**
   * Moves time forward by `ms`, running each timer that falls due at its own instant, and lets
   * the promises those timers start settle (a few event-loop turns) before returning.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.#now = due.at;
      due.fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets pending promise chains and setImmediate callbacks run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
