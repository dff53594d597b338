/**
 * The model-input seam end to end through real worker threads: text and tensor requests go
 * through the dispatcher to a worker, batched by kind, with the full score vectors back on
 * request; on the fast path and on tfjs the answers agree; every output head (softmax, binary,
 * multi-label, logits with softmax or sigmoid applied) decoded as docs/model.md "Outputs" says.
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
import type { RequestResult } from '../../src/model/requestResult.js';

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

test('weighted tensor rows (count, tfidf, freq) on the fast path equal tfjs (weighted sparse kernel)', async () => {
  const [fast, tfjs] = [await serving(true), await serving(false)];
  for (const mode of ['count', 'tfidf', 'freq'] as const) {
    const values = tokenizer.textsToMatrix([...texts, 'oil oil oil prices prices'], mode);
    const rows = values.length / bundle.inputWidth;
    assert.ok(values.some((v) => v !== 0 && v !== 1), `${mode} rows are weighted, not 0/1`);
    const [a, b] = await Promise.all([fast.submit({ kind: 'tensor', rows, values }, { scores: true }), tfjs.submit({ kind: 'tensor', rows, values }, { scores: true })]);
    let max = 0;
    for (let i = 0; i < a.scores!.length; i++) max = Math.max(max, Math.abs(a.scores![i]! - b.scores![i]!));
    assert.ok(max < 1e-5, `${mode}: max |fast - tfjs| = ${max}`);
  }
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

test('a sentiment model (Embedding, pooling, Dense(1, sigmoid)) with texts_to_sequences + pad_sequences: text requests, fast path = tfjs, binary answers', async () => {
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { fileIOHandler } = await import('../../src/model/ioHandlers.js');
  const tf = await import('@tensorflow/tfjs');
  const dir = await mkdtemp(join(tmpdir(), 'mlserve-sentiment-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ name: 'embedding', inputDim: 20, outputDim: 4, inputShape: [6] }),
      tf.layers.globalAveragePooling1d({ name: 'pool' }),
      tf.layers.dense({ name: 'out', units: 1, activation: 'sigmoid' }),
    ],
  });
  await model.save(fileIOHandler(dir));
  model.dispose();
  const tok = new Tokenizer({ numWords: 20 });
  tok.fitOnTexts(['a great film', 'a dull film', 'great acting and a great plot', 'dull and slow']);
  await writeFile(join(dir, 'tokenizer.json'), tok.toJSON());
  await writeFile(join(dir, 'labels.json'), JSON.stringify(['negative', 'positive']));
  await writeFile(join(dir, 'preprocessing.json'), JSON.stringify({ tokenizer: 'tokenizer.json', texts_to_sequences: {}, pad_sequences: { maxlen: 6, padding: 'post' } }));
  const sentiment = await readModelBundle(dir, { name: 'sentiment', version: 1 });
  assert.equal(sentiment.decoding.kind, 'binary');
  const answers = [];
  for (const fastPath of [true, false]) {
    const supervisor = new Supervisor({ size: 1, bundle: sentiment, backend: 'wasm', fastPath, log });
    await supervisor.start(1);
    after(() => supervisor.stop(2000));
    assert.equal(supervisor.backend === 'fastpath', fastPath);
    const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 32, listen: 64, log });
    answers.push(await dispatcher.submit({ kind: 'text', texts: ['a great film', 'dull and slow acting', ''] }, { scores: true }));
  }
  const [fast, tfjs] = answers as [RequestResult, RequestResult];
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(fast.scores![i]! - tfjs.scores![i]!) < 1e-5, `row ${i}: ${fast.scores![i]} vs ${tfjs.scores![i]}`);
    const p = fast.scores![i]!;
    assert.equal(fast.classes[i], p > 0.5 ? 1 : 0);
    assert.ok(Math.abs(fast.probs[i]! - (p > 0.5 ? p : 1 - p)) < 1e-7, 'the probability of the chosen label');
  }
  assert.deepEqual(fast.labels, ['negative', 'positive']);
});

test('a linear head trained with from_logits is served with softmax applied: the same answers as the softmax model', async () => {
  const { mkdtemp, cp, rm, readFile, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'mlserve-logits-'));
  after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(reutersModelBase, '1'), dir, { recursive: true });
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const layers = json.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
  layers.findLast((l) => l.class_name === 'Dense')!.config['activation'] = 'linear';
  json.trainingConfig = { loss: { class_name: 'CategoricalCrossentropy', config: { from_logits: true } }, optimizer_config: {} };
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  const logits = await readModelBundle(dir, { name: 'logits', version: 1 });
  assert.deepEqual(logits.decoding, { kind: 'softmax', activation: 'softmax', threshold: 0.5 });
  const results = [];
  for (const b of [logits, bundle]) {
    const supervisor = new Supervisor({ size: 1, bundle: b, backend: 'wasm', fastPath: true, log });
    await supervisor.start(1);
    after(() => supervisor.stop(2000));
    results.push(await new Dispatcher({ supervisor, maxBatchSize: 32, listen: 64, log }).submit({ kind: 'text', texts }, { scores: true }));
  }
  const [a, b] = results as [RequestResult, RequestResult];
  assert.deepEqual(a.classes, b.classes);
  for (let i = 0; i < a.scores!.length; i++) assert.ok(Math.abs(a.scores![i]! - b.scores![i]!) < 1e-5);
});

/**
 * models/reuters/1 copied with its last Dense's activation and training loss rewritten: the same
 * weights, so the served scores of each head are functions of the same logits.
 */
