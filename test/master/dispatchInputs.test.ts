/**
 * The model-input seam end to end through real worker threads: text and tensor requests go
 * through the dispatcher to a worker, batched by kind, with the full score vectors back on
 * request; on the fast path and on tfjs the answers agree.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readModelBundle } from '../../src/model/bundle.js';
import { Tokenizer } from '../../src/model/tokenizer.js';
import { Supervisor } from '../../src/master/supervisor.js';
import { Dispatcher } from '../../src/master/dispatcher.js';
import { createLogger } from '../../src/log.js';
import { MlserveError } from '../../src/errors.js';
import { reutersModelBase } from '../helpers/paths.js';

const bundle = await readModelBundle(join(reutersModelBase, '1'), { name: 'reuters', version: 1 });
const tokenizer = Tokenizer.fromJSON(bundle.tokenizerJson);
const texts = ['oil prices rose as opec cut output', 'wheat exports to the soviet union', 'net profit per share'];
const log = createLogger({ level: 'silent' });

async function serving(fastPath: boolean) {
  const supervisor = new Supervisor({ size: 1, bundle, backend: 'wasm', fastPath, log });
  await supervisor.start(1);
  const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 32, listen: 64, log });
  after(() => supervisor.stop(2000));
  return dispatcher;
}

for (const fastPath of [true, false]) {
  test(`text and tensor inputs, scores on request (${fastPath ? 'fast path' : 'tfjs wasm'})`, async () => {
    const dispatcher = await serving(fastPath);
    const matrix = tokenizer.textsToMatrix(texts, 'binary');
    // Submitted in one turn of the event loop: one batch per kind, answered per request.
    const [plain, scored, tensor, single] = await Promise.all([
      dispatcher.submit({ kind: 'text', texts }),
      dispatcher.submit({ kind: 'text', texts }, { scores: true }),
      dispatcher.submit({ kind: 'tensor', rows: texts.length, values: matrix }, { scores: true }),
      dispatcher.submit({ kind: 'tensor', rows: 1, values: matrix.slice(0, bundle.inputWidth) }),
    ]);
    assert.equal(plain.scores, undefined, 'no scores unless asked');
    assert.equal(scored.scores?.length, texts.length * bundle.outputWidth);
    assert.deepEqual(scored.classes, plain.classes);
    for (let r = 0; r < texts.length; r++) {
      const row: Float32Array = scored.scores!.subarray(r * bundle.outputWidth, (r + 1) * bundle.outputWidth);
      assert.equal(Math.max(...row), scored.probs[r]);
      assert.ok(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5, 'a softmax row sums to 1');
    }
    // A tensor of the same bag-of-words rows predicts what the texts predict.
    assert.deepEqual(tensor.classes, plain.classes);
    for (let i = 0; i < tensor.scores!.length; i++) assert.ok(Math.abs(tensor.scores![i]! - scored.scores![i]!) < 1e-5);
    assert.equal(single.classes[0], plain.classes[0]);
    assert.ok(Math.abs(single.probs[0]! - plain.probs[0]!) < 1e-5);
    await assert.rejects(
      dispatcher.submit({ kind: 'tensor', rows: 2, values: new Float32Array(3) }),
      (err: unknown) => err instanceof MlserveError && err.code === 'ERR_TENSOR_SHAPE' && err.status === 400,
    );
  });
}

test('a count-weighted tensor row on the fast path equals tfjs (weighted sparse kernel)', async () => {
  const [fast, tfjs] = [await serving(true), await serving(false)];
  const values = tokenizer.textsToMatrix(texts, 'tfidf');
  const [a, b] = await Promise.all([
    fast.submit({ kind: 'tensor', rows: texts.length, values }, { scores: true }),
    tfjs.submit({ kind: 'tensor', rows: texts.length, values }, { scores: true }),
  ]);
  let max = 0;
  for (let i = 0; i < a.scores!.length; i++) max = Math.max(max, Math.abs(a.scores![i]! - b.scores![i]!));
  assert.ok(max < 1e-5, `max |fast - tfjs| = ${max}`);
});

test('a model without tokenizer.json or preprocessing.json is tensor-only: text is a 400', async () => {
  const { mkdtemp, cp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'mlserve-tensor-'));
  after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(reutersModelBase, '1'), dir, { recursive: true });
  await rm(join(dir, 'tokenizer.json'));
  await rm(join(dir, 'labels.json'));
  const tensorBundle = await readModelBundle(dir, { name: 'bow', version: 2 });
  assert.deepEqual(tensorBundle.labels.slice(0, 3), ['0', '1', '2'], 'labels default to the class index');
  const supervisor = new Supervisor({ size: 1, bundle: tensorBundle, backend: 'wasm', fastPath: true, log });
  await supervisor.start(1);
  after(() => supervisor.stop(2000));
  const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 32, listen: 64, log });
  await assert.rejects(
    dispatcher.submit({ kind: 'text', texts: ['oil'] }),
    (err: unknown) => err instanceof MlserveError && err.code === 'ERR_TEXT_UNSUPPORTED' && err.status === 400 && /bow v2/.test(err.message),
  );
  const result = await dispatcher.submit({ kind: 'tensor', rows: 1, values: tokenizer.textsToMatrix([texts[0]!], 'binary') });
  assert.equal(result.labels[result.classes[0]!], String(result.classes[0]));
});
