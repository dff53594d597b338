import { MlserveError } from '../errors.js';

/** Keras's default `filters`: punctuation, tab and newline (not the apostrophe, `\r` or U+00A0). */
export const DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/** Options of {@link textToWordSequence}, named and defaulted as in Keras. */
export interface WordSequenceOptions {
  /** Characters replaced by `split` before splitting. */
  filters?: string;
  /** Lower-case the text first (Keras lower-cases before filtering). */
  lower?: boolean;
  /** Separator; must not be empty (Python's `str.split('')` raises). */
  split?: string;
}

/** How to cut text into words, precomputed once per (filters, split) pair. */
interface Splitter {
  /** Per UTF-16 code unit: 1 when it ends a word. Null when the slow path is needed. */
  table: Uint8Array | null;
  filters: Set<string>;
  split: string;
}

const splitters = new Map<string, Splitter>();

function splitterFor(filters: string, split: string): Splitter {
  const key = `${split}\u0000${filters}`;
  let splitter = splitters.get(key);
  if (splitter === undefined) {
    if (split.length === 0) {
      throw new MlserveError('ERR_MODEL_INVALID', 'tokenizer split must be a non-empty string');
    }
    // Python iterates code points; the table covers the case where every filter is one UTF-16 unit.
    const chars = Array.from(filters);
    const bmpOnly = split.length === 1 && chars.every((c) => c.length === 1);
    let table: Uint8Array | null = null;
    if (bmpOnly) {
      table = new Uint8Array(65536);
      for (const c of chars) table[c.charCodeAt(0)] = 1;
      table[split.charCodeAt(0)] = 1;
    }
    splitter = { table, filters: new Set(chars), split };
    // A server sees one tokenizer config; the cap only guards against callers varying options.
    if (splitters.size > 64) splitters.clear();
    splitters.set(key, splitter);
  }
  return splitter;
}

/**
 * Keras `text_to_word_sequence`: lower-case, replace every filter character by `split`, split on
 * `split`, drop empty strings. Runs per request, so the common case (one-character `split`,
 * BMP filters) is one pass over a lookup table, no regex.
 *
 * @example
 * textToWordSequence("Oil's price, UP!") // ["oil's", 'price', 'up']
 */
export function textToWordSequence(text: string, options: WordSequenceOptions = {}): string[] {
  const { filters = DEFAULT_FILTERS, lower = true, split = ' ' } = options;
  const splitter = splitterFor(filters, split);
  const s = lower ? text.toLowerCase() : text;
  const table = splitter.table;
  if (table === null) return slowSplit(s, splitter);
  const words: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (table[s.charCodeAt(i)] === 1) {
      if (i > start) words.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (s.length > start) words.push(s.slice(start));
  return words;
}

/** The literal Keras algorithm, for multi-character `split` or astral filter characters. */
function slowSplit(s: string, { filters, split }: Splitter): string[] {
  let translated = '';
  for (const c of s) translated += filters.has(c) ? split : c;
  return translated.split(split).filter((w) => w.length > 0);
}
