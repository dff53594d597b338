/**
 * The hono app in-process (`app.request`, no socket): routes, and every error as JSON with the
 * status and headers of the error table. Regression: 404 and 405 bodies were hand-built beside
 * the table, and a new header rule had to be added in two places.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/http/app.js';
import { MlserveError } from '../../src/errors.js';
import { appDeps } from './appDeps.js';

type ErrorBody = { error: { code: string; message: string } };

test('GET and POST /predict answer from submit', async () => {
  const app = createApp(appDeps());
  const get = await app.request('/predict?text=wheat');
  assert.equal(get.status, 200);
  assert.deepEqual(await get.json(), { prediction: '1', label: 'grain', probability: 0.75 });
  const post = await app.request('/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"texts":["a","b"]}' });
  assert.equal(post.status, 200);
  assert.equal(((await post.json()) as { predictions: unknown[] }).predictions.length, 2);
});

test('404 and 405 are JSON from the error table; 405 names the methods in Allow', async () => {
  const app = createApp(appDeps());
  const missing = await app.request('/nope');
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as ErrorBody).error.code, 'ERR_NOT_FOUND');
  const wrong = await app.request('/predict', { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET, POST');
  assert.equal(wrong.headers.get('content-type'), 'application/json');
  assert.equal(((await wrong.json()) as ErrorBody).error.code, 'ERR_METHOD_NOT_ALLOWED');
});

test('errors of submit keep their status and the table headers (Retry-After on 503)', async () => {
  const app = createApp(appDeps({ submit: () => Promise.reject(new MlserveError('ERR_NOT_READY', 'no worker')) }));
  const res = await app.request('/predict?text=oil');
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '1');
  assert.deepEqual(await res.json(), { error: { code: 'ERR_NOT_READY', message: 'no worker' } });
});

test('bad input: 415, 400, 413 with the codes of the table', async () => {
  const app = createApp(appDeps());
  const cases: [RequestInit & { path?: string }, number, string][] = [
    [{ method: 'POST', body: '{}' }, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
    [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }, 400, 'ERR_BODY_MALFORMED'],
    [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"texts":["a","b","c","d","e"]}' }, 413, 'ERR_BATCH_TOO_LARGE'],
    [{ path: '/predict?text=' + 'a'.repeat(101) }, 413, 'ERR_TEXT_TOO_LONG'],
    [{ path: '/predict' }, 400, 'ERR_TEXT_MISSING'],
  ];
  for (const [{ path = '/predict', ...init }, status, code] of cases) {
    const res = await app.request(path, init);
    assert.equal(res.status, status, `${path} ${JSON.stringify(init)}`);
    assert.equal(((await res.json()) as ErrorBody).error.code, code);
  }
});

test('/readyz: 200 ready, 503 with the reason when not', async () => {
  const ready = await createApp(appDeps()).request('/readyz');
  assert.equal(ready.status, 200);
  const not = await createApp(appDeps({ readiness: () => ({ ready: false, reason: 'no worker is ready' }) })).request('/readyz');
  assert.equal(not.status, 503);
  assert.equal(((await not.json()) as { reason: string }).reason, 'no worker is ready');
});
