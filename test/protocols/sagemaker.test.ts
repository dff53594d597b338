/**
 * SageMaker's container contract in-process: /ping follows readiness; /invocations reads JSON
 * (instances, text, texts), CSV and plain text, and answers in the Accept type.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvTexts } from '../../src/protocols/sagemaker.js';
import { protocolApp } from './protocolApp.js';

const post = (type: string, body: string, accept?: string): RequestInit => ({ method: 'POST', headers: { 'content-type': type, ...(accept ? { accept } : {}) }, body });

test('/ping is 200 only when ready', async () => {
  assert.equal((await protocolApp().app.request('/ping')).status, 200);
  assert.equal((await protocolApp({ readiness: () => ({ ready: false, reason: 'no worker' }) }).app.request('/ping')).status, 503);
});

test('/invocations with JSON bodies answers {"predictions": [...]}', async () => {
  const { app } = protocolApp();
  for (const body of ['{"instances": ["oil", {"text": "profit"}]}', '{"texts": ["oil", "profit"]}']) {
    const res = await app.request('/invocations', post('application/json', body));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const { predictions } = (await res.json()) as { predictions: { label: string }[] };
    assert.deepEqual(predictions.map((p) => p.label), ['crude', 'earn']);
  }
  const one = await app.request('/invocations', post('application/json', '{"text": "oil"}'));
  assert.equal(((await one.json()) as { predictions: unknown[] }).predictions.length, 1);
});

test('/invocations with text/csv and text/plain, answered as CSV when asked', async () => {
  const { app } = protocolApp();
  const csv = await app.request('/invocations', post('text/csv', '"oil, gas",x\nprofit\n', 'text/csv'));
  assert.equal(csv.status, 200);
  assert.equal(csv.headers.get('content-type'), 'text/csv');
  assert.equal(await csv.text(), 'crude,0.699999988079071\nearn,0.6000000238418579\n');
  const plain = await app.request('/invocations', post('text/plain; charset=utf-8', 'oil\n\nprofit\n'));
  assert.equal(((await plain.json()) as { predictions: unknown[] }).predictions.length, 2);
});

test('csvTexts takes the first column with RFC 4180 quoting', () => {
  assert.deepEqual(csvTexts('a,b\n"c, ""d"""\r\n\n e \n'), ['a', 'c, "d"', ' e ']);
  assert.throws(() => csvTexts('"open'), /not closed/);
});

test('/invocations errors: 415 for another type, 406 for an Accept it cannot answer, 400 for no text, 405 on GET', async () => {
  const { app } = protocolApp();
  const type = await app.request('/invocations', post('application/x-npy', 'x'));
  assert.equal(type.status, 415);
  assert.equal(((await type.json()) as { error: { code: string } }).error.code, 'ERR_UNSUPPORTED_MEDIA_TYPE');
  assert.equal((await app.request('/invocations', post('text/plain', 'oil', 'application/x-protobuf'))).status, 406);
  assert.equal((await app.request('/invocations', post('text/plain', '\n\n'))).status, 400);
  const get = await app.request('/invocations');
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
});
