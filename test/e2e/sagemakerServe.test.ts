/**
 * `mlserve serve` as SageMaker runs it (`docker run IMAGE serve`): no config file, the model from
 * SM_MODEL_DIR, a TCP listener on 0.0.0.0:$SAGEMAKER_BIND_TO_PORT, workers from
 * SAGEMAKER_MODEL_SERVER_WORKERS; /ping and /invocations answer over TCP and SIGTERM stops it
 * with exit 0. The container itself is not built here (deploy/image is issue 14's); this is the
 * process SageMaker would start in it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest } from '../helpers/http.js';
import { startMlserve } from '../helpers/mlserve.js';
import { reutersModelBase } from '../helpers/paths.js';
import { findFreePort } from '../helpers/ports.js';

test('mlserve serve: SageMaker environment -> ready on 0.0.0.0:PORT, /ping, /invocations, SIGTERM exits 0', { timeout: 60_000 }, async () => {
  const port = await findFreePort();
  const ml = await startMlserve({
    subcommand: 'serve',
    config: null,
    env: { SM_MODEL_DIR: reutersModelBase, SAGEMAKER_BIND_TO_PORT: String(port), SAGEMAKER_MODEL_SERVER_WORKERS: '1', SAGEMAKER_MODEL_SERVER_TIMEOUT: '30' },
  });
  try {
    assert.equal(ml.ready['http'], `0.0.0.0:${port}`);
    assert.equal(ml.ready['workers'], 1);
    const ping = await httpRequest({ host: '127.0.0.1', port, path: '/ping' });
    assert.equal(ping.status, 200);
    const inv = await httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/invocations',
      headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      body: 'oil prices rose as opec agreed to cut output\nthe company reported higher quarterly profit\n',
    });
    assert.equal(inv.status, 200, inv.body);
    assert.match(String(inv.headers['content-type']), /^text\/csv/);
    assert.equal(inv.body.trim().split('\n').length, 2, 'one CSV line per input line');
  } finally {
    assert.equal(await ml.stop('SIGTERM'), 0);
  }
});
