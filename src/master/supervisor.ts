import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { ModelBundle } from '../model/bundle.js';
import type { WorkerInit } from '../worker/protocol.js';
import { SlotTable } from './slotTable.js';
import { WorkerThread } from './workerThread.js';
import { respawnDelay } from './respawnGuard.js';
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
  testOps?: boolean;
  /** Cap on each thread's V8 old generation, bytes (`worker-max-heap`); null = Node's default. */
  maxHeap?: number | null;
  /** max-requests and friends; recycling is off when not set. */
  recycle?: RecycleOptions;
  /** Epoch clock, injectable for tests. */
  now?: () => number;
}

/** A slot handed to the dispatcher for one batch; `generation` tells a stale lease from a live one. */
export interface Lease {
  id: number;
  generation: number;
  thread: WorkerThread;
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
  readonly #threads = new Map<number, WorkerThread>();
  readonly #generation = new Map<number, number>();
  #opts: SupervisorOptions;
  readonly #now: () => number;
  #bundle: ModelBundle;
  #respawns: number[] = [];
  readonly #pendingRespawns = new Set<number>();
  #backend = 'unknown';
  #closing = false;

  constructor(options: SupervisorOptions) {
    super();
    this.#opts = options;
    this.#bundle = options.bundle;
    this.#now = options.now ?? Date.now;
    this.slots = new SlotTable(options.size);
  }

  /** The model new threads are spawned with. */
  get bundle(): ModelBundle {
    return this.#bundle;
  }

  /** The tfjs backend the workers run on, as the first ready worker reported it. */
  get backend(): string {
    return this.#backend;
  }

  /** Slots whose thread is ready (idle or busy). */
  get activeCount(): number {
    const c = this.slots.counts();
    return c.idle + c.busy;
  }

  /**
   * True while some slot serves or will soon (ready, starting, being replaced, or a respawn
   * pending): the dispatcher queues requests then, and answers ERR_NOT_READY when not.
   */
  canServe(): boolean {
    const c = this.slots.counts();
    return c.idle + c.busy + c.starting + c.stopping > 0 || this.#pendingRespawns.size > 0;
  }

  /** Spawns threads into slots 1..n and resolves when all of them are ready. */
  async start(n: number): Promise<void> {
    const spawns: Promise<void>[] = [];
    for (let i = 0; i < n; i++) spawns.push(this.spawn());
    await Promise.all(spawns);
  }

  /**
   * Spawns a thread into the lowest cheap slot (uWSGI's order) and resolves when it is ready.
   * Rejects when no slot is cheap or the thread fails to load.
   */
  async spawn(slotId = this.slots.firstCheap(), respawn = false): Promise<void> {
    if (slotId === 0) throw new Error('no cheap worker slot to spawn into');
    if (this.#closing) return;
    const log = this.#opts.log.child({ worker: slotId });
    this.slots.starting(slotId, this.#now(), respawn);
    const generation = (this.#generation.get(slotId) ?? 0) + 1;
    this.#generation.set(slotId, generation);
    const thread = new WorkerThread({ init: this.#init(slotId), resourceLimits: this.#limits() });
    this.#threads.set(slotId, thread);
    thread.once('exit', (err: Error) => this.#onExit(slotId, generation, thread, err));
    try {
      const warm = await thread.start();
      if (this.#generation.get(slotId) !== generation || this.slots.status(slotId) !== 'starting') return;
      this.slots.ready(slotId, this.#now(), warm.threadId);
      this.#backend = warm.backend;
      if (warm.fastPathSkipped) log.info({ reason: warm.fastPathSkipped }, 'fast path does not apply to this model: serving with tfjs');
      log.info({ threadId: warm.threadId, backend: warm.backend, loadMs: round(warm.loadMs), spawnMs: this.slots.get(slotId).spawnMs }, 'worker ready');
      this.emit('ready', slotId);
      this.emit('idle');
    } catch (err) {
      if (this.#generation.get(slotId) === generation) {
        this.#threads.delete(slotId);
        this.slots.cheap(slotId);
      }
      await thread.destroy().catch(() => {});
      throw err;
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
    const fresh = new WorkerThread({ init: this.#init(slotId), resourceLimits: this.#limits() });
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
    return { slot: slotId, bundle: this.#bundle, backend: this.#opts.backend, fastPath: this.#opts.fastPath, testOps: this.#opts.testOps ?? false };
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
    if (this.#generation.get(lease.id) !== lease.generation) {
      // The thread died while running this batch; its slot already holds a new thread.
      this.slots.failed(lease.id, errors, false);
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
    this.slots.failed(lease.id, 0, true);
    this.#generation.set(lease.id, lease.generation + 1);
    this.#threads.delete(lease.id);
    this.slots.cheap(lease.id);
    void thread?.destroy().catch(() => {});
    this.#respawn(lease.id);
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
    await this.spawn(slotId, true).catch((e: unknown) =>
      this.#opts.log.error({ worker: slotId, err: e instanceof Error ? e.message : String(e) }, 'respawn failed'),
    );
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

  /** Retires every thread, letting running batches finish; after `timeoutMs` they are terminated. */
  async stop(timeoutMs: number): Promise<void> {
    this.#closing = true;
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
  thread(slotId: number): WorkerThread | undefined {
    return this.#threads.get(slotId);
  }

  #onExit(slotId: number, generation: number, thread: WorkerThread, err: Error): void {
    if (this.#closing || this.#generation.get(slotId) !== generation) return;
    // The slot stops taking work now, before the rejected batch is accounted.
    this.#threads.delete(slotId);
    this.slots.cheap(slotId);
    this.#generation.set(slotId, generation + 1);
    this.#pendingRespawns.add(slotId);
    // The cause (the Worker's own 'error') lands a moment after the exit: log and respawn then.
    setImmediate(() => {
      const cause = thread.exitError ?? err;
      this.#opts.log.error({ worker: slotId, threadId: thread.threadId || undefined, err: cause.message }, 'worker died, respawning');
      this.emit('exit', slotId, cause);
      this.#respawn(slotId);
    });
  }

  /** Spawns a replacement into a slot, through uWSGI's fork-bomb guard. */
  #respawn(slotId: number): void {
    const { delayMs, history } = respawnDelay(this.#respawns, this.#now(), this.slots.size);
    this.#respawns = history;
    if (delayMs > 0) this.#opts.log.warn({ worker: slotId, delayMs }, 'too many respawns within a second (fork-bomb guard): backing off');
    this.#pendingRespawns.add(slotId);
    const respawn = () => {
      this.#pendingRespawns.delete(slotId);
      return this.spawn(slotId, true).catch((e: unknown) =>
        this.#opts.log.error({ worker: slotId, err: e instanceof Error ? e.message : String(e) }, 'respawn failed'),
      );
    };
    if (delayMs > 0) setTimeout(respawn, delayMs).unref();
    else void respawn();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
