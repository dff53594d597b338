import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

interface Waiter<T> {
  predicate: (line: T) => boolean;
  resolve: (line: T) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Collects the lines of a child's output stream and lets a test wait for one that matches:
 * the event-driven way to know a process reached a state ("ready", "start worker process").
 *
 * @example
 * const out = new LineLog(child.stdout, parseJsonLine);
 * await out.waitFor((l) => l.msg === 'ready', { what: 'the ready line' });
 */
export class LineLog<T> {
  /** Every line seen so far, parsed. */
  readonly lines: T[] = [];
  readonly #raw: string[] = [];
  readonly #waiters = new Set<Waiter<T>>();
  #failure: Error | null = null;

  constructor(stream: Readable, parse: (line: string) => T) {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (raw) => {
      const line = parse(raw);
      this.#raw.push(raw);
      this.lines.push(line);
      for (const waiter of [...this.#waiters]) {
        if (waiter.predicate(line)) this.#settle(waiter).resolve(line);
      }
    });
  }

  /** The raw text seen so far, for error messages. */
  text(): string {
    return this.#raw.join('\n');
  }

  /**
   * Resolves with the first line (already seen or to come) matching `predicate`; rejects after
   * `timeoutMs` or when {@link fail} is called (the owner calls it when the process exits).
   */
  waitFor(predicate: (line: T) => boolean, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    const seen = this.lines.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.#failure) return Promise.reject(this.#failure);
    const { timeoutMs = 30_000, what = 'a matching line' } = options;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#settle(waiter).reject(new Error(`no ${what} within ${timeoutMs} ms; output so far:\n${this.text()}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every pending and future wait with `err` (the process is gone). */
  fail(err: Error): void {
    this.#failure ??= err;
    for (const waiter of [...this.#waiters]) this.#settle(waiter).reject(err);
  }

  #settle(waiter: Waiter<T>): Waiter<T> {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
    return waiter;
  }
}
