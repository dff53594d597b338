import type { ModelBundle } from '../model/bundle.js';
import type { ModelInput } from '../model/modelInput.js';

/** What the master hands a worker thread at spawn (Piscina `workerData`): it never reads the disk. */
export interface WorkerInit {
  /** Slot id, for logs. */
  slot: number;
  bundle: ModelBundle;
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** Serve with the exact sparse fast path when the model qualifies (then tfjs is never loaded). */
  fastPath: boolean;
  /**
   * Test hooks, for supervision tests only (env NODE_MLSERVE_TEST_HOOKS=1): a text starting with
   * NUL is an instruction to the worker — "\0crash" ends the thread with an uncaught exception,
   * "\0spin:MS" keeps it busy in synchronous code for MS ms (a stuck prediction), "\0alloc:N"
   * retains N chunks of small JS objects (a leak).
   */
  testOps: boolean;
}

/** A task the master sends to one worker thread. */
export type WorkerTask =
  | { op: 'warmup' }
  /** One batch: the rows of one or more requests of one input kind; `scores` asks for the full output rows. */
  | { op: 'predict'; input: ModelInput; scores: boolean }
  | { op: 'memory' };

/** Answer to `warmup`: the worker is loaded and has run one prediction. */
export interface WarmupResult {
  op: 'warmup';
  threadId: number;
  backend: string;
  /** Why the fast path was not used, when it was asked for and did not apply. */
  fastPathSkipped: string | null;
  loadMs: number;
}

/**
 * Answer to `predict`: top class and its probability per row, as typed arrays moved (not
 * copied) back to the master. `error` is set instead when the batch could not be predicted;
 * the worker stays alive.
 */
export interface PredictResult {
  op: 'predict';
  classes: Int32Array;
  probs: Float32Array;
  /** Every row's output vector (`rows x outputWidth`), when the task asked for `scores`. */
  scores?: Float32Array;
  /** Time spent in the worker, tokenization included. */
  ms: number;
  error?: { code: string; message: string };
}

/** Answer to `memory`: what this thread's isolate and tfjs hold. */
export interface MemoryResult {
  op: 'memory';
  heapUsed: number;
  heapTotal: number;
  external: number;
  tfBytes: number;
  /** Size of the wasm backend's linear memory (0 on other backends): outside the JS heap. */
  wasmBytes: number;
}

export type WorkerResult = WarmupResult | PredictResult | MemoryResult;
