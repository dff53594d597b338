import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGoals, margin } from '../../bench/goals.js';
import { fullResults, point, wrk } from './fixtures.js';

test('margins say how far past or short of the target, relative to it', () => {
  assert.equal(margin(3.6, 3, 'atLeast'), '+20% over');
  assert.equal(margin(2.4, 3, 'atLeast'), '20% short');
  assert.equal(margin(0.4, 0.5, 'atMost'), '+20% over');
  assert.equal(margin(0.6, 0.5, 'atMost'), '20% short');
  assert.equal(margin(3.03, 3, 'atLeast'), '+1.0% over');
});

test('a run that meets every target passes every check, in the issue\'s order', () => {
  const checks = checkGoals(fullResults());
  assert.equal(checks.length, 8);
  assert.deepEqual(checks.map((c) => c.pass), [true, true, true, true, true, true, true, true]);
  assert.match(checks[0]!.measured, /12,000 vs 3,500 2xx\/s = 3\.43x/);
  assert.match(checks[1]!.goal, /seed's nginx site \(uwsgi_pass\)/);
  assert.match(checks[1]!.measured, /11,000 vs 3,500 2xx\/s = 3\.14x/);
  assert.match(checks[4]!.measured, /64,000 predictions\/s/);
  assert.match(checks[7]!.measured, /0 failed of [\d,]+ requests in 5 runs/, "GET c=1, GET c=64, GET uwsgi_pass c=64, POST, ramp");
});

test('each target can be missed on its own', () => {
  const r = fullResults();
  r.sweep!.points = r.sweep!.points.map((p) => (p.server === 'mlserve' && p.concurrency === 64 ? point('mlserve', 64, wrk(9000, 6, 15, 2)) : p));
  r.sweep!.points = r.sweep!.points.map((p) => (p.server === 'mlserve' && p.concurrency === 1 ? point('mlserve', 1, wrk(2000, 0.7, 2)) : p));
  r.post!.predictionsPerS = 40_000;
  r.startup!.servers[0]!.medianMs = 2500;
  const byGoal = new Map(checkGoals(r).map((c) => [c.goal, c]));
  const get = (prefix: string) => [...byGoal.values()].find((c) => c.goal.includes(prefix))!;
  assert.equal(get('req/s >= 3.0x').pass, false);
  assert.equal(get('req/s >= 3.0x').margin, '14% short');
  assert.equal(get('p99 <= 0.5x').pass, false, '15 ms vs 24 ms is 0.63x');
  assert.equal(get('hello-world ceiling').pass, false, '9000 of 20000 is 45%');
  assert.equal(get('predictions/s').pass, false);
  assert.equal(get('c=1').pass, false);
  assert.equal(get('startup').pass, false);
  const failures = get('no failed request');
  assert.equal(failures.pass, false);
  assert.match(failures.measured, /GET c=64: 2/);
});

test('the peer\'s failures are not mlserve\'s; ramp and POST failures are', () => {
  const r = fullResults();
  r.sweep!.points = r.sweep!.points.map((p) => (p.server === 'peer' ? point('peer', p.concurrency, wrk(3000, 18, 24, 50)) : p));
  assert.equal(checkGoals(r).at(-1)!.pass, true);
  r.ramp!.runs[0]!.errors = 3;
  assert.match(checkGoals(r).at(-1)!.measured, /ramp: 3/);
});

test('what a partial run did not measure is "not measured", not passed or failed', () => {
  const r = fullResults();
  delete r.post;
  delete r.startup;
  r.sweep!.points = r.sweep!.points.filter((p) => p.server !== 'hello');
  const checks = checkGoals(r);
  assert.deepEqual(checks.map((c) => c.pass), [true, true, true, null, null, true, null, true]);
});
