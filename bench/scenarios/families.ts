/**
 * The model-family table: for a bag-of-words MLP (the shipped Reuters model, text requests), an
 * Embedding + GlobalAveragePooling1D sentiment model and an Embedding + LSTM model (tensor
 * requests of token ids), predictions/s at batch 1 and 32 through the dispatcher and one worker
 * thread, on the fast path and on tfjs-wasm, and the time from spawning the thread to READY
 * (model built and warmed up). One request in flight at a time: the cost of a prediction, not
 * the server's concurrency (the sweep measures that). Each family twice: a tutorial-sized model
 * (built with tfjs, model.json), and the user's own Keras 3 `.keras` file from the shared fixtures
 * (../shared/fixtures/keras3, read in place by mlserve's own Keras readers, the time that read
 * takes in the master reported too), fed the rows Keras itself was given (NAME_x.npy).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readModelBundle, type ModelBundle } from '../../src/model/bundle.js';
import { fileIOHandler } from '../../src/model/ioHandlers.js';
import type { ModelInput } from '../../src/model/modelInput.js';
import { Dispatcher } from '../../src/master/dispatcher.js';
import { Supervisor } from '../../src/master/supervisor.js';
import { createLogger } from '../../src/log.js';
import { reutersTestSplit } from '../../src/train/dataset.js';
import { sharedDir } from '../../test/helpers/paths.js';
import { readNpy } from '../../test/model/keras/npy.js';
import type { BenchContext } from './context.js';

/** One row of the table. */
export interface FamilyRow {
  family: string;
  /** Short name of the model (the table's column); `model` describes it. */
  name: string;
  model: string;
  engine: 'fast path' | 'tfjs-wasm';
  /** Predictions/s with one row a request; null when this engine does not run the model. */
  batch1: number | null;
  batch32: number | null;
  /** Spawn of the worker thread to READY (warm-up answered), ms. */
  readyMs: number | null;
  /** The master's read of the model (readModelBundle: files, HDF5/zip, checks), ms. */
  readMs?: number;
  /** Why the fast path does not run it. */
  note?: string;
}

/** The family table and how long each cell was measured. */
export interface FamiliesResult {
  rows: FamilyRow[];
  secondsPerCell: number;
}

interface Family {
  family: string;
  name: string;
  model: string;
  bundle: ModelBundle;
  readMs: number;
  input(rows: number): ModelInput;
}

/** readModelBundle, timed. */
async function timedRead(...args: Parameters<typeof readModelBundle>): Promise<{ bundle: ModelBundle; readMs: number }> {
  const t0 = performance.now();
  const bundle = await readModelBundle(...args);
  return { bundle, readMs: Math.round(performance.now() - t0) };
}

const K3 = join(sharedDir, 'fixtures', 'keras3');

/** A shared Keras 3 fixture read by mlserve's Keras readers, and its Keras inputs repeated to `rows`. */
async function kerasFile(family: string, name: string, what: string): Promise<Family> {
  const { bundle, readMs } = await timedRead(K3, { name, version: 1 }, join(K3, `${name}.keras`));
  const x = readNpy(join(K3, `${name}_x.npy`));
  const width = bundle.inputWidth;
  const input = (rows: number): ModelInput => {
    const values = new Float32Array(rows * width);
    for (let i = 0; i < values.length; i++) values[i] = x.data[i % x.data.length]!;
    return { kind: 'tensor', rows, values };
  };
  return { family, name: `${name}.keras`, model: `../shared/fixtures/keras3/${name}.keras (${what}; Keras 3.16, mlserve's own Keras readers), rows of ${name}_x.npy`, bundle, readMs, input };
}

/** Builds a Keras-shaped model with tfjs and reads it back as mlserve would (weights are random: speed does not depend on them). */
async function savedBundle(dir: string, build: (tf: typeof import('@tensorflow/tfjs')) => import('@tensorflow/tfjs').LayersModel): Promise<{ bundle: ModelBundle; readMs: number }> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const model = build(tf);
  await model.save(fileIOHandler(dir));
  model.dispose();
  return timedRead(dir, { name: dir.split('/').pop()!, version: 1 });
}

function idRows(rows: number, length: number, vocabulary: number): ModelInput {
  const values = new Float32Array(rows * length);
  for (let i = 0; i < values.length; i++) values[i] = 1 + ((i * 7919) % (vocabulary - 1));
  return { kind: 'tensor', rows, values };
}

