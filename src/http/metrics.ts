import type { Context } from 'hono';
import type { StatsCollector } from '../stats/collector.js';
import type { StatsInput } from '../stats/statsInput.js';

/**
 * The handler of GET /metrics: the collector's Prometheus registry in the text format, with the
 * gauges read from `provider()`, the same StatsInput the stats socket builds its document from.
 *
 * @example
 * app.get('/metrics', metricsHandler(collector, () => master.statsInput()));
 */
export function metricsHandler(collector: StatsCollector, provider: () => StatsInput): (c: Context) => Promise<Response> {
  return async function metrics(c) {
    const text = await collector.metrics(provider());
    return c.body(text, 200, { 'content-type': collector.contentType });
  };
}
