/**
 * Chain reload from a tfjs version 1 (models/reuters/1) to a Keras `.keras` version 2 (the shared
 * k3_mlp_bow.keras, linked in place, with a 300-word tokenizer.json so the text API works on both)
 * under load: 16 concurrent clients on GET /predict (and one request in four on KServe V2 infer,
 * whose answer names its model_version) for the whole reload, SIGHUP, zero failed requests;
 * answers come from v1 (Reuters topic labels) before and from v2 (its own labels) after, and
 * each KServe answer names the version that predicted it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { cp, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { predictPath } from '../helpers/getText.js';
import { reutersModelBase, sharedDir } from '../helpers/paths.js';

const V2_LABELS = ['k3-a', 'k3-b', 'k3-c', 'k3-d', 'k3-e'];

interface Answer {
  label?: string;
  probability?: number;
}
interface KserveAnswer {
  model_version?: string;
  outputs?: { data: string[] }[];
}

test('SIGHUP under load: tfjs version 1 to a .keras version 2, zero failed requests, v1 answers before and v2 after', { timeout: 120_000 }, async () => {
  const base = await mkdtemp(join(tmpdir(), 'mlserve-keras-reload-'));
  const models = join(base, 'reuters');
  await cp(join(reutersModelBase, '1'), join(models, '1'), { recursive: true });
  const v1Labels = new Set(JSON.parse(await readFile(join(models, '1', 'labels.json'), 'utf8')) as string[]);
  const ml = await startMlserve({ args: ['--workers', '2', '--model', models] });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let loading = true;
  const clients: Promise<void>[] = [];
  try {
    const readyz = async () => (await httpRequest<{ model: { version: number } }>({ socketPath: ml.socketPath, path: '/readyz' })).json!.model.version;
    assert.equal(await readyz(), 1);

    // Every answer, in the order they arrived: its status and the version its label belongs to.
    const answers: { status: string; from: 'v1' | 'v2' | 'neither' | '-' }[] = [];
    const kserveVersions: [string, string][] = []; // [model_version, label] of each KServe answer
    let afterReload = -1; // index in `answers` when the "reloaded" line was seen
    let wake: (() => void) | null = null;
    const client = async (i: number) => {
      for (let n = 0; loading; n++) {
        let status: string;
        let from: (typeof answers)[number]['from'] = '-';
        const text = `oil prices and wheat exports ${i} ${n}`;
        try {
          let label: string | undefined;
          let status200: boolean;
          if (n % 4 === 3) {
            // KServe V2 names the version in its answer: it must be the version whose labels answered.
            const r = await httpRequest<KserveAnswer>({
              socketPath: ml.socketPath,
              agent,
              method: 'POST',
              path: '/v2/models/reuters/infer',
              body: { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [text] }], outputs: [{ name: 'probabilities', parameters: { classification: 1 } }] },
              timeoutMs: 20_000,
            });
            status = String(r.status);
            status200 = r.status === 200;
            label = r.json?.outputs?.[0]?.data[0]?.split(':').slice(2).join(':');
            if (status200) kserveVersions.push([r.json!.model_version!, label ?? '']);
          } else {
            const r = await httpRequest<Answer>({ socketPath: ml.socketPath, agent, path: predictPath(text), timeoutMs: 20_000 });
            status = String(r.status);
            status200 = r.status === 200;
            label = r.json?.label;
          }
          if (status200) from = label !== undefined && v1Labels.has(label) ? 'v1' : label !== undefined && V2_LABELS.includes(label) ? 'v2' : 'neither';
        } catch (err) {
          status = `socket error: ${(err as Error).message}`;
        }
        answers.push({ status, from });
        wake?.();
      }
    };
    /** Resolves once `count` answers arrived (bounded: the clients' requests time out). */
    const answered = (count: number, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${answers.length} answers, ${count} wanted`)), timeoutMs);
        wake = () => {
          if (answers.length >= count) {
            clearTimeout(timer);
            wake = null;
            resolve();
          }
        };
        wake();
      });
    for (let i = 0; i < 16; i++) clients.push(client(i));
    await answered(50);
    const beforeReload = answers.length;

    const v2 = join(models, '2.partial');
    await mkdir(v2);
    await symlink(join(sharedDir, 'fixtures', 'keras3', 'k3_mlp_bow.keras'), join(v2, 'model.keras'));
    const tok = JSON.parse(await readFile(join(reutersModelBase, '1', 'tokenizer.json'), 'utf8')) as { config: { num_words: number } };
    tok.config.num_words = 300;
    await writeFile(join(v2, 'tokenizer.json'), JSON.stringify(tok));
    await writeFile(join(v2, 'labels.json'), JSON.stringify(V2_LABELS));
    // Copied in under a name that is not a version, then renamed: never served half-written.
    await rename(v2, join(models, '2'));
    ml.child.kill('SIGHUP');
    await ml.waitForLine((l) => l.msg === 'reloaded', 60_000);
    afterReload = answers.length;
    assert.equal(await readyz(), 2);
    await answered(afterReload + 100);
    loading = false;
    await Promise.all(clients);

    assert.ok(afterReload - beforeReload > 16, `${afterReload - beforeReload} answers during the reload: the load ran through it`);
    const failed = answers.filter((a) => a.status !== '200');
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${answers.length} requests failed`);
    assert.ok(answers.slice(0, beforeReload).every((a) => a.from === 'v1'), 'before the reload every answer is v1');
    // Requests sent before the "reloaded" line may still have been answered by the last old thread;
    // every request sent after it is answered by a version 2 thread.
    const sentAfter = answers.slice(afterReload + 16);
    assert.ok(sentAfter.length >= 50, `${sentAfter.length} answers after the reload`);
    assert.deepEqual([...new Set(sentAfter.map((a) => a.from))], ['v2']);
    assert.ok(!answers.some((a) => a.from === 'neither'));
    const misnamed = kserveVersions.filter(([v, label]) => (v === '1' ? !v1Labels.has(label) : v === '2' ? !V2_LABELS.includes(label) : true));
    assert.deepEqual(misnamed.slice(0, 5), [], `${misnamed.length} of ${kserveVersions.length} KServe answers name another version than the one that answered`);
    assert.deepEqual([...new Set(kserveVersions.map(([v]) => v))].sort(), ['1', '2']);
    // The tensor API takes version 2's 300-wide rows now.
    const row = Array.from({ length: 300 }, (_, i) => (i % 7 === 1 ? 1 : 0));
    const t = await httpRequest<{ predictions: { classes: string }[] }>({ socketPath: ml.socketPath, method: 'POST', path: '/v1/models/reuters/versions/2:predict', body: { instances: [row] } });
    assert.equal(t.status, 200, t.body);
    assert.ok(V2_LABELS.includes(t.json!.predictions[0]!.classes));
  } finally {
    loading = false;
    await Promise.allSettled(clients);
    agent.destroy();
    assert.equal(await ml.stop(), 0);
    await rm(base, { recursive: true, force: true });
  }
});
