import { Registry } from 'prom-client';
import { LatencyWindow } from './latencyWindow.js';
import { registerPromMetrics, type PromRecorders } from './promMetrics.js';
import { SecondRing } from './secondRing.js';
import type { BatchStats, StatsInput, StatsWindow } from './statsInput.js';

/** Options of {@link StatsCollector}. */
export interface StatsCollectorOptions {
  /** Epoch ms; `Date.now` by default. Tests pass a fake clock. */
  clock?: () => number;
  /** Length of the latency window and of the histories, seconds (60). */
  seconds?: number;
  /** Routes whose requests feed the latency window and the req/s history (`['/predict']`). */
  windowRoutes?: readonly string[];
  /** Add prom-client's default process metrics to the registry (true). */
  defaultMetrics?: boolean;
}

// Distinct `route` label values kept; more go to "other", so a bug that passes raw paths
// cannot grow the registry without bound.
const MAX_ROUTES = 32;

const B_BATCHES = 0;
const B_ROWS = 1;
const B_REQUESTS = 2;
const B_MAX = 3;

/**
 * What the master records as it serves, kept in bounded memory: a 60 s latency window
 * (p50/p90/p99), per-second request counts, batch statistics, a history of active workers, and
 * the Prometheus registry behind GET /metrics. The master calls {@link recordRequest} per HTTP
 * response, {@link recordBatch} per predict call and {@link recordWorkers} when the number of
 * slots with a thread changes; {@link window} is its part of every StatsInput.
 *
 * @example
 * const collector = new StatsCollector();
 * collector.recordRequest('/predict', 200, 3.2);
 * collector.recordBatch(8, 5);
 * const input: StatsInput = { ...facts, window: collector.window() };
 * const text = await collector.metrics(input);
 */
export class StatsCollector {
  /** The Prometheus registry of this collector (not prom-client's global one). */
  readonly registry: Registry;
  readonly #clock: () => number;
  readonly #seconds: number;
  readonly #windowRoutes: ReadonlySet<string>;
  readonly #latency: LatencyWindow;
  readonly #requests: SecondRing;
  readonly #batches: SecondRing;
  readonly #active: SecondRing;
  readonly #prom: PromRecorders;
  readonly #routes = new Set<string>();
  /** Responses and errors per route label, for the stats document (bounded like the labels). */
  readonly #routeCounts = new Map<string, { requests: number; errors: number }>();
  readonly #children = new Map<string, { requests: { inc(): void }; duration: { observe(v: number): void } }>();
  #lastActive: { sec: number; value: number } | null = null;
  #total = { batches: 0, rows: 0, requests: 0, maxRows: 0 };
  #input: StatsInput | null = null;

  constructor(options: StatsCollectorOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#seconds = options.seconds ?? 60;
    this.#windowRoutes = new Set(options.windowRoutes ?? ['/predict']);
    this.#latency = new LatencyWindow(this.#seconds);
    // Histories are of complete seconds: one row more for the second in progress.
    this.#requests = new SecondRing(this.#seconds + 1, [0]);
    this.#batches = new SecondRing(this.#seconds + 1, [0, 0, 0, 0]);
    this.#active = new SecondRing(this.#seconds + 1, [0]);
    this.registry = new Registry();
    this.#prom = registerPromMetrics(this.registry, () => this.#input, { defaultMetrics: options.defaultMetrics ?? true });
  }

