/**
 * top_k and probabilities on /predict (query and body); without them the answer is the same
 * bytes as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSubmit, postJson, protocolApp } from './protocolApp.js';

test('defaults keep the answer byte for byte', async () => {
  const { app } = protocolApp();
  const res = await app.request('/predict?text=oil');
  assert.equal(await res.text(), '{"prediction":"2","label":"crude","probability":0.699999988079071}');
});

test('top_k and probabilities in the query', async () => {
  const { app } = protocolApp();
  const body = (await (await app.request('/predict?text=oil&top_k=2&probabilities=true')).json()) as Record<string, any>;
  assert.equal(body['label'], 'crude');
  assert.deepEqual(body['top'].map((t: { label: string; prediction: string }) => [t.label, t.prediction]), [['crude', '2'], ['grain', '1']]);
  assert.equal(body['probabilities'].length, 3);
});

test('top_k in a POST body applies to every prediction', async () => {
  const { app } = protocolApp();
  const res = await app.request('/predict', postJson({ texts: ['oil', 'profit'], top_k: 1 }));
  const { predictions } = (await res.json()) as { predictions: { top: { label: string }[] }[] };
  assert.deepEqual(predictions.map((p) => p.top.map((t) => t.label)), [['crude'], ['earn']]);
});

test('a bad top_k or probabilities is a 400 naming the parameter', async () => {
  const { app } = protocolApp();
  for (const q of ['top_k=0', 'top_k=x', 'probabilities=maybe']) {
    const res = await app.request(`/predict?text=oil&${q}`);
    assert.equal(res.status, 400, q);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'ERR_PARAMETER_INVALID');
    assert.match(error.message, /top_k|probabilities/);
  }
});

test('X-Mlserve-Timeout-Ms and X-Mlserve-Priority reach the queue from /predict and every protocol', async () => {
  const seen: { deadline?: number; priority?: number }[] = [];
  const { app } = protocolApp({
    submit: (input, options) => {
      seen.push({ ...options });
      return fakeSubmit(input);
    },
  });
  const headers = { 'x-mlserve-timeout-ms': '250', 'x-mlserve-priority': '7' };
  const t0 = performance.now();
  await app.request('/predict?text=oil', { headers });
  await app.request('/v1/models/reuters:predict', postJson({ instances: ['oil'] }, headers));
  await app.request('/invocations', postJson({ instances: ['oil'] }, headers));
  await app.request('/v2/models/reuters/infer', postJson({ inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: ['oil'] }], parameters: { timeout: 100_000, priority: 2 } }));
  assert.equal(seen.length, 4);
  for (const s of seen.slice(0, 3)) {
    assert.equal(s.priority, 7);
    assert.ok(s.deadline! >= t0 + 250 && s.deadline! < performance.now() + 250);
  }
  assert.equal(seen[3]!.priority, 2);
  assert.ok(seen[3]!.deadline! >= t0 + 100 && seen[3]!.deadline! < performance.now() + 100, 'KServe timeout is in microseconds');
  const bad = await app.request('/predict?text=oil', { headers: { 'x-mlserve-timeout-ms': 'soon' } });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /X-Mlserve-Timeout-Ms/);
});
