/**
 * Keras 2 `model.save('m.h5')` files from the shared fixtures that carry no predictions of their
 * own (dl4j_elephas_sequential: Keras 2.2.2, Dense/Activation/Dropout; dl4j_optimizers_adam;
 * dl4j_dga_classifier: Keras 2.0.8, Embedding, Conv1D, Flatten, Dense(1, sigmoid)): mlserve's
 * readers and tfjs predict what a numpy forward pass of h5py's weights predicts, within 1e-5.
 * Keras cannot be installed here, so numpy stands in for it; the forward pass follows Keras 2's
 * layer definitions (Conv1D 'valid' padding with strides, Flatten row-major, Dropout the identity).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readModelBundle } from '../../../src/model/bundle.js';
import { createPredictor } from '../../../src/model/predictor.js';
import { kerasPythonSkip as skip, pythonJson } from '../../helpers/debianPython.js';
import { sharedDir } from '../../helpers/paths.js';

const keras = join(sharedDir, 'fixtures', 'keras');

/** Inputs and the numpy forward pass, from the file alone (its model_config and model_weights). */
const FORWARD = `import json, sys, h5py, numpy as np
d = json.load(sys.stdin)
f = h5py.File(d['file'], 'r')
cfg = json.loads(f.attrs['model_config'])
layers = cfg['config'] if isinstance(cfg['config'], list) else cfg['config']['layers']
shape = layers[0]['config']['batch_input_shape'][1:]
rng = np.random.default_rng(11)
first = layers[0]
if first['class_name'] == 'Embedding':
    x = rng.integers(0, first['config']['input_dim'], size=(5, *shape)).astype(np.int64)
else:
    x = rng.random((5, *shape)).astype(np.float32)
def weights(name):
    g = f['model_weights'][name]
    return [np.array(g[w], dtype=np.float64) for w in g.attrs['weight_names']]
acts = {'linear': lambda z: z, 'relu': lambda z: np.maximum(z, 0), 'sigmoid': lambda z: 1 / (1 + np.exp(-z)), 'tanh': np.tanh,
        'softmax': lambda z: np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)}
h = x.astype(np.float64)
for l in layers:
    c, k = l['config'], l['class_name']
    if k == 'Dense':
        w = weights(c['name']); h = acts[c['activation']](h @ w[0] + w[1])
    elif k == 'Activation': h = acts[c['activation']](h)
    elif k == 'Dropout': pass
    elif k == 'Embedding': h = weights(c['name'])[0][x]
    elif k == 'Flatten': h = h.reshape(h.shape[0], -1)
    elif k == 'Conv1D':
        assert c['padding'] == 'valid' and c['dilation_rate'] in ([1], 1, (1,))
        w, b = weights(c['name']); size, stride = w.shape[0], c['strides'][0]
        steps = (h.shape[1] - size) // stride + 1
        h = acts[c['activation']](np.stack([np.einsum('bkc,kco->bo', h[:, t * stride:t * stride + size, :], w) for t in range(steps)], 1) + b)
    else: raise SystemExit('unexpected layer ' + k)
print(json.dumps({'x': x.reshape(-1).tolist(), 'y': h.reshape(-1).tolist(), 'version': f.attrs['keras_version'] if isinstance(f.attrs['keras_version'], str) else f.attrs['keras_version'].decode()}))`;

for (const name of ['dl4j_elephas_sequential', 'dl4j_optimizers_adam', 'dl4j_dga_classifier']) {
  test(`${name}.h5 (Keras 2 model.save) read by mlserve predicts a numpy forward pass of its weights within 1e-5`, { skip }, async () => {
    const file = join(keras, `${name}.h5`);
    const expected = pythonJson<{ x: number[]; y: number[]; version: string }>(FORWARD, { file });
    const bundle = await readModelBundle(keras, { name, version: 1 }, file);
    assert.equal(bundle.format, 'keras-h5');
    assert.equal(bundle.kerasVersion, expected.version);
    const predictor = await createPredictor(bundle, tf);
    const got = predictor.forward(Float32Array.from(expected.x), 5);
    predictor.dispose();
    assert.equal(got.length, expected.y.length);
    let max = 0;
    got.forEach((p, i) => (max = Math.max(max, Math.abs(p - expected.y[i]!))));
    assert.ok(max <= 1e-5, `max abs diff ${max}`);
  });
}
