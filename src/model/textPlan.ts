import { MlserveError } from '../errors.js';
import type { PadSequences, PreprocessingSpec, WordIndexConventions } from './preprocessing.js';
import { textToWordSequence } from './textToWordSequence.js';
import { textVectorizationPlan } from './textVectorizationPlan.js';
import { Tokenizer } from './tokenizer.js';

/**
 * A preprocessing spec with its files' contents, as the master posts it to worker threads
 * (plain data: the worker builds the plan from it and never reads the disk).
 */
export interface PreprocessingData {
  spec: PreprocessingSpec;
  /** tokenizer.json (Tokenizer.to_json()) for `texts_to_matrix` and `texts_to_sequences`. */
  tokenizerJson?: string;
  /** The `{word: rank}` entries of a `word_index` file. */
  wordIndex?: [string, number][];
  /** TextVectorization's vocabulary, one token a line (with or without its special tokens). */
  vocabulary?: string[];
  /** tf_idf: the idf_weights variable a Keras file saved, one per output column. */
  idfWeights?: number[];
}

export { textVectorizationTokens } from './textVectorizationPlan.js';

/** Texts in, the model's input rows out: what the worker runs before the model. */
export interface TextPlan {
  /** Floats per row. */
  readonly width: number;
  /** Row-major `texts.length x width`. */
  matrix(texts: readonly string[]): Float32Array;
}

/**
 * Builds the plan of a preprocessing spec. Pure (the data in, a function out); throws
 * MlserveError ERR_MODEL_INVALID naming what does not fit.
 *
 * @example
 * const plan = createTextPlan({ spec: { kind: 'texts_to_sequences', tokenizer: 'tokenizer.json', pad }, tokenizerJson });
 * plan.matrix(['a great film']) // Float32Array of pad.maxlen word ids
 */
export function createTextPlan(data: PreprocessingData): TextPlan {
  const { spec } = data;
  switch (spec.kind) {
    case 'texts_to_matrix': {
      const tok = Tokenizer.fromJSON(need(data.tokenizerJson, spec.tokenizer));
      return { width: tok.matrixWidth, matrix: (texts) => tok.textsToMatrix(texts, spec.mode) };
    }
    case 'texts_to_sequences': {
      const tok = Tokenizer.fromJSON(need(data.tokenizerJson, spec.tokenizer), { vocabularyOnly: true });
      return { width: spec.pad.maxlen, matrix: (texts) => padSequences(tok.textsToSequences(texts), spec.pad) };
    }
    case 'word_index': {
      const index = new Map(need(data.wordIndex, spec.wordIndex));
      const toSeq = (text: string) => wordIndexSequence(textToWordSequence(text), index, spec.conventions);
      if (spec.pad) {
        const pad = spec.pad;
        return { width: pad.maxlen, matrix: (texts) => padSequences(texts.map(toSeq), pad) };
      }
      const width = spec.conventions.numWords!;
      const mode = spec.matrix!.mode;
      return { width, matrix: (texts) => sequencesToMatrix(texts.map(toSeq), width, mode) };
    }
    case 'text_vectorization':
      return textVectorizationPlan(spec.config, spec.config.vocabulary ?? need(data.vocabulary, spec.vocabulary ?? 'the vocabulary'), data.idfWeights ?? null);
  }
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new MlserveError('ERR_MODEL_INVALID', `preprocessing.json: ${what} was not read`);
  return v;
}

/**
 * Keras `pad_sequences(sequences, maxlen, padding, truncating, value)` into float32 rows:
 * 'pre' truncating keeps the last maxlen ids, 'post' the first; 'pre' padding puts the values
 * before the ids, 'post' after.
 */
export function padSequences(sequences: readonly (readonly number[])[], pad: PadSequences): Float32Array {
  const { maxlen } = pad;
  const out = new Float32Array(sequences.length * maxlen).fill(pad.value);
  sequences.forEach((seq, r) => {
    const kept = seq.length <= maxlen ? seq : pad.truncating === 'pre' ? seq.slice(seq.length - maxlen) : seq.slice(0, maxlen);
    const at = r * maxlen + (pad.padding === 'post' ? 0 : maxlen - kept.length);
    for (let i = 0; i < kept.length; i++) out[at + i] = kept[i]!;
  });
  return out;
}

/**
 * One text's ids as `keras.datasets.reuters.load_data(num_words, index_from, start_char,
 * oov_char)` gave them to the model: start_char first, every rank + index_from, ids at or past
 * num_words (and words not in the index) as oov_char, or dropped when oov_char is null.
 */
export function wordIndexSequence(words: readonly string[], index: ReadonlyMap<string, number>, c: WordIndexConventions): number[] {
  const seq: number[] = c.startChar === null ? [] : [c.startChar];
  for (const w of words) {
    const rank = index.get(w);
    const id = rank === undefined ? undefined : rank + c.indexFrom;
    if (id !== undefined && (c.numWords === null || id < c.numWords)) seq.push(id);
    else if (c.oovChar !== null) seq.push(c.oovChar);
  }
  return seq;
}

/** Keras `Tokenizer.sequences_to_matrix` for binary, count and freq (ids at or past width skipped). */
export function sequencesToMatrix(sequences: readonly (readonly number[])[], width: number, mode: 'binary' | 'count' | 'freq'): Float32Array {
  const out = new Float32Array(sequences.length * width);
  sequences.forEach((seq, r) => {
    const base = r * width;
    for (const j of seq) {
      if (j >= width) continue;
      out[base + j] = mode === 'binary' ? 1 : out[base + j]! + 1;
    }
    if (mode === 'freq' && seq.length > 0) for (let j = 0; j < width; j++) out[base + j] = out[base + j]! / seq.length;
  });
  return out;
}
