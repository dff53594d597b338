/**
 * The fast path against Keras's own predictions on the shared Keras 3 fixtures
 * (../shared/fixtures/keras3, PROVENANCE.md: Keras 3.16 model.predict on NAME_x.npy), and
 * against tfjs on the same weights: the bag-of-words MLP on dense float rows (the weighted
 * kernel), the Embedding -> GlobalAveragePooling1D -> Dense plan unmasked and masked.
 * First on bundles built by h5py (an independent reader), then on the bundles mlserve's own
 * Keras readers build from the .keras and .h5 files, as `mlserve --check` and the workers see them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readModelBundle } from '../../src/model/bundle.js';
import { describeModel } from '../../src/model/describeModel.js';
import { createFastPredictor } from '../../src/model/fastPredictor.js';
import { planFastPath } from '../../src/model/fastPath.js';
import { selectBackend } from '../../src/model/backend.js';
import { haveH5py, kerasH5Fixture } from '../helpers/kerasH5Bundle.js';
import { sharedDir } from '../helpers/paths.js';
import { readNpy } from './keras/npy.js';

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

const k3 = join(sharedDir, 'fixtures', 'keras3');

// Regression: read by mlserve's Keras reader, the Embedding models fell back to tfjs: the config
// normalisation renames GlobalAveragePooling1D to the mask-aware MaskedGlobalAveragePooling1D,
// which the planner did not know. k3_dense_silu fell back on silu (renamed swish for tfjs).
for (const name of ['k3_mlp_bow', 'k3_embed_gap', 'k3_embed_gap_masked', 'k3_dense_silu']) {
  for (const ext of ['keras', 'h5']) {
    test(`${name}.${ext} read by mlserve runs on the fast path and equals Keras's ${name}_y.npy within 1e-5`, async () => {
      const bundle = await readModelBundle(k3, { name, version: 1 }, join(k3, `${name}.${ext}`));
      const plan = planFastPath(bundle);
      assert.ok(plan.ok, `the plan must be chosen: ${'reason' in plan ? plan.reason : ''}`);
      assert.match(describeModel(bundle, { fastPath: true }).at(-1)!, /^engine: fastpath \(/);
      const fast = createFastPredictor(bundle);
      if (!('predictor' in fast)) assert.fail(fast.reason);
      const x = readNpy(join(k3, `${name}_x.npy`));
      const y = readNpy(join(k3, `${name}_y.npy`));
      const rows = x.shape[0]!;
      const d = maxDiff(fast.predictor.forward(Float32Array.from(x.data), rows), Float32Array.from(y.data));
      process.stdout.write(`# fastpath ${name}.${ext} (${fast.predictor.engine}) max |fast - keras| ${d.toExponential(2)}\n`);
      assert.ok(d < 1e-5, `max |fast - keras| = ${d}`);
    });
  }
}

test('k3_mlp_bow: the InputLayer and Dropout of the Keras 3 config are what the planner skips (two Dense steps)', async () => {
  const bundle = await readModelBundle(k3, { name: 'k3_mlp_bow', version: 1 }, join(k3, 'k3_mlp_bow.keras'));
  const layers = (bundle.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map((l) => l.class_name);
  assert.deepEqual(layers, ['InputLayer', 'Dense', 'Dropout', 'Dense']);
  const plan = planFastPath(bundle);
  if (!plan.ok) assert.fail(plan.reason);
  assert.deepEqual(plan.steps.map((s) => [s.inDim, s.outDim, s.activation]), [[300, 32, 'relu'], [32, 5, 'softmax']]);
});

test('the noise layers (GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D) and a Flatten of a vector are skipped too', async () => {
  const bundle = await readModelBundle(k3, { name: 'k3_mlp_bow', version: 1 }, join(k3, 'k3_mlp_bow.keras'));
  const topo = bundle.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  const [input, dense, , head] = topo.config.layers;
  const noop = (class_name: string, i: number) => ({ class_name, config: { name: `noop_${i}`, rate: 0.1, stddev: 0.1 } });
  const layers = [input!, noop('GaussianNoise', 0), noop('SpatialDropout1D', 5), dense!, noop('GaussianDropout', 1), noop('AlphaDropout', 2), noop('Flatten', 3), head!];
  const plan = planFastPath({ ...bundle, modelTopology: { ...topo, config: { ...topo.config, layers } } });
  assert.ok(plan.ok && plan.steps.length === 2, JSON.stringify(plan.ok ? plan.steps.map((s) => s.name) : plan));
  // A layer that is not the identity still sends the model to tfjs, named.
  const masking = planFastPath({ ...bundle, modelTopology: { ...topo, config: { ...topo.config, layers: [input!, noop('Masking', 4), dense!, head!] } } });
  assert.ok(!masking.ok && /noop_4 is a Masking/.test(masking.reason), JSON.stringify(masking));
});

// Regression (found in review): a row that is all padding (a text with no known word) pooled to
// zeros on the fast path but to NaN on tfjs (Keras's 0/0), so the answer depended on fast-path.
// Both engines now pool it to zeros and answer numbers.
test('k3_embed_gap_masked: an all-padding row gets the same finite answer on the fast path and on tfjs', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { createPredictor } = await import('../../src/model/predictor.js');
  const bundle = await readModelBundle(k3, { name: 'm', version: 1 }, join(k3, 'k3_embed_gap_masked.keras'));
  const fast = createFastPredictor(bundle);
  if (!('predictor' in fast)) assert.fail(fast.reason);
  const x = readNpy(join(k3, 'k3_embed_gap_masked_x.npy'));
  const width = x.shape[1]!;
  const rows = new Float32Array(2 * width); // row 0: all padding; row 1: the fixture's first row
  rows.set(Float32Array.from(x.data).subarray(0, width), width);
  const viaFast = fast.predictor.forward(rows, 2);
  const viaTfjs = (await createPredictor(bundle, tf)).forward(rows, 2);
  for (const v of viaTfjs) assert.ok(Number.isFinite(v), `tfjs answered ${v}`);
  assert.ok(maxDiff(viaFast, viaTfjs) < 1e-5, `max |fast - tfjs| = ${maxDiff(viaFast, viaTfjs)}`);
});
