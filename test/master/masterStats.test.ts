/**
 * Regression: active_history stayed high after a cheap. The master recorded the active count
 * only on a thread's `ready` and `exit`, and retire() emits neither, so a cheaped worker stayed
 * in the history until the next spawn or crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { MasterStats } from '../../src/master/masterStats.js';
import { Dispatcher } from '../../src/master/dispatcher.js';
import { StatsCollector } from '../../src/stats/collector.js';
import { loadConfig } from '../../src/config/load.js';
import { fakeBundle, fakeSupervisor } from './fakeSupervisor.js';

test('active_history falls in the second after a worker is cheaped (retired)', async () => {
  const log = createLogger({ level: 'silent' });
  const { supervisor } = fakeSupervisor(3);
  let now = 1_800_000_000_000;
  const collector = new StatsCollector({ clock: () => now, defaultMetrics: false });
  const { config } = await loadConfig({ argv: ['--workers', '3'], env: {} });
  const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 8, listen: 10, log });
  const stats = new MasterStats({ supervisor, dispatcher, config: () => config, bundle: () => fakeBundle, cheaper: () => null, log, collector });
  await supervisor.start(3);
  await stats.start();
  now += 1000;
  await supervisor.retire(3);
  await supervisor.retire(2);
  now += 2000;
  const history = stats.collector.window().activeHistory;
  await stats.stop();
  // [..., second of the cheaps: 3 (the most seen), the second after: 1]
  assert.deepEqual(history.slice(-3), [3, 3, 1]);
});
