import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrkOutput, wrkPostScript, wrkScript } from '../../bench/wrk.js';

test('the marker line of wrk\'s output becomes the result, latencies in ms', () => {
  const stdout = [
    'Running 8s test @ http://127.0.0.1:8080/',
    'WRK_JSON {"requests":80000,"durationUs":8000000,"connect":0,"read":2,"write":0,"timeout":1,"non2xx":3,"mean":4100.5,"p50":3900,"p90":6000,"p99":12500,"max":40000,"statuses":{"503":2,"502":1}}',
    '',
  ].join('\n');
  const result = parseWrkOutput(stdout);
  assert.equal(result.rps, 10000);
  assert.deepEqual(result.latencyMs, { mean: 4.1005, p50: 3.9, p90: 6, p99: 12.5, max: 40 });
  assert.deepEqual(result.errors, { connect: 0, read: 2, write: 0, timeout: 1, non2xx: 3 });
  assert.equal(result.errorsTotal, 6);
  assert.deepEqual(result.statuses, { '503': 2, '502': 1 });
  assert.equal(result.okRps, (80000 - 3) / 8, 'what a client got done: 2xx only');
});

test('no marker line, or a field missing, is an error that shows the output', () => {
  assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1'), /no WRK_JSON line[^]*unable to connect/);
  assert.throws(() => parseWrkOutput('WRK_JSON {"requests":1}'), /durationUs missing/);
});

test('the GET script quotes paths for Lua and cycles them from a per-thread offset', () => {
  const script = wrkScript(['/predict?text=a%22b', '/predict?text=back\\slash"quote']);
  assert.ok(script.includes('"/predict?text=a%22b",'));
  assert.ok(script.includes('"/predict?text=back\\\\slash\\"quote",'), 'backslash and quote escaped');
  assert.match(script, /wrk\.format\("GET", path\)/);
  assert.match(script, /thread:set\("start", #threads \* 97\)/);
  assert.match(script, /WRK_JSON \{"requests":%\.0f/);
  assert.match(script, /codes\[status\] = \(codes\[status\] or 0\) \+ 1/);
  assert.throws(() => wrkScript([]), RangeError);
});

test('the POST script reads its bodies from files once per thread and sends them as JSON', () => {
  const script = wrkPostScript('/predict', ['/tmp/x/body-1.json', '/tmp/x/body-2.json']);
  assert.ok(script.includes('"/tmp/x/body-1.json",\n  "/tmp/x/body-2.json",'));
  assert.match(script, /io\.open\(file, "rb"\)/);
  assert.match(script, /wrk\.format\("POST", "\/predict", \{ \["Content-Type"\] = "application\/json" \}, body\)/);
  assert.match(script, /function init\(args\)\n  build\(\)/);
  assert.throws(() => wrkPostScript('/predict', []), RangeError);
});
