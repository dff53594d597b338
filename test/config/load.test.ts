import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';

// dist/test/config/ -> the repository root, where config/mlserve.ini lives.
const root = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

test('the shipped config/mlserve.ini loads without warnings; paths land at the repository root', async () => {
  const loaded = await loadConfig({ argv: ['--config', 'config/mlserve.ini'], env: {}, cwd: root });
  assert.equal(loaded.action, 'serve');
  assert.equal(loaded.configFile, `${root}/config/mlserve.ini`);
  assert.deepEqual(loaded.warnings, []);
  assert.equal(loaded.config.socket, `${root}/run/mlserve.sock`);
  assert.equal(loaded.config.model, `${root}/models/reuters`);
  assert.equal(loaded.config.workers, 4);
  assert.equal(loaded.sources.workers, 'file');
  assert.equal(loaded.sources.backend, 'default');
  // It shows the product: the stats socket mltop reads, and the spare cheaper from 1 worker.
  assert.equal(loaded.config.stats, `${root}/run/mlserve-stats.sock`);
  assert.equal(loaded.config.cheaper, 1);
  assert.equal(loaded.config.cheaperAlgo, 'spare');
});

test('the shipped config means the same from another working directory', async () => {
  const loaded = await loadConfig({ argv: ['--config', `${root}/config/mlserve.ini`], env: {}, cwd: '/' });
  assert.equal(loaded.config.socket, `${root}/run/mlserve.sock`);
  assert.equal(loaded.config.model, `${root}/models/reuters`);
});

test('no --config: no file is read; env and flags apply', async () => {
  const loaded = await loadConfig({ argv: ['--check', '--workers', '3'], env: { MLSERVE_LISTEN: '5' }, cwd: '/srv' });
  assert.equal(loaded.action, 'check');
  assert.equal(loaded.configFile, null);
  assert.equal(loaded.config.workers, 3);
  assert.equal(loaded.config.listen, 5);
  assert.equal(loaded.config.socket, '/srv/run/mlserve.sock');
});

test('a missing config file is ERR_CONFIG_FILE naming the path', async () => {
  await assert.rejects(loadConfig({ argv: ['--config', 'config/nope.ini'], env: {}, cwd: root }), {
    code: 'ERR_CONFIG_FILE',
    message: 'cannot read config file config/nope.ini: no such file',
  });
  await assert.rejects(loadConfig({ argv: ['--ini', 'config'], env: {}, cwd: root }), { code: 'ERR_CONFIG_FILE' });
});

test('--help and --version read nothing and validate nothing', async () => {
  const help = await loadConfig({ argv: ['--config', 'nope.ini', '--workers', 'x', '--help'], env: { MLSERVE_WORKERS: 'y' }, cwd: '/srv' });
  assert.equal(help.action, 'help');
  assert.equal(help.config.workers, 2);
  assert.equal((await loadConfig({ argv: ['-v'], env: {}, cwd: '/srv' })).action, 'version');
});
