import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { metricsHandler } from '../../src/http/metrics.js';
import { StatsCollector } from '../../src/stats/collector.js';
import { parsePromText, sampleValue } from './promText.js';
import { sampleInput } from './sampleInput.js';

test('GET /metrics: Prometheus text with the registry content-type, gauges from the provider', async () => {
  const collector = new StatsCollector();
  collector.recordRequest('/predict', 200, 4);
  let provided = 0;
  const app = new Hono();
  app.get('/metrics', metricsHandler(collector, () => {
    provided++;
    return { ...sampleInput(), window: collector.window() };
  }));
  const res = await app.request('/metrics');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const prom = parsePromText(await res.text());
  assert.equal(provided, 1, 'one StatsInput per scrape');
  assert.equal(sampleValue(prom, 'mlserve_queue_length'), 3);
  assert.equal(sampleValue(prom, 'mlserve_http_requests_total', { route: '/predict', status: '200' }), 1);
});