async function families(tmp: string, modelDir: string): Promise<Family[]> {
  const texts = reutersTestSplit().texts;
  const embed = await savedBundle(join(tmp, 'embed'), (tf) =>
    tf.sequential({
      layers: [
        tf.layers.embedding({ name: 'embedding', inputDim: 10000, outputDim: 16, inputShape: [200] }),
        tf.layers.globalAveragePooling1d({ name: 'pool' }),
        tf.layers.dense({ name: 'hidden', units: 16, activation: 'relu' }),
        tf.layers.dense({ name: 'out', units: 1, activation: 'sigmoid' }),
      ],
    }),
  );
  const lstm = await savedBundle(join(tmp, 'lstm'), (tf) =>
    tf.sequential({
      layers: [
        tf.layers.embedding({ name: 'embedding', inputDim: 10000, outputDim: 32, inputShape: [100] }),
        tf.layers.lstm({ name: 'lstm', units: 32 }),
        tf.layers.dense({ name: 'out', units: 1, activation: 'sigmoid' }),
      ],
    }),
  );
  const reuters = await timedRead(modelDir);
  return [
    { family: 'bag-of-words MLP', name: 'models/reuters/1', model: 'models/reuters/1 (1000 -> 512 relu -> 46 softmax), text requests', ...reuters, input: (n) => ({ kind: 'text', texts: texts.slice(0, n) }) },
    await kerasFile('bag-of-words MLP', 'k3_mlp_bow', 'a 300-word bag of words -> Dense -> Dropout -> Dense(5)'),
    { family: 'Embedding + pooling', name: 'sentiment (tfjs)', model: 'Embedding(10000, 16) over 200 ids -> GAP1D -> Dense(16 relu) -> Dense(1 sigmoid)', ...embed, input: (n) => idRows(n, 200, 10000) },
    await kerasFile('Embedding + pooling', 'k3_embed_gap_masked', 'Embedding(mask_zero=True) over 20 ids -> GAP1D -> Dense -> Dense(3)'),
    { family: 'LSTM', name: 'lstm (tfjs)', model: 'Embedding(10000, 32) over 100 ids -> LSTM(32) -> Dense(1 sigmoid)', ...lstm, input: (n) => idRows(n, 100, 10000) },
    await kerasFile('LSTM', 'k3_lstm', 'Embedding over 20 ids -> LSTM -> Dense(1, sigmoid)'),
  ];
}

async function rate(dispatcher: Dispatcher, input: ModelInput, rows: number, seconds: number): Promise<number> {
  for (let i = 0; i < 20; i++) await dispatcher.submit(input);
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let n = 0;
  while (performance.now() < end) {
    await dispatcher.submit(input);
    n++;
  }
  return (n * rows) / ((performance.now() - t0) / 1000);
}

/** Runs the family table (`npm run bench -- --only families`). */
export async function runFamilies(ctx: BenchContext): Promise<FamiliesResult> {
  const secondsPerCell = ctx.options.quick ? 1 : 3;
  const log = createLogger({ level: 'silent' });
  const tmp = await mkdtemp(join(tmpdir(), 'mlserve-families-'));
  const rows: FamilyRow[] = [];
  try {
    for (const f of await families(tmp, ctx.modelDir)) {
      for (const fastPath of [true, false]) {
        const engine = fastPath ? 'fast path' : 'tfjs-wasm';
        const supervisor = new Supervisor({ size: 1, bundle: f.bundle, backend: 'wasm', fastPath, log });
        const t0 = performance.now();
        let skipped: string | undefined;
        await supervisor.start(1);
        const readyMs = Math.round(performance.now() - t0);
        if (fastPath && supervisor.backend !== 'fastpath') skipped = 'the fast path does not apply: tfjs serves it';
        try {
          if (skipped) {
            rows.push({ family: f.family, name: f.name, model: f.model, engine, batch1: null, batch32: null, readyMs: null, readMs: f.readMs, note: skipped });
            continue;
          }
          const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 32, listen: 64, log });
          const batch1 = await rate(dispatcher, f.input(1), 1, secondsPerCell);
          const batch32 = await rate(dispatcher, f.input(32), 32, secondsPerCell);
          rows.push({ family: f.family, name: f.name, model: f.model, engine, batch1: Math.round(batch1), batch32: Math.round(batch32), readyMs, readMs: f.readMs });
          ctx.log(`families: ${f.name}, ${engine}: ${Math.round(batch1)} / ${Math.round(batch32)} predictions/s, read ${f.readMs} ms, READY in ${readyMs} ms`);
        } finally {
          await supervisor.stop(2000);
        }
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { rows, secondsPerCell };
}

/** The table, markdown. */
export function renderFamilies(r: FamiliesResult): string {
  const fmt = (v: number | null) => (v === null ? '—' : v.toLocaleString('en-US'));
  const lines = [
    `One worker thread, one request in flight, ${r.secondsPerCell} s a cell; read = the master's readModelBundle of the model (files, HDF5 or zip, checks); READY = thread spawn to its warm-up answer.`,
    '',
    '| family | model | engine | predictions/s, batch 1 | predictions/s, batch 32 | read, ms | spawn to READY, ms |',
    '|---|---|---|---:|---:|---:|---:|',
    ...r.rows.map((row) => `| ${row.family} | ${row.name} | ${row.engine}${row.note ? ` (${row.note})` : ''} | ${fmt(row.batch1)} | ${fmt(row.batch32)} | ${fmt(row.readMs ?? null)} | ${fmt(row.readyMs)} |`),
    '',
    ...[...new Set(r.rows.map((row) => `- ${row.name}: ${row.model}`))],
  ];
  return lines.join('\n');
}

