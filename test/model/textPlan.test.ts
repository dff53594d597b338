/**
 * preprocessing.json plans against the original Keras code (Debian's python3-keras-preprocessing,
 * Keras 2's own Tokenizer, text_to_word_sequence and pad_sequences, run by /usr/bin/python3) and
 * TextVectorization against its documented semantics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parsePreprocessing, PreprocessingError } from '../../src/model/preprocessing.js';
import { createTextPlan, padSequences, textVectorizationTokens, wordIndexSequence } from '../../src/model/textPlan.js';
import { Tokenizer } from '../../src/model/tokenizer.js';

const PY = '/usr/bin/python3';
const keras = spawnSync(PY, ['-c', 'import keras_preprocessing.text, keras_preprocessing.sequence']).status === 0;
const skip = keras ? false : 'python3-keras-preprocessing is not installed (apt-get install python3-keras-preprocessing)';

function py(code: string, input: unknown): unknown {
  const r = spawnSync(PY, ['-c', code], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const TEXTS = ['The cat sat on the mat.', 'Dogs, cats & the rain!', 'the the the cat', '', 'unknown words only zzz'];
const FIT = ['the cat sat on the mat', 'the dog ate my homework', 'cats and dogs and the rain', 'a cat is not a dog'];

test('texts_to_matrix in every mode and texts_to_sequences + pad_sequences equal Keras', { skip }, () => {
  const tok = new Tokenizer({ numWords: 12 });
  tok.fitOnTexts(FIT);
  const want = py(
    `import json, sys
from keras_preprocessing.text import Tokenizer, tokenizer_from_json
from keras_preprocessing.sequence import pad_sequences
d = json.load(sys.stdin); tok = tokenizer_from_json(d['tok'])
out = {m: tok.texts_to_matrix(d['texts'], mode=m).tolist() for m in ['binary', 'count', 'tfidf', 'freq']}
seqs = tok.texts_to_sequences(d['texts'])
for p in ['pre', 'post']:
  for t in ['pre', 'post']:
    out[p + t] = pad_sequences(seqs, maxlen=3, padding=p, truncating=t, value=0).tolist()
print(json.dumps(out))`,
    { tok: tok.toJSON(), texts: TEXTS },
  ) as Record<string, number[][]>;
  for (const mode of ['binary', 'count', 'tfidf', 'freq'] as const) {
    const plan = createTextPlan({ spec: parsePreprocessing({ tokenizer: 't.json', texts_to_matrix: { mode } }), tokenizerJson: tok.toJSON() });
    const got = plan.matrix(TEXTS);
    want[mode]!.flat().forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-5, `${mode}[${i}]: ${got[i]} vs ${v}`));
  }
  for (const padding of ['pre', 'post'] as const) {
    for (const truncating of ['pre', 'post'] as const) {
      const spec = parsePreprocessing({ tokenizer: 't.json', texts_to_sequences: {}, pad_sequences: { maxlen: 3, padding, truncating } });
      const got = createTextPlan({ spec, tokenizerJson: tok.toJSON() }).matrix(TEXTS);
      assert.deepEqual(Array.from(got), want[padding + truncating]!.flat(), `padding ${padding}, truncating ${truncating}`);
    }
  }
});

test('word_index with the reuters conventions equals load_data features; index_from 0 is the classic app', { skip }, () => {
  const wordIndex: [string, number][] = [['the', 1], ['of', 2], ['oil', 3], ['prices', 4], ['rose', 5], ['opec', 9]];
  const text = 'The oil prices of OPEC rose; zebra!';
  // What the classic Flask app computed: ranks of the known words, no offset, sequences_to_matrix(binary).
  const classic = py(
    `import json, sys
from keras_preprocessing.text import Tokenizer, text_to_word_sequence
d = json.load(sys.stdin); wi = dict(d['wi'])
seq = [wi[w] for w in text_to_word_sequence(d['text']) if w in wi]
print(json.dumps({'seq': seq, 'x': Tokenizer(num_words=8).sequences_to_matrix([seq], mode='binary').tolist()}))`,
    { wi: wordIndex, text },
  ) as { seq: number[]; x: number[][] };
  const plan = createTextPlan({
    spec: parsePreprocessing({ word_index: 'wi.json', num_words: 8, index_from: 0, start_char: null, oov_char: null, sequences_to_matrix: { mode: 'binary' } }),
    wordIndex,
  });
  assert.deepEqual(Array.from(plan.matrix([text])), classic.x[0]);
  // load_data(num_words=8): [start_char] + rank + 3, ids >= 8 (and unknown words) -> oov_char 2.
  const conventions = parsePreprocessing({ word_index: 'wi.json', num_words: 8, pad_sequences: { maxlen: 10 } });
  assert.equal(conventions.kind, 'word_index');
  if (conventions.kind !== 'word_index') return;
  assert.deepEqual(conventions.conventions, { numWords: 8, indexFrom: 3, startChar: 1, oovChar: 2 });
  assert.deepEqual(wordIndexSequence(['the', 'oil', 'prices', 'of', 'opec', 'rose', 'zebra'], new Map(wordIndex), conventions.conventions), [1, 4, 6, 7, 5, 2, 2, 2]);
});

test('pad_sequences keeps Keras semantics for empty and exact-length sequences', () => {
  const pad = { maxlen: 3, padding: 'pre' as const, truncating: 'pre' as const, value: -1 };
  assert.deepEqual(Array.from(padSequences([[], [1, 2, 3], [4]], pad)), [-1, -1, -1, 1, 2, 3, -1, -1, 4]);
});

test('TextVectorization: lower_and_strip_punctuation, whitespace split, ngrams, int and multi_hot outputs', () => {
  const config = { standardize: 'lower_and_strip_punctuation', split: 'whitespace', ngrams: 2 } as const;
  assert.deepEqual(textVectorizationTokens("It's a  GREAT film!", { ...config, ngrams: null }), ['its', 'a', 'great', 'film']);
  assert.deepEqual(textVectorizationTokens('a great film', config), ['a', 'great', 'film', 'a great', 'great film']);
  // get_vocabulary() of output_mode='int': '' (mask, 0) and '[UNK]' (OOV, 1) first.
  const vocabulary = ['', '[UNK]', 'film', 'great', 'a'];
  const int = createTextPlan({ spec: parsePreprocessing({ text_vectorization: { output_mode: 'int', output_sequence_length: 5 }, vocabulary: 'v.txt' }), vocabulary });
  assert.deepEqual(Array.from(int.matrix(['A great, great movie'])), [4, 3, 3, 1, 0]);
  // set_vocabulary's form (no special tokens) gives the same ids.
  const bare = createTextPlan({ spec: parsePreprocessing({ text_vectorization: { output_mode: 'int', output_sequence_length: 5 }, vocabulary: 'v.txt' }), vocabulary: vocabulary.slice(2) });
  assert.deepEqual(Array.from(bare.matrix(['A great, great movie'])), [4, 3, 3, 1, 0]);
  const multi = createTextPlan({ spec: parsePreprocessing({ text_vectorization: { output_mode: 'multi_hot' }, vocabulary: 'v.txt' }), vocabulary: ['[UNK]', 'film', 'great', 'a'] });
  assert.deepEqual(Array.from(multi.matrix(['A great, great movie'])), [1, 0, 1, 1]);
});

test('preprocessing.json errors name the key', () => {
  const cases: [unknown, RegExp][] = [
    [{ tokenizer: 't.json', texts_to_sequences: {} }, /needs pad_sequences/],
    [{ tokenizer: 't.json', texts_to_matrix: { mode: 'onehot' } }, /texts_to_matrix.mode/],
    [{ tokenizer: 't.json', pad_sequences: { maxlen: 0 } }, /pad_sequences.maxlen/],
    [{ tokenizer: 't.json', texts_to_matrix: {}, extra: 1 }, /unknown key "extra"/],
    [{ word_index: 'w.json', sequences_to_matrix: { mode: 'tfidf' }, num_words: 10 }, /tfidf/],
    [{ text_vectorization: { output_mode: 'int' } }, /output_sequence_length/],
  ];
  for (const [doc, message] of cases) assert.throws(() => parsePreprocessing(doc), (err: unknown) => err instanceof PreprocessingError && message.test(err.message));
});

// Regression (found in review): out.push(...tokens) passed every token as a call argument and
// threw RangeError past ~125k tokens (a raised max-text-length).
test('TextVectorization ngrams over a very long text do not overflow the stack', () => {
  const tokens = textVectorizationTokens('a '.repeat(200_000), { standardize: null, split: 'whitespace', ngrams: 2 });
  assert.equal(tokens.length, 399_999);
});
