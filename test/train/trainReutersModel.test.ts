import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { selectBackend } from '../../src/model/backend.js';
import { readModelBundle } from '../../src/model/bundle.js';
import { createPredictor } from '../../src/model/predictor.js';
import { KERAS_REUTERS_LABELS } from '../../src/train/dataset.js';
import { trainReutersModel } from '../../src/train/trainReutersModel.js';

const log = pino({ level: 'silent' });
let root: string;
let out: string;
let metadata: Record<string, unknown>;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mlserve-train-'));
  out = path.join(root, 'reuters', '1');
  metadata = await trainReutersModel({ out, epochs: 1, limit: 300, log });
});
after(() => rm(root, { recursive: true, force: true }));

describe('trainReutersModel (300 documents, 1 epoch)', () => {
  it('writes a version directory that loads and predicts', async () => {
    assert.deepEqual((await readdir(out)).sort(), ['group1-shard1of1.bin', 'labels.json', 'metadata.json', 'model.json', 'tokenizer.json']);
    const bundle = await readModelBundle(out);
    assert.equal(bundle.name, 'reuters');
    assert.equal(bundle.version, 1);
    assert.equal(bundle.inputWidth, 1000);
    assert.deepEqual(bundle.labels, KERAS_REUTERS_LABELS);
    const { tf } = await selectBackend('auto');
    const predictor = await createPredictor(bundle, tf);
    const { classes, probs } = predictor.predictBatch(['Crude oil prices rose as OPEC cut output', '']);
    assert.equal(classes.length, 2);
    assert.ok((probs[0] as number) > 0 && (probs[0] as number) <= 1);
    predictor.dispose();
  });

  it('records what it did in metadata.json', async () => {
    const onDisk = JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(onDisk, metadata);
    assert.equal(metadata.trainSize, 240);
    assert.equal(metadata.testSize, 60);
    assert.equal(metadata.seed, 42);
    assert.equal(metadata.epochs, 1);
    assert.equal(typeof metadata.testAccuracy, 'number');
    assert.equal((metadata.classCounts as Record<string, number>).earn, 3972);
    assert.equal((metadata.libraries as Record<string, string>).tfjs, '4.22.0');
  });

  it("names weights so the numpy peer's `endswith(layer + '/kernel')` finds each Dense kernel", async () => {
    const modelJson = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as {
      modelTopology: { config: { layers: { class_name: string; config: { name: string; units?: number } }[] } };
      weightsManifest: { weights: { name: string; shape: number[] }[] }[];
    };
    const weights = modelJson.weightsManifest.flatMap((g) => g.weights);
    const dense = modelJson.modelTopology.config.layers.filter((l) => l.class_name === 'Dense');
    assert.equal(dense.length, 2);
    for (const { config } of dense) {
      const kernel = weights.find((w) => w.name.endsWith(`${config.name}/kernel`));
      assert.equal(kernel?.name, `${config.name}/kernel`);
      assert.equal(kernel?.shape[1], config.units);
    }
  });

  it('leaves the existing model in place when the accuracy gate fails', async () => {
    const keep = path.join(root, 'gate', '1');
    await mkdir(keep, { recursive: true });
    await writeFile(path.join(keep, 'model.json'), 'previous');
    await assert.rejects(trainReutersModel({ out: keep, epochs: 1, limit: 100, minAccuracy: 1.01, log }), { code: 'ERR_TRAINING' });
    assert.equal(await readFile(path.join(keep, 'model.json'), 'utf8'), 'previous');
    assert.deepEqual(await readdir(path.dirname(keep)), ['1']);
  });
});
