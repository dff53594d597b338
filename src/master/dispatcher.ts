import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import { batchCount, holdMicros, queueHasRoom } from './batchPolicy.js';
import { RequestQueue } from './requestQueue.js';
import type { RequestResult } from '../model/requestResult.js';
import { checkInput, inputRows, joinInputs, type InputSignature, type ModelInput, type SubmitOptions } from '../model/modelInput.js';
import { inputSignature, type ModelBundle } from '../model/bundle.js';
import type { Lease, Supervisor } from './supervisor.js';

export type { RequestResult };

interface Pending {
  input: ModelInput;
  rows: number;
  /** The request wants every row's output vector. */
  scores: boolean;
  enqueuedAt: number;
  /** Queue level (SubmitOptions.priority). */
  priority: number;
  /** Ends the request with 504 if it is still queued at its deadline. */
  deadlineTimer?: NodeJS.Timeout;
  resolve(result: RequestResult): void;
  reject(err: Error): void;
}

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions {
  supervisor: Supervisor;
  /** Most rows in one predict call (`max-batch-size`). */
  maxBatchSize: number;
  /** Most requests waiting for a worker (uWSGI `listen`). */
  listen: number;
  /** Longest a partial batch is held for more rows, µs (TF Serving batch_timeout_micros); 0 = never. */
  batchTimeoutMicros?: number;
  /** Rows that may wait, in batches of `maxBatchSize` (TF Serving max_enqueued_batches). */
  maxEnqueuedBatches?: number;
  /** Seconds a batch may run before its worker is killed (uWSGI `harakiri`); 0 = off. */
  harakiri?: number;
  /** Called for every predict call, with its rows and requests (stats). */
  onBatch?: (rows: number, requests: number) => void;
  log: Logger;
}

/**
 * The request -> task path. Requests wait in one FIFO; whenever a slot is idle it takes every
 * waiting request that fits in `maxBatchSize` rows and predicts them in one call (Triton's
 * dynamic batcher with no queue delay). Under light load a request goes alone at once; under
 * load batches grow by themselves, which is where a batched predict's lower cost per row pays.
 */
export class Dispatcher {
  readonly #sup: Supervisor;
  readonly #queue: RequestQueue<Pending>;
  /** Requests of a batch killed by harakiri, retried one by one ahead of the queue. */
  #retry: Pending[] = [];
  readonly #opts: DispatcherOptions;
  #accepting = true;
  #pumpScheduled = false;
  #holdTimer: NodeJS.Timeout | null = null;
  #inFlight = 0;
  #refused = 0;
  #expired = 0;
  #drainWaiters: (() => void)[] = [];
  /** The input signature of the bundle new requests are checked against (recomputed on reload). */
  #signature: { bundle: ModelBundle; signature: InputSignature } | null = null;

  constructor(options: DispatcherOptions) {
    this.#opts = { ...options };
    this.#sup = options.supervisor;
    this.#queue = new RequestQueue(options.listen);
    this.#sup.on('idle', () => this.#pump());
  }

  /** Requests waiting for a worker (uWSGI `listen_queue`). */
  get queueLength(): number {
    return this.#queue.length + this.#retry.length;
  }

  /** Requests refused because the queue was full (uWSGI `listen_queue_errors`). */
  get refused(): number {
    return this.#refused;
  }

