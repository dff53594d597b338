import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sagemakerArgs } from '../../src/cli/sagemakerServe.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { MlserveError } from '../../src/errors.js';

test('mlserve serve: SageMaker defaults (model in /opt/ml/model, 0.0.0.0:8080)', () => {
  assert.deepEqual(sagemakerArgs({}), ['--model', '/opt/ml/model', '--http', '0.0.0.0:8080', '--socket', '/tmp/mlserve.sock']);
});

test('mlserve serve: SM_MODEL_DIR, SAGEMAKER_BIND_TO_PORT, _WORKERS and _TIMEOUT (-> harakiri)', () => {
  const args = sagemakerArgs({
    SM_MODEL_DIR: '/data/model',
    SAGEMAKER_BIND_TO_PORT: '9090',
    SAGEMAKER_MODEL_SERVER_WORKERS: '3',
    SAGEMAKER_MODEL_SERVER_TIMEOUT: '60',
  });
  const { config } = resolveConfig({ argv: args, env: {}, cwd: '/' });
  assert.equal(config.model, '/data/model');
  assert.deepEqual(config.http, { host: '0.0.0.0', port: 9090 });
  assert.equal(config.workers, 3);
  assert.equal(config.harakiri, 60);
});

test("mlserve serve: the user's flags after `serve` win over the contract's", () => {
  const { config } = resolveConfig({ argv: [...sagemakerArgs({ SAGEMAKER_MODEL_SERVER_WORKERS: '3' }), '--workers', '5'], env: {}, cwd: '/' });
  assert.equal(config.workers, 5);
});

test('mlserve serve: a bad SageMaker variable is refused, naming it', () => {
  for (const [name, value] of [
    ['SAGEMAKER_MODEL_SERVER_WORKERS', 'four'],
    ['SAGEMAKER_BIND_TO_PORT', '70000'],
    ['SAGEMAKER_MODEL_SERVER_TIMEOUT', '0'],
  ] as const) {
    assert.throws(
      () => sagemakerArgs({ [name]: value }),
      (err: unknown) => err instanceof MlserveError && err.code === 'ERR_CLI_ARGS' && err.message.startsWith(name),
      name,
    );
  }
});
