import { performance } from 'node:perf_hooks';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { isActive, type Cheaper } from '../cheaper/index.js';
import { StatsCollector } from '../stats/collector.js';
import { WorkerMemoryPoller } from '../stats/memoryPoller.js';
import { processInfo } from '../stats/processInfo.js';
import { cheaperInfo } from '../stats/cheaperInfo.js';
import { threadRss } from '../stats/buildStatsDocument.js';
import { startStatsThread, type StatsThread } from '../stats/statsThread.js';
import type { StatsInput } from '../stats/statsInput.js';
import type { ModelBundle } from '../model/bundle.js';
import type { Dispatcher } from './dispatcher.js';
import type { Supervisor } from './supervisor.js';

/** What {@link MasterStats} reads from the master, at the moment a document is built. */
export interface StatsSources {
  supervisor: Supervisor;
  dispatcher: Dispatcher;
  config: () => Config;
  bundle: () => ModelBundle;
  cheaper: () => Cheaper | null;
  /** HTTP requests being answered (InFlight.count). */
  inFlight?: () => number;
  log: Logger;
  /** The collector to record into; a new one by default (tests pass one on a fake clock). */
  collector?: StatsCollector;
}

/**
 * One set of counters, three readers: the uWSGI-compatible stats socket, GET /metrics and the
 * master's own memory checks (reload-on-rss, cheaper-rss-limit-*). Owns the collector, the
 * background memory poller and the stats server (on its own thread, see startStatsThread).
 */
export class MasterStats {
  readonly collector: StatsCollector;
  readonly #src: StatsSources;
  readonly #poller: WorkerMemoryPoller;
  #server: StatsThread | null = null;
  #process: { at: number; info: StatsInput['process'] } | null = null;

  constructor(sources: StatsSources) {
    this.#src = sources;
    this.collector = sources.collector ?? new StatsCollector();
    const { supervisor } = sources;
    this.#poller = new WorkerMemoryPoller({
      slots: () => supervisor.slots.snapshot(),
      probe: (id) => supervisor.thread(id)?.memory(),
      intervalMs: Math.max(1000, sources.config().checkInterval * 1000),
      log: sources.log,
    });
    // Every slot change (spawn, ready, retire, crash, failed): the history never misses a cheap.
    supervisor.on('active', (active: number) => this.collector.recordWorkers(active));
  }

  /** Starts the memory poller and, when `stats` is set, the stats server. */
  async start(): Promise<void> {
    this.#poller.start();
    this.collector.recordWorkers(this.#src.supervisor.activeCount);
    const config = this.#src.config();
    if (config.stats) {
      // On its own thread: per client, this (the HTTP) thread only gathers the counters.
      this.#server = await startStatsThread({
        address: config.stats,
        http: config.statsHttp,
        minified: config.statsMinified,
        mode: config.chmodStats,
        vacuum: config.vacuum,
        input: () => this.input(),
        log: this.#src.log,
      });
    }
  }

  async stop(): Promise<void> {
    this.#poller.stop();
    // vacuum as in force now: a reload may have changed it.
    await this.#server?.close(this.#src.config().vacuum);
  }

  /** A reload changed check-interval: the memory poller follows it. */
  setCheckInterval(seconds: number): void {
    this.#poller.setIntervalMs(Math.max(1000, seconds * 1000));
  }

  /** Everything a stats document or a /metrics scrape is built from; cheap (no thread is asked). */
  input(): StatsInput {
    const { supervisor, dispatcher } = this.#src;
    const config = this.#src.config();
    const bundle = this.#src.bundle();
    const now = Date.now();
    const perfNow = performance.now();
    const sockets: StatsInput['sockets'] = [];
    if (config.socket) sockets.push({ name: config.socket, proto: 'http' });
    if (config.http) sockets.push({ name: `${config.http.host}:${config.http.port}`, proto: 'http' });
    return {
      now,
      perfNow,
      process: this.#processInfo(now),
      sockets,
      listen: { queue: dispatcher.queueLength, max: config.listen, refused: dispatcher.refused, expired: dispatcher.expired },
      poison: dispatcher.poison,
      slots: supervisor.slots.snapshot(),
      memory: this.#poller.reports(),
      model: {
        name: bundle.name,
        version: bundle.version,
        backend: supervisor.backend,
        engine: supervisor.engine,
        accuracy: typeof bundle.metadata['testAccuracy'] === 'number' ? bundle.metadata['testAccuracy'] : null,
      },
      cheaper: cheaperInfo(this.#src.cheaper(), now, perfNow),
      window: this.collector.window(),
      ...(this.#src.inFlight ? { inFlight: this.#src.inFlight() } : {}),
    };
  }

  /**
   * The process facts (pid, rss, vsz, ...) at most a second old: reading /proc/self/status costs
   * ~40 µs, and a monitor polling the stats socket 100 times a second should not pay it each time.
   */
  #processInfo(now: number): StatsInput['process'] {
    if (!this.#process || now - this.#process.at >= 1000) this.#process = { at: now, info: processInfo() };
    return this.#process.info;
  }

  /** Memory of one live slot's thread, bytes (0 until its first report). */
  workerRss(slotId: number): number {
    return threadRss(this.#poller.reports().get(slotId), this.#src.supervisor.backend);
  }

  /** Memory summed over the active workers, or null before any report (the rss limits stay off). */
  activeRss(): number | null {
    const reports = this.#poller.reports();
    if (reports.size === 0) return null;
    let total = 0;
    for (const s of this.#src.supervisor.slots.snapshot()) {
      if (isActive(s.status)) total += this.workerRss(s.id);
    }
    return total;
  }
}
