/**
 * A FIFO of waiting requests with O(1) push and shift (an array with a moving head, compacted
 * when half of it is dead), bounded by uWSGI's `listen`: the caller checks {@link full} first.
 */
export class RequestQueue<T extends { rows: number }> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #rows = 0;
  #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** uWSGI `listen`; changeable on reload. */
  set limit(value: number) {
    this.#limit = value;
  }

  /** Rows of every waiting request. */
  get rows(): number {
    return this.#rows;
  }

  /** The oldest waiting request, without taking it. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  get full(): boolean {
    return this.length >= this.#limit;
  }

  push(item: T): void {
    this.#rows += item.rows;
    this.#items.push(item);
  }

  /**
   * Rows of the `max` oldest requests, for the batch policy; with `keep`, only of the oldest
   * requests up to the first that `keep` refuses (a batch takes requests of one kind).
   */
  peekRows(max: number, keep?: (item: T) => boolean): number[] {
    const n = Math.min(max, this.length);
    const rows: number[] = [];
    for (let i = 0; i < n; i++) {
      const item = this.#items[this.#head + i]!;
      if (keep && !keep(item)) break;
      rows.push(item.rows);
    }
    return rows;
  }

  /** Removes and returns the `n` oldest requests. */
  take(n: number): T[] {
    const end = this.#head + Math.min(n, this.length);
    const out = this.#items.slice(this.#head, end) as T[];
    // Regression: clearing up to head + n (not `end`) grew the array with holes when n > length.
    for (let i = this.#head; i < end; i++) {
      this.#rows -= this.#items[i]!.rows;
      this.#items[i] = undefined;
    }
    this.#head += out.length;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }

  /** Removes and returns everything waiting. */
  drain(): T[] {
    return this.take(this.length);
  }
}
