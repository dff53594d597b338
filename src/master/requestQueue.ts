import { Fifo } from './fifo.js';

/**
 * The waiting requests: one FIFO per priority level, the highest level served first, FIFO within
 * a level (Triton's priority queue; every request is level 0 unless it asks otherwise, so the
 * common case is one FIFO). Bounded by uWSGI's `listen`: the caller checks {@link full} first.
 */
export class RequestQueue<T extends { rows: number; priority?: number }> {
  /** Levels, highest priority first; a level's FIFO stays when empty (levels are few). */
  #levels: { priority: number; fifo: Fifo<T> }[] = [];
  #length = 0;
  #rows = 0;
  #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get length(): number {
    return this.#length;
  }

  /** uWSGI `listen`; changeable on reload. */
  set limit(value: number) {
    this.#limit = value;
  }

  /** Rows of every waiting request. */
  get rows(): number {
    return this.#rows;
  }

  /** The next request to serve (highest priority, oldest), without taking it. */
  peek(): T | undefined {
    for (const { fifo } of this.#levels) if (fifo.length > 0) return fifo.at(0);
    return undefined;
  }

  get full(): boolean {
    return this.#length >= this.#limit;
  }

  push(item: T): void {
    const priority = item.priority ?? 0;
    let level = this.#levels.find((l) => l.priority === priority);
    if (!level) {
      level = { priority, fifo: new Fifo<T>() };
      this.#levels.push(level);
      this.#levels.sort((a, b) => b.priority - a.priority);
    }
    level.fifo.push(item);
    this.#length++;
    this.#rows += item.rows;
  }

  /**
   * Rows of the next `max` requests in serving order, for the batch policy; with `keep`, only
   * up to the first that `keep` refuses (a batch takes requests of one kind).
   */
  peekRows(max: number, keep?: (item: T) => boolean): number[] {
    const rows: number[] = [];
    for (const { fifo } of this.#levels) {
      for (let i = 0; i < fifo.length; i++) {
        if (rows.length >= max) return rows;
        const item = fifo.at(i)!;
        if (keep && !keep(item)) return rows;
        rows.push(item.rows);
      }
    }
    return rows;
  }

  /** Removes and returns the next `n` requests in serving order. */
  take(n: number): T[] {
    const out: T[] = [];
    for (const { fifo } of this.#levels) {
      if (out.length >= n) break;
      if (fifo.length === 0) continue;
      const taken = fifo.take(n - out.length);
      for (const item of taken) {
        this.#rows -= item.rows;
        out.push(item);
      }
    }
    this.#length -= out.length;
    return out;
  }

  /** Takes `item` out of the queue (its deadline passed); false when it is no longer waiting. */
  remove(item: T): boolean {
    const level = this.#levels.find((l) => l.priority === (item.priority ?? 0));
    if (!level?.fifo.remove(item)) return false;
    this.#length--;
    this.#rows -= item.rows;
    return true;
  }

  /** Removes and returns everything waiting. */
  drain(): T[] {
    return this.take(this.#length);
  }
}
