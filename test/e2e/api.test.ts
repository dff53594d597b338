/**
 * The HTTP API end to end: mlserve spawned as a child on a temp Unix socket, real worker threads,
 * the shipped model. Every route, every error case, and the server keeps serving after each.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { reutersModelBase } from '../helpers/paths.js';

interface Prediction {
  prediction: string;
  label: string;
  probability: number;
}
interface ErrorBody {
  error: { code: string; message: string };
}

const labels = JSON.parse(readFileSync(join(reutersModelBase, '1', 'labels.json'), 'utf8')) as string[];

describe('HTTP API over the Unix socket', () => {
  let ml: RunningMlserve;
  const get = (path: string) => httpRequest<Prediction & ErrorBody>({ socketPath: ml.socketPath, path });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    httpRequest<{ predictions: Prediction[] } & ErrorBody>({ socketPath: ml.socketPath, method: 'POST', path: '/predict', body, headers });

  async function stillServes(): Promise<void> {
    const res = await get('/predict?text=oil+prices+rose');
    assert.equal(res.status, 200, res.body);
  }

  before(async () => {
    ml = await startMlserve({ args: ['--workers', '2', '--max-text-length', '2000', '--max-batch', '8', '--max-body-size', '65536'] });
  });
  after(async () => {
    assert.equal(await ml.stop(), 0);
  });

  test('the ready line names the model, backend, workers and startup time', () => {
    assert.equal((ml.ready['model'] as { name: string }).name, 'reuters');
    assert.equal(ml.ready['workers'], 2);
    assert.match(String(ml.ready['backend']), /^(fastpath|wasm|tensorflow|cpu)$/);
    assert.equal(typeof ml.ready['startupMs'], 'number');
  });

  test('GET /predict answers the class index as a string, its label and probability', async () => {
    const res = await get('/predict?text=' + encodeURIComponent('Shareholders approved the merger and the acquisition of the company for 50 mln dlrs'));
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /application\/json/);
    const p = res.json!;
    assert.match(p.prediction, /^\d+$/);
    assert.equal(p.label, labels[Number(p.prediction)]);
    assert.ok(p.probability > 0 && p.probability <= 1);
    assert.equal(p.label, 'acq');
  });

  test('POST /predict with texts answers in input order, equal to single predictions', async () => {
    const texts = ['crude oil prices rose', 'wheat exports to the soviet union', 'net profit shr cts', 'the dollar fell against the yen'];
    const res = await post({ texts });
    assert.equal(res.status, 200, res.body);
    const many = res.json!.predictions;
    assert.equal(many.length, texts.length);
    for (let i = 0; i < texts.length; i++) {
      const one = (await get('/predict?text=' + encodeURIComponent(texts[i]!))).json!;
      assert.equal(many[i]!.prediction, one.prediction);
      assert.ok(Math.abs(many[i]!.probability - one.probability) < 1e-5);
    }
    const single = await post({ text: texts[0] });
    assert.equal(single.status, 200);
    assert.equal(single.json!.predictions.length, 1);
  });

  test('/healthz is alive and /readyz names the model, version, backend and workers', async () => {
    assert.deepEqual((await httpRequest({ socketPath: ml.socketPath, path: '/healthz' })).json, { status: 'alive' });
    const ready = await httpRequest<{ ready: boolean; model: { name: string; version: number; backend: string; engine: string }; workers: { total: number; ready: number } }>({
      socketPath: ml.socketPath,
      path: '/readyz',
    });
    assert.equal(ready.status, 200);
    assert.equal(ready.json!.model.name, 'reuters');
    assert.equal(ready.json!.model.version, 1);
    assert.equal(ready.json!.model.engine, 'wasm-simd', 'the fast path on the kernels assembled from kernels.wat');
    assert.equal(ml.ready['engine'], 'wasm-simd', 'the ready line names the engine');
    assert.equal(ready.json!.workers.total, 2);
    assert.equal(ready.json!.workers.ready, 2);
  });

  const errorCases: [string, () => Promise<{ status: number; json: ErrorBody | undefined }>, number, string][] = [
    ['GET without text', () => get('/predict'), 400, 'ERR_TEXT_MISSING'],
    ['GET with empty text', () => get('/predict?text='), 400, 'ERR_TEXT_MISSING'],
    ['GET with a text over max-text-length', () => get('/predict?text=' + 'a'.repeat(2001)), 413, 'ERR_TEXT_TOO_LONG'],
    ['POST malformed JSON', () => post('{"texts": [', { 'content-type': 'application/json' }), 400, 'ERR_BODY_MALFORMED'],
    ['POST a JSON array', () => post([1, 2]), 400, 'ERR_BODY_MALFORMED'],
    ['POST without text', () => post({ foo: 1 }), 400, 'ERR_TEXT_MISSING'],
    ['POST texts not an array', () => post({ texts: 'oil' }), 400, 'ERR_BODY_MALFORMED'],
    ['POST texts with a number', () => post({ texts: ['oil', 3] }), 400, 'ERR_BODY_MALFORMED'],
    ['POST texts with an empty string', () => post({ texts: ['oil', ''] }), 400, 'ERR_TEXT_MISSING'],
    ['POST more texts than max-batch', () => post({ texts: Array(9).fill('oil') }), 413, 'ERR_BATCH_TOO_LARGE'],
    ['POST a text over max-text-length', () => post({ text: 'b'.repeat(2001) }), 413, 'ERR_TEXT_TOO_LONG'],
    ['POST a body over max-body-size', () => post({ text: 'c'.repeat(70_000) }), 413, 'ERR_BODY_TOO_LARGE'],
    ['POST form data', () => post('text=oil', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['POST without content-type', () => post('{"text":"oil"}', { 'content-type': '' }), 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['unknown path', () => get('/nope'), 404, 'ERR_NOT_FOUND'],
    ['DELETE /predict', () => httpRequest<ErrorBody>({ socketPath: ml.socketPath, method: 'DELETE', path: '/predict' }), 405, 'ERR_METHOD_NOT_ALLOWED'],
    ['POST /healthz', () => httpRequest<ErrorBody>({ socketPath: ml.socketPath, method: 'POST', path: '/healthz', body: {} }), 405, 'ERR_METHOD_NOT_ALLOWED'],
  ];
  for (const [name, send, status, code] of errorCases) {
    test(`${name}: ${status} ${code}, and the server keeps serving`, async () => {
      const res = await send();
      assert.equal(res.status, status);
      assert.equal(res.json?.error.code, code);
      assert.equal(typeof res.json?.error.message, 'string');
      assert.ok(!/\bat .*\.js:\d+/.test(res.json!.error.message), 'no stack trace in the body');
      await stillServes();
    });
  }

  test('405 names the allowed methods in Allow', async () => {
    const res = await httpRequest({ socketPath: ml.socketPath, method: 'PUT', path: '/predict' });
    assert.equal(res.headers['allow'], 'GET, POST');
  });

  test('a chunked body over max-body-size is refused while reading, before it ends', async () => {
    // Regression guard: the limit is enforced on the stream, not after buffering the whole body.
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = connect(ml.socketPath);
      let data = '';
      sock.on('data', (d) => {
        data += d.toString();
        if (data.includes('\r\n\r\n')) resolve(data);
      });
      sock.on('error', reject);
      sock.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = 'a'.repeat(16_384);
      // 80 KiB in, still no final chunk: only a reader that counts as it goes can answer now.
      for (let i = 0; i < 5; i++) sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    assert.match(answer, /^HTTP\/1\.1 413/);
    await stillServes();
  });

  test('1,000 concurrent requests are all answered, in batches, without errors', async () => {
    const texts = Array.from({ length: 50 }, (_, i) => `oil output rose ${i} pct in the quarter`);
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => get('/predict?text=' + encodeURIComponent(texts[i % texts.length]!))),
    );
    const failures = results.filter((r) => r.status !== 200 && r.status !== 503);
    assert.deepEqual(failures.map((r) => r.body), []);
    // Beyond `listen` waiting requests the answer would be 503 ERR_QUEUE_FULL with Retry-After, never a dropped connection.
    for (const r of results.filter((x) => x.status === 503)) {
      assert.equal(r.json!.error.code, 'ERR_QUEUE_FULL');
      assert.equal(r.headers['retry-after'], '1');
    }
    assert.ok(results.filter((r) => r.status === 200).length >= 100);
  });
});
