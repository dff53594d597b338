/** Score vectors of a request's rows (src/model/scores.ts), as the protocols answer them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestResult } from '../../src/model/requestResult.js';
import { outputDecodingOf } from '../../src/model/outputDecoding.js';
import { scoreList, scoresOf, topK } from '../../src/model/scores.js';

test('a softmax row is the output row, one score per label; top k highest first', () => {
  const result: RequestResult = { classes: Int32Array.of(1), probs: Float32Array.of(0.7), slot: 1, labels: ['a', 'b', 'c'], scores: Float32Array.of(0.2, 0.7, 0.1), decoding: outputDecodingOf({ activation: 'softmax', units: 3, fromLogits: false }) };
  assert.deepEqual(scoreList(result, 0).map((v) => Math.round(v * 10) / 10), [0.2, 0.7, 0.1]);
  assert.deepEqual(topK(result, 0, 2).map((r) => r.label), ['b', 'a']);
});

// Regression: a Dense(1, sigmoid) model has one output per row but two labels, so TF Serving's
// :predict and :classify, KServe V2 and /predict?probabilities answered 500 ("the worker answered
// without the score vector this protocol needs") for every binary model.
test('a binary (one sigmoid unit) row is [1 - p, p] for its two labels', () => {
  const result: RequestResult = { classes: Int32Array.of(1, 0), probs: Float32Array.of(0.75, 0.875), slot: 1, labels: ['neg', 'pos'], scores: Float32Array.of(0.75, 0.125), decoding: outputDecodingOf({ activation: 'sigmoid', units: 1, fromLogits: false }) };
  assert.deepEqual(Array.from(scoresOf(result, 0)), [0.25, 0.75]);
  assert.deepEqual(Array.from(scoresOf(result, 1)), [0.875, 0.125]);
  assert.deepEqual(topK(result, 1, 2).map((r) => [r.label, r.score]), [['neg', 0.875], ['pos', 0.125]]);
});

test('scores missing (the request did not ask for them) is ERR_INTERNAL, binary or not', () => {
  const result: RequestResult = { classes: Int32Array.of(1), probs: Float32Array.of(0.75), slot: 1, labels: ['neg', 'pos'], decoding: outputDecodingOf({ activation: 'sigmoid', units: 1, fromLogits: false }) };
  assert.throws(() => scoresOf(result, 0), { code: 'ERR_INTERNAL' });
});
