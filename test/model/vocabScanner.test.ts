/**
 * The one-pass scanner behind Tokenizer.wordIndicesOf gives exactly what Keras's path gives
 * (text_to_word_sequence, word_index, num_words, distinct, first-seen order): on every Reuters
 * text and on the edge cases, compared with the general path (textsToSequences).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Tokenizer } from '../../src/model/tokenizer.js';
import { VocabScanner } from '../../src/model/vocabScanner.js';
import { DEFAULT_FILTERS } from '../../src/model/textToWordSequence.js';
import { loadReutersDocuments } from '../../src/train/dataset.js';
import { reutersModelBase } from '../helpers/paths.js';

/** The general path: Keras's sequence, cut at num_words, distinct in first-seen order. */
function reference(tok: Tokenizer, text: string): number[] {
  const seen = new Set<number>();
  for (const j of tok.textsToSequences([text])[0]!) if (j < tok.matrixWidth) seen.add(j);
  return [...seen];
}

test('wordIndicesOf equals the general path on the whole Reuters corpus', () => {
  const tok = Tokenizer.fromJSON(readFileSync(join(reutersModelBase, '1', 'tokenizer.json'), 'utf8'));
  const docs = loadReutersDocuments();
  let checked = 0;
  for (const d of docs) {
    const text = `${d.title ?? ''}\n${d.body ?? ''}`;
    assert.deepEqual([...tok.wordIndicesOf(text)], reference(tok, text), text.slice(0, 80));
    checked++;
  }
  assert.equal(checked, 21578);
});

test('wordIndicesOf edge cases: case, filters, apostrophes, \\r, non-ASCII, empty', () => {
  const tok = new Tokenizer({ numWords: 8 });
  tok.fitOnTexts(["the oil's price", 'the price of oil', 'oil oil café', 'rose\rup', 'ÉCOLE école']);
  for (const text of [
    'THE Oil, the OIL!', "oil's", 'Café au lait', 'rose\rup and rose', '', '   ', 'price\tof\noil', 'ÉCOLE', 'a-b_c[d]e{f}',
    'İstanbul oil', 'ΣΑΣ oil', 'oil\u00a0price', 'PRICE',
  ]) {
    assert.deepEqual([...tok.wordIndicesOf(text)], reference(tok, text), JSON.stringify(text));
  }
});

test('VocabScanner hands non-ASCII texts back (-1) with its scratch space clean', () => {
  const scanner = new VocabScanner([['oil', 1], ['price', 2]], DEFAULT_FILTERS + ' ', true);
  const seen = new Uint8Array(4);
  const out = new Int32Array(4);
  assert.equal(scanner.scan('Oil PRICE oil', seen, out), 2);
  assert.deepEqual([...out.slice(0, 2)], [1, 2]);
  assert.equal(scanner.scan('oil price café', seen, out), -1);
  assert.deepEqual([...seen], [0, 0, 0, 0]);
});

test('the serving tokenizer (what workers get) predicts the same columns as the full one', () => {
  const full = Tokenizer.fromJSON(readFileSync(join(reutersModelBase, '1', 'tokenizer.json'), 'utf8'));
  const json = full.toServingJSON();
  assert.ok(json.length < 100_000, `${json.length} bytes`);
  const serving = Tokenizer.fromJSON(json);
  assert.equal(serving.matrixWidth, full.matrixWidth);
  for (const d of loadReutersDocuments().slice(0, 3000)) {
    const text = `${d.title ?? ''}\n${d.body ?? ''}`;
    assert.deepEqual([...serving.wordIndicesOf(text)], [...full.wordIndicesOf(text)]);
  }
});
