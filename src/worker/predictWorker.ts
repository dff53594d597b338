/**
 * The Piscina task module: one instance per worker thread. It builds the model from the
 * artifacts the master sent (never from disk), warms it up during module evaluation, and only
 * then does Piscina mark the thread ready, so a spawned slot is usable the moment its warm-up
 * task answers.
 */
import { threadId } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Piscina } from 'piscina';
import { createFastPredictor, type BatchPredictor } from '../model/fastPredictor.js';
import type { WorkerInit, WorkerTask, WorkerResult, PredictResult } from './protocol.js';
import { PROGRESS_BATCH, PROGRESS_IDLE, progressWriter } from './progress.js';
import type { ModelInput } from '../model/modelInput.js';
import { activateRows, decodeRows } from '../model/outputDecoding.js';
import { createTextPlan } from '../model/textPlan.js';
import { MlserveError } from '../errors.js';

/** The model as this thread serves it, and what it reports about memory. */
interface Serving {
  predictor: BatchPredictor;
  backend: string;
  /** `wasm-simd` | `js` (the fast path) | `tfjs-<backend>`. */
  engine: string;
  /** Why the fast path computes in plain JavaScript, null otherwise. */
  engineReason: string | null;
  fastPathSkipped: string | null;
  tfBytes(): number;
  wasmBytes(): number;
}

/** The fast path when it applies (no tfjs loaded at all), else tfjs on the configured backend. */
async function serve(init: WorkerInit): Promise<Serving> {
  let skipped: string | null = null;
  if (init.fastPath) {
    const fast = createFastPredictor(init.bundle);
    if ('predictor' in fast) {
      const { predictor } = fast;
      return { predictor, backend: 'fastpath', engine: predictor.engine ?? 'js', engineReason: predictor.engineReason ?? null, fastPathSkipped: null, tfBytes: () => 0, wasmBytes: () => 0 };
    }
    skipped = fast.reason;
  }
  // Loaded only when needed: tfjs costs ~60 MB and ~0.3 s per thread.
  const { selectBackend } = await import('../model/backend.js');
  const { createPredictor } = await import('../model/predictor.js');
  const { tf, backend } = await selectBackend(init.backend);
  const predictor = await createPredictor(init.bundle, tf);
  return {
    predictor,
    backend,
    engine: `tfjs-${backend}`,
    engineReason: null,
    fastPathSkipped: skipped,
    tfBytes: () => tf.memory().numBytes,
    // The wasm backend's linear memory: tensors live there, outside V8's heap and its limits.
    wasmBytes: () => (backend === 'wasm' ? ((tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength ?? 0) : 0),
  };
}

const init = Piscina.workerData as WorkerInit;
const setProgress = progressWriter(init.progress);
const started = performance.now();
const serving = await serve(init);
const { predictor, backend } = serving;
if (init.bundle.tokenizerJson !== '') predictor.predictBatch(['warm up']);
else predictor.forward(new Float32Array(init.bundle.inputWidth), 1);
const loadMs = performance.now() - started;


const { outputWidth, decoding } = init.bundle;
// The plan of preprocessing.json, built here from the posted data (the worker never reads disk).
const plan = init.bundle.preprocessing === null ? null : createTextPlan(init.bundle.preprocessing);
const plain = decoding.kind === 'softmax' && decoding.activation === null;

/**
 * Top class per row and, when asked, every row's output vector. The progress cell says which row
 * runs (src/worker/progress.ts): the fast path reports each row; a step over the whole batch
 * (tfjs's matrix product, a preprocessing plan's matrix) reports none.
 */
function run(input: ModelInput, wantScores: boolean): Pick<PredictResult, 'classes' | 'probs' | 'scores'> {
  let scores: Float32Array;
  setProgress(PROGRESS_BATCH);
  if (input.kind === 'text') {
    if (plan !== null) scores = predictor.forward(plan.matrix(input.texts), input.texts.length, setProgress);
    else if (init.bundle.tokenizerJson === '') {
      throw new MlserveError('ERR_TEXT_UNSUPPORTED', `model ${init.bundle.name} v${init.bundle.version} has no preprocessing: send rows to the tensor API`);
    } else if (!wantScores && plain) return predictor.predictBatch(input.texts, setProgress); // today's lane: no full rows needed
    else scores = predictor.predictRows(input.texts, setProgress);
  } else scores = predictor.forward(input.values, input.rows, setProgress);
  activateRows(scores, outputWidth, decoding.activation);
  const top = decodeRows(scores, outputWidth, decoding);
  return wantScores || decoding.kind === 'multi-label' ? { ...top, scores } : top;
}

function predict(input: ModelInput, wantScores: boolean): PredictResult {
  const t0 = performance.now();
  try {
    const result: PredictResult = { op: 'predict', ...run(input, wantScores), ms: performance.now() - t0 };
    setProgress(PROGRESS_IDLE);
    return result;
  } catch (err) {
    setProgress(PROGRESS_IDLE);
    // A bad batch must not take the thread down: answer the error, keep serving.
    const message = err instanceof Error ? err.message : String(err);
    return {
      op: 'predict',
      classes: new Int32Array(0),
      probs: new Float32Array(0),
      ms: performance.now() - t0,
      error: { code: err instanceof MlserveError ? err.code : 'ERR_PREDICT', message },
    };
  }
}

/** Runs one task; the master owns batching, so a task is a whole batch. */
export default function handle(task: WorkerTask): WorkerResult | unknown {
  switch (task.op) {
    case 'predict': {
      const result = predict(task.input, task.scores);
      // Piscina's transferable protocol: the buffers move to the master without a copy.
      const buffers: ArrayBufferLike[] = [result.classes.buffer, result.probs.buffer];
      if (result.scores) buffers.push(result.scores.buffer);
      return Piscina.move({
        [Piscina.transferableSymbol]: buffers,
        [Piscina.valueSymbol]: result,
      } as never);
    }
    case 'warmup':
      return { op: 'warmup', threadId, backend, engine: serving.engine, engineReason: serving.engineReason, fastPathSkipped: serving.fastPathSkipped, loadMs };
    case 'memory': {
      const heap = getHeapStatistics();
      return {
        op: 'memory',
        heapUsed: heap.used_heap_size,
        heapTotal: heap.total_heap_size,
        external: heap.external_memory,
        tfBytes: serving.tfBytes(),
        wasmBytes: serving.wasmBytes(),
      };
    }
  }
}
