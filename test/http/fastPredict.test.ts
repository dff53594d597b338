/**
 * The thin lane for GET /predict reads the query exactly as hono does and hands everything it
 * does not handle to hono; on a live server its answers equal the hono lane's (POST).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictQueryText } from '../../src/http/fastPredict.js';
import { startMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { nginxVars, sendRaw, uwsgiRequest } from '../helpers/uwsgi.js';
import { parsePromText, sampleValue } from '../stats/promText.js';

test('predictQueryText decodes like c.req.query and leaves the odd cases to hono', () => {
  assert.equal(predictQueryText('/predict?text=oil+prices%20rose'), 'oil prices rose');
  assert.equal(predictQueryText('/predict?text=caf%C3%A9'), 'café');
  assert.equal(predictQueryText('/predict?text=oil&top_k=3'), undefined, 'another parameter changes the answer: hono');
  assert.equal(predictQueryText('/predict?text=a%2Bb'), 'a+b');
  assert.equal(predictQueryText('/predict?text='), undefined, 'empty: hono answers ERR_TEXT_MISSING');
  assert.equal(predictQueryText('/predict?q=oil'), undefined, 'missing');
  assert.equal(predictQueryText('/predict?text=a&text=b'), undefined, 'repeated');
  assert.equal(predictQueryText('/predict?text=%E0%A4%A'), undefined, 'malformed escape');
  assert.equal(predictQueryText('/predictx?text=oil'), undefined);
});

test('GET (thin lane) and POST (hono) answer the same, errors included', async () => {
  const ml = await startMlserve({ args: ['--workers', '1', '--max-text-length', '50'] });
  try {
    for (const text of ['Oil prices rose sharply', 'wheat + corn: exports', 'café au lait', 'net profit 1.20 dlrs a share']) {
      const get = await httpRequest<Record<string, unknown>>({ socketPath: ml.socketPath, path: `/predict?text=${encodeURIComponent(text).replace(/%20/g, '+')}` });
      const post = await httpRequest<{ predictions: Record<string, unknown>[] }>({ socketPath: ml.socketPath, method: 'POST', path: '/predict', body: { text } });
      assert.equal(get.status, 200);
      assert.equal(get.headers['content-type'], 'application/json');
      assert.deepEqual(get.json, post.json!.predictions[0]);
    }
    const long = await httpRequest<{ error: { code: string } }>({ socketPath: ml.socketPath, path: `/predict?text=${'a'.repeat(51)}` });
    assert.equal(long.status, 413);
    assert.equal(long.json!.error.code, 'ERR_TEXT_TOO_LONG');
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});

// The uwsgi direct lane (nginx's uwsgi_pass) runs the same thin lane: its answers equal the HTTP
// lanes', what it declines is answered by hono as before, and it counts in-flight requests.
test('GET /predict over uwsgi (direct lane) answers as over HTTP, errors and in-flight count included', async () => {
  const ml = await startMlserve({ args: ['--workers', '1', '--max-text-length', '50', '--metrics'] });
  try {
    const socketPath = ml.socketPath;
    for (const text of ['Oil prices rose sharply', 'café au lait']) {
      const query = `/predict?text=${encodeURIComponent(text).replace(/%20/g, '+')}`;
      const viaUwsgi = await uwsgiRequest({ socketPath, vars: nginxVars('GET', query, [['HTTP_X_REQUEST_ID', 'u1']]) });
      const viaHttp = await httpRequest<Record<string, unknown>>({ socketPath, path: query });
      assert.equal(viaUwsgi.status, 200, viaUwsgi.raw);
      assert.equal(viaUwsgi.headers['content-type'], 'application/json');
      assert.equal(viaUwsgi.headers['connection'], 'close');
      assert.deepEqual(viaUwsgi.json, viaHttp.json);
    }
    // Declined by the lane (too long, a parameter, a queue header): hono's answers, as over HTTP.
    const cases: Array<[string, Array<[string, string]>, number, string | null]> = [
      [`/predict?text=${'a'.repeat(51)}`, [], 413, 'ERR_TEXT_TOO_LONG'],
      ['/predict?text=', [], 400, 'ERR_TEXT_MISSING'],
      ['/predict?text=oil&top_k=2', [], 200, null],
      ['/predict?text=oil', [['HTTP_X_MLSERVE_PRIORITY', 'x']], 400, 'ERR_PARAMETER_INVALID'],
      [`/predict?text=${'a'.repeat(3 * 50 + 1100)}`, [], 414, 'ERR_URI_TOO_LONG'],
    ];
    for (const [query, extra, status, code] of cases) {
      const headers = Object.fromEntries(extra.map(([k, v]) => [k.slice(5).toLowerCase().replace(/_/g, '-'), v]));
      const viaUwsgi = await uwsgiRequest({ socketPath, vars: nginxVars('GET', query, extra) });
      const viaHttp = await httpRequest<{ error?: { code: string } }>({ socketPath, path: query, headers });
      assert.equal(viaUwsgi.status, status, `${query.slice(0, 40)}: ${viaUwsgi.raw.slice(0, 300)}`);
      assert.equal(viaHttp.status, status, query.slice(0, 40));
      assert.deepEqual(viaUwsgi.json, viaHttp.json, query.slice(0, 40));
      if (code) assert.equal((viaUwsgi.json as { error: { code: string } }).error.code, code);
    }
    const metrics = parsePromText((await httpRequest({ socketPath, path: '/metrics' })).body);
    assert.equal(sampleValue(metrics, 'mlserve_requests_in_flight'), 0, 'every uwsgi request left the in-flight count');
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});

// Regression: HTTP/1.0 does not require a Host header, but every hono route answered such a
// request with an empty-bodied 400 (@hono/node-server could not build the URL without one).
test('an HTTP/1.0 request without Host is served, and its errors are JSON', async () => {
  const ml = await startMlserve({ args: ['--workers', '1'] });
  try {
    const get = (path: string) => sendRaw({ socketPath: ml.socketPath, chunks: [Buffer.from(`GET ${path} HTTP/1.0\r\n\r\n`)], timeoutMs: 5000 });
    const health = await get('/healthz');
    assert.equal(health.status, 200, health.raw);
    assert.deepEqual(health.json, { status: 'alive' });
    const missing = await get('/nope');
    assert.equal(missing.status, 404, missing.raw);
    assert.equal((missing.json as { error: { code: string } }).error.code, 'ERR_NOT_FOUND');
    const predicted = await get('/predict?text=oil&top_k=2');
    assert.equal(predicted.status, 200, predicted.raw);
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});

// Regression: the lane computed its 414 bound once, so a reload of max-text-length (master.#apply
// assigns the limits in place) kept the old bound: a text the new limit allows answered 414.
test('the thin lane reads max-text-length at each request (a reload changes it)', async () => {
  const { predictLane } = await import('../../src/http/fastPredict.js');
  const { appDeps } = await import('./appDeps.js');
  const deps = appDeps({ limits: { maxBatch: 4, maxTextLength: 100, maxBodySize: 1024 } });
  const take = predictLane(deps);
  Object.assign(deps.limits, { maxTextLength: 1000 }); // what master.#apply does on reload
  const url = `/predict?text=${'%C3%A9'.repeat(300)}`; // 300 chars, 1814 bytes: over the old bound, under the new
  const sent: number[] = [];
  assert.ok(take({ method: 'GET', url, reqId: undefined, queueHeaders: false }, null, (_c, status) => sent.push(status)));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent, [200]);
});
