/**
 * The stats document: uWSGI 2.0's stats server JSON, key for key (same names, meanings and
 * units, so uwsgitop, telegraf, netdata and scripts read it), plus mlserve's own facts under the
 * one top-level key `mlserve`. docs/stats.md describes every key.
 */

/** uWSGI `sockets[]`. */
export interface StatsSocket {
  name: string;
  proto: string;
  /** Requests waiting for a worker (shared by every socket in mlserve). */
  queue: number;
  /** The `listen` option. */
  max_queue: number;
  shared: number;
  can_offload: number;
}

/** uWSGI `workers[].apps[]`: mlserve has one app, the model. */
export interface StatsApp {
  id: number;
  modifier1: number;
  /** Always "" (the model is served at the root). */
  mountpoint: string;
  /** Seconds the thread took from spawn to ready (uWSGI: to load the app). */
  startup_time: number;
  requests: number;
  exceptions: number;
  chdir: string;
}

/** uWSGI `workers[].cores[]`: one core per worker thread (it runs one batch at a time). */
export interface StatsCore {
  id: number;
  requests: number;
  static_requests: number;
  routed_requests: number;
  offloaded_requests: number;
  write_errors: number;
  read_errors: number;
  /** 1 while a batch runs. */
  in_request: number;
  /** uWSGI lists the running request's CGI vars; mlserve lists none. */
  vars: string[];
  /** `{ request_start }` (epoch seconds) while a batch runs, else {}. */
  req_info: { request_start?: number };
}

/**
 * The uWSGI worker statuses (uWSGI also has `sig<N>`, which mlserve never shows), plus mlserve's
 * `failed`: a slot that kept failing to start or kept dying, retried at the respawn ceiling.
 */
export type UwsgiStatus = 'idle' | 'busy' | 'cheap' | 'pause' | 'failed';

/** uWSGI `workers[]`, one per slot. */
export interface StatsWorker {
  id: number;
  /** The process id for a slot with a thread, 0 for a cheap slot. */
  pid: number;
  /** 1 when the slot takes requests (idle or busy), 0 when starting, stopping or cheap. */
  accepting: number;
  requests: number;
  delta_requests: number;
  exceptions: number;
  harakiri_count: number;
  signals: number;
  signal_queue: number;
  status: UwsgiStatus;
  /** This thread's own memory, bytes (docs/stats.md: heap used + external (+ native tensors)). */
  rss: number;
  /** The process's virtual size, bytes: threads share it. 0 for a cheap slot. */
  vsz: number;
  /** Cumulative time running batches, microseconds. */
  running_time: number;
  /** Epoch seconds of the last spawn, 0 if never spawned. */
  last_spawn: number;
  respawn_count: number;
  /** Response bytes sent for this slot's requests. */
  tx: number;
  /** Moving average batch time, microseconds (uWSGI's (avg + last) / 2). */
  avg_rt: number;
  apps: StatsApp[];
  cores: StatsCore[];
}

/** mlserve's facts about one slot, beside the uWSGI ones (same order as `workers`). */
export interface MlserveWorker {
  id: number;
  /** The slot table's own state: cheap, starting, idle, busy, stopping, failed. */
  state: string;
  /** Why the slot's last thread died or did not start; null if none ever did. */
  last_error: string | null;
  /** Consecutive failures (the respawn policy's streak): 0 after a stable run. */
  failures: number;
  thread_id: number;
  /** Spawn to ready of the current (or last) thread, ms; null before the first thread was ready. */
  time_to_ready_ms: number | null;
  /** Epoch seconds when the current thread became ready, 0 when none is. */
  ready_at: number;
  batches: number;
  rows: number;
  /** Cumulative busy time, ms. */
  busy_ms: number;
  /** How long the running batch has been running, ms; 0 when not busy. */
  running_batch_ms: number;
  /** The last memory report of the thread, null when none (cheap, or not reported yet). */
  memory: { heap_used: number; heap_total: number; external: number; tf_bytes: number; at: number } | null;
}

/** Everything mlserve adds to uWSGI's document, under the top-level key `mlserve`. */
export interface MlserveExtras {
  /** The mlserve package version. */
  version: string;
  /** Epoch seconds (with ms) when the document was built. */
  now: number;
  /** Seconds since the process started. */
  uptime: number;
  process: { rss: number; vsz: number };
  /** `engine`: what computes the predictions, `wasm-simd` | `js` (the fast path) | `tfjs-<backend>`. */
  model: { name: string; version: number | string; backend: string; engine: string; accuracy: number | null };
  cheaper: {
    algo: string;
    state: Record<string, number | string>;
    last_decision: { at: number; action: string; n: number; reason: string } | null;
  } | null;
  /** `expired`: answered 504 because their deadline passed while queued (X-Mlserve-Timeout-Ms, KServe `timeout`). */
  queue: { length: number; max: number; refused: number; expired: number };
  /**
   * Responses since start by route (`/predict`, `/v1/models/{name}:predict`, `/v2/models/{name}/infer`,
   * `/invocations`, ...): how many, and how many were errors (status >= 400).
   */
  routes: Record<string, { requests: number; errors: number }>;
  /**
   * What poison requests cost since start (docs/architecture.md, "Quarantine"): requests held
   * back after their batch's worker died, culprits answered, requests answered at their deadline,
   * threads lost mid-batch by cause.
   */
  poison: { quarantined: number; culprits: number; expired: number; kills: { crash: number; oom: number; harakiri: number } };
  /** Length of the windows below, seconds. */
  window_seconds: number;
  latency_ms: { count: number; p50: number | null; p90: number | null; p99: number | null };
  /** Requests per second, one per complete second, oldest first. */
  rps_history: number[];
  /** Most workers with a thread in each second, oldest first. */
  active_history: number[];
  batches: {
    count: number;
    rows: number;
    requests: number;
    mean_size: number | null;
    max_size: number;
    window: { count: number; rows: number; requests: number; mean_size: number | null; max_size: number };
  };
  workers: MlserveWorker[];
}

/** The whole document the stats socket serves. */
export interface StatsDocument {
  /** `mlserve-<version>`. */
  version: string;
  /** Requests waiting for a worker. */
  listen_queue: number;
  /** Requests refused because the queue was full (503 ERR_QUEUE_FULL). */
  listen_queue_errors: number;
  signal_queue: number;
  /** uWSGI: the kernel's unacknowledged backlog; mlserve: requests waiting, like listen_queue. */
  load: number;
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  /** uWSGI's lock list; mlserve has no uWSGI locks. */
  locks: Record<string, number>[];
  sockets: StatsSocket[];
  workers: StatsWorker[];
  mlserve: MlserveExtras;
}
