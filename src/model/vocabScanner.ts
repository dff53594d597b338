/**
 * The request hot path of Keras tokenization for a binary bag of words: finds the distinct
 * vocabulary columns of a text in one pass, without lower-casing the text, slicing words or
 * building arrays — an FNV-1a hash of each word's lower-cased code units, looked up in an
 * open-addressing table of the vocabulary (the words below `num_words`), verified code unit by
 * code unit. Exactly `text_to_word_sequence` + `word_index` + the `num_words` cut, for texts of
 * ASCII code units; a text with anything else returns -1 and the caller takes the general path
 * (Python's `str.lower()` has Unicode rules a per-unit table cannot follow).
 */
export class VocabScanner {
  readonly #separator: Uint8Array;
  readonly #lower: boolean;
  readonly #mask: number;
  readonly #keys: (string | undefined)[];
  readonly #hashes: Int32Array;
  readonly #values: Int32Array;

  /**
   * @param vocabulary word -> column, only the columns the bag of words keeps
   * @param separators code units that end a word (the filters and `split`), all below 128
   */
  constructor(vocabulary: Iterable<[string, number]>, separators: string, lower: boolean) {
    this.#separator = new Uint8Array(128);
    for (let i = 0; i < separators.length; i++) this.#separator[separators.charCodeAt(i)] = 1;
    this.#lower = lower;
    const words = [...vocabulary];
    let size = 16;
    while (size < words.length * 4) size *= 2;
    this.#mask = size - 1;
    this.#keys = new Array<string | undefined>(size);
    this.#hashes = new Int32Array(size);
    this.#values = new Int32Array(size);
    for (const [word, column] of words) {
      let h = 0x811c9dc5 | 0;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
      let slot = h & this.#mask;
      while (this.#keys[slot] !== undefined) slot = (slot + 1) & this.#mask;
      this.#keys[slot] = word;
      this.#hashes[slot] = h;
      this.#values[slot] = column;
    }
  }

  /**
   * Writes the distinct columns of `text`, in order of first appearance, into `out` and returns
   * how many; -1 when the text has a non-ASCII code unit (use the general path). `seen` is
   * scratch space as wide as the matrix, all zero on entry and on return.
   */
  scan(text: string, seen: Uint8Array, out: Int32Array): number {
    const sep = this.#separator;
    const lower = this.#lower;
    let n = 0;
    let start = -1;
    let h = 0;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 32;
      if (c >= 128) {
        for (let k = 0; k < n; k++) seen[out[k]!] = 0;
        return -1;
      }
      if (i === text.length || sep[c] === 1) {
        if (start >= 0) {
          const column = this.#find(text, start, i, h);
          if (column >= 0 && seen[column] === 0) {
            seen[column] = 1;
            out[n++] = column;
          }
          start = -1;
        }
        continue;
      }
      if (start < 0) {
        start = i;
        h = 0x811c9dc5 | 0;
      }
      h = Math.imul(h ^ (lower && c >= 65 && c <= 90 ? c + 32 : c), 0x01000193);
    }
    for (let k = 0; k < n; k++) seen[out[k]!] = 0;
    return n;
  }

  #find(text: string, start: number, end: number, h: number): number {
    const len = end - start;
    for (let slot = h & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const key = this.#keys[slot];
      if (key === undefined) return -1;
      if (this.#hashes[slot] !== h || key.length !== len) continue;
      let k = 0;
      for (; k < len; k++) {
        let c = text.charCodeAt(start + k);
        if (this.#lower && c >= 65 && c <= 90) c += 32;
        if (c !== key.charCodeAt(k)) break;
      }
      if (k === len) return this.#values[slot]!;
    }
  }
}
