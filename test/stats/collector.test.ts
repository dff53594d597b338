import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatsDocument } from '../../src/stats/buildStatsDocument.js';
import { StatsCollector } from '../../src/stats/collector.js';
import { parsePromText, sampleValue } from './promText.js';
import { sampleInput } from './sampleInput.js';

const T0 = 1_700_000_000_000;

function fakeClock(start = T0): { now: () => number; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms) };
}

test('latency window: percentiles of /predict requests; other routes do not count; 60 s ageing', () => {
  const clock = fakeClock();
  const c = new StatsCollector({ clock: clock.now, defaultMetrics: false });
  for (let i = 1; i <= 100; i++) c.recordRequest('/predict', 200, i);
  c.recordRequest('/healthz', 200, 5000);
  let lat = c.window().latency;
  assert.equal(lat.count, 100);
  assert.ok(Math.abs(lat.p50! / 50 - 1) < 0.05 && Math.abs(lat.p99! / 99 - 1) < 0.05, JSON.stringify(lat));
  clock.set(T0 + 59_999);
  assert.equal(c.window().latency.count, 100);
  clock.set(T0 + 60_000);
  lat = c.window().latency;
  assert.deepEqual(lat, { count: 0, p50: null, p90: null, p99: null });
});

test('rps history: one count per complete second, oldest first, 60 of them', () => {
  const clock = fakeClock();
  const c = new StatsCollector({ clock: clock.now, defaultMetrics: false });
  for (const [sec, n] of [[0, 3], [1, 0], [2, 5], [59, 2]] as const) {
    clock.set(T0 + sec * 1000 + 250);
    for (let i = 0; i < n; i++) c.recordRequest('/predict', i === 0 ? 503 : 200, 1);
  }
  clock.set(T0 + 60_000); // second 60 begins: seconds 0..59 are complete
  const h = c.window().rpsHistory;
  assert.equal(h.length, 60);
  assert.deepEqual([h[0], h[1], h[2], h[59]], [3, 0, 5, 2]);
  assert.equal(h.reduce((a, b) => a + b, 0), 10);
  clock.set(T0 + 62_500); // the second in progress is not in the history; old ones slide out
  const later = c.window().rpsHistory;
  assert.deepEqual([later[0], later[57]], [5, 2]);
  assert.equal(later.reduce((a, b) => a + b, 0), 7);
});

test('active workers history: most per second, carried over seconds without a call', () => {
  const clock = fakeClock();
  const c = new StatsCollector({ clock: clock.now, defaultMetrics: false });
  c.recordWorkers(2);
  clock.set(T0 + 1500);
  c.recordWorkers(4);
  c.recordWorkers(3);
  clock.set(T0 + 5200);
  c.recordWorkers(1);
  clock.set(T0 + 8000);
  const h = c.window().activeHistory.slice(-8);
  // seconds 0..7: 2, then 4 (max of second 1), 3 carried to second 5 where it drops to 1 (max 3), then 1.
  assert.deepEqual(h, [2, 4, 3, 3, 3, 3, 1, 1]);
  assert.equal(c.window().activeHistory.length, 60);
});

test('batch statistics: lifetime and last 60 s', () => {
  const clock = fakeClock();
  const c = new StatsCollector({ clock: clock.now, defaultMetrics: false });
  c.recordBatch(1, 1);
  c.recordBatch(32, 10);
  clock.set(T0 + 70_000);
  c.recordBatch(4, 2);
  clock.set(T0 + 71_000);
  assert.deepEqual(c.window().batch, { batches: 3, rows: 37, requests: 13, maxRows: 32, window: { batches: 1, rows: 4, requests: 2, maxRows: 4 } });
});

