/**
 * The thin lane for GET /predict reads the query exactly as hono does and hands everything it
 * does not handle to hono; on a live server its answers equal the hono lane's (POST).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictQueryText } from '../../src/http/fastPredict.js';
import { startMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';

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
