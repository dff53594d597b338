import type { WorkerInit, WarmupResult, PredictResult, MemoryResult } from '../worker/protocol.js';
import type { ModelInput } from '../model/modelInput.js';
import type { OutputDecoding } from '../model/outputDecoding.js';

/**
 * What the supervisor, the dispatcher and the stats need of one worker thread. WorkerThread is
 * the real one (a Piscina pool of one thread); tests pass fakes that crash, stall, run slow or
 * fail to start on cue (test/fixtures/fakeThread.ts), as piscina's own tests use fixture workers.
 */
export interface PredictThread {
  /** Class names of the model this thread runs. */
  readonly labels: readonly string[];
  /** How this thread's model output is read (softmax, binary, multi-label). */
  readonly decoding: OutputDecoding;
  /** The model version this thread runs (fake threads may have none). */
  readonly version?: number;
  /** The thread id once started, 0 before. */
  readonly threadId: number;
  /**
   * The row it was predicting when it died (src/worker/progress.ts), for the quarantine; -1 or
   * absent when it cannot tell (fake threads that report none).
   */
  readonly progress?: number;
  /** Why the thread died, once known (a tick after `exit`). */
  readonly exitError: Error | null;
  /** Starts the thread; resolves when the model is loaded and warmed up. */
  start(): Promise<WarmupResult>;
  /** Predicts one batch (with every output row when `scores`); rejects when the thread dies. */
  predict(input: ModelInput, scores?: boolean, signal?: AbortSignal): Promise<PredictResult>;
  /** Memory held by the thread. */
  memory(): Promise<MemoryResult>;
  /** Lets the current task finish, then ends the thread. */
  close(): Promise<void>;
  /** Ends the thread now; a running task rejects. */
  destroy(): Promise<void>;
  /** `exit` (once, with an Error) when the thread dies without being asked to. */
  once(event: 'exit', listener: (err: Error) => void): unknown;
}

/** What a thread is made from. */
export interface ThreadSpec {
  init: WorkerInit;
  /** V8 limits of the thread (`worker-max-heap`). */
  resourceLimits?: { maxOldGenerationSizeMb?: number };
}

/** Makes the thread of a slot: the supervisor's seam for tests. */
export type ThreadFactory = (spec: ThreadSpec) => PredictThread;
