/**
 * docs/model.md's worked example, served end to end over the Unix socket with real worker threads:
 * the classic stack's Keras 2 `reuters_model.hdf5` (written here by h5py in Keras 2.2.4's layout
 * from the weights of models/reuters/1, because Keras cannot be installed here), its word index
 * and the doc's two preprocessing.json forms; GET and POST /predict equal the Flask app's feature
 * code (and load_data's conventions) run by Keras 2's keras_preprocessing, then the model by numpy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { predictPath } from '../helpers/getText.js';
import { reutersModelBase } from '../helpers/paths.js';
import { reutersGetTexts } from '../helpers/reuters.js';
import { kerasPythonSkip as skip, pythonJson } from '../helpers/debianPython.js';
import { writeKeras2ReutersH5 } from '../helpers/keras2ReutersH5.js';

interface Answer {
  prediction?: string;
  label?: string;
  probability?: number;
  predictions?: Answer[];
}

/**
 * The classic stack's features, as docs/model.md describes its Flask app (`index_from: 0`) and
 * reuters.load_data's conventions (index_from 3, start_char 1, oov_char 2), with Keras 2's own
 * text_to_word_sequence and Tokenizer.sequences_to_matrix, then the model by numpy from the
 * weights of models/reuters/1: relu(x W1 + b1) W2 + b2, softmax. Returns [class, probability].
 */
function classicPredictions(wordIndexFile: string, texts: string[], indexFrom: 0 | 3): [number, number][] {
  return pythonJson<[number, number][]>(
    `import json, sys, numpy as np
from keras_preprocessing.text import Tokenizer, text_to_word_sequence
d = json.load(sys.stdin)
word_index = json.load(open(d['wordIndex']))
seqs = []
for text in d['texts']:
    words = text_to_word_sequence(text)
    if d['indexFrom'] == 0:
        seqs.append([word_index[w] for w in words if w in word_index])  # the Flask app's line
    else:
        ids = [word_index[w] + 3 if w in word_index else 2 for w in words]
        seqs.append([1] + [i if i < 1000 else 2 for i in ids])  # load_data(num_words=1000)
x = Tokenizer(num_words=1000).sequences_to_matrix(seqs, mode='binary').astype(np.float32)
m = json.load(open(d['model'] + '/model.json')); blob = open(d['model'] + '/group1-shard1of1.bin', 'rb').read()
w, off = {}, 0
for s in m['weightsManifest'][0]['weights']:
    n = int(np.prod(s['shape'])); w[s['name']] = np.frombuffer(blob, np.float32, n, off).reshape(s['shape']); off += 4 * n
h = np.maximum(x @ w['dense/kernel'] + w['dense/bias'], 0)
z = h @ w['dense_1/kernel'] + w['dense_1/bias']
p = np.exp(z - z.max(axis=1, keepdims=True)); p /= p.sum(axis=1, keepdims=True)
print(json.dumps([[int(r.argmax()), float(r.max())] for r in p]))`,
    { wordIndex: wordIndexFile, texts, indexFrom, model: join(reutersModelBase, '1') },
  );
}

