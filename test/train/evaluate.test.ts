import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracyAndLoss } from '../../src/train/evaluate.js';

describe('accuracyAndLoss', () => {
  it('scores argmax accuracy and mean cross-entropy', () => {
    const probs = new Float32Array([0.5, 0.25, 0.25, /**/ 0.25, 0.5, 0.25, /**/ 0.5, 0.5, 0]);
    const { accuracy, loss } = accuracyAndLoss(probs, 3, [0, 0, 1]);
    // Row 3 ties: the first maximum (class 0) is the prediction, so only row 1 is right.
    assert.equal(accuracy, 1 / 3);
    assert.ok(Math.abs(loss - -(Math.log(0.5) + Math.log(0.25) + Math.log(0.5)) / 3) < 1e-7);
  });

  it('clips zero probabilities as Keras does (epsilon 1e-7)', () => {
    const { loss } = accuracyAndLoss(new Float32Array([1, 0]), 2, [1]);
    assert.ok(Math.abs(loss - -Math.log(1e-7)) < 1e-9);
  });
});
