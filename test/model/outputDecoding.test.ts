import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activateRows, decodeRows, labelsOver, outputDecodingOf } from '../../src/model/outputDecoding.js';

test('outputDecodingOf: softmax, Dense(1, sigmoid) binary, multi-label, from_logits heads', () => {
  assert.deepEqual(outputDecodingOf({ activation: 'softmax', units: 46, fromLogits: false }), { kind: 'softmax', activation: null, threshold: 0.5 });
  assert.equal(outputDecodingOf({ activation: 'sigmoid', units: 1, fromLogits: false }).kind, 'binary');
  assert.equal(outputDecodingOf({ activation: 'sigmoid', units: 5, fromLogits: false }).kind, 'multi-label');
  assert.deepEqual(outputDecodingOf({ activation: 'linear', units: 3, fromLogits: true }), { kind: 'softmax', activation: 'softmax', threshold: 0.5 });
  assert.deepEqual(outputDecodingOf({ activation: 'linear', units: 1, fromLogits: true }), { kind: 'binary', activation: 'sigmoid', threshold: 0.5 });
  assert.equal(outputDecodingOf({ activation: 'linear', units: 4, fromLogits: true, loss: '{"class_name":"BinaryCrossentropy"}' }).kind, 'multi-label');
  assert.deepEqual(outputDecodingOf({ activation: 'linear', units: 3, fromLogits: false }), { kind: 'softmax', activation: null, threshold: 0.5 });
});

test('binary: class 1 over 0.5, probability of the chosen class; logits activated first', () => {
  const scores = Float32Array.of(0, 2, -2);
  activateRows(scores, 1, 'sigmoid');
  const { classes, probs } = decodeRows(scores, 1, { kind: 'binary', activation: 'sigmoid', threshold: 0.5 });
  assert.deepEqual(Array.from(classes), [0, 1, 0]);
  assert.ok(Math.abs(probs[0]! - 0.5) < 1e-7 && Math.abs(probs[1]! - 0.8807971) < 1e-6 && Math.abs(probs[2]! - 0.8807971) < 1e-6);
});

test('softmax of logits sums to 1; multi-label lists every class over the threshold', () => {
  const logits = Float32Array.of(1, 2, 3);
  activateRows(logits, 3, 'softmax');
  assert.ok(Math.abs(logits.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.equal(decodeRows(logits, 3, { kind: 'softmax', activation: 'softmax', threshold: 0.5 }).classes[0], 2);
  assert.deepEqual(labelsOver(Float32Array.of(0.9, 0.1, 0.6, 0.2, 0.7, 0.4), 1, 3, 0.5), [1]);
  assert.deepEqual(labelsOver(Float32Array.of(0.9, 0.1, 0.6), 0, 3, 0.5), [0, 2]);
});
