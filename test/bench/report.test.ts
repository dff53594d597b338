import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchCharts } from '../../bench/charts.js';
import { observations, renderReport } from '../../bench/report.js';
import { fullResults, point, run, wrk } from './fixtures.js';

test('the report has the targets, the machine, every part, its charts and no NaN or undefined', () => {
  const results = fullResults();
  const charts = benchCharts(results);
  assert.deepEqual(charts.map((c) => c.file), ['throughput.svg', 'latency.svg', 'ramp-latency.svg', 'ramp-workers.svg']);
  const md = renderReport(results, charts, 'bench');
  for (const heading of ['## Command', '## Targets', '## Machine', '## GET /predict through nginx', '## POST /predict, 256 texts', '## Startup', '## Ramp', '## Observations']) {
    assert.ok(md.includes(`\n${heading}`), heading);
  }
  for (const chart of charts) assert.ok(md.includes(`](bench/${chart.file})`), chart.file);
  assert.ok(!/NaN|undefined|\[object/.test(md), 'no unformatted value leaks into the report');
  assert.match(md, /\| 64 \| 12,000 \| 3,500 \| 20,000 \|/);
  assert.match(md, /\| mlserve \| 256 \| 250\.0 \| 64,000 \|/);
  assert.match(md, /None: no failed request/);
  for (const chart of charts) assert.ok(!chart.svg.includes('NaN'), `${chart.file} has no NaN coordinates`);
});

test('observations name failed requests, disturbed points and a machine that never got quiet', () => {
  const results = fullResults();
  results.quiet = { waitedS: 180, loadBefore: 2.1, loadAfter: 1.4, quiet: false, threshold: 0.5, maxS: 180 };
  results.sweep!.points.push({ ...point('peer', 256, wrk(3000, 80, 900, 12)), ...run(wrk(3000, 80, 900, 12), 0.4), server: 'peer', concurrency: 256 });
  results.failures = ['ramp: uWSGI did not start'];
  const notes = observations(results);
  assert.match(notes[0]!, /Part failed.*ramp/);
  assert.ok(notes.some((n) => /never got quiet.*1\.4/.test(n)));
  assert.ok(notes.some((n) => /uwsgi-flask GET c=256: 12 failed requests/.test(n)));
  assert.ok(notes.some((n) => /40% of the CPUs during uwsgi-flask GET c=256 \(tsc \(42\) 1\.0 s\)/.test(n)));
});
