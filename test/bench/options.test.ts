import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBenchOptions, PARTS, RAMP_MLSERVE_ARGS } from '../../bench/options.js';

const OUT = '/repo/docs/benchmarks.md';

test('no flags: every part and server, the full durations, the report written to the default place', () => {
  const o = parseBenchOptions([], OUT);
  assert.deepEqual(o.parts, [...PARTS]);
  assert.deepEqual(o.servers, ['mlserve', 'peer', 'hello', 'uwsgi-pass']);
  assert.deepEqual(o.concurrencies, [1, 16, 64, 256]);
  assert.equal(o.durationS, 8);
  assert.equal(o.warmupS, 2);
  assert.deepEqual(o.post, { connections: 8, bodies: 8, size: 256 });
  assert.deepEqual(o.ramp, { peak: 64, stepS: 9, tailS: 15, mlserveArgs: RAMP_MLSERVE_ARGS.split(' ') });
  assert.equal(o.retries, 2);
  assert.equal(o.out, OUT);
});

test('--quick shortens everything and writes no docs, but explicit flags still win', () => {
  const o = parseBenchOptions(['--quick'], OUT);
  assert.equal(o.durationS, 2);
  assert.deepEqual(o.concurrencies, [1, 64]);
  assert.equal(o.waitQuietS, 0);
  assert.equal(o.out, undefined);
  const p = parseBenchOptions(['--quick', '--duration', '5', '--out', '/tmp/b.md'], OUT);
  assert.equal(p.durationS, 5);
  assert.equal(p.out, '/tmp/b.md');
});

test('--only picks parts in their canonical order; a partial run writes only with --out', () => {
  const o = parseBenchOptions(['--only', 'ramp,sweep'], OUT);
  assert.deepEqual(o.parts, ['sweep', 'ramp']);
  assert.equal(o.out, undefined);
  assert.equal(parseBenchOptions(['--servers', 'mlserve'], OUT).out, undefined);
  assert.throws(() => parseBenchOptions(['--only', 'sweep,nap'], OUT), /--only takes a list of sweep, post, startup, ramp, mltop; got sweep,nap/);
});

test('--no-mltop-capture drops the capture, --mltop-capture adds it to an --only list', () => {
  assert.deepEqual(parseBenchOptions(['--no-mltop-capture'], OUT).parts, ['sweep', 'post', 'startup', 'ramp']);
  assert.deepEqual(parseBenchOptions(['--only', 'post', '--mltop-capture'], OUT).parts, ['post', 'mltop']);
});

test('lists and numbers are checked, naming the flag', () => {
  assert.deepEqual(parseBenchOptions(['--concurrency', '64, 1,64'], OUT).concurrencies, [1, 64]);
  assert.throws(() => parseBenchOptions(['--concurrency', '0'], OUT), /--concurrency must be an integer from 1 to 1000, got 0/);
  assert.throws(() => parseBenchOptions(['--duration', '2.5'], OUT), /--duration/);
  assert.throws(() => parseBenchOptions(['--quiet-load', '-1'], OUT), /--quiet-load/);
  assert.throws(() => parseBenchOptions(['--bogus'], OUT), /bogus/);
  assert.deepEqual(parseBenchOptions(['--ramp-mlserve', ' --workers 4  --cheaper 2 '], OUT).ramp.mlserveArgs, ['--workers', '4', '--cheaper', '2']);
});
