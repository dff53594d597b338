import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  KERAS_REUTERS_LABELS,
  assertKerasReuters,
  buildReutersDataset,
  loadReutersDocuments,
  mulberry32,
  reutersTestSplit,
  seededShuffle,
  splitDataset,
  trainTestSplit,
  type ReutersDataset,
} from '../../src/train/dataset.js';

describe('buildReutersDataset (rules)', () => {
  it('labels by first topic, keeps topics with >= minDocs, numbers labels by first appearance', () => {
    const docs = [
      { title: 'T1', body: 'B1', topics: ['b', 'a'] },
      { body: 'no title', topics: ['a'] },
      { title: 'no topics', topics: [] },
      { title: 'no body', topics: ['a', 'b'] },
      { title: 'rare', body: 'x', topics: ['c'] },
      { title: 'T5', body: 'B5', topics: ['b'] },
      { title: 'untagged' },
    ];
    const { texts, labels, labelNames, classCounts } = buildReutersDataset(docs, 2);
    assert.deepEqual(labelNames, ['b', 'a']);
    assert.deepEqual(classCounts, { b: 2, a: 2 });
    assert.deepEqual(texts, ['T1\nB1', '\nno title', 'no body\n', 'T5\nB5']);
    assert.deepEqual(labels, [0, 1, 1, 0]);
  });
});

describe("Keras's Reuters rebuild", () => {
  let dataset: ReutersDataset;
  before(() => {
    dataset = buildReutersDataset(loadReutersDocuments());
  });

  it('has 11,228 documents in 46 classes in Keras label order', () => {
    assert.equal(dataset.texts.length, 11228);
    assert.equal(dataset.labels.length, 11228);
    assert.deepEqual(dataset.labelNames, KERAS_REUTERS_LABELS);
    assert.doesNotThrow(() => assertKerasReuters(dataset));
  });

  it("matches Keras's class sizes", () => {
    // Keras reuters.load_data: class 3 (earn) 3972, class 4 (acq) 2423, class 45 (lead) 19.
    assert.equal(dataset.classCounts.earn, 3972);
    assert.equal(dataset.classCounts.acq, 2423);
    assert.equal(dataset.classCounts.lead, 19);
    assert.equal(Object.values(dataset.classCounts).reduce((a, b) => a + b), 11228);
    assert.equal(dataset.labels.filter((l) => l === 3).length, 3972);
  });

  it('splits 8,982 / 2,246 as Keras, and reutersTestSplit gives the same test texts', () => {
    const { train, test } = splitDataset(dataset, { seed: 42 });
    assert.equal(train.texts.length, 8982);
    assert.equal(test.texts.length, 2246);
    const again = reutersTestSplit(42);
    assert.deepEqual(again.texts, test.texts);
    assert.deepEqual(again.labels, test.labels);
    assert.deepEqual(again.labelNames, KERAS_REUTERS_LABELS);
  });

  it('refuses a rebuild that differs from Keras', () => {
    const short = { ...dataset, texts: dataset.texts.slice(1) };
    assert.throws(() => assertKerasReuters(short), { code: 'ERR_TRAINING' });
  });
});

describe('seeded shuffle and split', () => {
  it('mulberry32 gives the reference sequence', () => {
    // Values of the reference mulberry32 (Tommy Ettinger's, as published) for seed 42.
    const r = mulberry32(42);
    assert.deepEqual([r(), r(), r()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it('seededShuffle is a deterministic permutation and leaves its input alone', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    assert.deepEqual(seededShuffle(items, 42), [0, 7, 3, 5, 2, 1, 8, 9, 4, 6]);
    assert.deepEqual(seededShuffle(items, 42), seededShuffle(items, 42));
    assert.notDeepEqual(seededShuffle(items, 43), seededShuffle(items, 42));
    assert.deepEqual(items, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const big = Array.from({ length: 1000 }, (_, i) => i);
    assert.deepEqual([...seededShuffle(big, 7)].sort((a, b) => a - b), big);
    assert.deepEqual(seededShuffle([], 1), []);
  });

  it('trainTestSplit keeps floor(n * 0.8) for training, in order', () => {
    assert.deepEqual(trainTestSplit([1, 2, 3, 4, 5, 6, 7]), { train: [1, 2, 3, 4, 5], test: [6, 7] });
    assert.deepEqual(trainTestSplit([1, 2, 3, 4], 0.5), { train: [1, 2], test: [3, 4] });
  });

  it('splitDataset keeps texts with their labels and applies limit after shuffling', () => {
    const data = { texts: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], labels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
    const { train, test } = splitDataset(data, { seed: 42, limit: 5 });
    assert.deepEqual(train, { texts: ['a', 'h', 'd', 'f'], labels: [0, 7, 3, 5] });
    assert.deepEqual(test, { texts: ['c'], labels: [2] });
  });
});