  /** Batches being predicted right now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Predicts one request's rows (texts, or a tensor of rows) in the next batch. Rejects with
   * ERR_TEXT_UNSUPPORTED / ERR_TENSOR_SHAPE (400) for an input the model cannot take,
   * ERR_QUEUE_FULL (503) when `listen` requests already wait, ERR_SHUTTING_DOWN (503) after
   * {@link close}. With `options.scores` the result carries every row's output vector.
   *
   * @example
   * const { classes, probs, labels } = await dispatcher.submit({ kind: 'text', texts: ['oil prices rose'] });
   */
  submit(input: ModelInput, options?: SubmitOptions): Promise<RequestResult> {
    if (!this.#accepting) {
      return Promise.reject(new MlserveError('ERR_SHUTTING_DOWN', 'the server is shutting down'));
    }
    if (!this.#sup.canServe()) {
      return Promise.reject(new MlserveError('ERR_NOT_READY', 'no worker is ready or starting; see /readyz'));
    }
    try {
      checkInput(input, this.#currentSignature());
    } catch (err) {
      return Promise.reject(err);
    }
    const rows = inputRows(input);
    const { listen, maxBatchSize, maxEnqueuedBatches = Infinity } = this.#opts;
    if (!queueHasRoom({ requests: this.#queue.length, rows: this.#queue.rows }, rows, { listen, maxBatchSize, maxEnqueuedBatches })) {
      this.#refused++;
      return Promise.reject(
        new MlserveError(
          'ERR_QUEUE_FULL',
          `too many requests waiting for a worker (listen = ${listen} requests, max-enqueued-batches = ${maxEnqueuedBatches} x ${maxBatchSize} rows)`,
        ),
      );
    }
    const now = performance.now();
    const deadline = options?.deadline;
    if (deadline !== undefined && deadline <= now) {
      this.#expired++;
      return Promise.reject(new MlserveError('ERR_DEADLINE_EXCEEDED', 'the request deadline had passed when it arrived'));
    }
    return new Promise<RequestResult>((resolve, reject) => {
      const pending: Pending = { input, rows, scores: options?.scores === true, enqueuedAt: now, priority: options?.priority ?? 0, resolve, reject };
      this.#queue.push(pending);
      if (deadline !== undefined) pending.deadlineTimer = setTimeout(() => this.#expire(pending), deadline - now);
      this.#schedulePump();
    });
  }

  /** A queued request's deadline passed: out of the queue, answered 504, never run. */
  #expire(pending: Pending): void {
    if (!this.#queue.remove(pending)) return; // already taken by a batch
    this.#expired++;
    pending.reject(
      new MlserveError('ERR_DEADLINE_EXCEEDED', `the request waited ${Math.round(performance.now() - pending.enqueuedAt)} ms in the queue, past its deadline; it did not run`),
    );
    this.#checkDrained();
  }

  /** Requests answered 504 because their deadline passed before a worker took them. */
  get expired(): number {
    return this.#expired;
  }

  /** What the model new threads serve takes (a reload may change it). */
  #currentSignature(): InputSignature {
    const bundle = this.#sup.bundle;
    if (this.#signature?.bundle !== bundle) this.#signature = { bundle, signature: inputSignature(bundle) };
    return this.#signature.signature;
  }

  /** Applies reloaded settings; requests already queued keep their place. */
  configure(settings: Pick<DispatcherOptions, 'maxBatchSize' | 'listen' | 'harakiri' | 'batchTimeoutMicros' | 'maxEnqueuedBatches'>): void {
    this.#opts.maxBatchSize = settings.maxBatchSize;
    this.#opts.batchTimeoutMicros = settings.batchTimeoutMicros;
    this.#opts.maxEnqueuedBatches = settings.maxEnqueuedBatches;
    this.#opts.listen = settings.listen;
    this.#opts.harakiri = settings.harakiri;
    this.#queue.limit = settings.listen;
  }

  /** Stops taking new requests; those already queued are still served. */
  close(): void {
    this.#accepting = false;
  }

  /** Resolves when nothing is queued or running. */
  drained(): Promise<void> {
    if (this.queueLength === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Fails every queued request (used when shutdown's grace period ends). */
  abortQueued(err: MlserveError): void {
    for (const p of [...this.#retry.splice(0), ...this.#queue.drain()]) p.reject(err);
    this.#checkDrained();
  }

  /**
   * Dispatch at the end of this turn of the event loop rather than at once: every request that
   * arrived in the same I/O phase (nginx multiplexes many over its keep-alive connections) then
   * leaves in one batch. Costs no wait (no timer: `setImmediate` runs right after the poll
   * phase) and spares a task, a postMessage and a wake-up per request under load.
   */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(this.#pumpNow);
  }

  readonly #pumpNow = (): void => {
    this.#pumpScheduled = false;
    this.#pump();
  };

  /** TF Serving's batch timeout: true while a partial batch should wait for more rows (a timer pumps later). */
  #holdPartialBatch(): boolean {
    const waited = (performance.now() - this.#queue.peek()!.enqueuedAt) * 1000;
    const hold = holdMicros(this.#queue.rows, this.#opts.maxBatchSize, waited, this.#opts.batchTimeoutMicros ?? 0);
    if (hold === 0) return false;
    this.#holdTimer ??= setTimeout(() => {
      this.#holdTimer = null;
      this.#pump();
    }, Math.max(1, Math.ceil(hold / 1000)));
    return true;
  }

  #pump(): void {
    while (this.#retry.length > 0 || this.#queue.length > 0) {
      if (this.#retry.length === 0 && this.#holdPartialBatch()) return;
      const lease = this.#sup.acquire();
      if (!lease) return;
      if (this.#retry.length > 0) {
        void this.#run(lease, [this.#retry.shift()!]);
        continue;
      }
      // A batch is of one input kind: texts and tensors go to the worker as one input each.
      const kind = this.#queue.peek()!.input.kind;
      const n = batchCount(this.#queue.peekRows(this.#opts.maxBatchSize, (p) => p.input.kind === kind), this.#opts.maxBatchSize);
      void this.#run(lease, this.#queue.take(n));
    }
  }

  async #run(lease: Lease, batch: Pending[]): Promise<void> {
    this.#inFlight++;
    for (const p of batch) if (p.deadlineTimer) clearTimeout(p.deadlineTimer); // it runs now
    const input = batch.length === 1 ? batch[0]!.input : joinInputs(batch.map((p) => p.input));
    const rows = inputRows(input);
    const scores = batch.some((p) => p.scores);
    this.#opts.onBatch?.(rows, batch.length);
    let errors = 0;
    const harakiri = this.#opts.harakiri ?? 0;
    let killed = false;
    const timer =
      harakiri > 0
        ? setTimeout(() => {
            killed = true;
            this.#sup.harakiri(lease, harakiri);
          }, harakiri * 1000)
        : undefined;
    try {
      const result = await lease.thread.predict(input, scores);
      if (result.error) {
        errors = batch.length;
        // A worker of another model version (mid-reload) may refuse the input kind: the client's 400.
        const code = result.error.code === 'ERR_TEXT_UNSUPPORTED' || result.error.code === 'ERR_TENSOR_SHAPE' ? result.error.code : 'ERR_PREDICT';
        const err = new MlserveError(code, code === 'ERR_PREDICT' ? `prediction failed: ${result.error.message}` : result.error.message);
        this.#opts.log.error({ worker: lease.id, err: result.error.message, rows }, 'predict failed');
        for (const p of batch) p.reject(err);
      } else {
        let offset = 0;
        const all = result.scores;
        const width = all && rows > 0 ? all.length / rows : 0;
        for (const p of batch) {
          const answer: RequestResult = {
            classes: result.classes.subarray(offset, offset + p.rows),
            probs: result.probs.subarray(offset, offset + p.rows),
            slot: lease.id,
            labels: lease.thread.labels,
            decoding: lease.thread.decoding,
          };
          if ((p.scores || lease.thread.decoding.kind === 'multi-label') && all) answer.scores = all.subarray(offset * width, (offset + p.rows) * width);
          p.resolve(answer);
          offset += p.rows;
        }
      }
    } catch (cause) {
      if (batch.length > 1) {
        // A killed (harakiri) or crashed batch cannot tell which request was at fault: retry each
        // alone, ahead of the queue, with a fresh deadline. The culprit fails again, alone; the
        // others are answered as if nothing happened.
        this.#opts.log.warn({ worker: lease.id, requests: batch.length, harakiri: killed }, 'retrying the requests of a failed batch one by one');
        this.#retry.push(...batch);
      } else if (killed) {
        errors = 1;
        batch[0]!.reject(
          new MlserveError('ERR_HARAKIRI', `the request ran longer than harakiri (${harakiri} s); its worker was killed`, { cause }),
        );
      } else {
        errors = 1;
        batch[0]!.reject(new MlserveError('ERR_WORKER_CRASHED', `worker ${lease.id} died while predicting this request`, { cause }));
      }
    } finally {
      clearTimeout(timer);
      this.#inFlight--;
      this.#sup.release(lease, batch.length, rows, errors);
      if (this.#retry.length > 0) this.#pump();
      this.#checkDrained();
    }
  }

  #checkDrained(): void {
    if (this.queueLength === 0 && this.#inFlight === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    }
  }
}
