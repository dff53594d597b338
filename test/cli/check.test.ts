/**
 * `mlserve --check --model FILE` in a child process on the real Keras files (../shared/fixtures,
 * read in place; damaged variants written to a temp dir): what it prints for a servable model,
 * and, for each refused one, a non-zero exit with exactly one line on stderr naming the file, the
 * layer or weight, and what to do (test/model/keras/refusals.test.ts checks the messages
 * in-process; this proves the CLI prints them as one line, without a stack or HDF5's diagnostics).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveH5py } from '../helpers/kerasH5Bundle.js';
import { runMlserve } from '../helpers/mlserve.js';
import { mlserveBin, repoRoot, sharedDir } from '../helpers/paths.js';

const keras = join(sharedDir, 'fixtures', 'keras');
const k3 = join(sharedDir, 'fixtures', 'keras3');
const noH5py = haveH5py ? false : '/usr/bin/python3 has no h5py (apt-get install python3-h5py)';
let tmp = '';

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mlserve-check-'));
  // A config + weights pair: the two shared files linked into a version directory of their own.
  mkdirSync(join(tmp, 'pair', '1'), { recursive: true });
  for (const f of ['dl4j_mnist_mlp_tf_keras_2_config.json', 'dl4j_mnist_mlp_tf_keras_2_weights.h5']) symlinkSync(join(keras, f), join(tmp, 'pair', '1', f));
  mkdirSync(join(tmp, 'savedmodel', '1', 'variables'), { recursive: true });
  writeFileSync(join(tmp, 'savedmodel', '1', 'saved_model.pb'), Buffer.from([0x08, 0x01]));
  mkdirSync(join(tmp, 'two', '1'), { recursive: true });
  for (const f of ['k3_mlp_bow.h5', 'k3_mlp_bow.keras']) symlinkSync(join(k3, f), join(tmp, 'two', '1', f));
  const zip = readFileSync(join(k3, 'k3_mlp_bow.keras'));
  writeFileSync(join(tmp, 'truncated.keras'), zip.subarray(0, 20_000));
  const h5 = readFileSync(join(k3, 'k3_mlp_bow.h5'));
  writeFileSync(join(tmp, 'truncated.h5'), h5.subarray(0, 30_000));
  if (haveH5py) {
    // k3_mlp_bow.h5 with its first kernel rewritten by h5py: float16, or through a filter h5wasm lacks.
    execFileSync('/usr/bin/python3', ['-c', `
import h5py, shutil, sys
src, tmp = sys.argv[1], sys.argv[2]
for kind in ('f16', 'lzf', 'scaleoffset'):
    dst = f'{tmp}/{kind}.h5'
    shutil.copy(src, dst)
    with h5py.File(dst, 'r+') as f:
        k = 'model_weights/dense_7/sequential_5/dense_7/kernel'
        v = f[k][()]; del f[k]
        if kind == 'f16': f.create_dataset(k, data=v.astype('float16'))
        elif kind == 'lzf': f.create_dataset(k, data=v, compression='lzf')
        else: f.create_dataset(k, data=v, scaleoffset=3)
`, join(k3, 'k3_mlp_bow.h5'), tmp], { timeout: 30_000 });
  }
});

after(() => rmSync(tmp, { recursive: true, force: true }));

async function check(model: string, ...flags: string[]) {
  return runMlserve(['--check', '--model', model, ...flags]);
}

/** The refusal contract: exit 1, one stderr line "mlserve: CODE: <file>: ...", no stack. */
async function refused(model: string, code: string, pattern: RegExp): Promise<void> {
  const run = await check(model);
  assert.equal(run.signal, null, 'exited by itself');
  assert.equal(run.code, 1, `exit code; stdout:\n${run.stdout}`);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0]!, new RegExp(`^mlserve: ${code}: `));
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(run.stdout, /model .* ok/, 'no "ok" report');
}

const timeout = 120_000;

test('a Keras 1 file: refused in one line naming the file, the version and how to re-save it', { timeout }, async () => {
  await refused(join(keras, 'dl4j_simple_lstm_tf_keras_1_model.h5'), 'ERR_MODEL_UNSUPPORTED', /dl4j_simple_lstm_tf_keras_1_model\.h5: a Keras 1\.x file \(keras_version 1\.2\.2\); .*save it again with model\.save/);
});

test('a custom class: refused in one line naming the layer and the class', { timeout }, async () => {
  await refused(join(keras, 'keras_nested_container_custom_class.keras'), 'ERR_MODEL_UNSUPPORTED', /keras_nested_container_custom_class\.keras: layer nested_dense_model is the custom class legacy_nested_container>NestedDenseModel.*rebuild the model from built-in layers/);
});

test('a SavedModel directory: refused in one line naming the directory', { timeout }, async () => {
  await refused(join(tmp, 'savedmodel'), 'ERR_MODEL_UNSUPPORTED', /savedmodel\/1: is a TensorFlow SavedModel \(saved_model\.pb\); .*model\.save\('model\.keras'\)/);
});

test('a truncated .keras zip: one line naming the file', { timeout }, async () => {
  await refused(join(tmp, 'truncated.keras'), 'ERR_MODEL_INVALID', /truncated\.keras: is a damaged or truncated zip .*copy the \.keras file again/);
});

// Regression: this printed HDF5-DIAG's stack (~40 lines) and then h5wasm's "name not defined!" with a JavaScript stack.
test('a truncated .h5: one line naming the file and HDF5\'s cause, no HDF5 diagnostics', { timeout }, async () => {
  await refused(join(tmp, 'truncated.h5'), 'ERR_MODEL_INVALID', /truncated\.h5: HDF5 cannot open it \(truncated file: eof = 30000, .*\); .*copy it again/);
});

