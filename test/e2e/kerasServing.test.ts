/**
 * The user's own Keras files served end to end (issue 11): mlserve spawned on a temp Unix socket
 * with real worker threads, serving the shared Keras 3 fixtures read in place (a version
 * directory holding a symlink, or `model = <the file>`), on the tensor API (TF Serving rows,
 * equal to Keras's own predictions within 1e-5) and the text API (a tokenizer.json or
 * preprocessing.json written here; equal to the tensor API on the features Keras 2's own
 * Tokenizer computes, bag of words and padded sequences). The classic stack's Keras 2 file is
 * test/e2e/kerasClassic.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { predictPath } from '../helpers/getText.js';
import { reutersModelBase, sharedDir } from '../helpers/paths.js';
import { reutersGetTexts } from '../helpers/reuters.js';
import { kerasPythonSkip, pythonJson } from '../helpers/debianPython.js';
import { readNpy } from '../model/keras/npy.js';

const skip = kerasPythonSkip;
const k3 = join(sharedDir, 'fixtures', 'keras3');
const K3_LABELS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
// Post-padding and pre-truncating: not Keras's defaults both ways, so a plan that ignored them shows.
const GAP_PREPROCESSING = { tokenizer: 'tokenizer.json', texts_to_sequences: {}, pad_sequences: { maxlen: 20, padding: 'post', truncating: 'pre' } };

interface Answer {
  prediction?: string;
  label?: string;
  probability?: number;
  predictions?: Answer[];
  error?: { code: string; message: string };
}
interface TensorAnswer {
  predictions?: { probabilities: number[]; classes: string }[];
  error?: { code: string; message: string };
}

/** models/reuters/1's Keras tokenizer.json cut to `numWords` (so `numWords` features). */
async function tokenizerJson(numWords: number): Promise<string> {
  const tok = JSON.parse(await readFile(join(reutersModelBase, '1', 'tokenizer.json'), 'utf8')) as { config: { num_words: number } };
  tok.config.num_words = numWords;
  return JSON.stringify(tok);
}

/** Keras 2's Tokenizer (keras_preprocessing) on the tokenizer.json: texts_to_matrix binary. */
function kerasBagOfWords(tokenizer: string, texts: string[]): number[][] {
  return pythonJson<number[][]>(
    `import json, sys
from keras_preprocessing.text import tokenizer_from_json
d = json.load(sys.stdin)
print(json.dumps(tokenizer_from_json(d['tok']).texts_to_matrix(d['texts'], mode='binary').tolist()))`,
    { tok: tokenizer, texts },
  );
}

async function tensorPredict(ml: RunningMlserve, name: string, instances: number[][]): Promise<{ probabilities: number[]; classes: string }[]> {
  const r = await httpRequest<TensorAnswer>({ socketPath: ml.socketPath, method: 'POST', path: `/v1/models/${name}:predict`, body: { instances } });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json!.predictions!.length, instances.length);
  return r.json!.predictions!;
}

function rows(file: string): number[][] {
  const a = readNpy(file);
  const width = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return Array.from({ length: a.shape[0]! }, (_, i) => Array.from(a.data.subarray(i * width, (i + 1) * width)));
}