  /**
   * One HTTP response. `route` is the matched route pattern (`/predict`, `/healthz`), not the
   * raw path; `ms` is the time from request to response.
   */
  recordRequest(route: string, status: number, ms: number): void {
    const key = `${route} ${status}`;
    let child = this.#children.get(key);
    if (child === undefined) {
      // prom-client hashes label objects on every call; per (route, status) we do it once.
      const label = this.#routeLabel(route);
      child = { requests: this.#prom.requests.labels(label, String(status)), duration: this.#prom.duration.labels(label) };
      if (this.#children.size < MAX_ROUTES * 8) this.#children.set(key, child);
    }
    child.requests.inc();
    child.duration.observe(Math.max(0, ms) / 1000);
    const label = this.#routeLabel(route);
    let counts = this.#routeCounts.get(label);
    if (counts === undefined) this.#routeCounts.set(label, (counts = { requests: 0, errors: 0 }));
    counts.requests++;
    if (status >= 400) counts.errors++;
    if (!this.#windowRoutes.has(route)) return;
    const now = this.#clock();
    this.#requests.add(now, 0, 1);
    this.#latency.record(now, ms);
  }

  /** One predict call: `rows` texts from `requests` requests. */
  recordBatch(rows: number, requests: number): void {
    const now = this.#clock();
    this.#total.batches++;
    this.#total.rows += rows;
    this.#total.requests += requests;
    this.#total.maxRows = Math.max(this.#total.maxRows, rows);
    this.#batches.add(now, B_BATCHES, 1);
    this.#batches.add(now, B_ROWS, rows);
    this.#batches.add(now, B_REQUESTS, requests);
    this.#batches.max(now, B_MAX, rows);
    this.#prom.batchSize.observe(rows);
  }

  /**
   * The number of active slots (cheaper/active.ts: a ready thread) is now `active`. Call it on
   * every slot change (the supervisor's `active` event, retire included) or periodically: the history holds, per second, the most seen, and carries the last value
   * over seconds without a call.
   */
  recordWorkers(active: number): void {
    const now = this.#clock();
    const sec = Math.floor(now / 1000);
    const last = this.#lastActive;
    if (last && sec > last.sec) {
      // Seconds without a call had the last value all along; so did the start of this one.
      for (let s = Math.max(last.sec + 1, sec - this.#seconds); s <= sec; s++) this.#active.max(s * 1000, 0, last.value);
    }
    this.#active.max(now, 0, active);
    if (!last || sec >= last.sec) this.#lastActive = { sec, value: active };
  }

  /** The collector's part of a StatsInput, as of now: latency, histories, batch statistics. */
  window(): StatsWindow {
    const now = this.#clock();
    const sec = Math.floor(now / 1000);
    const rpsHistory: number[] = [];
    const activeHistory: number[] = [];
    const last = this.#lastActive;
    for (let s = sec - this.#seconds; s < sec; s++) {
      rpsHistory.push(this.#requests.get(s, 0) ?? 0);
      const active = this.#active.get(s, 0);
      activeHistory.push(active ?? (last && s > last.sec ? last.value : 0));
    }
    const routes = [...this.#routeCounts].map(([route, c]): [string, { requests: number; errors: number }] => [route, { ...c }]);
    return { seconds: this.#seconds, latency: this.#latency.stats(now), rpsHistory, activeHistory, batch: this.#batchStats(sec), routes };
  }

  /**
   * The Prometheus text of every metric, with the gauges read from `input` (the same object the
   * stats document is built from). {@link contentType} is its content-type.
   */
  async metrics(input: StatsInput): Promise<string> {
    this.#input = input;
    return this.registry.metrics();
  }

  /** The content-type of {@link metrics}' text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  #batchStats(sec: number): BatchStats {
    const window = { batches: 0, rows: 0, requests: 0, maxRows: 0 };
    // Complete seconds only, like the histories.
    this.#batches.forEach(sec - this.#seconds, sec - 1, (values, offset) => {
      window.batches += values[offset + B_BATCHES]!;
      window.rows += values[offset + B_ROWS]!;
      window.requests += values[offset + B_REQUESTS]!;
      window.maxRows = Math.max(window.maxRows, values[offset + B_MAX]!);
    });
    return { ...this.#total, window };
  }

  #routeLabel(route: string): string {
    if (this.#routes.has(route)) return route;
    if (this.#routes.size >= MAX_ROUTES) return 'other';
    this.#routes.add(route);
    return route;
  }
}
