/**
 * TF Serving's REST API in-process (app.request): the documents of api_rest.md — model status,
 * metadata, Predict in row and columnar formats, Classify, and `{"error": ...}` errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlserveError } from '../../src/errors.js';
import { parseTfPath } from '../../src/protocols/tfServing.js';
import { fakeServed, fakeSubmit, postJson, protocolApp } from './protocolApp.js';

const near = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-6);

test('parseTfPath splits name, version, label and method', () => {
  assert.deepEqual(parseTfPath('/v1/models/reuters'), { name: 'reuters', method: '' });
  assert.deepEqual(parseTfPath('/v1/models/reuters/versions/2:predict'), { name: 'reuters', version: '2', method: 'predict' });
  assert.deepEqual(parseTfPath('/v1/models/reuters/labels/stable/metadata'), { name: 'reuters', label: 'stable', method: 'metadata' });
  assert.equal(parseTfPath('/v1/models/reuters:explode'), null);
  assert.equal(parseTfPath('/v1/models/'), null);
});

test('GET /v1/models/NAME: model_version_status as TF Serving answers it', async () => {
  const { app } = protocolApp();
  const res = await app.request('/v1/models/reuters');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
  });
  const v = await app.request('/v1/models/reuters/versions/1');
  assert.equal(v.status, 200);
});

test('model status during a chain reload lists both versions, then one', async () => {
  let served = fakeServed({ version: 1, versions: [{ version: 2, state: 'LOADING' }, { version: 1, state: 'AVAILABLE' }] });
  const { app } = protocolApp({ served: () => served });
  const during = (await (await app.request('/v1/models/reuters')).json()) as { model_version_status: { version: string; state: string }[] };
  assert.deepEqual(during.model_version_status.map((s) => [s.version, s.state]), [['2', 'LOADING'], ['1', 'AVAILABLE']]);
  const v2 = (await (await app.request('/v1/models/reuters/versions/2')).json()) as { model_version_status: unknown[] };
  assert.equal(v2.model_version_status.length, 1);
  served = fakeServed({ version: 2, versions: [{ version: 2, state: 'AVAILABLE' }, { version: 1, state: 'END' }] });
  const after = (await (await app.request('/v1/models/reuters')).json()) as { model_version_status: { version: string; state: string }[] };
  assert.deepEqual(after.model_version_status.map((s) => [s.version, s.state]), [['2', 'AVAILABLE'], ['1', 'END']]);
});

test('metadata: model_spec and the serving_default signature (DT_STRING text in, probabilities and classes out)', async () => {
  const { app } = protocolApp();
  const doc = (await (await app.request('/v1/models/reuters/metadata')).json()) as Record<string, any>;
  assert.deepEqual(doc['model_spec'], { name: 'reuters', signature_name: '', version: '1' });
  const sig = doc['metadata'].signature_def.signature_def.serving_default;
  assert.equal(sig.method_name, 'tensorflow/serving/predict');
  assert.equal(sig.inputs.text.dtype, 'DT_STRING');
  assert.deepEqual(sig.inputs.text.tensor_shape, { dim: [{ size: '-1', name: '' }], unknown_rank: false });
  assert.deepEqual(sig.outputs.probabilities.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '3']);
  assert.equal(sig.outputs.classes.dtype, 'DT_STRING');
});

test(':predict row format: instances of strings, of {"text"} objects and of {"b64"}', async () => {
  const { app } = protocolApp();
  const res = await app.request('/v1/models/reuters:predict', postJson({ instances: ['oil prices', { text: 'profit' }, { b64: Buffer.from('oil').toString('base64') }] }));
  assert.equal(res.status, 200);
  const { predictions } = (await res.json()) as { predictions: { probabilities: number[]; classes: string }[] };
  assert.deepEqual(predictions.map((p) => p.classes), ['crude', 'earn', 'crude']);
  assert.ok(near(predictions[0]!.probabilities, [0.1, 0.2, 0.7]));
});

test(':predict columnar format: inputs as a list or {"text": [...]}, answered as outputs', async () => {
  const { app } = protocolApp();
  for (const inputs of [['oil', 'profit'], { text: ['oil', 'profit'] }]) {
    const res = await app.request('/v1/models/reuters/versions/1:predict', postJson({ signature_name: 'serving_default', inputs }));
    assert.equal(res.status, 200);
    const { outputs } = (await res.json()) as { outputs: { probabilities: number[][]; classes: string[] } };
    assert.deepEqual(outputs.classes, ['crude', 'earn']);
    assert.equal(outputs.probabilities.length, 2);
  }
});

test(':classify: every class with its score, highest first', async () => {
  const { app } = protocolApp();
  const res = await app.request('/v1/models/reuters:classify', postJson({ examples: [{ text: 'oil' }, { text: 'dividend' }] }));
  assert.equal(res.status, 200);
  const { result } = (await res.json()) as { result: [string, number][][] };
  assert.deepEqual(result.map((r) => r.map(([label]) => label)), [['crude', 'grain', 'earn'], ['earn', 'grain', 'crude']]);
  assert.ok(Math.abs(result[0]![0]![1] - 0.7) < 1e-6);
});

test('errors are {"error": "message"} with TF Serving statuses', async () => {
  const { app } = protocolApp();
  const cases: [string, RequestInit | undefined, number, RegExp][] = [
    ['/v1/models/other:predict', postJson({ instances: ['x'] }), 404, /Servable not found for request: Latest\(other\)/],
    ['/v1/models/reuters/versions/7', undefined, 404, /Specific\(reuters, 7\)/],
    ['/v1/models/reuters:predict', postJson({ instances: [[0.1, 0.2]] }), 400, /has 2 values; the model's input takes 4/],
    ['/v1/models/reuters:predict', postJson({ instances: [[0.1, 0.2, 0.3, 0.4], 'text'] }), 400, /only finite numbers/],
    ['/v1/models/reuters:predict', postJson({ instances: ['text', [1, 2, 3, 4]] }), 400, /mixes numbers with texts/],
    ['/v1/models/reuters:predict', postJson({ instances: ['a'], inputs: ['b'] }), 400, /either "instances" or "inputs"/],
    ['/v1/models/reuters:predict', postJson({ signature_name: 'nope', instances: ['a'] }), 400, /signature name: "nope" not found/],
    ['/v1/models/reuters:predict', postJson('{"instances": ['), 400, /not valid JSON/],
    ['/v1/models/reuters:predict', postJson({}), 400, /Missing "instances" or "inputs"/],
    ['/v1/models/reuters:regress', postJson({ examples: [] }), 400, /classifier/],
    ['/v1/models/reuters:predict', undefined, 405, /use POST/],
    ['/v1/models/reuters:predict', postJson({ instances: ['a', 'b', 'c', 'd', 'e'] }), 413, /max-batch/],
  ];
  for (const [path, init, status, message] of cases) {
    const res = await app.request(path, init);
    assert.equal(res.status, status, path);
    const body = (await res.json()) as { error: string };
    assert.equal(typeof body.error, 'string', path);
    assert.match(body.error, message, path);
  }
});

test('a full queue answers 503 with Retry-After in the TF shape; harakiri 504', async () => {
  for (const [code, status] of [['ERR_QUEUE_FULL', 503], ['ERR_HARAKIRI', 504]] as const) {
    const { app } = protocolApp({ submit: () => Promise.reject(new MlserveError(code, 'busy')) });
    const res = await app.request('/v1/models/reuters:predict', postJson({ instances: ['a'] }));
    assert.equal(res.status, status);
    if (status === 503) assert.equal(res.headers.get('retry-after'), '1');
    assert.deepEqual(await res.json(), { error: 'busy' });
  }
});

test(':predict with numeric instances sends one tensor of rows x inputSize floats', async () => {
  const seen: unknown[] = [];
  const { app } = protocolApp({
    submit: (input, options) => {
      seen.push({ input, options });
      return fakeSubmit(input);
    },
  });
  const res = await app.request('/v1/models/reuters:predict', postJson({ instances: [[0.9, 0, 0, 1], [[0], [0], [0], [1]]] }));
  assert.equal(res.status, 200);
  const { predictions } = (await res.json()) as { predictions: { classes: string }[] };
  assert.deepEqual(predictions.map((p) => p.classes), ['crude', 'earn']);
  const { input, options } = seen[0] as { input: { kind: string; rows: number; values: Float32Array }; options: unknown };
  assert.deepEqual([input.kind, input.rows, Array.from(input.values)], ['tensor', 2, [0.8999999761581421, 0, 0, 1, 0, 0, 0, 1]]);
  assert.deepEqual(options, { scores: true });
});

test('a model without preprocessing: metadata names a DT_FLOAT input; text instances are refused', async () => {
  const { app } = protocolApp({ served: () => fakeServed({ input: { text: false, inputSize: 4 } }) });
  const doc = (await (await app.request('/v1/models/reuters/metadata')).json()) as Record<string, any>;
  const input = doc['metadata'].signature_def.signature_def.serving_default.inputs.inputs;
  assert.equal(input.dtype, 'DT_FLOAT');
  assert.deepEqual(input.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '4']);
  const res = await app.request('/v1/models/reuters:predict', postJson({ instances: ['oil'] }));
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /no preprocessing/);
  const ok = await app.request('/v1/models/reuters:predict', postJson({ inputs: { inputs: [[1, 0, 0, 0]] } }));
  assert.equal(ok.status, 200);
});
