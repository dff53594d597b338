import type { ModelBundle } from './bundle.js';
import { FastForward, planFastPath } from './fastPath.js';
import type { BatchPrediction } from './outputDecoding.js';
import { MlserveError } from '../errors.js';
import { Tokenizer } from './tokenizer.js';

/** What a worker serves with: tfjs's predictor or the fast path. */
export interface BatchPredictor {
  /** Top class and its probability for each text. */
  predictBatch(texts: readonly string[]): BatchPrediction;
  /** Full output rows (`texts.length x outputWidth`). */
  predictRows(texts: readonly string[]): Float32Array;
  /** Full output rows of a row-major `rows x inputWidth` numeric input (the tensor API). */
  forward(values: Float32Array, rows: number): Float32Array;
}

/**
 * The fast-path predictor of a bundle, or the reason it does not apply (then tfjs serves).
 * Needs no tfjs at all: a worker on the fast path never loads it.
 *
 * @example
 * const fast = createFastPredictor(bundle);
 * if ('predictor' in fast) fast.predictor.predictBatch(['oil prices rose']);
 */
export function createFastPredictor(bundle: ModelBundle): { predictor: BatchPredictor } | { reason: string } {
  const plan = planFastPath(bundle);
  if (!plan.ok) return { reason: plan.reason };
  // A tensor-only model or one with preprocessing.json has no bag-of-words tokenizer of its own.
  const tokenizer = Tokenizer.fromJSON(bundle.tokenizerJson === '' ? '{"word_index": "{}", "num_words": ' + bundle.inputWidth + '}' : bundle.tokenizerJson);
  if (tokenizer.matrixWidth !== bundle.inputWidth) return { reason: `tokenizer width ${tokenizer.matrixWidth} is not the model's ${bundle.inputWidth}` };
  const net = new FastForward(plan.steps);
  const width = net.outputWidth;
  const row = new Float32Array(width);

  function predictRows(texts: readonly string[]): Float32Array {
    const out = new Float32Array(texts.length * width);
    for (let i = 0; i < texts.length; i++) net.forwardSparse(tokenizer.wordIndicesOf(texts[i]!), out, i * width);
    return out;
  }

  function forward(values: Float32Array, rows: number): Float32Array {
    const inputWidth = bundle.inputWidth;
    if (values.length !== rows * inputWidth) {
      throw new MlserveError('ERR_TENSOR_SHAPE', `input has ${values.length} values, expected ${rows} x ${inputWidth}`);
    }
    const out = new Float32Array(rows * width);
    for (let i = 0; i < rows; i++) net.forwardDense(values.subarray(i * inputWidth, (i + 1) * inputWidth), out, i * width);
    return out;
  }

  function predictBatch(texts: readonly string[]): BatchPrediction {
    const classes = new Int32Array(texts.length);
    const probs = new Float32Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      net.forwardSparse(tokenizer.wordIndicesOf(texts[i]!), row, 0);
      // First maximum wins, as numpy's argmax (the Python peer) and argmaxRows do.
      let best = 0;
      for (let c = 1; c < width; c++) if (row[c]! > row[best]!) best = c;
      classes[i] = best;
      probs[i] = row[best]!;
    }
    return { classes, probs };
  }

  return { predictor: { predictBatch, predictRows, forward } };
}
