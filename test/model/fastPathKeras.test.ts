/**
 * The fast path against Keras's own predictions on the shared Keras 3 fixtures
 * (../shared/fixtures/keras3, PROVENANCE.md: Keras 3.16 model.predict on NAME_x.npy), and
 * against tfjs on the same weights: the bag-of-words MLP on dense float rows (the weighted
 * kernel), the Embedding -> GlobalAveragePooling1D -> Dense plan unmasked and masked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFastPredictor } from '../../src/model/fastPredictor.js';
import { selectBackend } from '../../src/model/backend.js';
import { haveH5py, kerasH5Fixture } from '../helpers/kerasH5Bundle.js';

const skip = haveH5py ? false : '/usr/bin/python3 has no h5py (apt-get install python3-h5py)';

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const name of ['k3_mlp_bow', 'k3_embed_gap', 'k3_embed_gap_masked']) {
  test(`${name}: the fast path equals Keras's predictions within 1e-5`, { skip }, () => {
    const { bundle, x, y, rows } = kerasH5Fixture(name);
    const fast = createFastPredictor(bundle);
    if (!('predictor' in fast)) assert.fail(`${name} must qualify for the fast path: ${fast.reason}`);
    const d = maxDiff(fast.predictor.forward(x, rows), y);
    assert.ok(d < 1e-5, `max |fast - keras| = ${d}`);
  });
}

test('k3_embed_gap: the fast path equals tfjs (Embedding, GlobalAveragePooling1D, Dense on the same weights)', { skip }, async () => {
  const { bundle, x, rows } = kerasH5Fixture('k3_embed_gap');
  const { tf } = await selectBackend('wasm');
  const layers = (bundle.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
  const emb = layers.find((l) => l.class_name === 'Embedding')!.config;
  const dense = layers.find((l) => l.class_name === 'Dense')!.config;
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: Number(emb['input_dim']), outputDim: Number(emb['output_dim']), inputLength: bundle.inputWidth, inputShape: [bundle.inputWidth] }),
      tf.layers.globalAveragePooling1d(),
      tf.layers.dense({ units: Number(dense['units']), activation: 'softmax' }),
    ],
  });
  let offset = 0;
  const values = bundle.weightSpecs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(new Float32Array(bundle.weightData, offset * 4, n), s.shape);
    offset += n;
    return t;
  });
  model.setWeights(values);
  const want = (model.predict(tf.tensor2d(x, [rows, bundle.inputWidth])) as import('@tensorflow/tfjs').Tensor).dataSync() as Float32Array;
  const fast = createFastPredictor(bundle);
  if (!('predictor' in fast)) assert.fail(fast.reason);
  const d = maxDiff(fast.predictor.forward(x, rows), want);
  assert.ok(d < 1e-5, `max |fast - tfjs| = ${d}`);
  model.dispose();
  for (const v of values) v.dispose();
});

test('an LSTM model is left to tfjs, with the reason', { skip }, () => {
  const fast = createFastPredictor(kerasH5Fixture('k3_lstm').bundle);
  assert.ok('reason' in fast && /LSTM/.test(fast.reason), JSON.stringify(fast));
});