function assertClose(got: number[], want: number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: width`);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= tol, `${what}[${i}]: ${v} vs ${want[i]} (tolerance ${tol})`));
}

describe('Keras 3 .keras and .h5 files over the Unix socket', { skip, timeout: 180_000 }, () => {
  const servers: RunningMlserve[] = [];
  let tmp: string;
  let kerasDir: RunningMlserve; // base dir k3_bow_keras/1: model.keras -> k3_mlp_bow.keras, tokenizer.json
  let h5Dir: RunningMlserve; // base dir k3_bow_h5/1: model.h5 -> k3_mlp_bow.h5, preprocessing.json naming reuters300.json
  let h5File: RunningMlserve; // model = .../k3_mlp_bow.h5 (the single file, tensor only)
  let embedGap: RunningMlserve; // base dir k3_gap/1: model.keras -> k3_embed_gap.keras, 100-word tokenizer, pad_sequences 20
  let lstm: RunningMlserve; // model = .../k3_lstm.keras
  let tok300: string;
  const texts = skip === false ? reutersGetTexts(6) : [];

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mlserve-keras-e2e-'));
    tok300 = await tokenizerJson(300);
    const kv = join(tmp, 'k3_bow_keras', '1');
    const hv = join(tmp, 'k3_bow_h5', '1');
    await mkdir(kv, { recursive: true });
    await mkdir(hv, { recursive: true });
    await symlink(join(k3, 'k3_mlp_bow.keras'), join(kv, 'model.keras'));
    await writeFile(join(kv, 'tokenizer.json'), tok300);
    await writeFile(join(kv, 'labels.json'), JSON.stringify(K3_LABELS));
    await symlink(join(k3, 'k3_mlp_bow.h5'), join(hv, 'model.h5'));
    // A tokenizer under another name than tokenizer.json, named by preprocessing.json.
    await writeFile(join(hv, 'reuters300.json'), tok300);
    await writeFile(join(hv, 'preprocessing.json'), JSON.stringify({ tokenizer: 'reuters300.json', texts_to_matrix: { mode: 'binary' } }));
    await writeFile(join(hv, 'labels.json'), JSON.stringify(K3_LABELS));
    const gv = join(tmp, 'k3_gap', '1');
    await mkdir(gv, { recursive: true });
    await symlink(join(k3, 'k3_embed_gap.keras'), join(gv, 'model.keras'));
    await writeFile(join(gv, 'tokenizer.json'), await tokenizerJson(100)); // Embedding(100, 8): ids 1..99
    await writeFile(join(gv, 'preprocessing.json'), JSON.stringify(GAP_PREPROCESSING));
    const start = (model: string) => startMlserve({ args: ['--workers', '1', '--model', model] });
    // Two at a time: five children with tfjs workers on a 2-core machine.
    [kerasDir, h5Dir] = await Promise.all([start(join(tmp, 'k3_bow_keras')), start(join(tmp, 'k3_bow_h5'))]);
    servers.push(kerasDir, h5Dir);
    [h5File, embedGap] = await Promise.all([start(join(k3, 'k3_mlp_bow.h5')), start(join(tmp, 'k3_gap'))]);
    servers.push(h5File, embedGap);
    lstm = await start(join(k3, 'k3_lstm.keras'));
    servers.push(lstm);
  });
  after(async () => {
    for (const s of servers) assert.equal(await s.stop(), 0);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('the tensor API answers Keras\'s own predictions (1e-5) from the .keras dir, the .h5 dir and model = <the .h5 file>', async () => {
    const x = rows(join(k3, 'k3_mlp_bow_x.npy'));
    const y = rows(join(k3, 'k3_mlp_bow_y.npy'));
    for (const [ml, name, labels] of [
      [kerasDir, 'k3_bow_keras', K3_LABELS],
      [h5Dir, 'k3_bow_h5', K3_LABELS],
      [h5File, 'k3_mlp_bow', ['0', '1', '2', '3', '4']],
    ] as const) {
      const got = await tensorPredict(ml, name, x);
      got.forEach((p, i) => {
        assertClose(p.probabilities, y[i]!, 1e-5, `${name} row ${i}`);
        assert.equal(p.classes, labels[y[i]!.indexOf(Math.max(...y[i]!))]);
      });
    }
  });

  test('the sequence models k3_embed_gap (a version dir) and k3_lstm (model = <the .keras file>) answer Keras\'s predictions on the tensor API', async () => {
    const gap = await tensorPredict(embedGap, 'k3_gap', rows(join(k3, 'k3_embed_gap_x.npy')));
    rows(join(k3, 'k3_embed_gap_y.npy')).forEach((want, i) => assertClose(gap[i]!.probabilities, want, 1e-5, `k3_embed_gap row ${i}`));
    // Dense(1, sigmoid): Keras predicts p (one column); the answer has one probability per label, [1 - p, p].
    const seq = await tensorPredict(lstm, 'k3_lstm', rows(join(k3, 'k3_lstm_x.npy')));
    rows(join(k3, 'k3_lstm_y.npy')).forEach(([p], i) => {
      assertClose(seq[i]!.probabilities, [1 - p!, p!], 1e-5, `k3_lstm row ${i}`);
      assert.equal(seq[i]!.classes, p! > 0.5 ? '1' : '0');
    });
  });

  test('the text API (GET and POST /predict) answers what the tensor API answers on Keras\'s Tokenizer features', async () => {
    const features = kerasBagOfWords(tok300, texts);
    assert.ok(features.every((row) => row.length === 300 && row.some((v) => v !== 0)), 'every text has known words');
    for (const [ml, name] of [
      [kerasDir, 'k3_bow_keras'],
      [h5Dir, 'k3_bow_h5'],
    ] as const) {
      const want = await tensorPredict(ml, name, features);
      const post = await httpRequest<Answer>({ socketPath: ml.socketPath, method: 'POST', path: '/predict', body: { texts } });
      assert.equal(post.status, 200, post.body);
      for (let i = 0; i < texts.length; i++) {
        const get = await httpRequest<Answer>({ socketPath: ml.socketPath, path: predictPath(texts[i]!) });
        assert.equal(get.status, 200, get.body);
        for (const [how, a] of [
          ['GET', get.json!],
          ['POST', post.json!.predictions![i]!],
        ] as const) {
          assert.equal(a.label, want[i]!.classes, `${name} ${how} text ${i}: label`);
          assert.equal(a.prediction, String(K3_LABELS.indexOf(a.label!)));
          assert.ok(Math.abs(a.probability! - Math.max(...want[i]!.probabilities)) <= 1e-6, `${name} ${how} text ${i}: ${a.probability} vs ${JSON.stringify(want[i])}`);
        }
      }
    }
  });

  test('the sequence model\'s text API (texts_to_sequences + pad_sequences) answers the tensor API on Keras\'s own padded ids', async () => {
    const ids = pythonJson<number[][]>(
      `import json, sys
from keras_preprocessing.text import tokenizer_from_json
from keras_preprocessing.sequence import pad_sequences
d = json.load(sys.stdin); p = d['pad']
seqs = tokenizer_from_json(d['tok']).texts_to_sequences(d['texts'])
print(json.dumps(pad_sequences(seqs, maxlen=p['maxlen'], padding=p['padding'], truncating=p['truncating']).tolist()))`,
      { tok: await tokenizerJson(100), texts, pad: GAP_PREPROCESSING.pad_sequences },
    );
    assert.ok(ids.every((row) => row.length === 20 && row.some((v) => v !== 0)));
    const want = await tensorPredict(embedGap, 'k3_gap', ids);
    const post = await httpRequest<Answer>({ socketPath: embedGap.socketPath, method: 'POST', path: '/predict', body: { texts } });
    assert.equal(post.status, 200, post.body);
    for (let i = 0; i < texts.length; i++) {
      const get = await httpRequest<Answer>({ socketPath: embedGap.socketPath, path: predictPath(texts[i]!) });
      for (const a of [get.json!, post.json!.predictions![i]!]) {
        assert.equal(a.label, want[i]!.classes, `text ${i}`);
        assert.ok(Math.abs(a.probability! - Math.max(...want[i]!.probabilities)) <= 1e-6, `text ${i}: ${a.probability} vs ${JSON.stringify(want[i])}`);
      }
    }
  });

  test('a tensor-only single file refuses the text API with a 400 naming the tensor API', async () => {
    const r = await httpRequest<Answer>({ socketPath: h5File.socketPath, path: '/predict?text=oil' });
    assert.equal(r.status, 400);
    assert.equal(r.json?.error?.code, 'ERR_TEXT_UNSUPPORTED');
  });
});
