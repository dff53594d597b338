import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selectBackend } from '../../src/model/backend.js';
import { readModelBundle } from '../../src/model/bundle.js';
import { resolveModelVersion } from '../../src/model/resolveModelVersion.js';
import { Tokenizer } from '../../src/model/tokenizer.js';
import { TINY_LABELS, TINY_WIDTH, writeTinyModel } from './tinyModel.js';

let root: string;
let good: string;
let n = 0;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mlserve-bundle-'));
  good = path.join(root, 'good');
  await writeTinyModel((await selectBackend('auto')).tf, good);
});
after(() => rm(root, { recursive: true, force: true }));

/** A fresh copy of the good model directory, broken by `breakIt`. */
async function broken(breakIt: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(root, `case${++n}`);
  await cp(good, dir, { recursive: true });
  await breakIt(dir);
  return dir;
}

function invalid(file: string, problem: RegExp): (err: unknown) => boolean {
  return (err) => {
    const e = err as { code: string; message: string };
    assert.equal(e.code, 'ERR_MODEL_INVALID');
    assert.ok(e.message.includes(`${path.sep}${file}: `), `message names ${file}: ${e.message}`);
    assert.match(e.message, problem);
    return true;
  };
}

describe('resolveModelVersion', () => {
  it('picks the highest integer version and ignores other names', async () => {
    const base = path.join(root, 'reuters');
    for (const v of ['1', '2', '10', 'foo', '011', '9.5']) await mkdir(path.join(base, v), { recursive: true });
    await writeFile(path.join(base, '99'), 'a file, not a version');
    assert.deepEqual(await resolveModelVersion(base), { name: 'reuters', version: 10, dir: path.join(base, '10') });
  });

  it('fails with ERR_MODEL_NOT_FOUND naming a missing directory', async () => {
    const missing = path.join(root, 'nope');
    await assert.rejects(resolveModelVersion(missing), { code: 'ERR_MODEL_NOT_FOUND', message: `model directory ${missing} does not exist` });
  });

  it('fails with ERR_MODEL_NOT_FOUND when there is no version', async () => {
    const base = path.join(root, 'empty');
    await mkdir(path.join(base, 'latest'), { recursive: true });
    await assert.rejects(resolveModelVersion(base), { code: 'ERR_MODEL_NOT_FOUND', message: new RegExp(`${base} has no version`) });
  });
});

describe('readModelBundle', () => {
  it('reads a valid version directory into plain, cloneable data', async () => {
    const bundle = await readModelBundle(good, { name: 'tiny', version: 3 });
    assert.equal(bundle.name, 'tiny');
    assert.equal(bundle.version, 3);
    assert.equal(bundle.inputWidth, TINY_WIDTH);
    assert.equal(bundle.outputWidth, TINY_LABELS.length);
    assert.deepEqual(bundle.labels, TINY_LABELS);
    assert.equal(bundle.metadata.testAccuracy, 0.5);
    assert.equal(bundle.weightData.byteLength, 4 * (8 * 4 + 4 + 4 * 3 + 3));
    assert.deepEqual(bundle.weightSpecs.map((w) => w.name), ['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias']);
    assert.equal(Tokenizer.fromJSON(bundle.tokenizerJson).numWords, TINY_WIDTH);
    const clone = structuredClone(bundle, { transfer: [bundle.weightData] });
    assert.equal(clone.weightData.byteLength, 4 * 51);
  });

  it('serves without metadata.json', async () => {
    const dir = await broken((d) => unlink(path.join(d, 'metadata.json')));
    assert.deepEqual((await readModelBundle(dir)).metadata, {});
  });

  it('fails with ERR_MODEL_NOT_FOUND for a missing version directory', async () => {
    await assert.rejects(readModelBundle(path.join(root, 'absent', '1')), { code: 'ERR_MODEL_NOT_FOUND' });
  });

  const cases: [string, (dir: string) => Promise<void>, string, RegExp][] = [
    ['missing model.json', (d) => unlink(path.join(d, 'model.json')), 'model.json', /missing/],
    ['model.json not JSON', (d) => writeFile(path.join(d, 'model.json'), '{"modelTopology": '), 'model.json', /not valid JSON/],
    ['a graph model', (d) => editJson(d, 'model.json', (j) => ({ ...j, format: 'graph-model' })), 'model.json', /layers-model/],
    ['missing shard', (d) => unlink(path.join(d, 'group1-shard1of1.bin')), 'group1-shard1of1.bin', /missing/],
    ['shard too short', (d) => truncate(path.join(d, 'group1-shard1of1.bin'), 100), 'group1-shard1of1.bin', /100 bytes, .* need 204/],
    ['a non-float32 weight', (d) => editJson(d, 'model.json', (j) => setDtype(j, 'int32')), 'model.json', /dtype int32/],
    ['a shard path outside the directory', (d) => editJson(d, 'model.json', (j) => setPath(j, '../x.bin')), 'model.json', /inside/],
    // (a missing tokenizer.json now means a tensor-only model, a missing labels.json class-index labels: test/master/dispatchInputs.test.ts)
    ['tokenizer.json without word_index', (d) => writeFile(path.join(d, 'tokenizer.json'), '{"config": {}}'), 'tokenizer.json', /word_index/],
    ['input width != num_words', (d) => writeTokenizer(d, 9), 'model.json', /input width 8 does not match num_words 9/],
    ['output width != labels', (d) => writeFile(path.join(d, 'labels.json'), '["a", "b"]'), 'model.json', /output width 3 .* 2 class names/],
    ['labels not an array', (d) => writeFile(path.join(d, 'labels.json'), '{"0": "a"}'), 'labels.json', /JSON array/],
    ['labels not strings', (d) => writeFile(path.join(d, 'labels.json'), '[1, 2, 3]'), 'labels.json', /strings/],
    ['metadata not an object', (d) => writeFile(path.join(d, 'metadata.json'), '[]'), 'metadata.json', /JSON object/],
  ];
  for (const [name, breakIt, file, problem] of cases) {
    it(`fails with ERR_MODEL_INVALID naming ${file} for ${name}`, async () => {
      await assert.rejects(readModelBundle(await broken(breakIt)), invalid(file, problem));
    });
  }
});

type Json = Record<string, unknown> & { weightsManifest: { paths: string[]; weights: { dtype: string }[] }[] };

async function editJson(dir: string, file: string, edit: (j: Json) => unknown): Promise<void> {
  const p = path.join(dir, file);
  await writeFile(p, JSON.stringify(edit(JSON.parse(await readFile(p, 'utf8')) as Json)));
}

function setDtype(j: Json, dtype: string): Json {
  (j.weightsManifest[0]?.weights[1] as { dtype: string }).dtype = dtype;
  return j;
}

function setPath(j: Json, p: string): Json {
  (j.weightsManifest[0] as { paths: string[] }).paths = [p];
  return j;
}

async function writeTokenizer(dir: string, numWords: number): Promise<void> {
  const tok = new Tokenizer({ numWords });
  tok.fitOnTexts(['a b c']);
  await writeFile(path.join(dir, 'tokenizer.json'), tok.toJSON());
}
