import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffConfig } from '../../src/config/diff.js';
import { resolveConfig } from '../../src/config/resolve.js';

const load = (...argv: string[]) => resolveConfig({ cwd: '/srv', argv }).config;

test('diffConfig: nothing changed', () => {
  assert.deepEqual(diffConfig(load(), load()), { changed: [], needRestart: [] });
  assert.deepEqual(diffConfig(load('--http', ':80'), load('--http', '127.0.0.1:80')), { changed: [], needRestart: [] });
});

test('diffConfig: changed options in schema order, listeners need a restart', () => {
  const a = load('--workers', '2', '--socket', 'a.sock');
  const b = load('--log-level', 'debug', '--http', ':8000', '--workers', '4', '--socket', 'b.sock');
  assert.deepEqual(diffConfig(a, b), {
    changed: ['socket', 'http', 'workers', 'log-level'],
    needRestart: ['socket', 'http'],
  });
});
