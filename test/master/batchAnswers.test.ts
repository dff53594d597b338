import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchAnswers } from '../../src/master/batchAnswers.js';
import type { OutputDecoding } from '../../src/model/outputDecoding.js';

const softmax: OutputDecoding = { kind: 'softmax', activation: null, threshold: 0.5 };
const multiLabel: OutputDecoding = { kind: 'multi-label', activation: null, threshold: 0.5 };
const result = {
  classes: Int32Array.from([0, 1, 2, 1]),
  probs: Float32Array.from([0.9, 0.8, 0.7, 0.6]),
  scores: Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6]), // 4 rows x 2
};

test('batchAnswers: each request gets its own rows, in order, as views on the result', () => {
  const thread = { labels: ['a', 'b'], decoding: softmax, version: 2 };
  const got = batchAnswers(result, [{ rows: 1, scores: false }, { rows: 2, scores: true }, { rows: 1, scores: false }], thread, 3);
  assert.deepEqual(got.map((a) => Array.from(a.classes)), [[0], [1, 2], [1]]);
  assert.deepEqual(got.map((a) => Array.from(a.probs).map((p) => Math.round(p * 10) / 10)), [[0.9], [0.8, 0.7], [0.6]]);
  assert.equal(got[0]!.scores, undefined, 'scores only for who asked');
  assert.deepEqual(Array.from(got[1]!.scores!).map((p) => Math.round(p * 10) / 10), [0.2, 0.8, 0.3, 0.7]);
  assert.equal(got[1]!.classes.buffer, result.classes.buffer, 'a view, not a copy');
  for (const a of got) {
    assert.equal(a.slot, 3);
    assert.equal(a.version, 2, 'the version of the thread that predicted it');
    assert.deepEqual(a.labels, ['a', 'b']);
  }
});

test('batchAnswers: a multi-label model answers every request with its scores; no version on a versionless thread', () => {
  const got = batchAnswers(result, [{ rows: 3, scores: false }, { rows: 1, scores: false }], { labels: ['a', 'b'], decoding: multiLabel }, 1);
  assert.equal(got[0]!.scores!.length, 6);
  assert.deepEqual(Array.from(got[1]!.scores!).map((p) => Math.round(p * 10) / 10), [0.4, 0.6]);
  assert.equal('version' in got[0]!, false);
});
