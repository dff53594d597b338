import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { ModelBundle } from '../model/bundle.js';
import type { WorkerInit } from '../worker/protocol.js';
import { SlotTable } from './slotTable.js';
import { workerThreads } from './workerThread.js';
import type { PredictThread, ThreadFactory } from './predictThread.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { decideRespawn, NO_FAILURES, RESPAWN_POLICY, type RespawnEvent, type RespawnPolicyOptions, type SlotFailures } from './respawnPolicy.js';
import { countActive } from '../cheaper/active.js';
import { shouldRecycle, type RecycleOptions } from './recyclePolicy.js';

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  /** Number of worker slots (uWSGI `workers`). */
  size: number;
  bundle: ModelBundle;
  backend: WorkerInit['backend'];
  /** Serve with the exact sparse fast path when the model qualifies. */
  fastPath: boolean;
  log: Logger;
  /** Cap on each thread's V8 old generation, bytes (`worker-max-heap`); null = Node's default. */
  maxHeap?: number | null;
  /** max-requests and friends; recycling is off when not set. */
  recycle?: RecycleOptions;
  /** Makes each slot's thread: real worker threads by default, fakes in tests. */
  threads?: ThreadFactory;
  /** Epoch ms and timers (respawn backoff); the real clock by default, a fake one in tests. */
  clock?: Clock;
  /** Backoff of failed respawns ({@link RESPAWN_POLICY} by default). */
  respawnPolicy?: RespawnPolicyOptions;
}

/** A slot handed to the dispatcher for one batch; `generation` tells a stale lease from a live one. */
export interface Lease {
  id: number;
  generation: number;
  thread: PredictThread;
}

/**
 * Owns the worker threads: spawns a thread into a slot, watches it, replaces it when it dies,
 * retires it on request, and leases idle slots to the dispatcher one batch at a time.
 *
 * Events: `idle` (a slot can take work), `ready` (slot id: a thread finished warming up),
 * `exit` (slot id, error: a thread died unasked).
 */
export class Supervisor extends EventEmitter {
  readonly slots: SlotTable;
  readonly #threads = new Map<number, PredictThread>();
  readonly #generation = new Map<number, number>();
  #opts: SupervisorOptions;
  readonly #now: () => number;
  readonly #clock: Clock;
  readonly #makeThread: ThreadFactory;
  #bundle: ModelBundle;
  readonly #pendingRespawns = new Set<number>();
  #canServe: boolean | null = null;
  readonly #retryTimers = new Map<number, TimerHandle>();
  readonly #failures = new Map<number, SlotFailures>();
  #booted = false;
  #backend = 'unknown';
  #engine = 'unknown';
  #closing = false;
  /** The quarantine thread, while suspects need it (src/master/quarantine.ts). */
  #quarantine: Promise<PredictThread> | null = null;

  constructor(options: SupervisorOptions) {
    super();
    this.#opts = options;
    this.#bundle = options.bundle;
    this.#clock = options.clock ?? realClock;
    this.#now = () => this.#clock.now();
    this.#makeThread = options.threads ?? workerThreads();
    this.slots = new SlotTable(options.size, () => {
      this.#canServe = null;
      this.emit('active', this.activeCount);
    });
  }

  /** The model new threads are spawned with. */
  get bundle(): ModelBundle {
    return this.#bundle;
  }

  /** What computes the predictions (`wasm-simd` | `js` | `tfjs-<backend>`), as the last ready worker reported it. */
  get engine(): string {
    return this.#engine;
  }

  /** The tfjs backend the workers run on, as the first ready worker reported it. */
  get backend(): string {
    return this.#backend;
  }

  /** Active slots: their thread is ready (idle or busy), the one definition of cheaper/active.ts. */
  get activeCount(): number {
    return countActive(this.slots.snapshot());
  }

