/**
 * docs/model.md's "bring your Keras file" examples, read out of the doc itself so that the doc
 * cannot drift from the code: every JSON block is a preprocessing.json that the real parser
 * (parsePreprocessing) accepts, every kind has an example, the worked example's two forms mean
 * what the prose says, and the tensor API's request is answered by the real TF Serving route.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePreprocessing, type PreprocessingSpec } from '../../src/model/preprocessing.js';
import { fakeServed, protocolApp } from '../protocols/protocolApp.js';
import { repoRoot } from '../helpers/paths.js';

interface Block {
  heading: string;
  text: string;
}

/** The indented (4-space) code blocks of a markdown text, each with the ### or ## heading above it. */
function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  let current: string[] | null = null;
  const flush = () => {
    if (current) blocks.push({ heading, text: current.join('\n') });
    current = null;
  };
  for (const line of markdown.split('\n')) {
    if (line.startsWith('    ')) {
      (current ??= []).push(line.slice(4));
      continue;
    }
    flush();
    if (/^#{2,3} /.test(line)) heading = line.replace(/^#+ /, '');
  }
  flush();
  return blocks;
}

const doc = readFileSync(join(repoRoot, 'docs/model.md'), 'utf8');
const section = doc.slice(doc.indexOf('## Bring your Keras file'));
const blocks = codeBlocks(section);
const jsonBlocks = blocks.filter((b) => b.text.trimStart().startsWith('{'));

test("every JSON block of docs/model.md's Keras section is a preprocessing.json that parsePreprocessing accepts", () => {
  assert.ok(doc.includes('## Bring your Keras file'), 'docs/model.md has a "Bring your Keras file" section');
  assert.ok(jsonBlocks.length >= 5, `found ${jsonBlocks.length} JSON blocks`);
  for (const b of jsonBlocks) {
    const parsed: unknown = JSON.parse(b.text);
    assert.doesNotThrow(() => parsePreprocessing(parsed), `the block under "${b.heading}": ${b.text}`);
  }
});

test('docs/model.md has a preprocessing.json example of every kind, under the heading that names it', () => {
  const kinds = new Map<string, PreprocessingSpec[]>();
  for (const b of jsonBlocks) kinds.set(b.heading, [...(kinds.get(b.heading) ?? []), parsePreprocessing(JSON.parse(b.text))]);
  const kindsUnder = (heading: string) => (kinds.get(heading) ?? []).map((s) => s.kind);
  assert.deepEqual(kindsUnder('`tokenizer` + `texts_to_matrix`'), ['texts_to_matrix']);
  assert.deepEqual(kindsUnder('`tokenizer` + `texts_to_sequences` + `pad_sequences`'), ['texts_to_sequences']);
  assert.deepEqual(kindsUnder('`word_index` (the classic stack\'s way)'), ['word_index']);
  assert.deepEqual(kindsUnder('`text_vectorization`'), ['text_vectorization']);
  const pad = kinds.get('`tokenizer` + `texts_to_sequences` + `pad_sequences`')![0]!;
  assert.deepEqual(pad.kind === 'texts_to_sequences' && pad.pad, { maxlen: 200, padding: 'post', truncating: 'post', value: 0 });
});

test("the worked example's two forms: load_data's conventions by default, the Flask app's with index_from 0", () => {
  const worked = jsonBlocks.filter((b) => b.heading.startsWith('Worked example')).map((b) => parsePreprocessing(JSON.parse(b.text)));
  assert.equal(worked.length, 2);
  const [dataset, flask] = worked;
  assert.ok(dataset?.kind === 'word_index' && flask?.kind === 'word_index');
  // "index_from, start_char and oov_char take the dataset's defaults (3, 1, 2)".
  assert.deepEqual(dataset.conventions, { numWords: 1000, indexFrom: 3, startChar: 1, oovChar: 2 });
  assert.deepEqual(flask.conventions, { numWords: 1000, indexFrom: 0, startChar: null, oovChar: null });
  for (const s of worked) assert.ok(s.kind === 'word_index' && s.matrix?.mode === 'binary' && s.pad === null);
  assert.ok(doc.includes('reuters_model.hdf5'));
});

test("the tensor API example (no preprocessing): the doc's curl body is answered by the TF Serving route", async () => {
  const tensor = blocks.find((b) => b.heading === 'No preprocessing: the tensor API' && b.text.startsWith('curl'));
  assert.ok(tensor, 'docs/model.md has a curl example under "No preprocessing: the tensor API"');
  const url = /http:\/\/localhost(\S+)/.exec(tensor.text)?.[1];
  const body = /-d '([^']+)'/.exec(tensor.text)?.[1];
  assert.ok(url && body);
  const name = /\/v1\/models\/([^:/]+)/.exec(url)?.[1];
  // The model is the protocols tests' fake (no worker threads in-process); the route and its
  // parsing of the doc's body are the real ones. Its input is [null, 4], as the doc says.
  const { app } = protocolApp({ served: () => fakeServed({ name, input: { text: false, inputSize: 4 } }) });
  const res = await app.request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 200, await res.clone().text());
  const answer = (await res.json()) as { predictions: { probabilities: number[]; classes: string }[] };
  assert.equal(answer.predictions.length, 2);
  assert.ok(answer.predictions.every((p) => p.probabilities.length === 3 && typeof p.classes === 'string'));
  // GET/POST /predict's 400 ERR_TEXT_UNSUPPORTED for such a model is the dispatcher's (test/master/dispatchInputs.test.ts).
});
