import { EventEmitter } from 'node:events';
import { Piscina } from 'piscina';
import type { Worker } from 'node:worker_threads';
import type { ModelInput } from '../model/modelInput.js';
import type { OutputDecoding } from '../model/outputDecoding.js';
import type { WorkerInit, WorkerTask, WarmupResult, PredictResult, MemoryResult } from '../worker/protocol.js';
import { createProgressBuffer, readProgress } from '../worker/progress.js';

import type { PredictThread, ThreadFactory } from './predictThread.js';

/** The production task module of every worker thread. */
export const PREDICT_WORKER_URL = new URL('../worker/predictWorker.js', import.meta.url).href;

/** Options of {@link WorkerThread}. */
export interface WorkerThreadOptions {
  init: WorkerInit;
  /**
   * The Piscina task module, {@link PREDICT_WORKER_URL} by default. Tests pass a fixture module
   * (test/fixtures/hookWorker.ts) that wraps the real one with crash/stall/leak behaviour.
   */
  filename?: string;
  /** Piscina's wake-up mechanism; 'sync' measured fastest for our one-task-at-a-time threads. */
  atomics?: 'sync' | 'async' | 'disabled';
  resourceLimits?: ConstructorParameters<typeof Piscina>[0] extends infer O ? O extends { resourceLimits?: infer R } ? R : never : never;
}

/**
 * One worker thread owned by the master, on a Piscina pool of exactly one thread.
 *
 * Why one pool per thread: the master (not Piscina's on-demand scaler) decides when a thread
 * starts, which thread gets which batch, and when a thread is retired or killed. A pool with
 * `minThreads: 0, maxThreads: 1` starts its thread on the first task (our warm-up), never
 * replaces a dead thread on its own (`_ensureMinimumWorkers` has nothing to do), and maps
 * `close()` to "finish the current task, then end" and `destroy()` to "terminate now". See
 * docs/architecture.md.
 *
 * Emits `exit` (once) with an Error when the thread dies without being asked to.
 */
export class WorkerThread extends EventEmitter implements PredictThread {
  readonly #pool: Piscina<WorkerTask, unknown>;
  /** Class names of the model this thread runs: answers are labelled with them, even mid-reload. */
  readonly labels: readonly string[];
  /** How this thread's model decodes its outputs (multi-label answers need the scores). */
  readonly decoding: OutputDecoding;
  /** The model version this thread runs: answers say which version predicted them, even mid-reload. */
  readonly version: number;
  #thread: Worker | null = null;
  #stopping = false;
  #lastError: Error | null = null;
  #exited = false;
  readonly #progress = createProgressBuffer();

  constructor(options: WorkerThreadOptions) {
    super();
    this.labels = options.init.bundle.labels;
    this.decoding = options.init.bundle.decoding;
    this.version = options.init.bundle.version;
    this.#pool = new Piscina({
      filename: options.filename ?? PREDICT_WORKER_URL,
      name: 'default',
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      atomics: options.atomics ?? 'sync',
      workerData: { ...options.init, progress: this.#progress },
      resourceLimits: options.resourceLimits,
      // A worker that finishes its current task within this time on close(); then it is terminated.
      closeTimeout: 30_000,
      // Piscina's wait/run histograms: nobody reads them (slots.ts keeps mlserve's own timings),
      // and recording costs the master a histogram update per task.
      recordTiming: false,
    });
    this.#pool.on('workerCreate', () => {
      this.#thread = this.#pool.threads[0] ?? null;
      // Why a thread dies (an uncaught exception, ERR_WORKER_OUT_OF_MEMORY) comes as the Worker's
      // own 'error' event, just after Piscina's handler has already destroyed it: keep it for the log.
      this.#thread?.once('error', (err: Error) => (this.#lastError = err));
    });
    this.#pool.on('workerDestroy', () => this.#onGone(new Error('worker thread exited')));
    // Errors not tied to a task (a throw outside any task): the thread is gone.
    this.#pool.on('error', (err: unknown) => this.#onGone(err instanceof Error ? err : new Error(String(err))));
  }

  /** The thread id once started, 0 before. */
  get threadId(): number {
    return this.#thread?.threadId ?? 0;
  }

  /**
   * Why the thread died, once known: the Worker's 'error' (an uncaught exception,
   * ERR_WORKER_OUT_OF_MEMORY) arrives just after the `exit` event; read it a tick later.
   */
  get exitError(): Error | null {
    return this.#lastError;
  }

  /**
   * The row of the current batch the thread is predicting (>= 0), or PROGRESS_IDLE /
   * PROGRESS_BATCH (src/worker/progress.ts); still readable after the thread died.
   */
  get progress(): number {
    return readProgress(this.#progress);
  }

  /** Starts the thread and waits until the model is loaded and warmed up. */
  async start(): Promise<WarmupResult> {
    const result = (await this.#pool.run({ op: 'warmup' })) as WarmupResult;
    this.#thread = this.#pool.threads[0] ?? this.#thread;
    return result;
  }

  /** Predicts one batch. Rejects when the thread dies or `signal` aborts (which kills the thread). */
  predict(input: ModelInput, scores = false, signal?: AbortSignal): Promise<PredictResult> {
    return this.#pool.run({ op: 'predict', input, scores }, signal ? { signal } : undefined) as Promise<PredictResult>;
  }

  /** Memory held by this thread's isolate and by tfjs. */
  memory(): Promise<MemoryResult> {
    return this.#pool.run({ op: 'memory' }) as Promise<MemoryResult>;
  }

  /** Lets the current task finish, then ends the thread. */
  async close(): Promise<void> {
    this.#stopping = true;
    await this.#pool.close();
  }

  /** Terminates the thread now; a running task is rejected. */
  async destroy(): Promise<void> {
    this.#stopping = true;
    await this.#pool.destroy();
  }

  #onGone(err: Error): void {
    if (this.#stopping || this.#exited) return;
    this.#exited = true;
    this.emit('exit', err);
  }
}

/**
 * The factory of real worker threads, on the production task module or on `filename`.
 *
 * @example
 * new Supervisor({ ...options, threads: workerThreads() });
 */
export function workerThreads(filename: string = PREDICT_WORKER_URL): ThreadFactory {
  return function workerThread(spec) {
    return new WorkerThread({ ...spec, filename });
  };
}
