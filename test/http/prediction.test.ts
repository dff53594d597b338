import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prediction } from '../../src/http/app.js';

test('a multi-label answer lists every label over the threshold beside the top class', () => {
  const result = {
    classes: Int32Array.of(2, 0),
    probs: Float32Array.of(0.9, 0.3),
    scores: Float32Array.of(0.6, 0.1, 0.9, 0.3, 0.2, 0.1),
    slot: 1,
    labels: ['a', 'b', 'c'],
    decoding: { kind: 'multi-label' as const, activation: null, threshold: 0.5 },
  };
  assert.deepEqual(prediction(result, 0, result.labels), { prediction: '2', label: 'c', probability: result.probs[0], labels: ['a', 'c'] });
  assert.deepEqual(prediction(result, 1, result.labels), { prediction: '0', label: 'a', probability: result.probs[1], labels: [] });
});

test('softmax and binary answers keep the one-class shape', () => {
  const result = { classes: Int32Array.of(1), probs: Float32Array.of(0.75), slot: 1, labels: ['negative', 'positive'], decoding: { kind: 'binary' as const, activation: null, threshold: 0.5 } };
  assert.deepEqual(prediction(result, 0, result.labels), { prediction: '1', label: 'positive', probability: 0.75 });
});
