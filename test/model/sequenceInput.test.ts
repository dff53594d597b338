/**
 * "A sequence-input model without declared padding is an error" (issue 11): an Embedding model
 * whose widths happen to agree with a bag-of-words preprocessing (num_words == the input length)
 * used to be served on the wrong features without a word. Real files: the shared k3_embed_gap.keras
 * (Embedding over 20 ids) beside a 20-word tokenizer.json.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlserveError } from '../../src/errors.js';
import { readModelBundle } from '../../src/model/bundle.js';
import { matrixIntoEmbedding } from '../../src/model/sequenceInput.js';
import type { PreprocessingData } from '../../src/model/textPlan.js';
import { repoRoot, sharedDir } from '../helpers/paths.js';

const fixture = join(sharedDir, 'fixtures', 'keras3', 'k3_embed_gap.keras');

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-seq-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(fixture, join(dir, 'k3_embed_gap.keras'));
  const tok = JSON.parse(readFileSync(join(repoRoot, 'models', 'reuters', '1', 'tokenizer.json'), 'utf8'));
  tok.config.num_words = 20;
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok));
  for (const [name, doc] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(doc));
  return dir;
}

const read = (dir: string) => readModelBundle(dir, { name: 'k3_embed_gap', version: 1 }, join(dir, 'k3_embed_gap.keras'));

for (const [what, files, says] of [
  ['tokenizer.json alone (binary bag of words)', {}, /tokenizer\.json without preprocessing\.json gives a binary bag of words/],
  ['texts_to_matrix', { 'preprocessing.json': { tokenizer: 'tokenizer.json', texts_to_matrix: { mode: 'count' } } }, /texts_to_matrix \(mode count\) gives a bag-of-words row/],
] as const) {
  test(`an Embedding model with ${what} of the same width is refused, naming the file and what to declare`, async () => {
    await assert.rejects(read(dirWith(files)), (err: unknown) => {
      assert.ok(err instanceof MlserveError && err.code === 'ERR_MODEL_INVALID', String(err));
      assert.match(err.message, /k3_embed_gap\.keras: starts with an Embedding, which reads token ids/);
      assert.match(err.message, says);
      assert.match(err.message, /texts_to_sequences \+ pad_sequences/);
      return true;
    });
  });
}

test('the same model with texts_to_sequences + pad_sequences is served', async () => {
  const bundle = await read(dirWith({ 'preprocessing.json': { tokenizer: 'tokenizer.json', texts_to_sequences: {}, pad_sequences: { maxlen: 20 } } }));
  assert.equal(bundle.preprocessing?.spec.kind, 'texts_to_sequences');
});

test('matrixIntoEmbedding: only an Embedding first layer fed a matrix is a mismatch', () => {
  const embedding = { class_name: 'Sequential', config: { layers: [{ class_name: 'InputLayer', config: {} }, { class_name: 'Embedding', config: {} }] } };
  const dense = { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: {} }] } };
  const tv = (outputMode: string) => ({ spec: { kind: 'text_vectorization', config: { outputMode }, vocabulary: null } }) as unknown as PreprocessingData;
  assert.equal(matrixIntoEmbedding(dense, null, '{}'), null, 'a bag-of-words MLP takes the matrix');
  assert.equal(matrixIntoEmbedding(embedding, null, ''), null, 'no preprocessing: the tensor API, ids sent by the client');
  assert.equal(matrixIntoEmbedding(embedding, tv('int'), ''), null);
  assert.match(matrixIntoEmbedding(embedding, tv('multi_hot'), '') ?? '', /output_mode multi_hot/);
  const wordIndex = (matrix: boolean) =>
    ({ spec: { kind: 'word_index', wordIndex: 'w.json', conventions: {}, matrix: matrix ? { mode: 'binary' } : null, pad: matrix ? null : { maxlen: 5 } } }) as unknown as PreprocessingData;
  assert.match(matrixIntoEmbedding(embedding, wordIndex(true), '') ?? '', /sequences_to_matrix \(mode binary\)/);
  assert.equal(matrixIntoEmbedding(embedding, wordIndex(false), ''), null);
});
