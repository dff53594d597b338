import { isRecord } from './isRecord.js';
import { PreprocessingError } from './preprocessingError.js';

/** TextVectorization's output modes mlserve runs (Keras's deprecated "binary" and "tf-idf" read as multi_hot and tf_idf). */
export type TextVectorizationOutputMode = 'int' | 'multi_hot' | 'count' | 'tf_idf';

/** `TextVectorization.get_config()`, the parts mlserve runs. */
export interface TextVectorizationConfig {
  standardize: 'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation' | null;
  split: 'whitespace' | 'character' | null;
  /** An int n: widths 1..n (Keras's `tuple(range(1, n + 1))`); a list: those widths; null: none. */
  ngrams: number | readonly number[] | null;
  outputMode: TextVectorizationOutputMode;
  outputSequenceLength: number | null;
  maxTokens: number | null;
  padToMaxTokens: boolean;
  /** The vocabulary given to the constructor (config `vocabulary`); null when it was adapted (then it is an asset). */
  vocabulary?: readonly string[] | null;
  /** tf_idf's `idf_weights` given to the constructor, as long as that vocabulary; null otherwise. */
  idfWeights?: readonly number[] | null;
  /** `vocabulary_size` as saved (special tokens included); null when absent. */
  vocabularySize?: number | null;
}

const STANDARDIZE = ['lower_and_strip_punctuation', 'lower', 'strip_punctuation', null] as const;
const SPLIT = ['whitespace', 'character', null] as const;
const MODES = ['int', 'multi_hot', 'count', 'tf_idf'] as const;

/**
 * Reads `TextVectorization.get_config()` (or the layer's `{class_name, config}`) as Keras 3 and
 * tf.keras write it (keras/src/layers/preprocessing/text_vectorization.py get_config), with
 * Keras's defaults. Pure; throws PreprocessingError naming the key for what mlserve cannot run
 * faithfully: custom standardize/split callables, one_hot, ragged output, another encoding.
 *
 * @example
 * parseTextVectorizationConfig({ output_mode: 'int', output_sequence_length: 20 }).outputMode // 'int'
 */
export function parseTextVectorizationConfig(v: unknown): TextVectorizationConfig {
  const c = isRecord(v) && isRecord(v.config) && v.class_name === 'TextVectorization' ? v.config : v;
  if (!isRecord(c)) throw new PreprocessingError('text_vectorization must be TextVectorization.get_config()');
  for (const key of ['standardize', 'split']) {
    const x = c[key];
    if (isRecord(x) || (typeof x === 'string' && !(key === 'split' ? SPLIT : STANDARDIZE).includes(x as never))) {
      // serialization_lib: a function is {module, class_name: 'function', config: name, registered_name}, a lambda {class_name: '__lambda__'}.
      const name = !isRecord(x) ? x : typeof x.registered_name === 'string' ? x.registered_name : typeof x.config === 'string' ? x.config : String(x.class_name);
      throw new PreprocessingError(`text_vectorization.${key} is the custom callable ${JSON.stringify(name)}, whose Python code is not in the file; use a built-in ${key} (${(key === 'split' ? SPLIT : STANDARDIZE).map((a) => JSON.stringify(a)).join(', ')})`);
    }
  }
  // An explicit null (split=None, standardize=None) is a value, not the default.
  const pick = <T>(key: string, allowed: readonly T[], fallback: T, x: unknown = c[key]): T => {
    const got = (x === undefined ? fallback : x) as T;
    if (!allowed.includes(got)) throw new PreprocessingError(`text_vectorization.${key} ${JSON.stringify(x)} is not supported (one of ${allowed.map((a) => JSON.stringify(a)).join(', ')})`);
    return got;
  };
  const intOrNull = (key: string, min = 1): number | null => {
    const x = c[key] ?? null;
    if (x !== null && !(Number.isInteger(x) && (x as number) >= min)) throw new PreprocessingError(`text_vectorization.${key} must be null or an integer >= ${min}, got ${JSON.stringify(x)}`);
    return x as number | null;
  };
  const rawMode = c.output_mode === 'binary' ? 'multi_hot' : c.output_mode === 'tf-idf' ? 'tf_idf' : c.output_mode;
  if (rawMode === 'one_hot') throw new PreprocessingError('text_vectorization.output_mode "one_hot" (one row per token) is not supported: use multi_hot, count, tf_idf or int');
  if (c.ragged === true) throw new PreprocessingError('text_vectorization.ragged is true: a ragged output has no fixed row width; set ragged=False and an output_sequence_length');
  const encoding = c.encoding ?? 'utf-8';
  if (typeof encoding !== 'string' || !/^utf-?8$/i.test(encoding)) throw new PreprocessingError(`text_vectorization.encoding ${JSON.stringify(encoding)} is not supported (utf-8 only)`);
  const config: TextVectorizationConfig = {
    standardize: pick('standardize', STANDARDIZE, 'lower_and_strip_punctuation'),
    split: pick('split', SPLIT, 'whitespace'),
    ngrams: ngramsOf(c.ngrams),
    outputMode: pick('output_mode', MODES, 'int', rawMode),
    outputSequenceLength: intOrNull('output_sequence_length'),
    maxTokens: intOrNull('max_tokens', 2),
    padToMaxTokens: c.pad_to_max_tokens === true,
    vocabulary: stringsOrNull(c.vocabulary, 'vocabulary'),
    idfWeights: numbersOrNull(c.idf_weights, 'idf_weights'),
    vocabularySize: intOrNull('vocabulary_size'),
  };
  if (config.outputMode === 'int' && config.outputSequenceLength === null) {
    throw new PreprocessingError('text_vectorization with output_mode "int" needs output_sequence_length (a model reads fixed-length rows)');
  }
  if (config.padToMaxTokens && config.maxTokens === null && config.outputMode !== 'int') throw new PreprocessingError('text_vectorization.pad_to_max_tokens needs max_tokens');
  if (config.idfWeights && config.outputMode !== 'tf_idf') throw new PreprocessingError('text_vectorization.idf_weights is only for output_mode "tf_idf"');
  return config;
}

function ngramsOf(x: unknown): number | readonly number[] | null {
  if (x === undefined || x === null) return null;
  if (Number.isInteger(x) && (x as number) >= 1) return x as number;
  if (Array.isArray(x) && x.length > 0 && x.every((n) => Number.isInteger(n) && n >= 1)) return x as number[];
  throw new PreprocessingError(`text_vectorization.ngrams must be null, an integer >= 1 or a list of them, got ${JSON.stringify(x)}`);
}

function stringsOrNull(x: unknown, key: string): string[] | null {
  if (x === undefined || x === null) return null;
  if (Array.isArray(x) && x.every((t) => typeof t === 'string')) return x as string[];
  if (typeof x === 'string') throw new PreprocessingError(`text_vectorization.${key} names the file ${JSON.stringify(x)}: give the file beside the model as "vocabulary" instead`);
  throw new PreprocessingError(`text_vectorization.${key} must be a list of strings`);
}

function numbersOrNull(x: unknown, key: string): number[] | null {
  if (x === undefined || x === null) return null;
  if (Array.isArray(x) && x.every((n) => typeof n === 'number' && Number.isFinite(n))) return x as number[];
  throw new PreprocessingError(`text_vectorization.${key} must be a list of numbers`);
}
