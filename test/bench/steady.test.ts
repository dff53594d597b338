import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countChanges } from '../../bench/scenarios/ramp.js';
import { benchCharts } from '../../bench/charts.js';
import { renderSteady } from '../../bench/reportParts.js';
import type { SteadyResult } from '../../bench/results.js';

const at = (actives: (number | null)[]) => actives.map((active, t) => ({ t, active }));

test('countChanges: seconds whose active count moved, after the settle time; unread seconds are no change', () => {
  assert.equal(countChanges(at([1, 1, 2, 2, 2, 2, 2, 2]), 5), 0, 'the first spawn falls in the settle time');
  assert.equal(countChanges(at([1, 2, 2, 2, 2, 2, 1, 2, 1]), 5), 3);
  assert.equal(countChanges(at([1, 2, 2, 2, 2, 2, null, 3, 3]), 5), 1, 'null is skipped, 2 -> 3 counts once');
  assert.equal(countChanges([], 5), 0);
});

test('the steady part has its chart and its table', () => {
  const seconds = at([1, 2, 2, 2, 2, 2, 2]).map((s) => ({ ...s, concurrency: 64, completed: 100, errors: 0, p50Ms: 1, p99Ms: 2 }));
  const steady: SteadyResult = {
    seconds: 7,
    concurrency: 64,
    settleS: 5,
    runs: [{ name: 'mlserve', description: '', scaling: 'spare', seconds, completed: 700, errors: 0, p50Ms: 1, p99Ms: 2, statsMisses: 0, foreign: { cpuS: 0, share: 0, top: [] }, changesAfterSettle: 0 }],
  };
  const charts = benchCharts({ command: '', machine: {} as never, quiet: {} as never, totalS: 0, model: '', steady });
  assert.deepEqual(charts.map((c) => c.file), ['steady-workers.svg']);
  assert.match(charts[0]!.svg, /0 changes after 5 s/);
  assert.match(renderSteady(steady), /\| mlserve \| 700 \| 0 \|.*\| 0 \| 1 2 2 2 2 2 2 \|/);
});
