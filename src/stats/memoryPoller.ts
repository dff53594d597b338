import type { Logger } from '../log.js';
import type { SlotSnapshot } from './slotSnapshot.js';
import type { WorkerMemory } from './statsInput.js';

/** What a worker thread answers to the `memory` op (worker/protocol.ts `MemoryResult`). */
export interface MemoryAnswer {
  heapUsed: number;
  heapTotal: number;
  external: number;
  tfBytes: number;
}

/** Options of {@link WorkerMemoryPoller}. */
export interface WorkerMemoryPollerOptions {
  /** The slots now (`supervisor.slots.snapshot()`). */
  slots: () => readonly SlotSnapshot[];
  /** Asks slot `id`'s thread for its memory (`supervisor.thread(id)?.memory()`); undefined when it has none. */
  probe: (id: number) => Promise<MemoryAnswer> | undefined;
  /** Time between polls, ms (5000). */
  intervalMs?: number;
  log: Logger;
  /** Epoch ms (`Date.now`). */
  clock?: () => number;
}

/**
 * Keeps the last memory report of every live worker thread, refreshed in the background every
 * few seconds, so that building a stats document reads a map instead of awaiting threads (a
 * busy thread would stall the stats socket for the length of a batch). A slot is asked again
 * only once its previous answer came; a report of a thread that has since been replaced or
 * cheaped is dropped.
 *
 * @example
 * const poller = new WorkerMemoryPoller({ slots: () => table.snapshot(), probe: (id) => sup.thread(id)?.memory(), log });
 * poller.start();
 * const input = { ...facts, memory: poller.reports() };
 */
export class WorkerMemoryPoller {
  readonly #opts: WorkerMemoryPollerOptions;
  readonly #clock: () => number;
  readonly #reports = new Map<number, WorkerMemory>();
  readonly #pending = new Set<number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: WorkerMemoryPollerOptions) {
    this.#opts = options;
    this.#clock = options.clock ?? Date.now;
  }

  /** Polls now, then every `intervalMs`; the timer does not keep the process alive. */
  start(): void {
    if (this.#timer) return;
    void this.poll();
    this.#timer = setInterval(() => void this.poll(), this.#opts.intervalMs ?? 5000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The last report of each live slot, by slot id. */
  reports(): ReadonlyMap<number, WorkerMemory> {
    return this.#reports;
  }

  /** Asks every live slot (idle or busy, thread known) once; resolves when all have answered. */
  async poll(): Promise<void> {
    const live = new Map(
      this.#opts.slots()
        .filter((s) => s.status !== 'cheap' && s.status !== 'starting' && s.threadId !== 0)
        .map((s) => [s.id, s.threadId] as const),
    );
    for (const [id, report] of this.#reports) if (live.get(id) !== report.threadId) this.#reports.delete(id);
    await Promise.all([...live].map(([id, threadId]) => this.#ask(id, threadId)));
  }

  async #ask(id: number, threadId: number): Promise<void> {
    if (this.#pending.has(id)) return;
    const answer = this.#opts.probe(id);
    if (!answer) return;
    this.#pending.add(id);
    try {
      const m = await answer;
      this.#reports.set(id, { threadId, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, tfBytes: m.tfBytes, at: this.#clock() });
    } catch (err) {
      // The thread died or was retired meanwhile: the supervisor reports that; the stats show rss 0.
      this.#reports.delete(id);
      this.#opts.log.debug({ worker: id, err: (err as Error).message }, 'memory report failed');
    } finally {
      this.#pending.delete(id);
    }
  }
}
