import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tokenizer } from '../../src/model/tokenizer.js';
import { KERAS_TOKENIZER_PY } from './kerasTokenizer.py.js';
import { python } from './python.js';

const TEXTS = [
  'The cat sat on the mat.',
  'The dog ate the cat!',
  "Dog's day: 1987 and 3 dogs; café naïve 😀",
  'mat mat sat',
];

function fitted(options: ConstructorParameters<typeof Tokenizer>[0] = {}): Tokenizer {
  const tok = new Tokenizer(options);
  tok.fitOnTexts(TEXTS);
  return tok;
}

describe('Tokenizer.fitOnTexts', () => {
  it('counts words in first-seen order and documents per word', () => {
    const tok = fitted();
    assert.equal(tok.documentCount, 4);
    assert.deepEqual([...tok.wordCounts].slice(0, 6), [['the', 4], ['cat', 2], ['sat', 2], ['on', 1], ['mat', 3], ['dog', 1]]);
    assert.equal(tok.wordDocs.get('the'), 2);
    assert.equal(tok.wordDocs.get('mat'), 2);
  });

  it('ranks by count, ties in order of first appearance (Python stable sort)', () => {
    const tok = fitted();
    // the:4 mat:3, then the 2-count words as first seen (cat, sat), then 1-count words as first seen.
    assert.deepEqual([...tok.wordIndex].slice(0, 7), [['the', 1], ['mat', 2], ['cat', 3], ['sat', 4], ['on', 5], ['dog', 6], ['ate', 7]]);
    assert.equal(tok.indexWord.get(2), 'mat');
    assert.equal(tok.indexDocs.get(1), 2);
  });

  it('puts the OOV token at index 1', () => {
    const tok = fitted({ oovToken: '<OOV>' });
    assert.equal(tok.wordIndex.get('<OOV>'), 1);
    assert.equal(tok.wordIndex.get('the'), 2);
    assert.deepEqual(tok.textsToSequences(['the zebra']), [[2, 1]]);
  });
});

describe('Tokenizer sequences and matrices', () => {
  it('drops words at or past num_words', () => {
    const tok = fitted({ numWords: 4 });
    assert.deepEqual(tok.textsToSequences(['the mat cat sat on zebra']), [[1, 2, 3]]);
  });

  it('builds a binary matrix, num_words columns, one row per text', () => {
    const tok = fitted({ numWords: 5 });
    const m = tok.textsToMatrix(['the the mat sat', '', 'on zebra'], 'binary');
    assert.deepEqual([...m], [0, 1, 1, 0, 1, /**/ 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0]);
  });

  it('is vocabulary size + 1 wide without num_words', () => {
    const tok = fitted();
    assert.equal(tok.matrixWidth, tok.wordIndex.size + 1);
    assert.equal(tok.textsToMatrix(['the']).length, tok.wordIndex.size + 1);
  });

  it('computes count, freq and tfidf like Keras', () => {
    const tok = fitted({ numWords: 5 });
    assert.deepEqual([...tok.textsToMatrix(['the the mat'], 'count')], [0, 2, 1, 0, 0]);
    assert.deepEqual([...tok.textsToMatrix(['the the mat zebra'], 'freq')], [0, 2 / 3, 1 / 3, 0, 0].map(Math.fround));
    // the: tf = 1 + ln 2, idf = ln(1 + 4 / (1 + 2))
    const expected = (1 + Math.log(2)) * Math.log(1 + 4 / 3);
    assert.equal(tok.textsToMatrix(['the the'], 'tfidf')[1], Math.fround(expected));
  });

  it('wordIndicesOf gives the distinct columns of the binary row, first seen first', () => {
    const tok = fitted({ numWords: 5 });
    assert.deepEqual([...tok.wordIndicesOf('sat the mat the zebra on')], [4, 1, 2]);
    assert.deepEqual([...tok.wordIndicesOf('')], []);
    // The scratch marks are reset between calls.
    assert.deepEqual([...tok.wordIndicesOf('the')], [1]);
  });
});

