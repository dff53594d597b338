/**
 * The model-family table: for a bag-of-words MLP (the shipped Reuters model, text requests), an
 * Embedding + GlobalAveragePooling1D sentiment model and an Embedding + LSTM model (tensor
 * requests of token ids), predictions/s at batch 1 and 32 through the dispatcher and one worker
 * thread, on the fast path and on tfjs-wasm, and the time from spawning the thread to READY
 * (model built and warmed up). One request in flight at a time: the cost of a prediction, not
 * the server's concurrency (the sweep measures that).
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
import type { BenchContext } from './context.js';

/** One row of the table. */
export interface FamilyRow {
  family: string;
  model: string;
  engine: 'fast path' | 'tfjs-wasm';
  /** Predictions/s with one row a request; null when this engine does not run the model. */
  batch1: number | null;
  batch32: number | null;
  /** Spawn of the worker thread to READY (warm-up answered), ms. */
  readyMs: number | null;
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
  model: string;
  bundle: ModelBundle;
  input(rows: number): ModelInput;
}

/** Builds a Keras-shaped model with tfjs and reads it back as mlserve would (weights are random: speed does not depend on them). */
async function savedBundle(dir: string, build: (tf: typeof import('@tensorflow/tfjs')) => import('@tensorflow/tfjs').LayersModel): Promise<ModelBundle> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const model = build(tf);
  await model.save(fileIOHandler(dir));
  model.dispose();
  return readModelBundle(dir, { name: dir.split('/').pop()!, version: 1 });
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
  return [
    { family: 'bag-of-words MLP', model: 'models/reuters/1 (1000 -> 512 relu -> 46 softmax), text requests', bundle: await readModelBundle(modelDir), input: (n) => ({ kind: 'text', texts: texts.slice(0, n) }) },
    { family: 'Embedding + pooling', model: 'Embedding(10000, 16) over 200 ids -> GAP1D -> Dense(16 relu) -> Dense(1 sigmoid)', bundle: embed, input: (n) => idRows(n, 200, 10000) },
    { family: 'LSTM', model: 'Embedding(10000, 32) over 100 ids -> LSTM(32) -> Dense(1 sigmoid)', bundle: lstm, input: (n) => idRows(n, 100, 10000) },
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
            rows.push({ family: f.family, model: f.model, engine, batch1: null, batch32: null, readyMs: null, note: skipped });
            continue;
          }
          const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 32, listen: 64, log });
          const batch1 = await rate(dispatcher, f.input(1), 1, secondsPerCell);
          const batch32 = await rate(dispatcher, f.input(32), 32, secondsPerCell);
          rows.push({ family: f.family, model: f.model, engine, batch1: Math.round(batch1), batch32: Math.round(batch32), readyMs });
          ctx.log(`families: ${f.family}, ${engine}: ${Math.round(batch1)} / ${Math.round(batch32)} predictions/s, READY in ${readyMs} ms`);
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
    `One worker thread, one request in flight, ${r.secondsPerCell} s a cell; READY = thread spawn to its warm-up answer.`,
    '',
    '| family | engine | predictions/s, batch 1 | predictions/s, batch 32 | spawn to READY, ms |',
    '|---|---|---:|---:|---:|',
    ...r.rows.map((row) => `| ${row.family} | ${row.engine}${row.note ? ` (${row.note})` : ''} | ${fmt(row.batch1)} | ${fmt(row.batch32)} | ${fmt(row.readyMs)} |`),
    '',
    ...[...new Set(r.rows.map((row) => `- ${row.family}: ${row.model}`))],
  ];
  return lines.join('\n');
}
