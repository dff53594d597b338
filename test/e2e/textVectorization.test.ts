/**
 * A user's .keras model with its own TextVectorization layer served over the Unix socket (mlserve
 * spawned, real worker threads): no preprocessing.json, GET and POST /predict answer what the
 * Python transcription of Keras computes, and `mlserve --check` names the layer as the
 * preprocessing. The .keras zip is built in Keras 3's layout by test/helpers/textVectorizationKeras.ts
 * (real Keras cannot be installed here).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest } from '../helpers/http.js';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { mlserveBin, repoRoot } from '../helpers/paths.js';
import { haveH5py, writeTextVectorizationKeras, type TvExpected } from '../helpers/textVectorizationKeras.js';

interface Answer {
  prediction: string;
  label: string;
  probability: number;
}

const TEXTS = ['The oil prices rose!', 'ÉCOLE wheat', 'OPEC cut output; oil prices ROSE again, and again and again and again', 'nothing known here', ''];
const LABELS = ['crude', 'grain', 'other'];

describe('a .keras model with its own TextVectorization, over the Unix socket', { skip: haveH5py ? false : '/usr/bin/python3 has no h5py' }, () => {
  let base: string;
  let want: TvExpected;
  let ml: RunningMlserve;

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'mlserve-tv-e2e-'));
    mkdirSync(join(base, '1'));
    want = writeTextVectorizationKeras(join(base, '1', 'model.keras'), 'int', TEXTS);
    writeFileSync(join(base, '1', 'labels.json'), JSON.stringify(LABELS));
    ml = await startMlserve({ args: ['--workers', '1', '--model', base] });
  });
  after(async () => {
    assert.equal(await ml.stop(), 0);
    rmSync(base, { recursive: true, force: true });
  });

  const expected = (i: number) => {
    const row = want.outputs[i]!;
    const best = row.indexOf(Math.max(...row));
    return { label: LABELS[best]!, probability: row[best]! };
  };

  test('GET /predict?text= answers what Keras computes', async () => {
    for (let i = 0; i < TEXTS.length; i++) {
      const res = await httpRequest<Answer>({ socketPath: ml.socketPath, path: `/predict?text=${encodeURIComponent(TEXTS[i]!)}` });
      if (TEXTS[i] === '') {
        assert.equal(res.status, 400, 'an empty text is a client error, as for every model');
        continue;
      }
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json?.label, expected(i).label, TEXTS[i]);
      assert.ok(Math.abs(res.json!.probability - expected(i).probability) < 1e-5, `${res.json!.probability} vs ${expected(i).probability}`);
    }
  });

  test('POST /predict {texts} answers in order, what Keras computes', async () => {
    const texts = TEXTS.slice(0, 4);
    const res = await httpRequest<{ predictions: Answer[] }>({ socketPath: ml.socketPath, method: 'POST', path: '/predict', body: { texts } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json?.predictions.length, texts.length);
    res.json!.predictions.forEach((p, i) => {
      assert.equal(p.label, expected(i).label);
      assert.ok(Math.abs(p.probability - expected(i).probability) < 1e-5);
    });
  });

  test('mlserve --check names the TextVectorization as the preprocessing', () => {
    const r = spawnSync(process.execPath, [mlserveBin, '--config', 'test/fixtures/mlserve-test.ini', '--model', base, '--check'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\(8 inputs, 3 classes\)/);
    assert.match(r.stdout, /layers: text_vectorization \(TextVectorization\), embedding \(Embedding\)/);
    assert.match(r.stdout, /preprocessing: text_vectorization, the model's own .*model\.keras layer text_vectorization, run by mlserve: standardize lower_and_strip_punctuation, split whitespace, ngrams none, output_mode int \(8 ids\), vocabulary 14 lines from .*assets\/layers\/text_vectorization\/vocabulary\.txt/);
  });
});
