/**
 * KServe V2 / Open Inference Protocol REST in-process: health, server and model metadata,
 * inference with BYTES input (the spec's own example shape), the classification extension,
 * `id` echoed, and `{"error": ...}` errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeServed, fakeSubmit, postJson, protocolApp } from './protocolApp.js';

test('GET /v2, /v2/health/live, /v2/health/ready', async () => {
  const { app } = protocolApp();
  const meta = (await (await app.request('/v2')).json()) as { name: string; version: string; extensions: string[] };
  assert.equal(meta.name, 'mlserve');
  assert.ok(meta.extensions.includes('classification'));
  assert.deepEqual(await (await app.request('/v2/health/live')).json(), { live: true });
  assert.deepEqual(await (await app.request('/v2/health/ready')).json(), { ready: true });
  const notReady = protocolApp({ readiness: () => ({ ready: false, reason: 'starting' }) }).app;
  const res = await notReady.request('/v2/health/ready');
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { ready: false });
});

test('model metadata and model ready', async () => {
  const { app } = protocolApp();
  assert.deepEqual(await (await app.request('/v2/models/reuters')).json(), {
    name: 'reuters',
    versions: ['1'],
    platform: 'mlserve_keras',
    inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
  });
  assert.deepEqual(await (await app.request('/v2/models/reuters/versions/1/ready')).json(), { name: 'reuters', ready: true });
  const loading = protocolApp({ served: () => fakeServed({ versions: [{ version: 2, state: 'LOADING' }, { version: 1, state: 'AVAILABLE' }] }) }).app;
  const r = await loading.request('/v2/models/reuters/versions/2/ready');
  assert.equal(r.status, 503);
  assert.deepEqual(await r.json(), { name: 'reuters', ready: false });
});

test('infer: BYTES input [N] or [N,1], FP32 probabilities out, id echoed', async () => {
  const { app } = protocolApp();
  const res = await app.request(
    '/v2/models/reuters/infer',
    postJson({ id: '42', inputs: [{ name: 'text', shape: [2, 1], datatype: 'BYTES', data: [['oil rose'], ['profit']] }] }),
  );
  assert.equal(res.status, 200);
  const body = (await res.json()) as { model_name: string; model_version: string; id: string; outputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };
  assert.equal(body.model_name, 'reuters');
  assert.equal(body.model_version, '1');
  assert.equal(body.id, '42');
  assert.equal(body.outputs.length, 1);
  assert.deepEqual([body.outputs[0]!.name, body.outputs[0]!.datatype, body.outputs[0]!.shape], ['probabilities', 'FP32', [2, 3]]);
  assert.equal(body.outputs[0]!.data.length, 6);
  assert.ok(Math.abs(body.outputs[0]!.data[2]! - 0.7) < 1e-6);
});

// Regression: mid chain reload the master still served version 1 while a new thread answered,
// and the answer said model_version "1" over version 2's outputs.
test('infer: model_version is the version of the thread that predicted, not the master\'s current one', async () => {
  const { app } = protocolApp({ submit: async (input) => ({ ...(await fakeSubmit(input)), version: 2 }), served: () => fakeServed({ versions: [{ version: 2, state: 'LOADING' }, { version: 1, state: 'AVAILABLE' }] }) });
  const res = await app.request('/v2/models/reuters/infer', postJson({ inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: ['oil'] }] }));
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { model_version: string }).model_version, '2');
});

test('classification extension: "score:index:label" strings, top K per row', async () => {
  const { app } = protocolApp();
  const res = await app.request(
    '/v2/models/reuters/versions/1/infer',
    postJson({ inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: ['oil'] }], outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] }),
  );
  assert.equal(res.status, 200);
  const out = ((await res.json()) as { outputs: { shape: number[]; datatype: string; data: string[] }[] }).outputs[0]!;
  assert.equal(out.datatype, 'BYTES');
  assert.deepEqual(out.shape, [1, 2]);
  assert.deepEqual(out.data.map((s) => s.split(':').slice(1).join(':')), ['2:crude', '1:grain']);
  assert.ok(Math.abs(Number(out.data[0]!.split(':')[0]) - 0.7) < 1e-6);
});

test('errors: {"error": "..."} with 400 / 404 / 405', async () => {
  const { app } = protocolApp();
  const input = (over: Record<string, unknown>) => ({ inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: ['x'], ...over }] });
  const cases: [string, RequestInit | undefined, number, RegExp][] = [
    ['/v2/models/other', undefined, 404, /other does not exist/],
    ['/v2/models/reuters/versions/9/infer', postJson(input({})), 404, /no version 9/],
    ['/v2/models/reuters/infer', postJson(input({ name: 'pixels' })), 400, /unexpected inference input 'pixels'/],
    ['/v2/models/reuters/infer', postJson(input({ datatype: 'FP32' })), 400, /datatype BYTES/],
    ['/v2/models/reuters/infer', postJson(input({ shape: [3] })), 400, /says 3 elements/],
    ['/v2/models/reuters/infer', postJson({ inputs: [] }), 400, /list of one tensor/],
    ['/v2/models/reuters/infer', postJson({ ...input({}), outputs: [{ name: 'logits' }] }), 400, /unexpected inference output 'logits'/],
    ['/v2/models/reuters/infer', postJson({ ...input({}), outputs: [{ name: 'probabilities', parameters: { classification: 0 } }] }), 400, /positive integer/],
    ['/v2/models/reuters/infer', undefined, 405, /use POST/],
  ];
  for (const [path, init, status, message] of cases) {
    const res = await app.request(path, init);
    assert.equal(res.status, status, path);
    const body = (await res.json()) as { error: string };
    assert.match(body.error, message, path);
  }
});
