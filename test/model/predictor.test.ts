import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Tensor } from '@tensorflow/tfjs';
import { after, before, describe, it } from 'node:test';
import { selectBackend, type Tf } from '../../src/model/backend.js';
import { readModelBundle, type ModelBundle } from '../../src/model/bundle.js';
import { fileIOHandler } from '../../src/model/ioHandlers.js';
import { createPredictor, validateModel } from '../../src/model/predictor.js';
import { argmaxRows } from '../../src/model/outputDecoding.js';
import { Tokenizer } from '../../src/model/tokenizer.js';
import { TINY_TEXTS, TINY_WIDTH, writeTinyModel } from './tinyModel.js';

let dir: string;
let tf: Tf;
let bundle: ModelBundle;
const TEXTS = [...TINY_TEXTS, 'oil oil oil', '', 'nothing known here'];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mlserve-predictor-'));
  ({ tf } = await selectBackend('auto'));
  await writeTinyModel(tf, dir);
  bundle = await readModelBundle(dir, { name: 'tiny', version: 1 });
});
after(() => rm(dir, { recursive: true, force: true }));

describe('createPredictor', () => {
  it('gives exactly what model.predict gives on the same binary matrix', async () => {
    const model = await tf.loadLayersModel(fileIOHandler(dir));
    const matrix = Tokenizer.fromJSON(bundle.tokenizerJson).textsToMatrix(TEXTS, 'binary');
    const y = model.predict(tf.tensor2d(matrix, [TEXTS.length, TINY_WIDTH])) as Tensor;
    const expected = y.dataSync() as Float32Array;
    const predictor = await createPredictor(bundle, tf);
    assert.deepEqual(predictor.forward(matrix, TEXTS.length), expected);
    const { classes, probs } = predictor.predictBatch(TEXTS);
    assert.deepEqual(classes, argmaxRows(expected, 3).classes);
    for (let r = 0; r < TEXTS.length; r++) assert.equal(probs[r], expected[r * 3 + (classes[r] as number)]);
    y.dispose();
    model.dispose();
    predictor.dispose();
  });

  it('leaks no tensors across predictions and frees its weights on dispose', async () => {
    const baseline = tf.memory().numTensors;
    const predictor = await createPredictor(bundle, tf);
    const loaded = tf.memory().numTensors;
    predictor.warmUp();
    for (let i = 0; i < 5; i++) predictor.predictBatch(TEXTS);
    predictor.forward(new Float32Array(TINY_WIDTH), 1);
    assert.equal(tf.memory().numTensors, loaded);
    predictor.dispose();
    assert.equal(tf.memory().numTensors, baseline);
  });

  it('answers an empty batch and rejects a matrix of the wrong size', async () => {
    const predictor = await createPredictor(bundle, tf);
    assert.deepEqual(predictor.predictBatch([]), { classes: new Int32Array(0), probs: new Float32Array(0) });
    assert.throws(() => predictor.forward(new Float32Array(5), 1), { code: 'ERR_TENSOR_SHAPE' });
    predictor.dispose();
  });

  it('works in a worker thread from a posted bundle, with the same answers', async () => {
    const predictor = await createPredictor(bundle, tf);
    const expected = predictor.predictBatch(TEXTS);
    predictor.dispose();
    const worker = new Worker(new URL('./predictInWorker.js', import.meta.url), { workerData: { bundle, texts: TEXTS } });
    const [reply] = (await once(worker, 'message')) as [{ backend: string; classes: Int32Array; probs: Float32Array }];
    await worker.terminate();
    assert.equal(reply.backend, tf.getBackend());
    assert.deepEqual(reply.classes, expected.classes);
    assert.deepEqual(reply.probs, expected.probs);
  });
});

describe('validateModel', () => {
  it('accepts a consistent bundle', async () => {
    const before = tf.memory().numTensors;
    await validateModel(bundle, tf);
    assert.equal(tf.memory().numTensors, before);
  });

  it('names model.json when the built model disagrees with the tokenizer or labels', async () => {
    const message = new RegExp(`${dir}/model.json: model input shape \\[null,8\\] does not match \\[null, 9\\]`);
    await assert.rejects(validateModel({ ...bundle, inputWidth: 9, inputShape: [9] }, tf), { code: 'ERR_MODEL_INVALID', message });
    await assert.rejects(validateModel({ ...bundle, outputWidth: 4 }, tf), { code: 'ERR_MODEL_INVALID', message: /output shape/ });
  });

  it('names model.json when tfjs cannot build the model from its weights', async () => {
    const weightSpecs = bundle.weightSpecs.map((w) => (w.name === 'dense/bias' ? { ...w, name: 'other/bias' } : w));
    await assert.rejects(validateModel({ ...bundle, weightSpecs }, tf), { code: 'ERR_MODEL_INVALID', message: /model\.json: tfjs cannot build/ });
  });
});
