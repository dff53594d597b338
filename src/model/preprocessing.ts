import { isRecord } from './isRecord.js';
import { PreprocessingError } from './preprocessingError.js';
import { parseTextVectorizationConfig, type TextVectorizationConfig } from './textVectorizationConfig.js';
import type { MatrixMode } from './tokenizer.js';

export { PreprocessingError } from './preprocessingError.js';
export type { TextVectorizationConfig } from './textVectorizationConfig.js';

/** `pad_sequences` arguments, with Keras's defaults (padding and truncating 'pre', value 0). */
export interface PadSequences {
  maxlen: number;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
  value: number;
}

/** `keras.datasets.reuters.load_data` conventions applied to a `get_word_index()` dictionary. */
export interface WordIndexConventions {
  /** Ranks at or past it are `oov_char` (or dropped when oov_char is null); null keeps all. */
  numWords: number | null;
  /** Added to every rank (3 in the datasets; 0 reproduces the classic Flask app). */
  indexFrom: number;
  /** Prepended to every sequence (1); null prepends nothing. */
  startChar: number | null;
  /** Stands for words past num_words or not in the index (2); null drops them. */
  oovChar: number | null;
}

/**
 * What preprocessing.json declares (or, without the file, what today's tokenizer.json implies):
 * which function turns a text into the model's input row, with its arguments. Plain data.
 */
export type PreprocessingSpec =
  | { kind: 'texts_to_matrix'; tokenizer: string; mode: MatrixMode }
  | { kind: 'texts_to_sequences'; tokenizer: string; pad: PadSequences }
  | { kind: 'word_index'; wordIndex: string; conventions: WordIndexConventions; matrix: { mode: Exclude<MatrixMode, 'tfidf'> } | null; pad: PadSequences | null }
  | {
      kind: 'text_vectorization';
      config: TextVectorizationConfig;
      /** The vocabulary file beside the model; null when the config holds it (or a .keras asset does). */
      vocabulary: string | null;
      /** Set when the layer came from a Keras file: `<file> layer <name>` (--check names it). */
      layer?: string;
    };

const MODES = ['binary', 'count', 'tfidf', 'freq'] as const;

/**
 * Reads a preprocessing.json document: its keys are Keras's own function and argument names,
 * with Keras's defaults. Pure; throws PreprocessingError naming the key.
 *
 * @example
 * parsePreprocessing({ tokenizer: 'tokenizer.json', texts_to_matrix: { mode: 'tfidf' } })
 * // { kind: 'texts_to_matrix', tokenizer: 'tokenizer.json', mode: 'tfidf' }
 */
