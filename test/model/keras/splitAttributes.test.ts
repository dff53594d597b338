/**
 * Keras 2's split attribute form: an HDF5 attribute is limited to 64 KiB, so when a model's
 * `layer_names` or a layer's `weight_names` list is longer, Keras writes it in chunks
 * `layer_names0`, `layer_names1`, ... (keras/saving/legacy/hdf5_format.py
 * save_attributes_to_hdf5_group). A model with hundreds of layers has it. Real Keras is not
 * installable here, so h5py rewrites the real Keras 3 k3_mlp_bow.h5 into that form (the same
 * chunking code, on a smaller list): predictions must still equal Keras's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readKerasH5 } from '../../../src/model/keras/readKerasModel.js';
import { H5File } from '../../../src/model/keras/h5File.js';
import { registerKerasCompat } from '../../../src/model/kerasCompatLayers.js';
import { bundleIOHandler } from '../../../src/model/ioHandlers.js';
import { repoRoot } from '../../helpers/paths.js';
import { readNpy } from './npy.js';

const PYTHON = '/usr/bin/python3'; // Debian's, with python3-h5py
const k3 = join(repoRoot, '..', 'shared', 'fixtures', 'keras3');
registerKerasCompat(tf);

const tmp = mkdtempSync(join(tmpdir(), 'mlserve-split-'));
const split = join(tmp, 'split.h5');
execFileSync(PYTHON, ['-c', `
import h5py, shutil, sys, numpy as np
src, dst = sys.argv[1], sys.argv[2]
shutil.copy(src, dst)
def chunk(group, name, n):
    # hdf5_format.save_attributes_to_hdf5_group: name0..nameK when the list does not fit in one
    data = [x if isinstance(x, bytes) else x.encode() for x in group.attrs[name]]
    del group.attrs[name]
    for i in range(n):
        group.attrs['%s%d' % (name, i)] = np.array(data[len(data) * i // n: len(data) * (i + 1) // n])
with h5py.File(dst, 'r+') as f:
    mw = f['model_weights']
    layers = [x.decode() if isinstance(x, bytes) else x for x in mw.attrs['layer_names']]
    assert len(layers) >= 2, layers
    chunk(mw, 'layer_names', 2)
    for layer in layers:
        if len(mw[layer].attrs['weight_names']) >= 2:
            chunk(mw[layer], 'weight_names', 2)
    print(sorted(mw.attrs.keys()))
`, join(k3, 'k3_mlp_bow.h5'), split], { timeout: 30_000 });

test('the split layer_names0..N / weight_names0..N form reads as one list, in order', async () => {
  const h5 = await H5File.open(readFileSync(split), 'split.h5');
  try {
    assert.equal(h5.attrStrings('model_weights', 'layer_names0') !== undefined, true, 'the fixture was rewritten');
    const whole = await H5File.open(readFileSync(join(k3, 'k3_mlp_bow.h5')), 'k3_mlp_bow.h5');
    try {
      assert.deepEqual(h5.attrStrings('model_weights', 'layer_names'), whole.attrStrings('model_weights', 'layer_names'));
    } finally {
      whole.close();
    }
  } finally {
    h5.close();
  }
});

test('a model whose names are split predicts what Keras 3.16 predicted (max abs diff <= 1e-5)', async () => {
  const m = await readKerasH5(readFileSync(split), 'split.h5');
  const model = await tf.loadLayersModel(bundleIOHandler(m as never));
  try {
    const x = readNpy(join(k3, 'k3_mlp_bow_x.npy'));
    const y = readNpy(join(k3, 'k3_mlp_bow_y.npy'));
    const out = tf.tidy(() => (model.predict(tf.tensor(Array.from(x.data), x.shape)) as tf.Tensor).dataSync());
    assert.equal(out.length, y.data.length);
    let max = 0;
    for (let i = 0; i < out.length; i++) max = Math.max(max, Math.abs(out[i]! - y.data[i]!));
    assert.ok(max <= 1e-5, `max abs diff ${max}`);
  } finally {
    model.dispose();
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