describe("docs/model.md's worked example: the classic stack's reuters_model.hdf5 and word index", { skip, timeout: 180_000 }, () => {
  let tmp: string;
  const servers: RunningMlserve[] = [];
  const dirs: Record<'dataset' | 'flask', string> = { dataset: '', flask: '' };
  const ml: Partial<Record<'dataset' | 'flask', RunningMlserve>> = {};
  const texts = skip === false ? reutersGetTexts(8) : [];
  let labels: string[];

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mlserve-classic-'));
    const tok = JSON.parse(await readFile(join(reutersModelBase, '1', 'tokenizer.json'), 'utf8')) as { config: { word_index: string | Record<string, number> } };
    // reuters.get_word_index()'s shape: {word: rank}, ranked by frequency (here the 30,398 words
    // models/reuters/1's tokenizer saw, whose ranks its weights were trained on).
    const wordIndex = typeof tok.config.word_index === 'string' ? tok.config.word_index : JSON.stringify(tok.config.word_index);
    labels = JSON.parse(await readFile(join(reutersModelBase, '1', 'labels.json'), 'utf8')) as string[];
    const preprocessing = {
      // docs/model.md's first form: the dataset's defaults for index_from, start_char, oov_char.
      dataset: { word_index: 'reuters_word_index.json', num_words: 1000, sequences_to_matrix: { mode: 'binary' } },
      // docs/model.md's second form: the Flask app's answers, off-by-three included.
      flask: { word_index: 'reuters_word_index.json', num_words: 1000, index_from: 0, start_char: null, oov_char: null, sequences_to_matrix: { mode: 'binary' } },
    };
    // The dataset form in the doc's layout (models/reuters-classic/1/), the Flask form as `model = <the file>`.
    for (const form of ['dataset', 'flask'] as const) {
      const dir = form === 'dataset' ? join(tmp, 'reuters-classic', '1') : join(tmp, 'flask');
      dirs[form] = dir;
      await mkdir(dir, { recursive: true });
      writeKeras2ReutersH5(join(dir, 'reuters_model.hdf5'));
      await writeFile(join(dir, 'reuters_word_index.json'), wordIndex);
      await writeFile(join(dir, 'labels.json'), JSON.stringify(labels));
      await writeFile(join(dir, 'preprocessing.json'), JSON.stringify(preprocessing[form]));
    }
    const [a, b] = await Promise.all([join(tmp, 'reuters-classic'), join(dirs.flask, 'reuters_model.hdf5')].map((model) => startMlserve({ args: ['--workers', '1', '--model', model] })));
    ml.dataset = a!;
    ml.flask = b!;
    servers.push(a!, b!);
  });
  after(async () => {
    for (const s of servers) assert.equal(await s.stop(), 0);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('the Keras 2 HDF5 is served from models/reuters-classic/1/ and as model = reuters_model.hdf5 (version 1 of reuters_model)', async () => {
    for (const [s, name] of [
      [ml.dataset!, 'reuters-classic'],
      [ml.flask!, 'reuters_model'],
    ] as const) {
      const ready = await httpRequest<{ model: { name: string; version: number } }>({ socketPath: s.socketPath, path: '/readyz' });
      assert.equal(ready.status, 200);
      assert.equal(ready.json!.model.name, name);
      assert.equal(ready.json!.model.version, 1);
    }
  });

  for (const form of ['dataset', 'flask'] as const) {
    test(`the ${form === 'dataset' ? 'dataset conventions (index_from 3, start_char 1, oov_char 2)' : 'Flask app form (index_from 0)'}: GET and POST /predict equal its feature code + the model by numpy`, async () => {
      const want = classicPredictions(join(dirs[form], 'reuters_word_index.json'), texts, form === 'dataset' ? 3 : 0);
      const s = ml[form]!;
      const post = await httpRequest<Answer>({ socketPath: s.socketPath, method: 'POST', path: '/predict', body: { texts } });
      assert.equal(post.status, 200, post.body);
      for (let i = 0; i < texts.length; i++) {
        const get = await httpRequest<Answer>({ socketPath: s.socketPath, path: predictPath(texts[i]!) });
        assert.equal(get.status, 200, get.body);
        const [cls, p] = want[i]!;
        for (const a of [get.json!, post.json!.predictions![i]!]) {
          assert.equal(a.prediction, String(cls), `text ${i}`);
          assert.equal(a.label, labels[cls]);
          assert.ok(Math.abs(a.probability! - p) <= 1e-5, `text ${i}: ${a.probability} vs ${p}`);
        }
      }
    });
  }

  test('the two forms are different features: the dataset conventions and the Flask app disagree on some text', () => {
    const a = classicPredictions(join(dirs.dataset, 'reuters_word_index.json'), texts, 3);
    const b = classicPredictions(join(dirs.flask, 'reuters_word_index.json'), texts, 0);
    assert.ok(a.some(([c, p], i) => c !== b[i]![0] || Math.abs(p - b[i]![1]) > 1e-3), 'the off-by-three changes the answers');
  });
});
