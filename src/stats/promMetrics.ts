import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { StatsInput } from './statsInput.js';
import { countActive } from '../cheaper/active.js';

/** The metrics a {@link StatsCollector} records into directly, per event. */
export interface PromRecorders {
  requests: Counter<'route' | 'status'>;
  duration: Histogram<'route'>;
  batchSize: Histogram;
}

/** Worker states of `mlserve_workers{state}`; `active` is every slot with a thread. */
export const workerStates = ['active', 'idle', 'busy', 'cheap', 'starting', 'failed'] as const;

/**
 * Registers mlserve's Prometheus metrics in `registry` (never prom-client's global one, so a
 * test can hold several). Per-event metrics are returned for the collector to record into; the
 * gauges and the counters that mirror the slots table read `source()` in their collect
 * callbacks, the same StatsInput the stats document is built from, so /metrics and the stats
 * socket agree.
 */
export function registerPromMetrics(
  registry: Registry,
  source: () => StatsInput | null,
  options: { defaultMetrics: boolean },
): PromRecorders {
  const registers = [registry];
  const requests = new Counter({
    name: 'mlserve_http_requests_total',
    help: 'HTTP responses, by route pattern and status code',
    labelNames: ['route', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'mlserve_http_request_duration_seconds',
    help: 'Time from request to response, seconds',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const batchSize = new Histogram({
    name: 'mlserve_batch_size',
    help: 'Rows (texts) per predict call sent to a worker',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers,
  });

  new Gauge({
    name: 'mlserve_queue_length',
    help: 'Requests waiting for a worker (the stats listen_queue)',
    registers,
    collect() {
      const input = source();
      if (input) this.set(input.listen.queue);
    },
  });
  new Gauge({
    name: 'mlserve_requests_in_flight',
    help: 'HTTP requests being answered (queued or predicting), probes and /metrics excluded: the per-pod load an HPA custom metric scales on',
    registers,
    collect() {
      const input = source();
      if (input) this.set(input.inFlight ?? 0);
    },
  });
  new Gauge({
    name: 'mlserve_workers',
    help: 'Worker slots by state; active = slots with a ready thread (idle or busy); failed = kept failing, retried',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const input = source();
      if (!input) return;
      const counts: Record<(typeof workerStates)[number], number> = { active: countActive(input.slots), idle: 0, busy: 0, cheap: 0, starting: 0, failed: 0 };
      for (const slot of input.slots) if (slot.status !== 'stopping') counts[slot.status]++;
      for (const state of workerStates) this.set({ state }, counts[state]);
    },
  });
  mirrorCounter(registry, 'mlserve_worker_respawns_total', 'Worker threads respawned (the stats respawn_count, summed)', source, (i) =>
    sum(i, (s) => s.respawnCount),
  );
  mirrorCounter(registry, 'mlserve_harakiri_total', 'Worker threads killed by harakiri (the stats harakiri_count, summed)', source, (i) =>
    sum(i, (s) => s.harakiriCount),
  );
  mirrorCounter(registry, 'mlserve_quarantined_requests_total', 'Requests held back after their batch\'s worker died (rerun or run alone)', source, (i) =>
    i.poison?.quarantined ?? 0,
  );
  mirrorCounter(registry, 'mlserve_poison_requests_total', 'Requests answered as the one that killed their thread', source, (i) => i.poison?.culprits ?? 0);
  new Counter({
    name: 'mlserve_batch_kills_total',
    help: 'Threads (workers and the quarantine thread) lost while running a batch, by cause',
    labelNames: ['cause'] as const,
    registers,
    collect() {
      const input = source();
      if (!input?.poison) return;
      this.reset();
      for (const [cause, n] of Object.entries(input.poison.kills)) this.inc({ cause }, n);
    },
  });
  mirrorCounter(
    registry,
    'mlserve_requests_refused_total',
    'Requests refused with 503 because the queue was full (the stats listen_queue_errors)',
    source,
    (i) => i.listen.refused,
  );
  mirrorCounter(
    registry,
    'mlserve_requests_expired_total',
    'Requests answered 504 because their deadline passed while queued (the stats queue.expired)',
    source,
    (i) => i.listen.expired ?? 0,
  );
  new Gauge({
    name: 'mlserve_model_info',
    help: 'The model being served (always 1)',
    labelNames: ['name', 'version', 'backend'] as const,
    registers,
    collect() {
      const input = source();
      if (!input) return;
      // One series: a new model version replaces the old one rather than leaving it at 1.
      this.reset();
      this.set({ name: input.model.name, version: String(input.model.version), backend: input.model.backend }, 1);
    },
  });
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return { requests, duration, batchSize };
}

// A counter whose value is kept by the master (the slots table, the dispatcher), copied at
// scrape time: prom-client counters only go up by inc(), so reset and inc to the value.
function mirrorCounter(registry: Registry, name: string, help: string, source: () => StatsInput | null, value: (i: StatsInput) => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const input = source();
      if (!input) return;
      this.reset();
      this.inc(value(input));
    },
  });
}

function sum(input: StatsInput, of: (slot: StatsInput['slots'][number]) => number): number {
  let total = 0;
  for (const slot of input.slots) total += of(slot);
  return total;
}
