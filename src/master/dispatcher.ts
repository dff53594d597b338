import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import { batchCount, holdMicros, lingerMicros, queueHasRoom } from './batchPolicy.js';
import type { PoisonStats } from '../stats/statsInput.js';
import { requestOfRow } from '../worker/progress.js';
import { killCause, poisonError } from './poisonErrors.js';
import { QuarantinePlan, judge, type KillCause, type Verdict } from './quarantine.js';
import { RequestQueue } from './requestQueue.js';
import type { RequestResult } from '../model/requestResult.js';
import { batchAnswers } from './batchAnswers.js';
import { realClock, type Clock } from './clock.js';
import { checkInput, inputRows, joinInputs, type InputSignature, type ModelInput, type SubmitOptions } from '../model/modelInput.js';
import { inputSignature, type ModelBundle } from '../model/bundle.js';
import type { Lease, Supervisor } from './supervisor.js';
import type { PredictThread } from './predictThread.js';

export type { RequestResult };

interface Pending {
  input: ModelInput;
  rows: number;
  /** The request wants every row's output vector. */
  scores: boolean;
  enqueuedAt: number;
  /** It arrived while a batch ran or others waited (the busy-gated linger may hold it). */
  crowded: boolean;
  /** Queue level (SubmitOptions.priority). */
  priority: number;
  /** Ends the request with 504 if it is still queued at its deadline. */
  deadlineTimer?: NodeJS.Timeout;
  /** nginx's X-Request-Id, else `m<n>`: what the logs name the request by (never its text). */
  id: string;
  /** When it first started running (performance.now()), 0 before. */
  firstStartedAt: number;
  /** Why the last batch it was in failed, once one did. */
  failedBy?: KillCause;
  resolve(result: RequestResult): void;
  reject(err: Error): void;
}

