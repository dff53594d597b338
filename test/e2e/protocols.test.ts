/**
 * The client protocols end to end: mlserve with the shipped model and real worker threads on a
 * Unix socket, then the same calls through the real nginx (nginx/mlserve.conf). Each protocol's
 * answer agrees with /predict's for the same text; a chain reload shows in TF Serving's model
 * status. No TF Serving / KServe / SageMaker client library installs here (none is in Debian,
 * and the npm ones need gRPC or AWS SDK stacks), so the documents are checked against the
 * shapes of the specifications' own examples.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest } from '../helpers/http.js';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { nginxMissing, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { repoRoot, reutersModelBase } from '../helpers/paths.js';

const TEXT = 'oil prices rose as opec agreed to cut crude output';
type Target = { socketPath: string } | { port: number };

describe('TF Serving, KServe V2 and SageMaker routes over the socket and through nginx', () => {
  let ml: RunningMlserve;
  let nginx: RunningNginx | undefined;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlserve-protocols-'));
    cpSync(join(reutersModelBase, '1'), join(dir, 'reuters', '1'), { recursive: true });
    ml = await startMlserve({ args: ['--workers', '2', '--model', join(dir, 'reuters')] });
    if (!nginxMissing()) nginx = await startNginx({ siteConf: join(repoRoot, 'nginx', 'mlserve.conf'), socketPath: ml.socketPath });
  });
  after(async () => {
    await nginx?.stop();
    assert.equal(await ml.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
  });

  const targets = (): [string, Target][] => [['socket', { socketPath: ml.socketPath }], ...(nginx ? [['nginx', { port: nginx.port }] as [string, Target]] : [])];
  const call = <T>(t: Target, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    httpRequest<T>({ ...t, path, ...(body === undefined ? {} : { method: 'POST', body, headers }) });

  test('every protocol answers the label and probability /predict gives', async () => {
    for (const [where, t] of targets()) {
      const ref = (await call<{ label: string; probability: number }>(t, `/predict?text=${encodeURIComponent(TEXT)}`)).json!;
      assert.equal(ref.label, 'crude', where);

      const tf = await call<{ predictions: { probabilities: number[]; classes: string }[] }>(t, '/v1/models/reuters:predict', { instances: [TEXT] });
      assert.equal(tf.status, 200, `${where}: ${tf.body}`);
      assert.equal(tf.json!.predictions[0]!.classes, ref.label);
      assert.equal(tf.json!.predictions[0]!.probabilities.length, 46);
      assert.equal(Math.max(...tf.json!.predictions[0]!.probabilities), ref.probability);

      const cls = await call<{ result: [string, number][][] }>(t, '/v1/models/reuters/versions/1:classify', { examples: [{ text: TEXT }] });
      assert.deepEqual(cls.json!.result[0]![0], [ref.label, ref.probability], where);

      const v2 = await call<{ id: string; outputs: { data: string[] }[] }>(t, '/v2/models/reuters/infer', {
        id: 'r1',
        inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [TEXT] }],
        outputs: [{ name: 'probabilities', parameters: { classification: 3 } }],
      });
      assert.equal(v2.status, 200, `${where}: ${v2.body}`);
      assert.equal(v2.json!.id, 'r1');
      assert.equal(v2.json!.outputs[0]!.data[0], `${ref.probability}:16:crude`);

      const sm = await call<{ predictions: { label: string }[] }>(t, '/invocations', { instances: [TEXT] });
      assert.equal(sm.json!.predictions[0]!.label, ref.label, where);
      const csv = await httpRequest({ ...t, path: '/invocations', method: 'POST', body: `${TEXT}\n`, headers: { 'content-type': 'text/csv', accept: 'text/csv' } });
      assert.equal(csv.body, `crude,${ref.probability}\n`, where);

      const top = await call<{ top: { label: string }[] }>(t, `/predict?text=${encodeURIComponent(TEXT)}&top_k=3`);
      assert.equal(top.json!.top.length, 3);
      assert.equal(top.json!.top[0]!.label, ref.label);

      assert.equal((await call(t, '/ping')).status, 200);
      assert.equal((await call(t, '/v2/health/ready')).status, 200);
      assert.equal((await call<{ error: string }>(t, '/v1/models/other')).status, 404);
    }
  });

  test('a chain reload shows in /v1/models/NAME: both versions while it runs, then 2 AVAILABLE and 1 END', async () => {
    const t = { socketPath: ml.socketPath };
    type Status = { model_version_status: { version: string; state: string }[] };
    const states = async () => (await call<Status>(t, '/v1/models/reuters')).json!.model_version_status.map((s) => `${s.version}:${s.state}`);
    assert.deepEqual(await states(), ['1:AVAILABLE']);
    cpSync(join(reutersModelBase, '1'), join(dir, 'reuters', '2'), { recursive: true });
    const reloading = ml.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('reloading:'), 60_000);
    const reloaded = ml.waitForLine((l) => l.msg === 'reloaded', 60_000);
    let done = false;
    void reloaded.then(() => (done = true));
    ml.child.kill('SIGHUP');
    await reloading;
    const during = await states();
    // The chain reload takes a worker start per slot; if it was faster than this request, the
    // answer is already the final one.
    if (!done) assert.deepEqual(during, ['2:LOADING', '1:AVAILABLE']);
    await reloaded;
    assert.deepEqual(await states(), ['2:AVAILABLE', '1:END']);
    const v2 = await call<{ model_spec: { version: string } }>(t, '/v1/models/reuters/metadata');
    assert.equal(v2.json!.model_spec.version, '2');
    assert.equal((await call(t, '/v1/models/reuters/versions/1:predict', { instances: [TEXT] })).status, 404);
  });
});