export function parsePreprocessing(doc: unknown): PreprocessingSpec {
  if (!isRecord(doc)) throw new PreprocessingError('must be a JSON object');
  const known = ['tokenizer', 'texts_to_matrix', 'texts_to_sequences', 'pad_sequences', 'word_index', 'num_words', 'index_from', 'start_char', 'oov_char', 'sequences_to_matrix', 'text_vectorization', 'vocabulary'];
  for (const key of Object.keys(doc)) if (!known.includes(key)) throw new PreprocessingError(`unknown key "${key}" (known: ${known.join(', ')})`);
  const pad = doc.pad_sequences === undefined ? null : padSequences(doc.pad_sequences);
  if (doc.text_vectorization !== undefined) {
    const config = parseTextVectorizationConfig(doc.text_vectorization);
    const vocabulary = optionalString(doc, 'vocabulary');
    if (vocabulary !== null && config.vocabulary) throw new PreprocessingError('text_vectorization.vocabulary and "vocabulary" both give the vocabulary: keep one');
    return { kind: 'text_vectorization', config, vocabulary };
  }
  if (doc.word_index !== undefined) {
    const wordIndex = requiredString(doc, 'word_index');
    const conventions: WordIndexConventions = {
      numWords: optionalInt(doc, 'num_words', null, 1),
      indexFrom: optionalInt(doc, 'index_from', 3, 0) as number,
      startChar: optionalInt(doc, 'start_char', 1, 0),
      oovChar: optionalInt(doc, 'oov_char', 2, 0),
    };
    let matrix: { mode: Exclude<MatrixMode, 'tfidf'> } | null = null;
    if (doc.sequences_to_matrix !== undefined) {
      const mode = matrixMode(doc.sequences_to_matrix, 'sequences_to_matrix');
      if (mode === 'tfidf') throw new PreprocessingError('sequences_to_matrix.mode "tfidf" needs a fitted Tokenizer (document counts): use "tokenizer" instead of "word_index"');
      if (conventions.numWords === null) throw new PreprocessingError('sequences_to_matrix needs num_words (the matrix width)');
      matrix = { mode };
    }
    if ((matrix === null) === (pad === null)) throw new PreprocessingError('word_index needs exactly one of sequences_to_matrix or pad_sequences');
    return { kind: 'word_index', wordIndex, conventions, matrix, pad };
  }
  const tokenizer = requiredString(doc, 'tokenizer');
  if (doc.texts_to_matrix !== undefined) {
    if (pad !== null) throw new PreprocessingError('texts_to_matrix and pad_sequences exclude each other');
    return { kind: 'texts_to_matrix', tokenizer, mode: matrixMode(doc.texts_to_matrix, 'texts_to_matrix') };
  }
  if (doc.texts_to_sequences !== undefined || pad !== null) {
    // Keras pads 'pre' by default, many tutorials 'post': the answer changes, so it is never guessed.
    if (pad === null) throw new PreprocessingError('texts_to_sequences needs pad_sequences (maxlen, padding, truncating): a sequence model reads fixed-length rows');
    return { kind: 'texts_to_sequences', tokenizer, pad };
  }
  throw new PreprocessingError('with "tokenizer", declare texts_to_matrix or texts_to_sequences + pad_sequences');
}

function matrixMode(v: unknown, key: string): MatrixMode {
  if (!isRecord(v)) throw new PreprocessingError(`${key} must be an object of its arguments, e.g. {"mode": "binary"}`);
  const mode = v.mode ?? 'binary';
  if (!MODES.includes(mode as MatrixMode)) throw new PreprocessingError(`${key}.mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  return mode as MatrixMode;
}

function padSequences(v: unknown): PadSequences {
  if (!isRecord(v)) throw new PreprocessingError('pad_sequences must be an object of its arguments');
  const maxlen = v.maxlen;
  if (!Number.isInteger(maxlen) || (maxlen as number) < 1) {
    throw new PreprocessingError(`pad_sequences.maxlen must be an integer >= 1 (the model's sequence length), got ${JSON.stringify(maxlen)}`);
  }
  const side = (key: 'padding' | 'truncating'): 'pre' | 'post' => {
    const s = v[key] ?? 'pre';
    if (s !== 'pre' && s !== 'post') throw new PreprocessingError(`pad_sequences.${key} must be "pre" or "post", got ${JSON.stringify(s)}`);
    return s;
  };
  const value = v.value ?? 0;
  if (typeof value !== 'number') throw new PreprocessingError(`pad_sequences.value must be a number, got ${JSON.stringify(value)}`);
  if (v.dtype !== undefined && v.dtype !== 'int32') throw new PreprocessingError(`pad_sequences.dtype ${JSON.stringify(v.dtype)} is not supported (int32 only)`);
  return { maxlen: maxlen as number, padding: side('padding'), truncating: side('truncating'), value };
}

function requiredString(doc: Record<string, unknown>, key: string): string {
  const v = doc[key];
  if (typeof v !== 'string' || v.length === 0) throw new PreprocessingError(`${key} must name a file beside the model, got ${JSON.stringify(v)}`);
  return v;
}

function optionalString(doc: Record<string, unknown>, key: string): string | null {
  return doc[key] === undefined ? null : requiredString(doc, key);
}

function optionalInt(doc: Record<string, unknown>, key: string, fallback: number | null, min: number): number | null {
  const v = doc[key];
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (!Number.isInteger(v) || (v as number) < min) throw new PreprocessingError(`${key} must be null or an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}
