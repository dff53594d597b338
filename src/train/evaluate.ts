import type { Predictor } from '../model/predictor.js';
import { argmaxRows } from '../model/outputDecoding.js';
import type { LabelledTexts } from './dataset.js';

/** Keras clips probabilities to [eps, 1 - eps] before the log of cross-entropy. */
const EPSILON = 1e-7;

/**
 * Accuracy (prediction = argmaxRows, as served) and mean categorical cross-entropy of softmax
 * rows (`labels.length x width`, row-major) against integer labels.
 */
export function accuracyAndLoss(probs: Float32Array, width: number, labels: readonly number[]): { accuracy: number; loss: number } {
  const { classes } = argmaxRows(probs, width);
  let correct = 0;
  let loss = 0;
  labels.forEach((label, r) => {
    if (classes[r] === label) correct += 1;
    loss -= Math.log(Math.min(Math.max(probs[r * width + label] as number, EPSILON), 1 - EPSILON));
  });
  const n = labels.length;
  return { accuracy: n === 0 ? 0 : correct / n, loss: n === 0 ? 0 : loss / n };
}

/**
 * Scores a predictor on labelled texts through the served path: tokenizer, binary matrix,
 * forward. Batches of `batchSize` keep the input tensor small.
 */
export function evaluatePredictor(predictor: Predictor, data: LabelledTexts, batchSize = 256): { accuracy: number; loss: number } {
  const width = predictor.outputWidth;
  const probs = new Float32Array(data.texts.length * width);
  for (let start = 0; start < data.texts.length; start += batchSize) {
    const texts = data.texts.slice(start, start + batchSize);
    const matrix = predictor.tokenizer.textsToMatrix(texts, 'binary');
    probs.set(predictor.forward(matrix, texts.length), start * width);
  }
  return accuracyAndLoss(probs, width, data.labels);
}
