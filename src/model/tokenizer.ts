import { VocabScanner } from './vocabScanner.js';
import { MlserveError } from '../errors.js';
import { DEFAULT_FILTERS, textToWordSequence } from './textToWordSequence.js';
import { isRecord } from './isRecord.js';
import { parseFlatJsonObject, pythonJsonDumps } from './pythonJson.js';

/** Constructor options of {@link Tokenizer}, as Keras's `Tokenizer(...)` arguments. */
export interface TokenizerOptions {
  /** Keep only the words ranked below this index; null keeps all. */
  numWords?: number | null;
  filters?: string;
  lower?: boolean;
  split?: string;
  charLevel?: boolean;
  /** Word that stands for out-of-vocabulary words (index 1); null drops them. */
  oovToken?: string | null;
}

/** `texts_to_matrix` modes of Keras. */
export type MatrixMode = 'binary' | 'count' | 'freq' | 'tfidf';

/**
 * Port of Keras's `keras.preprocessing.text.Tokenizer` (Keras 2.x): same vocabulary, same
 * sequences, same matrices, same `to_json()` bytes. The server must vectorise text exactly as the
 * Python model's training did, or predictions drift silently.
 *
 * @example
 * const tok = new Tokenizer({ numWords: 1000 });
 * tok.fitOnTexts(['Oil prices rose', 'oil fell']);
 * tok.textsToMatrix(['oil rose'], 'binary'); // Float32Array, 1 x 1000
 */
export class Tokenizer {
  readonly numWords: number | null;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | null;
  #documentCount = 0;
  // Maps, not objects: insertion order must survive keys like "1987" (see pythonJsonDumps).
  #wordCounts = new Map<string, number>();
  #wordDocs = new Map<string, number>();
  #indexDocs = new Map<number, number>();
  #wordIndex = new Map<string, number>();
  #indexWord = new Map<number, string>();
  /** Scratch marks for wordIndicesOf, sized to the matrix width. */
  #seen: Uint8Array | null = null;
  /** The one-pass scanner of wordIndicesOf; undefined until first use, null where it cannot apply. */
  #scanner: VocabScanner | null | undefined = undefined;
  #scanOut: Int32Array | null = null;

  constructor(options: TokenizerOptions = {}) {
    this.numWords = options.numWords ?? null;
    this.filters = options.filters ?? DEFAULT_FILTERS;
    this.lower = options.lower ?? true;
    this.split = options.split ?? ' ';
    this.charLevel = options.charLevel ?? false;
    this.oovToken = options.oovToken ?? null;
    if (this.numWords !== null && !(Number.isInteger(this.numWords) && this.numWords >= 0)) {
      throw new MlserveError('ERR_MODEL_INVALID', `num_words must be null or an integer >= 0, got ${this.numWords}`);
    }
    if (this.split.length === 0) throw new MlserveError('ERR_MODEL_INVALID', 'split must be a non-empty string');
  }