  /**
   * True while some slot serves or will soon (ready, starting, being replaced, or a respawn
   * pending): the dispatcher queues requests then, and answers ERR_NOT_READY when not.
   */
  canServe(): boolean {
    // Asked per request: cached, recomputed after a slot or a pending respawn changes.
    return (this.#canServe ??= this.#computeCanServe());
  }

  #computeCanServe(): boolean {
    const c = this.slots.counts();
    if (c.idle + c.busy + c.starting + c.stopping > 0) return true;
    for (const id of this.#pendingRespawns) if (this.slots.status(id) !== 'failed') return true;
    return false;
  }

  /** Spawns threads into slots 1..n and resolves when all of them are ready. */
  async start(n: number): Promise<void> {
    const spawns: Promise<void>[] = [];
    for (let i = 0; i < n; i++) spawns.push(this.spawn());
    await Promise.all(spawns);
    // From now on a thread that fails to start is retried (respawn policy); at boot it is fatal.
    this.#booted = true;
  }

  /**
   * Spawns a thread into the lowest cheap slot (uWSGI's order) and resolves when it is ready.
   * Rejects when no slot is cheap or the thread fails to load.
   */
  async spawn(slotId = this.slots.firstCheap(), respawn = false): Promise<void> {
    if (slotId === 0) throw new Error('no cheap worker slot to spawn into');
    if (this.#closing) return;
    const log = this.#opts.log.child({ worker: slotId });
    this.#cancelRetry(slotId);
    this.slots.starting(slotId, this.#now(), respawn);
    const generation = (this.#generation.get(slotId) ?? 0) + 1;
    this.#generation.set(slotId, generation);
    const thread = this.#makeThread({ init: this.#init(slotId), resourceLimits: this.#limits() });
    this.#threads.set(slotId, thread);
    thread.once('exit', (err: Error) => this.#onExit(slotId, generation, thread, err));
    try {
      const warm = await thread.start();
      if (this.#generation.get(slotId) !== generation || this.slots.status(slotId) !== 'starting') return;
      this.slots.ready(slotId, this.#now(), warm.threadId);
      this.#backend = warm.backend;
      if (warm.engineReason && warm.engine !== this.#engine) log.warn({ engine: warm.engine, reason: warm.engineReason }, `fast path on plain JavaScript: ${warm.engineReason}`);
      this.#engine = warm.engine;
      const failures = this.#failures.get(slotId)?.streak ?? 0;
      if (failures > 0) log.info({ failures }, `worker ${slotId} is back after ${failures} failure(s)`);
      if (warm.fastPathSkipped) log.info({ reason: warm.fastPathSkipped }, 'fast path does not apply to this model: serving with tfjs');
      log.info({ threadId: warm.threadId, backend: warm.backend, engine: warm.engine, loadMs: round(warm.loadMs), spawnMs: this.slots.get(slotId).spawnMs }, 'worker ready');
      this.emit('ready', slotId);
      this.emit('idle');
    } catch (err) {
      const current = this.#generation.get(slotId) === generation;
      if (current) {
        this.#threads.delete(slotId);
        this.slots.cheap(slotId);
      }
      await thread.destroy().catch(() => {});
      if (current && this.#booted && !this.#closing) {
        log.error({ err }, `worker ${slotId} failed to start`);
        this.#schedule(slotId, { kind: 'start-failed', error: errorText(err) });
      }
      throw err;
    }
  }

  /**
   * A reload of `workers`: more slots are added cheap (and spawned when `spawn`, i.e. scaling
   * is off and every slot runs); fewer retires the highest slots gracefully (each finishes its
   * batch) and then removes them. Resolves when the table has `size` slots.
   */
  async resize(size: number, spawn: boolean): Promise<void> {
    const before = this.slots.size;
    if (size > before) {
      this.slots.grow(size);
      if (spawn) await Promise.all(Array.from({ length: size - before }, (_, i) => this.spawn(before + 1 + i).catch(() => {})));
    } else if (size < before) {
      const extra = Array.from({ length: before - size }, (_, i) => size + 1 + i);
      for (const id of extra) this.#cancelRetry(id);
      await Promise.all(extra.map((id) => this.retire(id)));
      for (const id of extra) this.#failures.delete(id);
      if (this.slots.size === before) this.slots.shrink(size);
    }
  }

  /** Applies reloaded settings: recycling rules and the backend of threads spawned from now on. */
  configure(settings: Pick<SupervisorOptions, 'recycle' | 'backend' | 'fastPath' | 'maxHeap'>): void {
    this.#opts = { ...this.#opts, ...settings };
  }

  /**
   * uWSGI's chain reload to a new model: every live slot in turn gets a new thread, which loads
   * and warms up while the old one keeps serving; only then does the old thread stop taking work,
   * finish its batch and end. Spawns and respawns use the new model from the start. Rejects (the
   * rest keeps the old model) if a new thread fails to load.
   */
  async reload(bundle: ModelBundle): Promise<void> {
    this.#bundle = bundle;
    for (const { id, status } of this.slots.snapshot()) {
      if (status === 'idle' || status === 'busy') await this.#chainReplace(id);
    }
  }

  async #chainReplace(slotId: number): Promise<void> {
    const old = this.#threads.get(slotId);
    if (!old || this.#closing) return;
    const spawnedAt = this.#now();
    const fresh = this.#makeThread({ init: this.#init(slotId), resourceLimits: this.#limits() });
    let warm;
    try {
      warm = await fresh.start();
    } catch (err) {
      await fresh.destroy().catch(() => {});
      throw err;
    }
    if (this.#threads.get(slotId) !== old || this.#closing) {
      // The old thread died or was cheaped meanwhile; its slot is handled elsewhere.
      await fresh.destroy().catch(() => {});
      return;
    }
    // No new batch for the old thread; the one it runs finishes (release() keeps the slot 'stopping').
    this.slots.stopping(slotId);
    await old.close();
    const generation = (this.#generation.get(slotId) ?? 0) + 1;
    this.#generation.set(slotId, generation);
    this.#threads.set(slotId, fresh);
    fresh.once('exit', (err: Error) => this.#onExit(slotId, generation, fresh, err));
    this.slots.swapped(slotId, spawnedAt, this.#now(), warm.threadId);
    this.#opts.log.info({ worker: slotId, threadId: warm.threadId, model: `${this.#bundle.name} v${this.#bundle.version}` }, `worker ${slotId} replaced (chain reload)`);
    this.emit('idle');
  }

  #limits(): { maxOldGenerationSizeMb: number } | undefined {
    const bytes = this.#opts.maxHeap;
    return bytes ? { maxOldGenerationSizeMb: Math.max(16, Math.floor(bytes / 1048576)) } : undefined;
  }

  #init(slotId: number): WorkerInit {
    return { slot: slotId, bundle: this.#bundle, backend: this.#opts.backend, fastPath: this.#opts.fastPath };
  }

  /** Leases the lowest idle slot for one batch, or returns null when none is idle. */
  acquire(): Lease | null {
    const id = this.slots.firstIdle();
    if (id === 0) return null;
    const thread = this.#threads.get(id)!;
    this.slots.busy(id, performance.now());
    return { id, generation: this.#generation.get(id)!, thread };
  }

  /** Returns a lease after its batch: accounts the batch and makes the slot idle again. */
  release(lease: Lease, requests: number, rows: number, errors: number): void {
    if (lease.id > this.slots.size) return; // the slot was removed by a reload of `workers`
    if (this.#generation.get(lease.id) !== lease.generation) {
      // The thread died while running this batch; its slot already holds a new thread.
      this.slots.lost(lease.id, errors, false);
      return;
    }
    this.slots.batchDone(lease.id, performance.now(), requests, rows, errors);
    const recycle = this.#opts.recycle;
    if (recycle && this.slots.status(lease.id) === 'idle' && shouldRecycle(this.slots.get(lease.id), this.#now(), recycle)) {
      void this.replace(lease.id, `max-requests ${recycle.maxRequests} reached`);
      return;
    }
    if (this.slots.status(lease.id) === 'idle') this.emit('idle');
  }

  /**
   * Harakiri: the batch on this lease ran too long. Its thread is terminated at once (the
   * running task rejects) and a new one is spawned into the slot.
   */
  harakiri(lease: Lease, seconds: number): void {
    if (this.#generation.get(lease.id) !== lease.generation) return;
    const thread = this.#threads.get(lease.id);
    this.#opts.log.warn({ worker: lease.id, threadId: thread?.threadId, harakiri: seconds }, `harakiri: worker ${lease.id} ran one batch for more than ${seconds} s, killing it`);
    this.slots.lost(lease.id, 0, true);
    const uptimeMs = this.#uptime(lease.id);
    this.#generation.set(lease.id, lease.generation + 1);
    this.#threads.delete(lease.id);
    this.slots.cheap(lease.id);
    void thread?.destroy().catch(() => {});
    this.#schedule(lease.id, { kind: 'exit', uptimeMs, error: `harakiri: one batch ran more than ${seconds} s` });
  }

  /**
   * Recycles a slot (max-requests, reload-on-rss): the thread finishes its current batch and
   * ends, then a new one is spawned into the same slot; no request is lost.
   */
  async replace(slotId: number, reason: string): Promise<void> {
    if (!this.#threads.has(slotId) || this.#closing) return;
    this.#opts.log.info({ worker: slotId, reason }, `recycling worker ${slotId} (${reason})`);
    await this.retire(slotId);
    if (this.#closing) return;
    // A failed start is logged by spawn(), which schedules the retry.
    await this.spawn(slotId, true).catch(() => {});
  }

  /** Retires a slot's thread: it finishes its current batch, then ends; the slot becomes cheap. */
  async retire(slotId: number): Promise<void> {
    const thread = this.#threads.get(slotId);
    if (!thread) return;
    this.slots.stopping(slotId);
    this.#generation.set(slotId, (this.#generation.get(slotId) ?? 0) + 1);
    this.#threads.delete(slotId);
    await thread.close();
    if (this.slots.status(slotId) === 'stopping') this.slots.cheap(slotId);
  }

  /**
   * The quarantine thread: a worker thread outside the slots, started on first use, on which the
   * suspects of a failed batch run alone (src/master/quarantine.ts). It takes no capacity from
   * the slots; it costs one thread start and one model copy while it lives.
   */
  quarantineThread(): Promise<PredictThread> {
    if (this.#closing) return Promise.reject(new Error('the supervisor is stopping'));
    if (!this.#quarantine) {
      const thread = this.#makeThread({ init: this.#init(0), resourceLimits: this.#limits() });
      this.#opts.log.info({ worker: 'quarantine' }, 'starting the quarantine thread');
      const started = thread.start().then(
        () => thread,
        async (err: unknown) => {
          if (this.#quarantine === started) this.#quarantine = null;
          await thread.destroy().catch(() => {});
          throw err;
        },
      );
      thread.once('exit', () => {
        if (this.#quarantine === started) this.#quarantine = null;
      });
      this.#quarantine = started;
    }
    return this.#quarantine;
  }

  /** Terminates the quarantine thread (its suspect ran out of time); the next use starts another. */
  killQuarantine(thread: PredictThread): void {
    this.#quarantine = null;
    this.#opts.log.warn({ worker: 'quarantine', threadId: thread.threadId }, 'quarantine thread killed: its suspect ran out of time');
    void thread.destroy().catch(() => {});
  }

  /** No suspect left: the quarantine thread ends. */
  endQuarantine(): void {
    const q = this.#quarantine;
    this.#quarantine = null;
    void q?.then((t) => t.close()).catch(() => {});
  }

  /** Retires every thread, letting running batches finish; after `timeoutMs` they are terminated. */
  async stop(timeoutMs: number): Promise<void> {
    this.#closing = true;
    const q = this.#quarantine;
    this.#quarantine = null;
    void q?.then((t) => t.destroy()).catch(() => {});
    for (const id of [...this.#retryTimers.keys()]) this.#cancelRetry(id);
    this.#pendingRespawns.clear();
    this.#canServe = null;
    const threads = [...this.#threads.entries()];
    this.#threads.clear();
    for (const [id] of threads) {
      this.slots.stopping(id);
      this.#generation.set(id, (this.#generation.get(id) ?? 0) + 1);
    }
    const closing = Promise.all(threads.map(([, t]) => t.close().catch(() => {})));
    const timer = delay(timeoutMs, 'timeout' as const, { ref: false });
    if ((await Promise.race([closing.then(() => 'closed' as const), timer])) === 'timeout') {
      await Promise.all(threads.map(([, t]) => t.destroy().catch(() => {})));
    }
    for (const [id] of threads) this.slots.cheap(id);
  }

  /** The thread of a live slot (for memory reports and tests). */
  thread(slotId: number): PredictThread | undefined {
    return this.#threads.get(slotId);
  }

  #onExit(slotId: number, generation: number, thread: PredictThread, err: Error): void {
    if (this.#closing || this.#generation.get(slotId) !== generation) return;
    // The slot stops taking work now, before the rejected batch is accounted.
    const uptimeMs = this.#uptime(slotId);
    this.#threads.delete(slotId);
    this.slots.cheap(slotId);
    this.#generation.set(slotId, generation + 1);
    this.#pendingRespawns.add(slotId);
    this.#canServe = null;
    // The cause (the Worker's own 'error') lands a moment after the exit: log and respawn then.
    setImmediate(() => {
      const cause = thread.exitError ?? err;
      this.#opts.log.error({ worker: slotId, threadId: thread.threadId || undefined, err: cause }, 'worker died, respawning');
      this.emit('exit', slotId, cause);
      this.#schedule(slotId, { kind: 'exit', uptimeMs, error: errorText(cause) });
    });
  }

  /** ms the slot's thread has been ready, 0 when it is not. */
  #uptime(slotId: number): number {
    const readyAt = this.slots.get(slotId).readyAt;
    return readyAt > 0 ? Math.max(0, this.#now() - readyAt) : 0;
  }

  #cancelRetry(slotId: number): void {
    const timer = this.#retryTimers.get(slotId);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    this.#retryTimers.delete(slotId);
    this.#pendingRespawns.delete(slotId);
    this.#canServe = null;
  }

  /**
   * A slot lost its thread or a new one did not start: ask the respawn policy when to try again
   * (src/master/respawnPolicy.ts), mark the slot failed when it keeps failing, and schedule it.
   * Never gives up: a failed slot is retried at the policy's ceiling.
   */
  #schedule(slotId: number, event: RespawnEvent): void {
    if (this.#closing) return;
    const log = this.#opts.log;
    const d = decideRespawn(this.#failures.get(slotId) ?? NO_FAILURES, event, this.#opts.respawnPolicy ?? RESPAWN_POLICY);
    this.#failures.set(slotId, d.state);
    this.slots.failure(slotId, event.error, d.state.streak, d.failed);
    if (d.failed) {
      log.error({ worker: slotId, failures: d.state.streak, lastError: event.error, retryInMs: d.delayMs }, `worker ${slotId} keeps failing: marked failed, retrying every ${d.delayMs / 1000} s`);
    } else if (d.delayMs > 0) {
      log.warn({ worker: slotId, failures: d.state.streak, delayMs: d.delayMs }, `worker ${slotId} failed ${d.state.streak} times in a row: backing off`);
    }
    this.#cancelRetry(slotId);
    this.#pendingRespawns.add(slotId);
    this.#canServe = null;
    const retry = (): void => {
      this.#retryTimers.delete(slotId);
      this.#pendingRespawns.delete(slotId);
      this.#canServe = null;
      const status = this.slots.status(slotId);
      if (this.#closing || (status !== 'cheap' && status !== 'failed')) return;
      // A failed start is logged by spawn(), which schedules the next attempt.
      this.spawn(slotId, true).catch(() => {});
    };
    if (d.delayMs === 0) retry();
    else this.#retryTimers.set(slotId, this.#clock.setTimeout(retry, d.delayMs));
  }


}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