async function reutersWithHead(activation: string, loss: unknown, name: string) {
  const { mkdtemp, cp, rm, readFile, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), `mlserve-${name}-`));
  after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(reutersModelBase, '1'), dir, { recursive: true });
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const layers = json.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
  layers.findLast((l) => l.class_name === 'Dense')!.config['activation'] = activation;
  json.trainingConfig = loss === undefined ? undefined : { loss, optimizer_config: {} };
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  return readModelBundle(dir, { name, version: 1 });
}

async function submitTo(b: Awaited<ReturnType<typeof readModelBundle>>, fastPath: boolean, input: Parameters<Dispatcher['submit']>[0], scores: boolean) {
  const supervisor = new Supervisor({ size: 1, bundle: b, backend: 'wasm', fastPath, log });
  await supervisor.start(1);
  after(() => supervisor.stop(2000));
  assert.equal(supervisor.backend === 'fastpath', fastPath);
  return new Dispatcher({ supervisor, maxBatchSize: 32, listen: 64, log }).submit(input, { scores });
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

for (const fastPath of [true, false]) {
  test(`several sigmoid units are multi-label, and a linear head trained with binary from_logits gets sigmoid applied (${fastPath ? 'fast path' : 'tfjs wasm'})`, async () => {
    // A linear head without from_logits is served as it is: its scores are the raw logits.
    const raw = await reutersWithHead('linear', undefined, 'raw');
    assert.deepEqual(raw.decoding, { kind: 'softmax', activation: null, threshold: 0.5 });
    const multi = await reutersWithHead('sigmoid', { class_name: 'BinaryCrossentropy', config: { from_logits: false } }, 'multi');
    assert.deepEqual(multi.decoding, { kind: 'multi-label', activation: null, threshold: 0.5 });
    const logits = await reutersWithHead('linear', { class_name: 'BinaryCrossentropy', config: { from_logits: true } }, 'multilogits');
    assert.deepEqual(logits.decoding, { kind: 'multi-label', activation: 'sigmoid', threshold: 0.5 });
    const input = { kind: 'text' as const, texts };
    const z = await submitTo(raw, fastPath, input, true);
    // Multi-label answers carry the scores unasked: the HTTP layer lists every label over 0.5 from them.
    const [m, l] = [await submitTo(multi, fastPath, input, false), await submitTo(logits, fastPath, input, false)];
    const width = bundle.outputWidth;
    for (const r of [m, l]) {
      assert.equal(r.decoding?.kind, 'multi-label');
      assert.equal(r.scores?.length, texts.length * width);
      for (let i = 0; i < r.scores!.length; i++) assert.ok(Math.abs(r.scores![i]! - sigmoid(z.scores![i]!)) < 1e-5, `score ${i}: ${r.scores![i]} vs sigmoid(${z.scores![i]})`);
      assert.deepEqual(r.classes, z.classes, 'the top class is the top logit');
    }
    const over = (r: RequestResult, row: number) => [...r.scores!.subarray(row * width, (row + 1) * width)].flatMap((p, c) => (p > 0.5 ? [c] : []));
    // The rows differ in how many labels pass the threshold; at least one row has a label over it.
    assert.ok(texts.some((_, row) => over(m, row).length > 0), 'some label is over 0.5');
    for (let row = 0; row < texts.length; row++) assert.deepEqual(over(l, row), over(m, row));
  });

  test(`Dense(1) linear with binary from_logits is served as Dense(1, sigmoid): binary answers (${fastPath ? 'fast path' : 'tfjs wasm'})`, async () => {
    const { mkdtemp, rm, readFile, writeFile, cp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { fileIOHandler } = await import('../../src/model/ioHandlers.js');
    const tf = await import('@tensorflow/tfjs');
    const base = await mkdtemp(join(tmpdir(), 'mlserve-binary-'));
    after(() => rm(base, { recursive: true, force: true }));
    const [sig, lin] = [join(base, 'sigmoid'), join(base, 'logits')];
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ name: 'hidden', units: 8, activation: 'relu', inputShape: [bundle.inputWidth], kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
        tf.layers.dense({ name: 'out', units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }), biasInitializer: tf.initializers.constant({ value: 0.05 }) }),
      ],
    });
    await model.save(fileIOHandler(sig));
    model.dispose();
    await cp(sig, lin, { recursive: true });
    const json = JSON.parse(await readFile(join(lin, 'model.json'), 'utf8'));
    const layers = json.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
    layers.findLast((l) => l.class_name === 'Dense')!.config['activation'] = 'linear';
    json.trainingConfig = { loss: { class_name: 'BinaryCrossentropy', config: { from_logits: true } }, optimizer_config: {} };
    await writeFile(join(lin, 'model.json'), JSON.stringify(json));
    await writeFile(join(lin, 'labels.json'), JSON.stringify(['no', 'yes']));
    const [sigmoidBundle, logitsBundle] = [await readModelBundle(sig, { name: 'sig', version: 1 }), await readModelBundle(lin, { name: 'lin', version: 1 })];
    assert.deepEqual(sigmoidBundle.decoding, { kind: 'binary', activation: null, threshold: 0.5 });
    assert.deepEqual(logitsBundle.decoding, { kind: 'binary', activation: 'sigmoid', threshold: 0.5 });
    // Count rows of several texts (the model's weights are seeded, so the answers are fixed).
    const rows = tokenizer.textsToMatrix([...texts, 'the', 'oil oil wheat grain profit'], 'count');
    const input = { kind: 'tensor' as const, rows: rows.length / bundle.inputWidth, values: rows };
    const [a, b] = [await submitTo(sigmoidBundle, fastPath, input, true), await submitTo(logitsBundle, fastPath, input, true)];
    assert.deepEqual(b.labels, ['no', 'yes']);
    // The seeded weights put these rows on both sides of 0.5 (0.46 to 0.52): both classes are answered.
    assert.deepEqual(new Set(b.classes), new Set([0, 1]));
    for (let i = 0; i < input.rows; i++) {
      const p = a.scores![i]!;
      assert.ok(Math.abs(b.scores![i]! - p) < 1e-5, `row ${i}: ${b.scores![i]} vs ${p}`);
      assert.equal(b.classes[i], p > 0.5 ? 1 : 0);
      assert.ok(Math.abs(b.probs[i]! - (p > 0.5 ? p : 1 - p)) < 1e-5, 'the probability of the chosen label');
    }
  });
}
