import type { SlotSnapshot } from './slotSnapshot.js';

/**
 * What one worker thread reported of its own memory (the worker protocol's `memory` op), and
 * when. The master polls it in the background ({@link WorkerMemoryPoller}); building a stats
 * document never waits for a thread.
 */
export interface WorkerMemory {
  /** The thread that answered: a report of a replaced thread is stale. */
  threadId: number;
  heapUsed: number;
  heapTotal: number;
  /** V8 external memory of the isolate: ArrayBuffers, the wasm backend's linear memory. */
  external: number;
  /** What tfjs says its tensors hold (`tf.memory().numBytes`). */
  tfBytes: number;
  /** Epoch ms of the report. */
  at: number;
}

/** The process-wide facts of the stats document (uWSGI's top-level keys). */
export interface ProcessInfo {
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  /** `mlserve-<package version>`: uWSGI puts its own version string here. */
  version: string;
  /** Epoch ms when the process started. */
  startedAt: number;
  /** Resident set size of the whole process, bytes. */
  rss: number;
  /** Virtual memory size of the whole process, bytes (0 where the OS does not tell). */
  vsz: number;
}

/** A socket the HTTP API listens on. */
export interface SocketInfo {
  /** The Unix socket path or `host:port`. */
  name: string;
  proto: 'http';
}

/** The model being served. */
export interface ModelInfo {
  name: string;
  version: number | string;
  /** The tfjs backend the workers really use (`tensorflow`, `wasm`, `cpu`). */
  backend: string;
  /** Test accuracy from the model's metadata.json, null when it does not say. */
  accuracy: number | null;
}

/** The last thing the cheaper algorithm decided, and why. */
export interface CheaperDecision {
  /** Epoch ms. */
  at: number;
  /** e.g. `spawn`, `cheap`. */
  action: string;
  /** How many workers. */
  n: number;
  /** One line a human can read: `idle 0 < cheaper 2`. */
  reason: string;
}

/** The cheaper (adaptive process spawning) algorithm, as the stats socket shows it. */
export interface CheaperInfo {
  /** `spare`, `spare2`, `busyness`, ... */
  algo: string;
  /** The algorithm's own state, flat: `{ idle: 1, overloadSince: 0 }`. */
  state: Record<string, number | string>;
  lastDecision: CheaperDecision | null;
}

/** Batch statistics: lifetime totals and the last 60 s. */
export interface BatchStats {
  /** Predict calls since start. */
  batches: number;
  /** Rows (texts) predicted since start. */
  rows: number;
  /** Requests answered from those batches since start. */
  requests: number;
  /** Largest batch since start, rows. */
  maxRows: number;
  /** The same over the last 60 complete seconds. */
  window: { batches: number; rows: number; requests: number; maxRows: number };
}

/** Request latency percentiles over the last 60 s, ms; null when no request was recorded. */
export interface LatencyStats {
  /** Requests in the window. */
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** What {@link StatsCollector.window} returns: the collector's part of a {@link StatsInput}. */
export interface StatsWindow {
  /** Length of the window and of each history, seconds. */
  seconds: number;
  latency: LatencyStats;
  /** Requests per second for each of the last 60 complete seconds, oldest first. */
  rpsHistory: number[];
  /** Most active workers (slots with a thread) in each of the last 60 complete seconds, oldest first. */
  activeHistory: number[];
  batch: BatchStats;
}

/**
 * Everything a stats document is built from: plain data the master gathers without awaiting
 * anything (slots are copies, memory is the last background report). {@link buildStatsDocument}
 * turns it into the uWSGI-compatible document; the Prometheus gauges read the same object, so
 * /metrics and the stats socket agree.
 *
 * @example
 * const input: StatsInput = {
 *   now, perfNow, process: processInfo(),
 *   sockets: [{ name: config.socket, proto: 'http' }],
 *   listen: { queue: dispatcher.queueLength, max: config.listen, refused: dispatcher.refused },
 *   slots: supervisor.slots.snapshot(), memory: poller.reports(),
 *   model: { name, version, backend, accuracy }, cheaper: cheaperInfo(cheaper, now, perfNow),
 *   window: collector.window(),
 * };
 */
export interface StatsInput {
  /** Epoch ms at which the document is built. */
  now: number;
  /** performance.now() at the same moment: slot `busySince` is on that clock. */
  perfNow: number;
  process: ProcessInfo;
  sockets: SocketInfo[];
  /** The dispatcher's queue: waiting requests, the `listen` option, requests refused because it was full. */
  listen: { queue: number; max: number; refused: number };
  /** `SlotTable.snapshot()`, in id order. */
  slots: SlotSnapshot[];
  /** The last memory report of each live slot, by slot id; missing entries are reported as 0. */
  memory?: ReadonlyMap<number, WorkerMemory>;
  model: ModelInfo;
  cheaper: CheaperInfo | null;
  window: StatsWindow;
}
