/**
 * A Keras file served through the ordinary bundle: `model` naming a single .keras or .h5 file
 * (version 1, companions beside it), artifacts found by content, and the version-directory errors.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MlserveError } from '../../../src/errors.js';
import { readModelBundle } from '../../../src/model/bundle.js';
import { createPredictor } from '../../../src/model/predictor.js';
import { resolveModelVersion } from '../../../src/model/resolveModelVersion.js';
import { repoRoot } from '../../helpers/paths.js';
import { readNpy } from './npy.js';

const k3 = join(repoRoot, '..', 'shared', 'fixtures', 'keras3');

/** A temp dir with a link to the fixture (under a name that does not say what it is) and a 300-word tokenizer. */
function servingDir(fixture: string, as: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-keras-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(k3, fixture), join(dir, as));
  const tok = JSON.parse(readFileSync(join(repoRoot, 'models', 'reuters', '1', 'tokenizer.json'), 'utf8'));
  tok.config.num_words = 300;
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok));
  writeFileSync(join(dir, 'labels.json'), JSON.stringify(['a', 'b', 'c', 'd', 'e']));
  return dir;
}

for (const [fixture, as, format] of [
  ['k3_mlp_bow.keras', 'model.bin', 'keras-zip'],
  ['k3_mlp_bow.h5', 'reuters_model.hdf5', 'keras-h5'],
  // tf.keras <= 2.12 wrote HDF5 under a .keras name: told by its magic bytes, not its extension.
  ['k3_mlp_bow.h5', 'model.keras', 'keras-h5'],
] as const) {
  test(`model = a single ${fixture} file (detected by content as ${format}) serves as version 1 with Keras's predictions`, async () => {
    const dir = servingDir(fixture, as);
    const v = await resolveModelVersion(join(dir, as));
    assert.equal(v.version, 1);
    const bundle = await readModelBundle(v.dir, { name: v.name, version: v.version }, v.file);
    assert.equal(bundle.format, format);
    assert.equal(bundle.kerasVersion, '3.16.0');
    assert.equal(bundle.inputWidth, 300);
    assert.equal(bundle.outputWidth, 5);
    assert.deepEqual(bundle.layers?.map((l) => l.className), ['Dense', 'Dropout', 'Dense']);
    const predictor = await createPredictor(bundle, tf);
    const x = readNpy(join(k3, 'k3_mlp_bow_x.npy'));
    const y = readNpy(join(k3, 'k3_mlp_bow_y.npy'));
    const got = predictor.forward(Float32Array.from(x.data), x.shape[0]!);
    predictor.dispose();
    got.forEach((p, i) => assert.ok(Math.abs(p - y.data[i]!) <= 1e-5, `row value ${i}`));
  });
}

test('a version directory with two model artifacts is an error listing them', async () => {
  const dir = servingDir('k3_mlp_bow.keras', 'a.keras');
  symlinkSync(join(k3, 'k3_mlp_bow.h5'), join(dir, 'b.h5'));
  await assert.rejects(readModelBundle(dir, { name: 'm', version: 1 }), (err: unknown) => {
    assert.ok(err instanceof MlserveError);
    assert.equal(err.code, 'ERR_MODEL_INVALID');
    assert.match(err.message, /holds more than one model artifact \(a\.keras, b\.h5\); keep one per version directory/);
    return true;
  });
});

// Regression: a tokenizer saved under another name than tokenizer.json (Tokenizer.to_json() has a
// string class_name, like a model config) made a .keras directory "hold more than one model artifact".
test('a tokenizer JSON named by preprocessing.json is a companion, not a second artifact', async () => {
  const dir = servingDir('k3_mlp_bow.keras', 'model.keras');
  writeFileSync(join(dir, 'reuters_tokenizer.json'), readFileSync(join(dir, 'tokenizer.json')));
  writeFileSync(join(dir, 'preprocessing.json'), JSON.stringify({ tokenizer: 'reuters_tokenizer.json', texts_to_matrix: { mode: 'binary' } }));
  const bundle = await readModelBundle(dir, { name: 'm', version: 1 });
  assert.equal(bundle.format, 'keras-zip');
  assert.equal(bundle.inputWidth, 300);
});

test('a SavedModel directory is refused with what to do instead', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-savedmodel-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'saved_model.pb'), Buffer.from([8, 1]));
  mkdirSync(join(dir, 'variables'));
  await assert.rejects(readModelBundle(dir, { name: 'm', version: 1 }), (err: unknown) => {
    assert.ok(err instanceof MlserveError);
    assert.equal(err.code, 'ERR_MODEL_UNSUPPORTED');
    assert.match(err.message, /is a TensorFlow SavedModel \(saved_model\.pb\); .*model\.save\('model\.keras'\)/);
    return true;
  });
});

test('models/reuters/1 (tfjs model.json) is still read as before, with no Keras fields', async () => {
  const bundle = await readModelBundle(join(repoRoot, 'models', 'reuters', '1'));
  assert.equal(bundle.format, undefined);
  assert.equal(bundle.inputWidth, 1000);
});