test('float16 weights: one line naming the weight', { timeout, skip: noH5py }, async () => {
  await refused(join(tmp, 'f16.h5'), 'ERR_MODEL_INVALID', /f16\.h5: weight model_weights\/dense_7\/sequential_5\/dense_7\/kernel is float16; mlserve serves float32 weights only/);
});

for (const [filter, id] of [['lzf', 32000], ['scaleoffset', 6]] as const) {
  test(`an HDF5 filter h5wasm cannot decode (${filter}): one line naming the weight and the filter`, { timeout, skip: noH5py }, async () => {
    await refused(join(tmp, `${filter}.h5`), 'ERR_MODEL_INVALID', new RegExp(`${filter}\\.h5: weight model_weights/dense_7/sequential_5/dense_7/kernel uses HDF5 filter ${id} \\(${filter}\\).*without compression or with gzip`));
  });
}

test('two artifacts in one version directory: one line listing both', { timeout }, async () => {
  await refused(join(tmp, 'two'), 'ERR_MODEL_INVALID', /two\/1: holds more than one model artifact \(k3_mlp_bow\.h5, k3_mlp_bow\.keras\); keep one per version directory/);
});

/** The indented report lines of a successful --check, by their key ("format", "engine", ...). */
function report(stdout: string): Map<string, string> {
  const lines = stdout.split('\n').filter((l) => l.startsWith('  '));
  return new Map(lines.map((l) => [l.trim().split(': ')[0]!, l.trim().slice(l.trim().indexOf(': ') + 2)]));
}

test('k3_mlp_bow.keras: format, Keras version, the backend .keras files do not record, layers, shapes, and the fast path', { timeout }, async () => {
  const run = await check(join(k3, 'k3_mlp_bow.keras'));
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const r = report(run.stdout);
  assert.equal(r.get('format'), "keras-zip (Keras 3.16.0; backend not recorded: a .keras file's metadata.json holds keras_version and date_saved only)");
  assert.equal(r.get('layers'), 'dense_7 (Dense), dropout (Dropout), dense_8 (Dense)');
  assert.equal(r.get('input'), 'input_layer_5 [null,300] float32');
  assert.equal(r.get('output'), '[null,5]');
  assert.match(r.get('preprocessing')!, /^none \(the tensor API only: rows of 300 values/);
  assert.equal(r.get('output decoding'), 'softmax: the top class of 5, answered as class indices (no labels.json)');
  assert.match(r.get('engine')!, /^fastpath \(exact sparse forward pass on (wasm-simd|js)/);
});

test('k3_mlp_bow.h5: the backend the legacy HDF5 writer records, and the fast path; --no-fast-path names tfjs', { timeout }, async () => {
  const run = await check(join(k3, 'k3_mlp_bow.h5'));
  assert.equal(run.code, 0, run.stderr);
  assert.equal(report(run.stdout).get('format'), 'keras-h5 (Keras 3.16.0, backend numpy)');
  assert.match(report(run.stdout).get('engine')!, /^fastpath /);
  const off = await check(join(k3, 'k3_mlp_bow.h5'), '--no-fast-path');
  assert.equal(off.code, 0, off.stderr);
  assert.equal(report(off.stdout).get('engine'), 'tfjs, backend auto (fast-path = false)');
});

test('Keras 2 .h5, a config + weights pair, an LSTM left to tfjs, and a tfjs model.json', { timeout }, async () => {
  const elephas = report((await check(join(keras, 'dl4j_elephas_sequential.h5'))).stdout);
  assert.equal(elephas.get('format'), 'keras-h5 (Keras 2.2.2, backend tensorflow)');
  assert.match(elephas.get('layers')!, /^dense_1 \(Dense\), activation_1 \(Activation\), dropout_1 \(Dropout\)/);
  assert.match(elephas.get('engine')!, /^fastpath /);
  const pair = report((await check(join(tmp, 'pair'))).stdout);
  assert.equal(pair.get('format'), 'keras-config-weights (Keras 2.0.6, backend tensorflow)');
  assert.equal(pair.get('input'), 'dense_1 [null,784] float32');
  assert.equal(pair.get('output'), '[null,10]');
  const lstm = report((await check(join(k3, 'k3_lstm.keras'))).stdout);
  assert.equal(lstm.get('output decoding'), 'binary: one sigmoid unit, class 1 when p > 0.5, answered as class indices (no labels.json)');
  assert.equal(lstm.get('engine'), 'tfjs, backend auto (the fast path does not apply: layer lstm is a LSTM after an Embedding, not GlobalAveragePooling1D)');
  const tfjs = report((await check('models/reuters')).stdout);
  assert.equal(tfjs.get('format'), 'tfjs layers-model (model.json; keras_version tfjs-layers 4.22.0, backend tensor_flow.js)');
  assert.equal(tfjs.get('preprocessing'), 'tokenizer.json, binary bag of words (texts_to_matrix mode binary)');
  assert.equal(tfjs.get('output decoding'), 'softmax: the top class of 46, answered as labels.json (46 names)');
});

// Regression: `mlserve --check | head -1` exited 7 on EPIPE once head had gone; a one-shot action
// now ends quietly with 0 when its reader closes the pipe, as coreutils do.
test('--check whose reader closes the pipe after one line exits 0 without a stack', async () => {
  const child = spawn(process.execPath, [mlserveBin, '--check', '--model', join(repoRoot, 'models', 'reuters')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b));
  await once(child.stdout, 'data');
  child.stdout.destroy();
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|at /);
});
