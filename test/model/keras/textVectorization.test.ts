/**
 * A .keras file whose model starts with a TextVectorization layer: mlserve takes the layer out of
 * the graph tfjs builds, runs it itself from its config, vocabulary asset and idf weights, and
 * serves text. The files are built by test/helpers/textVectorizationKeras.ts in Keras 3's layout
 * (real Keras cannot be installed here and no shared fixture has the layer); the expected rows and
 * predictions come from its Python, written from Keras's documented semantics apart from mlserve.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { oneLineError } from '../../helpers/oneLineError.js';
import { readModelBundle } from '../../../src/model/bundle.js';
import { describeModel } from '../../../src/model/describeModel.js';
import { createFastPredictor } from '../../../src/model/fastPredictor.js';
import { findTextVectorization } from '../../../src/model/keras/findTextVectorization.js';
import { normalizeKerasConfig } from '../../../src/model/keras/normalizeConfig.js';
import { readKerasZip } from '../../../src/model/keras/readKerasModel.js';
import { readZip } from '../../../src/model/keras/zipArchive.js';
import { parsePreprocessing } from '../../../src/model/preprocessing.js';
import { createPredictor } from '../../../src/model/predictor.js';
import { createTextPlan } from '../../../src/model/textPlan.js';
import { parseTextVectorizationConfig } from '../../../src/model/textVectorizationConfig.js';
import { vocabularyLines } from '../../../src/model/textVectorizationPlan.js';
import { haveH5py, pythonTextVectorization, writeTextVectorizationKeras, type TvModelKind } from '../../helpers/textVectorizationKeras.js';

const skip = haveH5py ? false : '/usr/bin/python3 has no h5py (apt-get install python3-h5py)';

const TEXTS = [
  'The oil prices rose!',
  'OPEC cut output; oil prices ROSE again, and again and again and again', // longer than 8 ids: cut at the end
  '', // all padding
  'the OIL\u00a0prices', // U+00A0 is not whitespace to TF: one token, out of vocabulary
  'ÉCOLE école École', // ASCII-only lower-casing: ÉCOLE -> École (in the vocabulary), école is not
  "it's\ttab-separated\nwheat  wheat   wheat", // apostrophe and hyphen stripped, runs of ASCII whitespace
  '???',
  'oil prices rose oil prices',
];

const bases: string[] = [];
after(() => {
  for (const b of bases) rmSync(b, { recursive: true, force: true });
});

function versionDir(): { base: string; dir: string } {
  const base = mkdtempSync(join(tmpdir(), 'mlserve-tv-'));
  bases.push(base);
  const dir = join(base, '1');
  mkdirSync(dir);
  return { base, dir };
}

function closeTo(got: ArrayLike<number>, want: readonly number[], eps: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= eps, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

for (const [kind, width, fast] of [['int', 8, true], ['multi_hot', 16, false], ['tf_idf', 7, true]] as [TvModelKind, number, boolean][]) {
  test(`${kind}: the .keras TextVectorization is run by mlserve, rows and predictions equal Python's`, { skip }, async () => {
    const { dir } = versionDir();
    const want = writeTextVectorizationKeras(join(dir, 'model.keras'), kind, TEXTS);
    const bundle = await readModelBundle(dir, { name: 'tv', version: 1 });
    assert.equal(bundle.format, 'keras-zip');
    assert.equal(bundle.inputWidth, width);
    assert.equal(bundle.tokenizerJson, '');
    assert.equal(bundle.preprocessing?.spec.kind, 'text_vectorization');
    assert.ok(bundle.layers?.some((l) => l.name === 'text_vectorization' && l.className === 'TextVectorization'));
    const plan = createTextPlan(bundle.preprocessing!);
    assert.deepEqual(Array.from(plan.matrix(TEXTS)), want.vectors.flat().map((v) => Math.fround(v)));
    const predictor = await createPredictor(bundle, tf);
    try {
      closeTo(predictor.forward(plan.matrix(TEXTS), TEXTS.length), want.outputs.flat(), 1e-5, 'tfjs');
    } finally {
      predictor.dispose();
    }
    const f = createFastPredictor(bundle);
    assert.equal('predictor' in f, fast, 'reason' in f ? f.reason : 'fast');
    if ('predictor' in f) closeTo(f.predictor.forward(plan.matrix(TEXTS), TEXTS.length), want.outputs.flat(), 1e-5, 'fast path');
    const lines = describeModel(bundle);
    const pre = lines.find((l) => l.startsWith('preprocessing: '));
    assert.match(pre ?? '', new RegExp(`^preprocessing: text_vectorization, the model's own .*model\\.keras layer text_vectorization, run by mlserve: .*output_mode ${kind}`), lines.join('\n'));
    if (kind !== 'multi_hot') assert.match(pre!, /vocabulary \d+ lines from .*model\.keras:assets\/layers\/text_vectorization\/vocabulary\.txt/);
    else assert.match(pre!, /vocabulary 8 lines from the layer config/);
  });
}

test('the plan equals the Python transcription over standardize, split, ngrams and output modes', { skip }, () => {
  const texts = [...TEXTS, 'Ünïcode ÀÉÎ mixed CASE', 'a\u2003b\u3000c', 'x-y_z [brackets] {braces} back\\slash "quoted"'];
  const vocabulary = ['the', 'oil', 'prices', 'rose', 'a', 'b', 'c', 'École', 'ünïcode', 'o', 'i', 'e', 'oil prices', 'prices rose', 'the oil prices', 'wheat', 'x', 'ÀÉÎ', 'CASE', 'mixed'];
  const cases: { config: Record<string, unknown>; vocabulary: string[]; texts: string[] }[] = [];
  for (const standardize of ['lower_and_strip_punctuation', 'lower', 'strip_punctuation', null]) {
    for (const split of ['whitespace', 'character', null]) {
      for (const ngrams of [null, 2, [1, 3], [2]]) {
        cases.push({ config: { standardize, split, ngrams, output_mode: 'int', output_sequence_length: 12 }, vocabulary, texts });
        cases.push({ config: { standardize, split, ngrams, output_mode: 'count' }, vocabulary: ['[UNK]', ...vocabulary], texts });
      }
    }
  }
  cases.push({ config: { output_mode: 'multi_hot', max_tokens: 40, pad_to_max_tokens: true }, vocabulary, texts });
  const want = pythonTextVectorization(cases);
  cases.forEach((k, i) => {
    const plan = createTextPlan({ spec: parsePreprocessing({ text_vectorization: k.config, vocabulary: 'v.txt' }), vocabulary: k.vocabulary });
    assert.deepEqual(Array.from(plan.matrix(k.texts)), want[i]!.flat(), JSON.stringify(k.config));
  });
});

test('preprocessing.json with the layer config and its vocabulary.txt asset gives the .keras rows (both paths agree)', { skip }, async () => {
  const { dir } = versionDir();
  const file = join(dir, 'model.keras');
  const want = writeTextVectorizationKeras(file, 'int', TEXTS);
  const model = await readKerasZip(readFileSync(file), file);
  const asset = model.assets.get('assets/layers/text_vectorization/vocabulary.txt')!.toString('utf8');
  assert.ok(asset.startsWith('\n[UNK]\nthe\n'), 'get_vocabulary() with the mask token first, as save_assets writes it');
  // The layer as config.json saved it ({module, class_name, config, ...}), the asset as the vocabulary file.
  const saved = JSON.parse(readZip(readFileSync(file), file).get('config.json')!.toString('utf8')) as { config: { layers: { class_name: string }[] } };
  const layer = saved.config.layers.find((l) => l.class_name === 'TextVectorization');
  const data = { spec: parsePreprocessing({ text_vectorization: layer, vocabulary: 'vocabulary.txt' }), vocabulary: vocabularyLines(asset) };
  assert.deepEqual(Array.from(createTextPlan(data).matrix(TEXTS)), want.vectors.flat());
  // Keras's load_assets reads with splitlines and drops trailing empty lines: a trailing newline or \r\n changes nothing.
  assert.deepEqual(vocabularyLines(asset.replace(/\n/g, '\r\n') + '\r\n\n'), want.vocabulary);
});

for (const [what, kind, edit, code, pattern] of [
  ['a custom standardize function', 'int', { standardize: { module: '__main__', class_name: 'function', config: 'my_standardize', registered_name: 'my_standardize' } }, 'ERR_MODEL_UNSUPPORTED', /model\.keras: layer text_vectorization \(TextVectorization\): standardize is the custom callable "my_standardize", whose Python code is not in the file/],
  ['a lambda split', 'int', { split: { class_name: '__lambda__', config: { value: ['4wEAAAAA', null, null] } } }, 'ERR_MODEL_UNSUPPORTED', /split is the custom callable "__lambda__"/],
  ['a custom split callable saved by name', 'int', { split: 'my_package>split_on_commas' }, 'ERR_MODEL_UNSUPPORTED', /layer text_vectorization \(TextVectorization\): split is the custom callable "my_package>split_on_commas"/],
  ['ragged output', 'int', { ragged: true }, 'ERR_MODEL_UNSUPPORTED', /layer text_vectorization \(TextVectorization\): ragged is true/],
  ['int without output_sequence_length', 'int', { output_sequence_length: null }, 'ERR_MODEL_UNSUPPORTED', /layer text_vectorization \(TextVectorization\): .*needs output_sequence_length/],
  ['one_hot', 'multi_hot', { output_mode: 'one_hot' }, 'ERR_MODEL_UNSUPPORTED', /output_mode "one_hot"/],
  ['no vocabulary at all', 'int', { 'no-asset': true }, 'ERR_MODEL_INVALID', /layer text_vectorization \(TextVectorization\) has no vocabulary: neither its config nor assets\/layers\/text_vectorization\/vocabulary\.txt/],
  ['a vocabulary_size the asset does not have', 'int', { vocabulary_size: 99 }, 'ERR_MODEL_INVALID', /the vocabulary has 14 entries with its special tokens, but the layer was saved with vocabulary_size 99/],
  ['a vocabulary over max_tokens', 'int', { max_tokens: 10 }, 'ERR_MODEL_INVALID', /more than max_tokens 10/],
] as [string, TvModelKind, Record<string, unknown>, string, RegExp][]) {
  test(`refused: ${what}, naming the file and the layer`, { skip }, async () => {
    const { dir } = versionDir();
    const file = join(dir, 'model.keras');
    writeTextVectorizationKeras(file, kind, [], edit);
    await assert.rejects(readKerasZip(readFileSync(file), file), oneLineError(code, pattern));
  });
}

test('refused: a preprocessing.json beside a .keras that has its own TextVectorization', { skip }, async () => {
  const { dir } = versionDir();
  writeTextVectorizationKeras(join(dir, 'model.keras'), 'int', []);
  writeFileSync(join(dir, 'preprocessing.json'), JSON.stringify({ tokenizer: 'tokenizer.json', texts_to_matrix: {} }));
  await assert.rejects(readModelBundle(dir, { name: 'tv', version: 1 }), oneLineError('ERR_MODEL_INVALID', /preprocessing\.json: .*model\.keras layer text_vectorization is a TextVectorization that mlserve runs as the model's preprocessing; remove preprocessing\.json/));
});

const POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } };
const stringInput = (name: string, shape: (number | null)[] = [null, 1]) => ({ module: 'keras.layers', class_name: 'InputLayer', config: { name, batch_shape: shape, dtype: 'string' }, name, inbound_nodes: [] });
const tvLayer = (name: string, from: string) => ({ module: 'keras.layers', class_name: 'TextVectorization', config: { name, dtype: POLICY, output_mode: 'multi_hot' }, name, inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: [from, 0, 0] } }], kwargs: {} }] });
const denseLayer = (name: string, from: string) => ({ module: 'keras.layers', class_name: 'Dense', config: { name, units: 2, dtype: POLICY }, name, inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: [from, 0, 0] } }], kwargs: {} }] });
const functional = (layers: unknown[], inputs: unknown, outputs: unknown) => ({ class_name: 'Functional', config: { name: 'f', layers, input_layers: inputs, output_layers: outputs } });

for (const [what, config, pattern] of [
  ['a TextVectorization after another layer (Sequential)', { class_name: 'Sequential', config: { name: 's', layers: [stringInput('in'), denseLayer('d', 'in'), tvLayer('tv', 'd')] } }, /m\.keras: layer tv is a TextVectorization after layer d, not at the model's input/],
  ['a TextVectorization fed by a layer, not the input (Functional)', functional([stringInput('in'), denseLayer('d', 'in'), tvLayer('tv', 'd'), denseLayer('out', 'tv')], ['in', 0, 0], ['out', 0, 0]), /m\.keras: layer tv is a TextVectorization fed by layer d, not by the model's string input/],
  ['two TextVectorization layers', functional([stringInput('in'), tvLayer('tv', 'in'), tvLayer('tv2', 'in')], ['in', 0, 0], ['tv2', 0, 0]), /m\.keras: has 2 TextVectorization layers \(tv, tv2\)/],
  ['an input feeding the TextVectorization and another layer', functional([stringInput('in'), tvLayer('tv', 'in'), denseLayer('d', 'in'), denseLayer('out', 'tv')], ['in', 0, 0], ['out', 0, 0]), /m\.keras: input in feeds layer d as well as the TextVectorization tv/],
  ['a second model input', functional([stringInput('in'), stringInput('in2'), tvLayer('tv', 'in'), denseLayer('out', 'tv')], [['in', 0, 0], ['in2', 0, 0]], ['out', 0, 0]), /m\.keras: the model has 2 inputs; the text API feeds one, through layer tv/],
  ['a non-string input', { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_shape: [null, 1], dtype: 'int32' } }, tvLayer('tv', 'in')] } }, /m\.keras: input in has dtype int32, but feeds the TextVectorization tv/],
  ['a string input of several strings a row', { class_name: 'Sequential', config: { name: 's', layers: [stringInput('in', [null, 3]), tvLayer('tv', 'in')] } }, /m\.keras: input in has shape \[null,3\]; the TextVectorization tv reads one string per row/],
] as [string, unknown, RegExp][]) {
  test(`refused: ${what}`, () => {
    assert.throws(() => findTextVectorization(config, 'm.keras'), oneLineError('ERR_MODEL_UNSUPPORTED', pattern));
  });
}

test('a Functional TextVectorization is cut out: the input takes its width, its consumers read the input', () => {
  const found = findTextVectorization(functional([stringInput('in', [null]), tvLayer('tv', 'in'), denseLayer('out', 'tv')], ['in', 0, 0], ['out', 0, 0]), 'm.keras');
  assert.equal(found?.path, 'layers/text_vectorization');
  const normalized = normalizeKerasConfig(found!.rewrite(9, 'float32'), { file: 'm.keras', kerasVersion: '3.16.0' });
  assert.deepEqual(normalized.inputs, [{ name: 'in', shape: [null, 9], dtype: 'float32' }]);
  assert.deepEqual(normalized.layers.map((l) => [l.class_name, l.inbound_nodes]), [['InputLayer', []], ['Dense', [[['in', 0, 0, {}]]]]]);
});

test('a TextVectorization in an HDF5 model is refused with how to save it as .keras', () => {
  const config = { class_name: 'Sequential', config: { name: 's', layers: [stringInput('in'), tvLayer('tv', 'in')] } };
  assert.throws(() => normalizeKerasConfig(config, { file: 'm.h5', kerasVersion: '3.16.0' }), oneLineError('ERR_MODEL_UNSUPPORTED', /m\.h5: layer tv is a TextVectorization, which mlserve runs from a \.keras file only .*model\.save\('model\.keras'\)/));
});

test("TextVectorization.get_config(): Keras's deprecated mode names, ngrams lists; what is refused names the key", () => {
  assert.equal(parseTextVectorizationConfig({ output_mode: 'binary' }).outputMode, 'multi_hot');
  assert.equal(parseTextVectorizationConfig({ output_mode: 'tf-idf' }).outputMode, 'tf_idf');
  assert.deepEqual(parseTextVectorizationConfig({ output_mode: 'count', ngrams: [1, 3] }).ngrams, [1, 3]);
  assert.throws(() => parseTextVectorizationConfig({ output_mode: 'count', encoding: 'latin-1' }), /encoding "latin-1" is not supported/);
  assert.throws(() => parseTextVectorizationConfig({ output_mode: 'count', vocabulary: 'vocab.txt' }), /names the file "vocab\.txt"/);
  assert.throws(() => parseTextVectorizationConfig({ output_mode: 'count', pad_to_max_tokens: true }), /pad_to_max_tokens needs max_tokens/);
  // tf_idf from preprocessing.json: idf_weights in the config, padded as set_vocabulary pads them (mean in front for [UNK]).
  const plan = createTextPlan({ spec: parsePreprocessing({ text_vectorization: { output_mode: 'tf_idf', idf_weights: [1, 3] } , vocabulary: 'v.txt' }), vocabulary: ['oil', 'rose'] });
  assert.deepEqual(Array.from(plan.matrix(['oil oil rose fell'])), [2, 2, 3]);
  assert.throws(() => createTextPlan({ spec: parsePreprocessing({ text_vectorization: { output_mode: 'tf_idf' }, vocabulary: 'v.txt' }), vocabulary: ['oil'] }), /needs idf_weights/);
  assert.throws(() => createTextPlan({ spec: parsePreprocessing({ text_vectorization: { output_mode: 'count' }, vocabulary: 'v.txt' }), vocabulary: ['oil', 'oil'] }), /repeats "oil"/);
  assert.throws(() => createTextPlan({ spec: parsePreprocessing({ text_vectorization: { output_mode: 'count' }, vocabulary: 'v.txt' }), vocabulary: ['oil', ''] }), /mask token '' is inside the vocabulary/);
});
