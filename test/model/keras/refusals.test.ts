/**
 * What mlserve refuses, each with its one-line message asserted (file, layer or weight, and what
 * to do instead), and the HDF5 reader against h5py on the three older fixtures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneLineError } from '../../helpers/oneLineError.js';
import { H5File } from '../../../src/model/keras/h5File.js';
import { normalizeKerasConfig } from '../../../src/model/keras/normalizeConfig.js';
import { readKerasH5, readKerasZip } from '../../../src/model/keras/readKerasModel.js';
import { repoRoot } from '../../helpers/paths.js';

const shared = join(repoRoot, '..', 'shared', 'fixtures');
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-h5py (the pyenv python3 on PATH lacks it)

test('a Keras 1.x file is refused, naming the version and how to re-save it', async () => {
  const file = join(shared, 'keras', 'dl4j_simple_lstm_tf_keras_1_model.h5');
  await assert.rejects(readKerasH5(await readFile(file), file), oneLineError('ERR_MODEL_UNSUPPORTED', /dl4j_simple_lstm_tf_keras_1_model\.h5: a Keras 1\.x file \(keras_version 1\.2\.2\); .*save it again with model\.save\('model\.h5'\)/));
});

test('a custom class is refused, naming it', async () => {
  const file = join(shared, 'keras', 'keras_nested_container_custom_class.keras');
  await assert.rejects(readKerasZip(await readFile(file), file), oneLineError('ERR_MODEL_UNSUPPORTED', /keras_nested_container_custom_class\.keras: layer nested_dense_model is the custom class legacy_nested_container>NestedDenseModel.*built-in layers/));
});

test('a Lambda layer is refused, naming the layer', () => {
  const config = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_shape: [null, 3] } }, { class_name: 'Lambda', config: { name: 'double_it', function: 'x*2' } }] } };
  assert.throws(() => normalizeKerasConfig(config, { file: 'm.keras', kerasVersion: '3.16.0' }), oneLineError('ERR_MODEL_UNSUPPORTED', /m\.keras: layer double_it is a Lambda.*replace the Lambda with built-in layers/));
});

test('a truncated .keras zip is an invalid model naming the file', async () => {
  const bytes = await readFile(join(shared, 'keras3', 'k3_mlp_bow.keras'));
  await assert.rejects(readKerasZip(bytes.subarray(0, bytes.length >> 1), 'half.keras'), oneLineError('ERR_MODEL_INVALID', /half\.keras: is a damaged or truncated zip/));
});

// Regression: HDF5's error stack went to stderr and h5wasm then failed with "name not defined!".
test('a truncated .h5 is an invalid model in one line naming the file and HDF5\'s deepest cause', async () => {
  const bytes = await readFile(join(shared, 'keras3', 'k3_mlp_bow.h5'));
  await assert.rejects(readKerasH5(bytes.subarray(0, 30_000), 'cut.h5'), oneLineError('ERR_MODEL_INVALID', /^cut\.h5: HDF5 cannot open it \(truncated file: eof = 30000, .*stored_eof = 56512\); the file is damaged or truncated/));
  // The file after a failed open still reads: the throwing handler is only around H5Fopen.
  const ok = await readKerasH5(bytes, 'k3_mlp_bow.h5');
  assert.equal(ok.layers.length, 3);
});

// Variants of k3_mlp_bow.h5 written by h5py: a float16, float64 or int8 (quantized) kernel, an lzf-compressed kernel (a filter
// h5wasm's HDF5 lacks), and a .keras zip whose weights are sharded.
const tmp = mkdtempSync(join(tmpdir(), 'mlserve-refusals-'));
execFileSync(PYTHON, ['-c', `
import h5py, shutil, zipfile, numpy as np, sys
src, tmp = sys.argv[1], sys.argv[2]
for kind in ('f16', 'lzf', 'f64', 'i8'):
    dst = f'{tmp}/{kind}.h5'
    shutil.copy(src, dst)
    with h5py.File(dst, 'r+') as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and n.endswith('kernel') else None)
        k = names[0]; v = f[k][()]; del f[k]
        if kind == 'f16': f.create_dataset(k, data=v.astype('float16'))
        elif kind == 'f64': f.create_dataset(k, data=v.astype('float64'))
        elif kind == 'i8': f.create_dataset(k, data=np.round(v * 100).astype('int8'))
        else: f.create_dataset(k, data=v, compression='lzf')
        print(k)
with zipfile.ZipFile(f'{tmp}/sharded.keras', 'w') as z:
    z.writestr('config.json', '{}'); z.writestr('metadata.json', '{}')
    z.writestr('model.weights.json', '{}'); z.writestr('model_00000.weights.h5', b'')
`, join(shared, 'keras3', 'k3_mlp_bow.h5'), tmp], { timeout: 30_000 });

test('float16 weights are refused, naming the weight', async () => {
  await assert.rejects(readKerasH5(readFileSync(join(tmp, 'f16.h5')), 'f16.h5'), oneLineError('ERR_MODEL_INVALID', /f16\.h5: weight model_weights\/.*kernel is float16; mlserve serves float32 weights only/));
});

for (const [kind, what] of [['f64', 'float64'], ['i8', 'dtype']] as const) {
  test(`${kind === 'f64' ? 'float64' : 'int8 (quantized)'} weights are refused, naming the weight`, async () => {
    await assert.rejects(readKerasH5(readFileSync(join(tmp, `${kind}.h5`)), `${kind}.h5`), oneLineError('ERR_MODEL_INVALID', new RegExp(`${kind}\\.h5: weight model_weights/.*kernel is ${what}.*; mlserve serves float32 weights only`)));
  });
}

test('a Keras 3 quantized layer and a mixed-precision dtype policy are refused, naming the layer', () => {
  const dense = (config: Record<string, unknown>) => ({
    class_name: 'Sequential',
    config: { name: 's', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_shape: [null, 3] } }, { class_name: 'Dense', config: { name: 'd', units: 2, ...config } }] },
  });
  assert.throws(() => normalizeKerasConfig(dense({ quantization_mode: 'int8' }), { file: 'q.keras', kerasVersion: '3.16.0' }), oneLineError('ERR_MODEL_UNSUPPORTED', /q\.keras: layer d is quantized.*save the model before quantizing it/));
  const mixed = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'mixed_float16' }, registered_name: null };
  assert.throws(() => normalizeKerasConfig(dense({ dtype: mixed }), { file: 'mp.keras', kerasVersion: '3.16.0' }), oneLineError('ERR_MODEL_UNSUPPORTED', /mp\.keras: layer d computes in mixed_float16.*set_dtype_policy\('float32'\)/));
});

test('an HDF5 filter h5wasm cannot decode (lzf) is refused, naming the weight', async () => {
  await assert.rejects(readKerasH5(readFileSync(join(tmp, 'lzf.h5')), 'lzf.h5'), oneLineError('ERR_MODEL_INVALID', /lzf\.h5: weight model_weights\/.*kernel uses HDF5 filter 32000/));
});

test('sharded .keras weights are refused', async () => {
  await assert.rejects(readKerasZip(readFileSync(join(tmp, 'sharded.keras')), 'sharded.keras'), oneLineError('ERR_MODEL_UNSUPPORTED', /sharded\.keras: has sharded weights/));
});

function walk(h5: H5File, group: string, out: string[]): void {
  for (const k of h5.keys(group) ?? []) {
    const p = group === '' ? k : `${group}/${k}`;
    if (h5.isDataset(p)) out.push(p);
    else walk(h5, p, out);
  }
}

for (const rel of ['dl4j_mnist_mlp_tf_keras_2_weights.h5', 'dl4j_lstm_fullconfig/lstm_th_keras_2_weights.h5', 'dl4j_dga_classifier.h5']) {
  test(`the HDF5 reader equals h5py on ${rel} (every weight: count, sum, bytes)`, async () => {
    const file = join(shared, 'keras', rel);
    const want = JSON.parse(execFileSync(PYTHON, ['-c', `
import h5py, hashlib, json, sys, numpy as np
out = {}
def visit(n, o):
    if isinstance(o, h5py.Dataset) and o.dtype == np.float32:
        v = o[()]
        out[n] = [int(v.size), float(v.astype(np.float64).sum()), hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()]
h5py.File(sys.argv[1], 'r').visititems(visit)
print(json.dumps(out))
`, file], { timeout: 30_000 }).toString()) as Record<string, [number, number, string]>;
    const h5 = await H5File.open(await readFile(file), file);
    try {
      const paths: string[] = [];
      walk(h5, '', paths);
      const got: Record<string, [number, number, string]> = {};
      for (const p of paths.filter((p) => !p.startsWith('optimizer_weights'))) {
        const { data } = h5.readFloat32(p);
        got[p] = [data.length, data.reduce((a, b) => a + b, 0), createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex')];
      }
      const keys = Object.keys(want).filter((p) => !p.startsWith('optimizer_weights')).sort();
      assert.deepEqual(Object.keys(got).sort(), keys);
      assert.ok(keys.length > 0);
      for (const p of keys) {
        assert.equal(got[p]![0], want[p]![0], `${p} count`);
        assert.equal(got[p]![2], want[p]![2], `${p} bytes`);
        assert.ok(Math.abs(got[p]![1] - want[p]![1]) <= 1e-9 * Math.max(1, Math.abs(want[p]![1])), `${p} sum ${got[p]![1]} vs ${want[p]![1]}`);
      }
    } finally {
      h5.close();
    }
  });
}