test('Prometheus text parses, and agrees with the stats document built from the same input', async () => {
  const c = new StatsCollector({ clock: fakeClock().now });
  c.recordRequest('/predict', 200, 3);
  c.recordRequest('/predict', 200, 12);
  c.recordRequest('/predict', 503, 0.2);
  c.recordRequest('/healthz', 200, 0.1);
  c.recordBatch(3, 2);
  c.recordBatch(1, 1);
  const input = { ...sampleInput(), window: c.window() };
  const doc = buildStatsDocument(input);
  const text = await c.metrics(input);
  const prom = parsePromText(text);

  assert.equal(c.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(sampleValue(prom, 'mlserve_http_requests_total', { route: '/predict', status: '200' }), 2);
  assert.equal(sampleValue(prom, 'mlserve_http_requests_total', { route: '/predict', status: '503' }), 1);
  assert.equal(sampleValue(prom, 'mlserve_http_requests_total', { route: '/healthz', status: '200' }), 1);
  assert.equal(sampleValue(prom, 'mlserve_http_request_duration_seconds_count', { route: '/predict' }), 3);
  assert.equal(sampleValue(prom, 'mlserve_http_request_duration_seconds_bucket', { route: '/predict', le: '0.005' }), 2);
  assert.equal(sampleValue(prom, 'mlserve_batch_size_count'), 2);
  assert.equal(sampleValue(prom, 'mlserve_batch_size_sum'), 4);
  assert.equal(prom.types.get('mlserve_batch_size'), 'histogram');

  const sum = (key: 'respawn_count' | 'harakiri_count') => doc.workers.reduce((s, w) => s + w[key], 0);
  assert.equal(sampleValue(prom, 'mlserve_worker_respawns_total'), sum('respawn_count'));
  assert.equal(sampleValue(prom, 'mlserve_harakiri_total'), sum('harakiri_count'));
  assert.equal(sampleValue(prom, 'mlserve_requests_refused_total'), doc.listen_queue_errors);
  assert.equal(sampleValue(prom, 'mlserve_queue_length'), doc.listen_queue);
  assert.equal(prom.types.get('mlserve_worker_respawns_total'), 'counter');
  const byStatus = (s: string) => doc.mlserve.workers.filter((w) => w.state === s).length;
  for (const state of ['idle', 'busy', 'cheap', 'starting', 'failed']) {
    assert.equal(sampleValue(prom, 'mlserve_workers', { state }), byStatus(state), state);
  }
  // One definition of active (cheaper/active.ts): a ready thread. Regression: /metrics counted
  // every slot with a thread (starting, stopping) while the supervisor and the cheaper did not.
  assert.equal(sampleValue(prom, 'mlserve_workers', { state: 'active' }), byStatus('idle') + byStatus('busy'));
  assert.equal(sampleValue(prom, 'mlserve_model_info', { name: 'reuters', version: '1', backend: 'tensorflow' }), 1);
  assert.ok(sampleValue(prom, 'process_cpu_user_seconds_total') !== undefined, 'default process metrics');
  assert.ok(sampleValue(prom, 'nodejs_heap_size_used_bytes') !== undefined);

  // A scrape after the slots changed follows them (collect callbacks read the new input).
  const next = sampleInput({ listen: { queue: 0, max: 100, refused: 9 }, model: { ...input.model, version: 2 } });
  const prom2 = parsePromText(await c.metrics({ ...next, window: c.window() }));
  assert.equal(sampleValue(prom2, 'mlserve_requests_refused_total'), 9);
  assert.equal(sampleValue(prom2, 'mlserve_model_info', { version: '1' }), undefined, 'the old model version is gone');
  assert.equal(sampleValue(prom2, 'mlserve_model_info', { version: '2' }), 1);
});

test('collectors have their own registries; route labels are bounded', async () => {
  const a = new StatsCollector();
  const b = new StatsCollector();
  a.recordRequest('/predict', 200, 1);
  const input = { ...sampleInput(), window: b.window() };
  assert.equal(sampleValue(parsePromText(await b.metrics(input)), 'mlserve_http_requests_total', { route: '/predict' }), undefined);
  for (let i = 0; i < 100; i++) b.recordRequest(`/raw/${i}`, 404, 1);
  const prom = parsePromText(await b.metrics(input));
  const routes = new Set(prom.samples.filter((s) => s.name === 'mlserve_http_requests_total').map((s) => s.labels['route']));
  assert.ok(routes.size <= 33 && routes.has('other'), `${routes.size} routes`);
});

// Regression: the protocol routes were counted under hono's wildcard patterns, and the stats
// document had no per-route counts nor the deadline 504s at all.
test('per-route counts and deadline expiries reach the stats document and /metrics', async () => {
  const clock = fakeClock();
  const c = new StatsCollector({ clock: clock.now, defaultMetrics: false });
  c.recordRequest('/predict', 200, 1);
  c.recordRequest('/v1/models/{name}:predict', 200, 1);
  c.recordRequest('/v1/models/{name}:predict', 400, 1);
  c.recordRequest('/v2/models/{name}/infer', 504, 1);
  c.recordRequest('/invocations', 200, 1);
  const input = { ...sampleInput({ listen: { queue: 0, max: 100, refused: 0, expired: 4 } }), window: c.window() };
  const doc = buildStatsDocument(input);
  assert.deepEqual(doc.mlserve.routes, {
    '/predict': { requests: 1, errors: 0 },
    '/v1/models/{name}:predict': { requests: 2, errors: 1 },
    '/v2/models/{name}/infer': { requests: 1, errors: 1 },
    '/invocations': { requests: 1, errors: 0 },
  });
  assert.equal(doc.mlserve.queue.expired, 4);
  const prom = parsePromText(await c.metrics(input));
  assert.equal(sampleValue(prom, 'mlserve_requests_expired_total'), 4);
  assert.equal(sampleValue(prom, 'mlserve_http_requests_total', { route: '/v1/models/{name}:predict', status: '400' }), 1);
});