/** Where a batch runs: a leased worker slot, or the quarantine thread. */
interface Runner {
  readonly thread: PredictThread;
  /** Slot id, 0 for the quarantine thread. */
  readonly slot: number;
  /** Terminates the thread: the batch ran out of time. */
  kill(seconds: number): void;
  /** The batch is over (well or not). */
  done(requests: number, rows: number, errors: number): void;
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
  /** Longest a partial batch that arrived in a crowd waits for more rows, µs (`batch-linger-micros`); 0 = never. */
  batchLingerMicros?: number;
  /** Rows that may wait, in batches of `maxBatchSize` (TF Serving max_enqueued_batches). */
  maxEnqueuedBatches?: number;
  /** Seconds a batch may run before its worker is killed (uWSGI `harakiri`); 0 = off. */
  harakiri?: number;
  /** Timers of harakiri; the real clock by default, a fake one in tests. */
  clock?: Clock;
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
  /** Requests of a batch whose worker died: cleared ones rerun ahead of the queue, suspects alone. */
  readonly #quarantine = new QuarantinePlan<Pending>();
  #quarantineBusy = false;
  /** A quarantine thread was asked for and not ended yet. */
  #quarantineOpen = false;
  #deadlineTimer: NodeJS.Timeout | null = null;
  #seq = 0;
  readonly #poison: PoisonStats = { quarantined: 0, culprits: 0, expired: 0, kills: { crash: 0, oom: 0, harakiri: 0 } };
  /** Waiting requests x ms, up to #backlogAt (the queue length integrated over time). */
  #backlogArea = 0;
  #backlogAt = performance.now();
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
    return this.#queue.length + this.#quarantine.length;
  }

  /**
   * Waiting requests x ms since start (the integral of {@link queueLength} over
   * performance.now()): the cheaper reads its mean over a check-interval.
   */
  backlogArea(now = performance.now()): number {
    return this.#backlogArea + this.queueLength * (now - this.#backlogAt);
  }

  /** What poison requests cost so far (a copy). */
  get poison(): PoisonStats {
    return { ...this.#poison, kills: { ...this.#poison.kills } };
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
   * {@link close}. With `options.scores` the result carries every row's output vector;
   * `options.reqId` (nginx's X-Request-Id) names the request in logs.
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
      this.#noteBacklog();
      const id = options?.reqId ?? `m${++this.#seq}`;
      const crowded = this.#inFlight > 0 || this.#queue.length > 0;
      const pending: Pending = { input, rows, scores: options?.scores === true, enqueuedAt: now, crowded, priority: options?.priority ?? 0, id, firstStartedAt: 0, resolve, reject };
      this.#queue.push(pending);
      if (deadline !== undefined) pending.deadlineTimer = setTimeout(() => this.#expire(pending), deadline - now);
      this.#schedulePump();
    });
  }

  /** A queued request's deadline passed: out of the queue, answered 504, never run. */
  #expire(pending: Pending): void {
    this.#noteBacklog();
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
  configure(settings: Pick<DispatcherOptions, 'maxBatchSize' | 'listen' | 'harakiri' | 'batchTimeoutMicros' | 'batchLingerMicros' | 'maxEnqueuedBatches'>): void {
    this.#opts.maxBatchSize = settings.maxBatchSize;
    this.#opts.batchTimeoutMicros = settings.batchTimeoutMicros;
    this.#opts.batchLingerMicros = settings.batchLingerMicros;
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
    this.#noteBacklog();
    for (const p of [...this.#quarantine.drain(), ...this.#queue.drain()]) p.reject(err);
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

  /**
   * TF Serving's batch timeout and mlserve's busy-gated linger: true while a partial batch should
   * wait for more rows (a timer pumps later).
   */
  #holdPartialBatch(): boolean {
    const oldest = this.#queue.peek()!;
    const waited = (performance.now() - oldest.enqueuedAt) * 1000;
    const rows = this.#queue.rows;
    const max = this.#opts.maxBatchSize;
    const hold = Math.max(
      holdMicros(rows, max, waited, this.#opts.batchTimeoutMicros ?? 0),
      lingerMicros(rows, max, waited, this.#opts.batchLingerMicros ?? 0, oldest.crowded),
    );
    if (hold === 0) return false;
    this.#holdTimer ??= setTimeout(() => {
      this.#holdTimer = null;
      this.#pump();
    }, Math.max(1, Math.ceil(hold / 1000)));
    return true;
  }

  #pump(): void {
    while (this.#quarantine.reruns > 0 || this.#queue.length > 0) {
      if (this.#quarantine.reruns === 0 && this.#holdPartialBatch()) break;
      const lease = this.#sup.acquire();
      if (!lease) break;
      this.#noteBacklog();
      const harakiriMs = (this.#opts.harakiri ?? 0) * 1000;
      const rerun = this.#quarantine.takeReruns(performance.now(), harakiriMs, (p) => p.rows, this.#opts.maxBatchSize, sameKind);
      if (rerun) {
        void this.#run(this.#leased(lease), rerun.batch.map((t) => t.item), rerun.budgetMs);
        continue;
      }
      // A batch is of one input kind: texts and tensors go to the worker as one input each.
      const kind = this.#queue.peek()!.input.kind;
      const n = batchCount(this.#queue.peekRows(this.#opts.maxBatchSize, (p) => p.input.kind === kind), this.#opts.maxBatchSize);
      void this.#run(this.#leased(lease), this.#queue.take(n), harakiriMs > 0 ? harakiriMs : null);
    }
    this.#pumpQuarantine();
  }

  #leased(lease: Lease): Runner {
    const sup = this.#sup;
    return {
      thread: lease.thread,
      slot: lease.id,
      kill: (seconds) => sup.harakiri(lease, seconds),
      done: (requests, rows, errors) => sup.release(lease, requests, rows, errors),
    };
  }

  /** Suspects run alone, one at a time, on the quarantine thread (started on first need). */
  #pumpQuarantine(): void {
    if (this.#quarantineBusy) return;
    if (this.#quarantine.suspects === 0) {
      if (this.#quarantineOpen) this.#sup.endQuarantine();
      this.#quarantineOpen = false;
      return;
    }
    this.#quarantineBusy = true;
    this.#quarantineOpen = true;
    const sup = this.#sup;
    sup.quarantineThread().then(
      (thread) => {
        this.#noteBacklog();
        const next = this.#quarantine.takeSuspect(performance.now(), (this.#opts.harakiri ?? 0) * 1000);
        if (!next) {
          this.#quarantineBusy = false;
          this.#pumpQuarantine();
          return;
        }
        const runner: Runner = { thread, slot: 0, kill: () => sup.killQuarantine(thread), done: () => {} };
        void this.#run(runner, [next.suspect.item], next.budgetMs).finally(() => {
          this.#quarantineBusy = false;
          this.#pumpQuarantine();
        });
      },
      (err: unknown) => {
        // No quarantine thread: the suspects go back to the workers rather than wait forever.
        this.#opts.log.error({ err }, 'the quarantine thread failed to start: suspects rerun on the workers');
        this.#quarantine.clearSuspects();
        this.#quarantineBusy = false;
        this.#pump();
      },
    );
  }

  /**
   * Runs one batch on `runner`; `budgetMs` (null: no limit) is when its thread is killed. When
   * the thread dies mid-batch the quarantine sorts the batch out (src/master/quarantine.ts).
   */
  async #run(runner: Runner, batch: Pending[], budgetMs: number | null): Promise<void> {
    this.#inFlight++;
    for (const p of batch) if (p.deadlineTimer) clearTimeout(p.deadlineTimer); // it runs now
    const startedAt = performance.now();
    const rowsPerRequest: number[] = [];
    const input = batch.length === 1 ? batch[0]!.input : joinInputs(batch.map((p) => p.input));
    const rows = inputRows(input);
    const scores = batch.some((p) => p.scores);
    for (const p of batch) {
      if (p.firstStartedAt === 0) p.firstStartedAt = startedAt;
      rowsPerRequest.push(p.rows);
    }
    this.#opts.onBatch?.(rows, batch.length);
    let errors = 0;
    let killed = false;
    const clock = this.#opts.clock ?? realClock;
    const timer =
      budgetMs !== null
        ? clock.setTimeout(() => {
            killed = true;
            runner.kill(Math.round(budgetMs) / 1000);
          }, budgetMs)
        : undefined;
    try {
      const result = await runner.thread.predict(input, scores);
      if (result.error) {
        errors = batch.length;
        // A worker of another model version (mid-reload) may refuse the input kind: the client's 400.
        const code = result.error.code === 'ERR_TEXT_UNSUPPORTED' || result.error.code === 'ERR_TENSOR_SHAPE' ? result.error.code : 'ERR_PREDICT';
        const err = new MlserveError(code, code === 'ERR_PREDICT' ? `prediction failed: ${result.error.message}` : result.error.message);
        this.#opts.log.error({ worker: runner.slot, err, rows }, 'predict failed');
        for (const p of batch) p.reject(err);
      } else {
        const answers = batchAnswers(result, batch, runner.thread, runner.slot);
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(answers[i]!);
      }
    } catch (cause) {
      errors = this.#failed(runner, batch, rowsPerRequest, killed ? 'harakiri' : killCause(cause), cause);
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      this.#inFlight--;
      runner.done(batch.length, rows, errors);
      if (this.#quarantine.length > 0) this.#pump();
      this.#checkDrained();
    }
  }

  /** A batch's thread died: judge it, answer who must be answered now, file the rest. Returns the errors answered. */
  #failed(runner: Runner, batch: Pending[], rowsPerRequest: number[], cause: KillCause, err: unknown): number {
    const now = performance.now();
    const harakiriMs = (this.#opts.harakiri ?? 0) * 1000;
    const culpritIndex = requestOfRow(rowsPerRequest, runner.thread.progress ?? -1);
    const judgement = judge({ requests: batch.map((p) => ({ item: p, firstStartedAt: p.firstStartedAt })), culpritIndex, cause, harakiriMs, now });
    this.#poison.kills[cause]++;
    for (const p of batch) p.failedBy = cause;
    const held = judgement.rerun.length + judgement.isolate.length;
    this.#poison.quarantined += held;
    const culprit = judgement.answer.find((v) => v.culprit);
    const where = runner.slot === 0 ? 'the quarantine thread' : `worker ${runner.slot}`;
    this.#opts.log.warn(
      {
        worker: runner.slot || 'quarantine',
        cause,
        reqId: culprit?.item.id,
        requests: batch.length,
        rerun: judgement.rerun.length,
        isolated: judgement.isolate.length,
        err,
      },
      culprit
        ? `poison request ${culprit.item.id} killed ${where} (${cause}); ${judgement.rerun.length} batch-mates rerun`
        : `${where} died in a batch-wide step (${cause}); its ${judgement.isolate.length} requests run alone in quarantine`,
    );
    // On the quarantine thread a suspect runs alone: once it is the culprit, the others are cleared.
    if (runner.slot === 0 && culprit) this.#quarantine.clearSuspects();
    this.#noteBacklog();
    for (const v of this.#quarantine.add(judgement)) this.#answer(v, runner.slot, err);
    this.#armDeadline();
    return judgement.answer.length;
  }

  #answer(v: Verdict<Pending>, slot: number, cause: unknown): void {
    if (v.culprit) this.#poison.culprits++;
    else this.#poison.expired++;
    v.item.reject(poisonError(v, slot, this.#opts.harakiri ?? 0, cause));
  }

  /** One timer for the earliest deadline among the requests waiting in quarantine. */
  #armDeadline(): void {
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = null;
    const at = this.#quarantine.nextDeadline();
    if (at === null) return;
    this.#deadlineTimer = setTimeout(() => {
      this.#deadlineTimer = null;
      this.#noteBacklog();
      for (const p of this.#quarantine.expire(performance.now())) this.#answer({ item: p, cause: p.failedBy ?? 'harakiri', culprit: false }, 0, undefined);
      this.#armDeadline();
      this.#checkDrained();
    }, Math.max(1, Math.ceil(at - performance.now())));
  }

  /** Accounts the queue length up to now, before it changes. */
  #noteBacklog(): void {
    const now = performance.now();
    this.#backlogArea += this.queueLength * (now - this.#backlogAt);
    this.#backlogAt = now;
  }

  #checkDrained(): void {
    if (this.queueLength === 0 && this.#inFlight === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** Reruns leave together only when they are of one input kind, as any batch. */
function sameKind(a: Pending, b: Pending): boolean {
  return a.input.kind === b.input.kind;
}