  get documentCount(): number { return this.#documentCount; }
  get wordCounts(): ReadonlyMap<string, number> { return this.#wordCounts; }
  get wordDocs(): ReadonlyMap<string, number> { return this.#wordDocs; }
  get indexDocs(): ReadonlyMap<number, number> { return this.#indexDocs; }
  get wordIndex(): ReadonlyMap<string, number> { return this.#wordIndex; }
  get indexWord(): ReadonlyMap<number, string> { return this.#indexWord; }

  /** Columns of `textsToMatrix`: num_words, or the vocabulary size + 1 when num_words is not set. */
  get matrixWidth(): number {
    // Keras tests `if not self.num_words`, so 0 means "all words" too.
    return this.numWords ? this.numWords : this.#wordIndex.size + 1;
  }

  /** Keras `fit_on_texts`: counts words, then ranks them by count (ties: first seen first). */
  fitOnTexts(texts: Iterable<string>): void {
    for (const text of texts) {
      this.#documentCount += 1;
      const seq = this.#wordsOf(text);
      for (const w of seq) this.#wordCounts.set(w, (this.#wordCounts.get(w) ?? 0) + 1);
      // Keras iterates a Python set here (hash order); first-seen order is our stable choice.
      for (const w of new Set(seq)) this.#wordDocs.set(w, (this.#wordDocs.get(w) ?? 0) + 1);
    }
    // Python's sort(key=count, reverse=True) is stable, as is Array.prototype.sort.
    const ranked = [...this.#wordCounts].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    const vocabulary = this.oovToken === null ? ranked : [this.oovToken, ...ranked];
    this.#wordIndex = new Map();
    vocabulary.forEach((w, i) => this.#wordIndex.set(w, i + 1));
    this.#indexWord = new Map([...this.#wordIndex].map(([w, i]) => [i, w]));
    this.#indexDocs = new Map();
    for (const [w, c] of this.#wordDocs) this.#indexDocs.set(this.#wordIndex.get(w) as number, c);
    this.#seen = null;
    this.#scanner = undefined;
  }

  /** Keras `texts_to_sequences`: word indices, words at or past num_words dropped (or OOV). */
  textsToSequences(texts: Iterable<string>): number[][] {
    return Array.from(texts, (text) => this.#indicesOf(text));
  }

  /**
   * Keras `texts_to_matrix`: a row-major Float32Array of `texts.length x matrixWidth`.
   * @example tok.textsToMatrix(['oil rose'], 'binary')
   */
  textsToMatrix(texts: readonly string[], mode: MatrixMode = 'binary'): Float32Array {
    const width = this.matrixWidth;
    const x = new Float32Array(texts.length * width);
    texts.forEach((text, row) => {
      const offset = row * width;
      if (mode === 'binary') {
        for (const j of this.wordIndicesOf(text)) x[offset + j] = 1;
        return;
      }
      const seq = this.#indicesOf(text);
      const counts = new Map<number, number>();
      for (const j of seq) if (j < width) counts.set(j, (counts.get(j) ?? 0) + 1);
      for (const [j, c] of counts) x[offset + j] = this.#weight(mode, c, seq.length, j);
    });
    return x;
  }

  /**
   * The distinct columns that are 1 in this text's binary row, in order of first appearance:
   * the sparse form of `textsToMatrix([text], 'binary')`, for the request hot path.
   */
  wordIndicesOf(text: string): Int32Array {
    const width = this.matrixWidth;
    if (this.#seen === null || this.#seen.length !== width) this.#seen = new Uint8Array(width);
    const seen = this.#seen;
    if (this.#scanner === undefined) this.#scanner = this.#makeScanner();
    if (this.#scanner !== null) {
      this.#scanOut ??= new Int32Array(width);
      const n = this.#scanner.scan(text, seen, this.#scanOut);
      if (n >= 0) return this.#scanOut.slice(0, n);
    }
    const out: number[] = [];
    for (const j of this.#indicesOf(text)) {
      if (j < width && seen[j] === 0) {
        seen[j] = 1;
        out.push(j);
      }
    }
    for (const j of out) seen[j] = 0;
    return Int32Array.from(out);
  }

  /**
   * Keras `Tokenizer.to_json()`, byte for byte: the six dictionaries are JSON strings inside JSON.
   * Returns a string (so `JSON.stringify(tokenizer)` would quote it: call this instead).
   */
  toJSON(): string {
    return this.#toKerasJson({
      word_counts: pythonJsonDumps(this.#wordCounts),
      word_docs: pythonJsonDumps(this.#wordDocs),
      index_docs: pythonJsonDumps(this.#indexDocs),
      index_word: pythonJsonDumps(this.#indexWord),
      word_index: pythonJsonDumps(this.#wordIndex),
    });
  }

  /**
   * The same tokenizer restricted to what predictions read: the word_index entries below the
   * matrix width (Keras drops the others, or maps them to the OOV token, which is kept), without
   * the fitting counts. What the master sends worker threads: ~30 KB instead of the 2.7 MB file.
   */
  toServingJSON(): string {
    const width = this.matrixWidth;
    const kept = [...this.#wordIndex].filter(([, i]) => i < width);
    return this.#toKerasJson({
      word_counts: '{}',
      word_docs: '{}',
      index_docs: '{}',
      index_word: pythonJsonDumps(new Map(kept.map(([w, i]) => [i, w]))),
      word_index: pythonJsonDumps(new Map(kept)),
    });
  }

  /** `Tokenizer.to_json()`'s envelope around the five dictionaries (each a JSON string, as Keras writes them). */
  #toKerasJson(dicts: Record<'word_counts' | 'word_docs' | 'index_docs' | 'index_word' | 'word_index', string>): string {
    return pythonJsonDumps({
      class_name: 'Tokenizer',
      config: {
        num_words: this.numWords,
        filters: this.filters,
        lower: this.lower,
        split: this.split,
        char_level: this.charLevel,
        oov_token: this.oovToken,
        document_count: this.#documentCount,
        ...dicts,
      },
    });
  }

  /**
   * Keras `tokenizer_from_json`. Also accepts the dictionaries as objects instead of JSON strings.
   * Throws MlserveError ERR_MODEL_INVALID naming the bad field.
   */
  static fromJSON(json: string, options: { vocabularyOnly?: boolean } = {}): Tokenizer {
    let outer: unknown;
    try {
      outer = JSON.parse(json);
    } catch (err) {
      throw new MlserveError('ERR_MODEL_INVALID', `not valid JSON (${(err as Error).message})`, { cause: err });
    }
    if (!isRecord(outer)) throw new MlserveError('ERR_MODEL_INVALID', 'expected a JSON object');
    const config = isRecord(outer.config) ? outer.config : outer;
    const tok = new Tokenizer({
      numWords: field(config, 'num_words', (v) => v === null || Number.isInteger(v), null) as number | null,
      filters: field(config, 'filters', (v) => typeof v === 'string', DEFAULT_FILTERS) as string,
      lower: field(config, 'lower', (v) => typeof v === 'boolean', true) as boolean,
      split: field(config, 'split', (v) => typeof v === 'string', ' ') as string,
      charLevel: field(config, 'char_level', (v) => typeof v === 'boolean', false) as boolean,
      oovToken: field(config, 'oov_token', (v) => v === null || typeof v === 'string', null) as string | null,
    });
    tok.#documentCount = field(config, 'document_count', (v) => Number.isInteger(v), 0) as number;
    if (config.word_index === undefined) throw new MlserveError('ERR_MODEL_INVALID', 'word_index is missing');
    const wordIndex = dictionary(config, 'word_index', true);
    // An object form has lost the order of integer-like keys; the indices give it back.
    tok.#wordIndex = typeof config.word_index === 'string' ? wordIndex : new Map([...wordIndex].sort((a, b) => a[1] - b[1]));
    // Serving reads only word_index: skipping the fitting counts saves the master ~40 MB of
    // short-lived garbage on the Reuters tokenizer (30,000 words, four more dictionaries).
    if (options.vocabularyOnly === true) {
      tok.#indexWord = new Map([...tok.#wordIndex].map(([w, i]) => [i, w]));
      return tok;
    }
    tok.#wordCounts = dictionary(config, 'word_counts', false);
    tok.#wordDocs = dictionary(config, 'word_docs', false);
    tok.#indexDocs = numberKeys(dictionary(config, 'index_docs', false));
    tok.#indexWord =
      config.index_word === undefined
        ? new Map([...tok.#wordIndex].map(([w, i]) => [i, w]))
        : numberKeys(dictionary(config, 'index_word', 'string'));
    return tok;
  }

  /** The tokens Keras iterates for one text: words, or characters when char_level. */
  #wordsOf(text: string): string[] {
    if (this.charLevel) return Array.from(this.lower ? text.toLowerCase() : text);
    return textToWordSequence(text, { filters: this.filters, lower: this.lower, split: this.split });
  }

  /** The fast scanner, when this tokenizer's options allow one (see VocabScanner). */
  #makeScanner(): VocabScanner | null {
    const separators = this.filters + this.split;
    const ascii = [...separators].every((c) => c.charCodeAt(0) < 128 && c.length === 1);
    if (this.charLevel || this.oovToken !== null || this.split.length !== 1 || !ascii) return null;
    const width = this.matrixWidth;
    const vocabulary = [...this.#wordIndex].filter(([, i]) => i < width);
    return new VocabScanner(vocabulary, separators, this.lower);
  }

  #indicesOf(text: string): number[] {
    const oovIndex = this.oovToken === null ? undefined : this.#wordIndex.get(this.oovToken);
    const vect: number[] = [];
    for (const w of this.#wordsOf(text)) {
      const i = this.#wordIndex.get(w);
      if (i !== undefined && !(this.numWords && i >= this.numWords)) vect.push(i);
      else if (oovIndex !== undefined) vect.push(oovIndex);
    }
    return vect;
  }

  #weight(mode: MatrixMode, count: number, length: number, j: number): number {
    if (mode === 'count') return count;
    if (mode === 'freq') return count / length;
    if (mode === 'tfidf') {
      const idf = Math.log(1 + this.#documentCount / (1 + (this.#indexDocs.get(j) ?? 0)));
      return (1 + Math.log(count)) * idf;
    }
    return 1;
  }
}

function field(config: Record<string, unknown>, key: string, ok: (v: unknown) => boolean, fallback: unknown): unknown {
  const v = config[key];
  if (v === undefined) return fallback;
  if (!ok(v)) throw new MlserveError('ERR_MODEL_INVALID', `${key} has an invalid value ${JSON.stringify(v)}`);
  return v;
}

/** A dictionary field (JSON string or object) in file order; missing means empty. */
function entriesOf(config: Record<string, unknown>, key: string): Map<string, unknown> {
  const v = config[key];
  if (v === undefined) return new Map();
  try {
    if (typeof v === 'string') return parseFlatJsonObject(v);
  } catch (err) {
    throw new MlserveError('ERR_MODEL_INVALID', `${key} is not a valid JSON object (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (isRecord(v)) return new Map(Object.entries(v));
  throw new MlserveError('ERR_MODEL_INVALID', `${key} must be a JSON object or a string holding one`);
}

/** A dictionary of counts (>= 0), of indices (>= 1, `true`) or of words (`'string'`), checked. */
function dictionary(config: Record<string, unknown>, key: string, kind: false | true): Map<string, number>;
function dictionary(config: Record<string, unknown>, key: string, kind: 'string'): Map<string, string>;
function dictionary(config: Record<string, unknown>, key: string, kind: boolean | 'string'): Map<string, unknown> {
  const entries = entriesOf(config, key);
  for (const [k, v] of entries) {
    const ok = kind === 'string' ? typeof v === 'string' : Number.isInteger(v) && (v as number) >= (kind ? 1 : 0);
    if (!ok) {
      const want = kind === 'string' ? 'a string' : `an integer >= ${kind ? 1 : 0}`;
      throw new MlserveError('ERR_MODEL_INVALID', `${key}[${JSON.stringify(k)}] must be ${want}, got ${JSON.stringify(v)}`);
    }
  }
  return entries;
}

/** index_docs and index_word: Python int keys that JSON turned into strings. */
function numberKeys<V>(m: Map<string, V>): Map<number, V> {
  return new Map([...m].map(([k, v]) => [Number(k), v]));
}
