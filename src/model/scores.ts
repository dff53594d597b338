import type { RequestResult } from './requestResult.js';
import { MlserveError } from '../errors.js';

/** One class of a top-k answer. */
export interface Ranked {
  index: number;
  label: string;
  score: number;
}

/** Row `i`'s full score vector, one score per label; ERR_INTERNAL when the worker sent only top classes. */
export function scoresOf(result: RequestResult, i: number): Float32Array {
  const width = result.labels.length;
  // Dense(1, sigmoid): one output per row, p of class 1, and two labels (for 0 and 1): the
  // classes' scores are [1 - p, p], as Keras users compute them from model.predict.
  if (result.decoding?.kind === 'binary' && result.scores && result.scores.length === result.classes.length && i < result.scores.length) {
    const p = result.scores[i]!;
    return Float32Array.of(1 - p, p);
  }
  if (!result.scores || result.scores.length < (i + 1) * width) {
    throw new MlserveError('ERR_INTERNAL', 'the worker answered without the score vector this protocol needs');
  }
  return result.scores.subarray(i * width, (i + 1) * width);
}

/**
 * The `k` highest scores of row `i`, highest first; ties keep the lower index first (as a
 * stable sort, and numpy's argsort on the negated scores, do).
 *
 * @example
 * topK(result, 0, 3) // [{ index: 3, label: 'earn', score: 0.97 }, ...]
 */
export function topK(result: RequestResult, i: number, k: number): Ranked[] {
  const row = scoresOf(result, i);
  const order = Array.from(row.keys());
  order.sort((a, b) => row[b]! - row[a]! || a - b);
  return order.slice(0, Math.max(0, Math.min(k, row.length))).map((index) => ({
    index,
    label: result.labels[index] ?? String(index),
    score: row[index]!,
  }));
}

/** Row `i`'s scores as a plain array (JSON). */
export function scoreList(result: RequestResult, i: number): number[] {
  return Array.from(scoresOf(result, i));
}
