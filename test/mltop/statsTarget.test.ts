import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTarget, parseTarget } from '../../src/mltop/statsTarget.js';

test('ADDRESS: http URL, HOST:PORT, or a Unix socket path, as uwsgitop reads it', () => {
  assert.deepEqual(parseTarget('http://127.0.0.1:9191/'), { kind: 'http', url: 'http://127.0.0.1:9191/' });
  assert.deepEqual(parseTarget('127.0.0.1:9191'), { kind: 'tcp', host: '127.0.0.1', port: 9191 });
  assert.deepEqual(parseTarget(':9191'), { kind: 'tcp', host: '127.0.0.1', port: 9191 });
  assert.deepEqual(parseTarget('[::1]:9191'), { kind: 'tcp', host: '::1', port: 9191 });
  assert.deepEqual(parseTarget('run/stats.sock', '/srv'), { kind: 'unix', path: '/srv/run/stats.sock' });
  assert.deepEqual(parseTarget('/tmp/a:1/stats.sock'), { kind: 'unix', path: '/tmp/a:1/stats.sock' });
  assert.equal(describeTarget({ kind: 'tcp', host: '::1', port: 1 }), '[::1]:1');
  assert.equal(describeTarget({ kind: 'http', url: 'http://localhost/', socketPath: '/s' }), 'http://localhost/ via /s');
});
