/**
 * A FIFO with O(1) push and shift: an array with a moving head, compacted when half of it is
 * dead. One priority level of the {@link RequestQueue}.
 */
export class Fifo<T extends { rows: number }> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #rows = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Rows of every item. */
  get rows(): number {
    return this.#rows;
  }

  /** The item `i` places from the front, without taking it. */
  at(i: number): T | undefined {
    return this.#items[this.#head + i];
  }

  push(item: T): void {
    this.#rows += item.rows;
    this.#items.push(item);
  }

  /** Removes and returns the `n` oldest items. */
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

  /** Takes `item` out wherever it waits (O(n): only for a deadline that passed); false if absent. */
  remove(item: T): boolean {
    const i = this.#items.indexOf(item, this.#head);
    if (i < 0) return false;
    this.#items.splice(i, 1);
    this.#rows -= item.rows;
    return true;
  }
}
