/**
 * Parity with Keras's own predictions on every shared fixture that has them (within 1e-5), read
 * in place from ../shared. Pins the silent tfjs divergences: GlobalAveragePooling1D ignoring an
 * Embedding mask (k3_embed_gap_masked, 5.4e-3 off before), Keras 3 hard_sigmoid (k3_lstm_hardsig,
 * 3.8e-4 off), GRU reset_after=True (k3_gru, refused by tfjs), silu (k3_dense_silu, unknown to tfjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readKerasConfigWeights, readKerasH5, readKerasZip, type KerasModel } from '../../../src/model/keras/readKerasModel.js';
import { H5File } from '../../../src/model/keras/h5File.js';
import { registerKerasCompat } from '../../../src/model/kerasCompatLayers.js';
import { bundleIOHandler } from '../../../src/model/ioHandlers.js';
import { repoRoot } from '../../helpers/paths.js';
import { readNpy } from './npy.js';

const shared = join(repoRoot, '..', 'shared', 'fixtures');
const k3 = join(shared, 'keras3');
const K3_NAMES = ['k3_mlp_bow', 'k3_embed_gap', 'k3_embed_gap_masked', 'k3_lstm', 'k3_lstm_hardsig', 'k3_gru', 'k3_gru_noreset', 'k3_functional_bilstm', 'k3_dense_silu'];

registerKerasCompat(tf);

async function predict(m: KerasModel, x: ArrayLike<number>, shape: number[], dtype: 'float32' | 'int32'): Promise<Float32Array> {
  const model = await tf.loadLayersModel(bundleIOHandler(m as never));
  try {
    const y = tf.tidy(() => model.predict(tf.tensor(Array.from(x), shape, dtype)) as tf.Tensor);
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  } finally {
    model.dispose();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'prediction count');
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

for (const name of K3_NAMES) {
  for (const ext of ['keras', 'h5'] as const) {
    test(`${name}.${ext} predicts what Keras 3.16 predicted (max abs diff <= 1e-5)`, async () => {
      const bytes = await readFile(join(k3, `${name}.${ext}`));
      const m = ext === 'keras' ? await readKerasZip(bytes, `${name}.keras`) : await readKerasH5(bytes, `${name}.h5`);
      assert.equal(m.format, ext === 'keras' ? 'keras-zip' : 'keras-h5');
      assert.equal(m.kerasVersion, '3.16.0');
      const x = readNpy(join(k3, `${name}_x.npy`));
      const y = readNpy(join(k3, `${name}_y.npy`));
      const diff = maxAbsDiff(await predict(m, x.data, x.shape, x.dtype === 'int32' ? 'int32' : 'float32'), y.data);
      process.stdout.write(`# parity ${name}.${ext} max abs diff ${diff.toExponential(2)}\n`);
      assert.ok(diff <= 1e-5, `max abs diff ${diff}`);
    });
  }
}

test('dl4j_mnist_mlp_tf_keras_2 config + weights predicts predictions/dense_3 of its inputs_and_outputs file', async () => {
  const m = await readKerasConfigWeights(join(shared, 'keras', 'dl4j_mnist_mlp_tf_keras_2_config.json'), join(shared, 'keras', 'dl4j_mnist_mlp_tf_keras_2_weights.h5'));
  assert.equal(m.format, 'keras-config-weights');
  const io = await H5File.open(await readFile(join(shared, 'keras', 'dl4j_mnist_mlp_tf_keras_2_inputs_and_outputs.h5')), 'inputs_and_outputs.h5');
  try {
    const x = io.readFloat32('inputs/dense_1_input');
    const y = io.readFloat32('predictions/dense_3');
    const diff = maxAbsDiff(await predict(m, x.data, x.shape, 'float32'), y.data);
    process.stdout.write(`# parity dl4j_mnist_mlp_tf_keras_2 max abs diff ${diff.toExponential(2)}\n`);
    assert.ok(diff <= 1e-5, `max abs diff ${diff}`);
  } finally {
    io.close();
  }
});

test('dl4j_lstm_fullconfig (Keras 2.0.8, theano attr, hard_sigmoid 0.2x+0.5) predicts predictions.npy on its 283 sequences', async () => {
  const dir = join(shared, 'keras', 'dl4j_lstm_fullconfig');
  const m = await readKerasConfigWeights(join(dir, 'lstm_th_keras_2_config.json'), join(dir, 'lstm_th_keras_2_weights.h5'));
  assert.equal(m.backend, 'theano');
  const rows: number[] = [];
  for (let i = 0; i < 283; i++) {
    // predict.py: the first 12 columns of each ';'-separated CSV, one sequence of 4 steps each
    const csv = await readFile(join(dir, 'sequences', `${i}.csv`), 'utf8');
    for (const line of csv.trim().split('\n')) rows.push(...line.split(';').slice(0, 12).map(Number));
  }
  const want = readNpy(join(dir, 'predictions.npy'));
  const diff = maxAbsDiff(await predict(m, rows, [283, 4, 12], 'float32'), want.data);
  process.stdout.write(`# parity dl4j_lstm_fullconfig max abs diff ${diff.toExponential(2)}\n`);
  assert.ok(diff <= 1e-5, `max abs diff ${diff}`);
});
