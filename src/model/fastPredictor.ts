import type { ModelBundle } from './bundle.js';
import { FastForward, planFastPath, poolEmbedding } from './fastPath.js';
import type { BatchPrediction } from './outputDecoding.js';
import { MlserveError } from '../errors.js';
import { Tokenizer } from './tokenizer.js';

/** What a worker serves with: tfjs's predictor or the fast path. */
export interface BatchPredictor {
  /**
   * Top class and its probability for each text. `onRow(i)` is called as row i starts, so a
   * worker that dies in a row can be told which (the fast path works row by row).
   */
  predictBatch(texts: readonly string[], onRow?: (row: number) => void): BatchPrediction;
  /** Full output rows (`texts.length x outputWidth`); `onRow` as in predictBatch. */
  predictRows(texts: readonly string[], onRow?: (row: number) => void): Float32Array;
  /** Full output rows of a row-major `rows x inputWidth` numeric input (the tensor API); `onRow` as in predictBatch. */
  forward(values: Float32Array, rows: number, onRow?: (row: number) => void): Float32Array;
  /** What computes it: `wasm-simd` or `js` on the fast path (tfjs's predictor leaves it unset). */
  readonly engine?: string;
  /** Why a fast path runs in plain JavaScript, null otherwise. */
  readonly engineReason?: string | null;
}

/**
 * The fast-path predictor of a bundle, or the reason it does not apply (then tfjs serves).
 * Needs no tfjs at all: a worker on the fast path never loads it.
 *
 * @example
 * const fast = createFastPredictor(bundle);
 * if ('predictor' in fast) fast.predictor.predictBatch(['oil prices rose']);
 */
export function createFastPredictor(bundle: ModelBundle, options: { simd?: boolean } = {}): { predictor: BatchPredictor } | { reason: string } {
  const plan = planFastPath(bundle);
  if (!plan.ok) return { reason: plan.reason };
  // A tensor-only model or one with preprocessing.json has no bag-of-words tokenizer of its own.
  // tokenizer.json alone means a bag of words; an Embedding reads sequences (preprocessing.json).
  if (plan.embedding && bundle.tokenizerJson !== '') return { reason: 'an Embedding model reads sequences: declare texts_to_sequences + pad_sequences in preprocessing.json' };
  const tokenizer = Tokenizer.fromJSON(bundle.tokenizerJson === '' ? '{"word_index": "{}", "num_words": ' + bundle.inputWidth + '}' : bundle.tokenizerJson);
  if (tokenizer.matrixWidth !== bundle.inputWidth) return { reason: `tokenizer width ${tokenizer.matrixWidth} is not the model's ${bundle.inputWidth}` };
  const net = new FastForward(plan.steps, options);
  const width = net.outputWidth;
  const row = new Float32Array(width);
  const embedding = plan.embedding;
  const pooledRow = embedding ? new Float32Array(embedding.outputDim) : null;

  function predictRows(texts: readonly string[], onRow?: (row: number) => void): Float32Array {
    const out = new Float32Array(texts.length * width);
    for (let i = 0; i < texts.length; i++) {
      onRow?.(i);
      net.forwardSparse(tokenizer.wordIndicesOf(texts[i]!), out, i * width);
    }
    return out;
  }

  function forward(values: Float32Array, rows: number, onRow?: (row: number) => void): Float32Array {
    const inputWidth = bundle.inputWidth;
    if (values.length !== rows * inputWidth) {
      throw new MlserveError('ERR_TENSOR_SHAPE', `input has ${values.length} values, expected ${rows} x ${inputWidth}`);
    }
    const out = new Float32Array(rows * width);
    for (let i = 0; i < rows; i++) {
      onRow?.(i);
      let x = values.subarray(i * inputWidth, (i + 1) * inputWidth);
      if (embedding) {
        poolEmbedding(embedding, x, pooledRow!);
        x = pooledRow!;
      }
      net.forwardDense(x, out, i * width);
    }
    return out;
  }

  function predictBatch(texts: readonly string[], onRow?: (row: number) => void): BatchPrediction {
    const classes = new Int32Array(texts.length);
    const probs = new Float32Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      onRow?.(i);
      net.forwardSparse(tokenizer.wordIndicesOf(texts[i]!), row, 0);
      // First maximum wins, as numpy's argmax (the Python peer) and argmaxRows do.
      let best = 0;
      for (let c = 1; c < width; c++) if (row[c]! > row[best]!) best = c;
      classes[i] = best;
      probs[i] = row[best]!;
    }
    return { classes, probs };
  }

  return { predictor: { predictBatch, predictRows, forward, engine: net.engine, engineReason: net.engineReason } };
}
