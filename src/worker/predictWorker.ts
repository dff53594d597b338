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
import type { ModelInput } from '../model/modelInput.js';
import { activateRows, decodeRows } from '../model/outputDecoding.js';
import { createTextPlan } from '../model/textPlan.js';
import { MlserveError } from '../errors.js';

/** The model as this thread serves it, and what it reports about memory. */
interface Serving {
  predictor: BatchPredictor;
  backend: string;
  fastPathSkipped: string | null;
  tfBytes(): number;
  wasmBytes(): number;
}

/** The fast path when it applies (no tfjs loaded at all), else tfjs on the configured backend. */
async function serve(init: WorkerInit): Promise<Serving> {
  let skipped: string | null = null;
  if (init.fastPath) {
    const fast = createFastPredictor(init.bundle);
    if ('predictor' in fast) return { predictor: fast.predictor, backend: 'fastpath', fastPathSkipped: null, tfBytes: () => 0, wasmBytes: () => 0 };
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
    fastPathSkipped: skipped,
    tfBytes: () => tf.memory().numBytes,
    // The wasm backend's linear memory: tensors live there, outside V8's heap and its limits.
    wasmBytes: () => (backend === 'wasm' ? ((tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength ?? 0) : 0),
  };
}

const init = Piscina.workerData as WorkerInit;
const started = performance.now();
const serving = await serve(init);
const { predictor, backend } = serving;
if (init.bundle.tokenizerJson !== '') predictor.predictBatch(['warm up']);
else predictor.forward(new Float32Array(init.bundle.inputWidth), 1);
const loadMs = performance.now() - started;

function spinFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* synchronous work that only terminate() can stop */
  }
}

const leak: unknown[] = [];

/** The test hooks of {@link WorkerInit.testOps}; real traffic never reaches this. */
function runTestHooks(texts: string[]): void {
  for (const text of texts) {
    if (text.charCodeAt(0) !== 0) continue;
    if (text === '\0crash') {
      // Thrown outside the task: an uncaught exception ends the thread, as a real crash would.
      setImmediate(() => {
        throw new Error('crash requested by a test hook');
      });
      return;
    }
    const spin = /^\0spin:(\d+)$/.exec(text);
    if (spin) spinFor(Number(spin[1]));
    const alloc = /^\0alloc:(\d+)$/.exec(text);
    if (alloc) {
      // Retained JS objects, as a leak would: what worker-max-heap must stop.
      for (let mb = 0; mb < Number(alloc[1]); mb++) leak.push(Array.from({ length: 32768 }, (_, i) => ({ i })));
    }
  }
}

const { outputWidth, decoding } = init.bundle;
// The plan of preprocessing.json, built here from the posted data (the worker never reads disk).
const plan = init.bundle.preprocessing === null ? null : createTextPlan(init.bundle.preprocessing);
const plain = decoding.kind === 'softmax' && decoding.activation === null;

/** Top class per row and, when asked, every row's output vector. */
function run(input: ModelInput, wantScores: boolean): Pick<PredictResult, 'classes' | 'probs' | 'scores'> {
  let scores: Float32Array;
  if (input.kind === 'text') {
    if (init.testOps) runTestHooks(input.texts);
    if (plan !== null) scores = predictor.forward(plan.matrix(input.texts), input.texts.length);
    else if (init.bundle.tokenizerJson === '') {
      throw new MlserveError('ERR_TEXT_UNSUPPORTED', `model ${init.bundle.name} v${init.bundle.version} has no preprocessing: send rows to the tensor API`);
    } else if (!wantScores && plain) return predictor.predictBatch(input.texts); // today's lane: no full rows needed
    else scores = predictor.predictRows(input.texts);
  } else scores = predictor.forward(input.values, input.rows);
  activateRows(scores, outputWidth, decoding.activation);
  const top = decodeRows(scores, outputWidth, decoding);
  return wantScores || decoding.kind === 'multi-label' ? { ...top, scores } : top;
}

function predict(input: ModelInput, wantScores: boolean): PredictResult {
  const t0 = performance.now();
  try {
    return { op: 'predict', ...run(input, wantScores), ms: performance.now() - t0 };
  } catch (err) {
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
export default function handle(task: WorkerTask): WorkerResult | Promise<never> | unknown {
  switch (task.op) {
    case 'predict': {
      const result = predict(task.input, task.scores);
      if (init.testOps && task.input.kind === 'text' && task.input.texts.includes('\0crash')) return new Promise<never>(() => {}); // the crash answers
      // Piscina's transferable protocol: the buffers move to the master without a copy.
      const buffers: ArrayBufferLike[] = [result.classes.buffer, result.probs.buffer];
      if (result.scores) buffers.push(result.scores.buffer);
      return Piscina.move({
        [Piscina.transferableSymbol]: buffers,
        [Piscina.valueSymbol]: result,
      } as never);
    }
    case 'warmup':
      return { op: 'warmup', threadId, backend, fastPathSkipped: serving.fastPathSkipped, loadMs };
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