describe('Tokenizer JSON', () => {
  it('writes Keras to_json bytes', () => {
    const tok = new Tokenizer({ numWords: 10 });
    tok.fitOnTexts(['b a b', '10 a']);
    const inner = (s: string): string => JSON.stringify(s);
    assert.equal(
      tok.toJSON(),
      '{"class_name": "Tokenizer", "config": {"num_words": 10, "filters": "!\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n", ' +
        '"lower": true, "split": " ", "char_level": false, "oov_token": null, "document_count": 2, ' +
        `"word_counts": ${inner('{"b": 2, "a": 2, "10": 1}')}, "word_docs": ${inner('{"b": 1, "a": 2, "10": 1}')}, ` +
        `"index_docs": ${inner('{"1": 1, "2": 2, "3": 1}')}, "index_word": ${inner('{"1": "b", "2": "a", "3": "10"}')}, ` +
        `"word_index": ${inner('{"b": 1, "a": 2, "10": 3}')}}}`,
    );
  });

  it('round-trips through fromJSON byte for byte, integer-like words keeping their place', () => {
    const tok = fitted({ numWords: 7, oovToken: '<OOV>' });
    const back = Tokenizer.fromJSON(tok.toJSON());
    assert.equal(back.toJSON(), tok.toJSON());
    assert.deepEqual([...back.wordIndex], [...tok.wordIndex]);
    assert.deepEqual(back.textsToSequences(TEXTS), tok.textsToSequences(TEXTS));
  });

  it('accepts word_index as an object and restores its order from the indices', () => {
    const back = Tokenizer.fromJSON(JSON.stringify({ config: { num_words: 4, word_index: { b: 2, a: 1, '7': 3 } } }));
    assert.deepEqual([...back.wordIndex], [['a', 1], ['b', 2], ['7', 3]]);
    assert.deepEqual([...back.indexWord], [[1, 'a'], [2, 'b'], [3, '7']]);
    assert.deepEqual([...back.textsToMatrix(['7 b'])], [0, 0, 1, 1]);
  });

  it('rejects malformed tokenizer JSON with ERR_MODEL_INVALID naming the field', () => {
    assert.throws(() => Tokenizer.fromJSON('{'), { code: 'ERR_MODEL_INVALID', message: /not valid JSON/ });
    assert.throws(() => Tokenizer.fromJSON('{"config": {}}'), { code: 'ERR_MODEL_INVALID', message: /word_index is missing/ });
    assert.throws(() => Tokenizer.fromJSON('{"config": {"word_index": "{\\"a\\": \\"x\\"}"}}'), { message: /word_index\["a"\]/ });
    assert.throws(() => Tokenizer.fromJSON('{"config": {"num_words": "9", "word_index": {}}}'), { message: /num_words/ });
  });

  it('equals a Python Keras Tokenizer on the same texts, and Python reads ours back', { skip: python() === null && 'python3 not found' }, () => {
    const probe = ['the cat 1987 zebra', "dog's café", ''];
    for (const [numWords, oovToken] of [[null, null], [6, null], [6, '<OOV>']] as const) {
      const tok = fitted({ numWords, oovToken });
      const out = python(KERAS_TOKENIZER_PY, JSON.stringify({ texts: TEXTS, num_words: numWords, oov_token: oovToken, matrix: probe, ours: tok.toJSON() }));
      const report = JSON.parse(out as string) as { json: string; sequences: number[][]; matrix: number[][]; ours_sequences: number[][]; ours_reserialized: string };
      assert.equal(tok.toJSON(), report.json);
      assert.equal(report.ours_reserialized, report.json);
      assert.deepEqual(tok.textsToSequences(probe), report.sequences);
      assert.deepEqual(report.ours_sequences, report.sequences);
      assert.deepEqual([...tok.textsToMatrix(probe)], report.matrix.flat());
    }
  });
});
