/**
 * Deadlines for many short-lived things on one timer: a uwsgi connection (a new one per request
 * behind nginx's uwsgi_pass) is added when it opens and removed when its request is whole,
 * usually within a millisecond, so a `setTimeout` + `clearTimeout` per connection costs more
 * than the check. One unref'd interval, running only while something waits, expires what is
 * past its deadline, at most `tickMs` late.
 *
 * @example
 * const sweep = new DeadlineSweep<Socket>((s) => s.destroy(), 100);
 * sweep.add(socket, 4000); ...; sweep.delete(socket);
 */
export class DeadlineSweep<T> {
  readonly #expire: (item: T) => void;
  readonly #tickMs: number;
  readonly #deadlines = new Map<T, number>();
  #timer: NodeJS.Timeout | null = null;

  constructor(expire: (item: T) => void, tickMs: number) {
    this.#expire = expire;
    this.#tickMs = tickMs;
  }

  /** Things waiting. */
  get size(): number {
    return this.#deadlines.size;
  }

  /** Expires `item` `ms` from now unless it is deleted first (a second add moves its deadline). */
  add(item: T, ms: number): void {
    // Monotonic: a wall-clock step (NTP, a VM resumed) must not expire every waiting connection at once.
    this.#deadlines.set(item, performance.now() + ms);
    if (this.#timer === null) {
      this.#timer = setInterval(this.#sweep, this.#tickMs);
      this.#timer.unref();
    }
  }

  /** Forgets `item`: it made its deadline. */
  delete(item: T): void {
    this.#deadlines.delete(item);
  }

  /** The items still waiting (for a shutdown that cuts them). */
  items(): IterableIterator<T> {
    return this.#deadlines.keys();
  }

  readonly #sweep = (): void => {
    const now = performance.now();
    for (const [item, deadline] of this.#deadlines) {
      if (deadline > now) continue;
      this.#deadlines.delete(item);
      this.#expire(item);
    }
    if (this.#deadlines.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  };
}
