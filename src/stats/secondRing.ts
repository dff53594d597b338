/**
 * Per-second buckets of a few numbers over a fixed window: one row of `fields` numbers per
 * second, in a ring of `seconds` rows that is reused as time moves on. Memory is fixed at
 * `seconds × fields` numbers whatever the traffic, which is why the stats windows use it
 * instead of arrays of samples. The clock is the caller's (epoch ms), so tests drive it.
 */
export class SecondRing {
  readonly seconds: number;
  readonly fields: number;
  readonly #initial: readonly number[];
  readonly #stamps: Float64Array;
  readonly #values: Float64Array;

  /**
   * @param seconds rows kept (the window)
   * @param initial one value per field, what a row starts with (0 for sums, -Infinity for a max)
   */
  constructor(seconds: number, initial: readonly number[]) {
    if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError('seconds must be a positive integer');
    this.seconds = seconds;
    this.fields = initial.length;
    this.#initial = [...initial];
    this.#stamps = new Float64Array(seconds).fill(-1);
    this.#values = new Float64Array(seconds * this.fields);
  }

  /** Adds `value` to `field` of the second `now` falls in. */
  add(now: number, field: number, value: number): void {
    const row = this.#row(Math.floor(now / 1000));
    if (row >= 0) this.#values[row + field]! += value;
  }

  /** Raises `field` of the second `now` falls in to `value` if it is larger. */
  max(now: number, field: number, value: number): void {
    const row = this.#row(Math.floor(now / 1000));
    if (row >= 0 && value > this.#values[row + field]!) this.#values[row + field] = value;
  }

  /** Lowers `field` of the second `now` falls in to `value` if it is smaller. */
  min(now: number, field: number, value: number): void {
    const row = this.#row(Math.floor(now / 1000));
    if (row >= 0 && value < this.#values[row + field]!) this.#values[row + field] = value;
  }

  /** `field` of second `sec` (epoch seconds), or undefined when nothing was recorded in it or it left the ring. */
  get(sec: number, field: number): number | undefined {
    const slot = mod(sec, this.seconds);
    return this.#stamps[slot] === sec ? this.#values[slot * this.fields + field] : undefined;
  }

  /** Calls `fn` with the row offset of each recorded second in [fromSec, toSec], oldest first. */
  forEach(fromSec: number, toSec: number, fn: (values: Float64Array, offset: number, sec: number) => void): void {
    const start = Math.max(fromSec, toSec - this.seconds + 1);
    for (let sec = start; sec <= toSec; sec++) {
      const slot = mod(sec, this.seconds);
      if (this.#stamps[slot] === sec) fn(this.#values, slot * this.fields, sec);
    }
  }

  // The row of second `sec`, cleared when it held an older second; -1 for a second older than
  // the row's (the clock went back past the window): such a sample is dropped, not mixed in.
  #row(sec: number): number {
    const slot = mod(sec, this.seconds);
    const offset = slot * this.fields;
    if (this.#stamps[slot] !== sec) {
      if (this.#stamps[slot]! > sec) return -1;
      this.#stamps[slot] = sec;
      for (let f = 0; f < this.fields; f++) this.#values[offset + f] = this.#initial[f]!;
    }
    return offset;
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
