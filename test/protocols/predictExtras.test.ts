/**
 * top_k and probabilities on /predict (query and body); without them the answer is the same
 * bytes as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, protocolApp } from './protocolApp.js';

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
