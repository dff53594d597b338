import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { reutersModelBase } from './paths.js';

const PY = '/usr/bin/python3';

/**
 * Writes `file` as the classic stack's `reuters_model.hdf5`: the weights of models/reuters/1 in
 * the layout Keras 2.2.4's `model.save()` writes for the `reuters_mlp.py` example
 * (Dense(512) Activation(relu) Dropout(0.5) Dense(46) Activation(softmax)): root attrs
 * `model_config`, `keras_version`, `backend`, `training_config`; `model_weights` with
 * `layer_names`, and per layer `weight_names` (`dense_1/kernel:0`) and the nested datasets.
 *
 * Written by h5py, not by Keras: Keras cannot be installed here (no network index, no wheels for
 * this Python), so this reproduces Keras 2's saving code (keras/engine/saving.py) by hand.
 */
export function writeKeras2ReutersH5(file: string, modelDir: string = join(reutersModelBase, '1')): void {
  const code = `
import h5py, json, sys, numpy as np
src, out = sys.argv[1], sys.argv[2]
m = json.load(open(src + '/model.json'))
blob = open(src + '/' + m['weightsManifest'][0]['paths'][0], 'rb').read()
arrays, off = {}, 0
for w in m['weightsManifest'][0]['weights']:
    n = int(np.prod(w['shape']))
    arrays[w['name']] = np.frombuffer(blob, np.float32, n, off).reshape(w['shape']); off += 4 * n
units = arrays['dense_1/bias'].shape[0]; width = arrays['dense/kernel'].shape[0]
init = lambda: {'class_name': 'VarianceScaling', 'config': {'scale': 1.0, 'mode': 'fan_avg', 'distribution': 'uniform', 'seed': None}}
def dense(name, n, first=False):
    c = {'name': name, 'trainable': True}
    if first: c.update({'batch_input_shape': [None, int(width)], 'dtype': 'float32'})
    c.update({'units': int(n), 'activation': 'linear', 'use_bias': True, 'kernel_initializer': init(),
              'bias_initializer': {'class_name': 'Zeros', 'config': {}}, 'kernel_regularizer': None, 'bias_regularizer': None,
              'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None})
    return {'class_name': 'Dense', 'config': c}
layers = [dense('dense_1', 512, True),
          {'class_name': 'Activation', 'config': {'name': 'activation_1', 'trainable': True, 'activation': 'relu'}},
          {'class_name': 'Dropout', 'config': {'name': 'dropout_1', 'trainable': True, 'rate': 0.5, 'noise_shape': None, 'seed': None}},
          dense('dense_2', units),
          {'class_name': 'Activation', 'config': {'name': 'activation_2', 'trainable': True, 'activation': 'softmax'}}]
config = {'class_name': 'Sequential', 'config': {'name': 'sequential_1', 'layers': layers}}
training = {'optimizer_config': {'class_name': 'Adam', 'config': {'lr': 0.001, 'beta_1': 0.9, 'beta_2': 0.999, 'decay': 0.0, 'epsilon': 1e-07, 'amsgrad': False}},
            'loss': 'categorical_crossentropy', 'metrics': ['accuracy'], 'sample_weight_mode': None, 'loss_weights': None}
weights = {'dense_1': [('kernel:0', arrays['dense/kernel']), ('bias:0', arrays['dense/bias'])],
           'dense_2': [('kernel:0', arrays['dense_1/kernel']), ('bias:0', arrays['dense_1/bias'])]}
# As Keras 2 files under h5py 2 hold them: fixed-length |S arrays; an empty list a float64 (0,) array.
fixed = lambda names: np.array(names, dtype='S') if names else np.zeros((0,), np.float64)
with h5py.File(out, 'w') as f:
    f.attrs['keras_version'] = np.string_('2.2.4')
    f.attrs['backend'] = np.string_('tensorflow')
    f.attrs['model_config'] = np.string_(json.dumps(config).encode('utf8'))
    f.attrs['training_config'] = np.string_(json.dumps(training).encode('utf8'))
    g = f.create_group('model_weights')
    names = [l['config']['name'] for l in layers]
    g.attrs['layer_names'] = fixed([n.encode('utf8') for n in names])
    g.attrs['backend'] = np.string_('tensorflow')
    g.attrs['keras_version'] = np.string_('2.2.4')
    for n in names:
        lg = g.create_group(n)
        ws = weights.get(n, [])
        lg.attrs['weight_names'] = fixed([(n + '/' + w).encode('utf8') for w, _ in ws])
        for w, a in ws:
            lg.create_dataset(n + '/' + w, data=a, dtype='float32')
`;
  const r = spawnSync(PY, ['-c', code, modelDir, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`h5py could not write ${file}: ${r.stderr}`);
}
