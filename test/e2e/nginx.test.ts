// mlserve behind the real nginx with the repo's nginx/mlserve.conf: what production runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { httpRequest } from '../helpers/http.js';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { nginxMissing, renderSiteConf, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { repoRoot, reutersModelBase as modelBase } from '../helpers/paths.js';
import { acceptedConnections } from '../helpers/unixConnections.js';

const siteConf = join(repoRoot, 'nginx', 'mlserve.conf');

interface Prediction {
  prediction: string;
  label: string;
  probability: number;
}

function assertPrediction(value: unknown): asserts value is Prediction {
  const p = value as Prediction;
  assert.equal(typeof p?.prediction, 'string', `prediction in ${JSON.stringify(value)}`);
  assert.match(p.prediction, /^\d+$/);
  assert.equal(typeof p.label, 'string', `label in ${JSON.stringify(value)}`);
  assert.ok(p.label.length > 0);
  assert.ok(p.probability > 0 && p.probability <= 1, `probability in (0, 1]: ${p.probability}`);
}

describe('nginx/mlserve.conf as a template', () => {
  it('has exactly one socket line and one listen line for the harness to point elsewhere', () => {
    const rendered = renderSiteConf(readFileSync(siteConf, 'utf8'), { socketPath: '/tmp/x/test.sock', listen: '127.0.0.1:1234' });
    assert.match(rendered, /^\s*server unix:\/tmp\/x\/test\.sock;/m);
    assert.match(rendered, /^\s*listen 127\.0\.0\.1:1234;/m);
    assert.doesNotMatch(rendered, /\/run\/mlserve\/mlserve\.sock/);
  });
});

describe('mlserve behind the real nginx', { skip: nginxMissing() }, () => {
  let ml: RunningMlserve | undefined;
  let nginx: RunningNginx | undefined;

  before(async () => {
    assert.ok(existsSync(modelBase), `${modelBase} is missing: train it with npm run train`);
    ml = await startMlserve({ args: ['--workers', '2', '--model', modelBase] });
    nginx = await startNginx({ siteConf, socketPath: ml.socketPath });
  });

  after(async () => {
    await nginx?.stop();
    if (ml) assert.equal(await ml.stop(), 0, 'mlserve exits 0 on SIGTERM');
  });

  it('answers GET /predict through nginx with prediction, label and probability', async () => {
    const res = await httpRequest({ port: nginx!.port, path: `/predict?text=${encodeURIComponent('oil prices rose as opec cut crude output')}` });
    assert.equal(res.status, 200, res.body);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assertPrediction(res.json);
  });

  it('answers POST /predict through nginx with one prediction per text, equal to GET', async () => {
    const texts = ['net profit rose to 12 mln dlrs per share', 'wheat exports to the soviet union', 'the bank raised its prime rate'];
    const res = await httpRequest<{ predictions: unknown[] }>({ port: nginx!.port, method: 'POST', path: '/predict', body: { texts } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json?.predictions.length, texts.length);
    for (const [i, text] of texts.entries()) {
      const single = await httpRequest({ port: nginx!.port, path: `/predict?text=${encodeURIComponent(text)}` });
      const batched: unknown = res.json!.predictions[i];
      assertPrediction(batched);
      assertPrediction(single.json);
      assert.equal(batched.prediction, single.json.prediction);
      assert.ok(Math.abs(batched.probability - single.json.probability) < 1e-5);
    }
  });

  it("passes mlserve's 400 through with its JSON error body, not nginx's page", async () => {
    const res = await httpRequest<{ error: { code: string; message: string } }>({ port: nginx!.port, path: '/predict' });
    assert.equal(res.status, 400, res.body);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.equal(res.json?.error.code, 'ERR_TEXT_MISSING');
    assert.equal(typeof res.json?.error.message, 'string');
  });

  it('reuses kept-alive upstream connections for 200 sequential requests, none answered 502', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const statuses = new Map<number, number>();
      let firstFailure = '';
      for (let i = 0; i < 200; i++) {
        const res = await httpRequest({ port: nginx!.port, agent, path: `/predict?text=${encodeURIComponent(`grain shipment ${i}`)}` });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status !== 200) firstFailure ||= `${res.status} ${res.body}`;
      }
      assert.deepEqual([...statuses], [[200, 200]], `first failure: ${firstFailure}`);
      // With keepalive, nginx holds its upstream connection open between requests; without
      // (HTTP/1.0 or "Connection: close" upstream) mlserve would hold none now.
      const open = acceptedConnections(ml!.socketPath);
      assert.ok(open >= 1 && open <= 32, `kept-alive upstream connections: ${open}`);
    } finally {
      agent.destroy();
    }
  });
});
