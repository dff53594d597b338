import { test } from 'node:test';
import assert from 'node:assert/strict';
import { options } from '../../src/config/schema.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { formatValue, parseValue } from '../../src/config/value-types.js';

const spec = options.stats;

test('stats: HOST:PORT is TCP, anything else a socket path relative to the base directory', () => {
  const cases: Array<[string, unknown]> = [
    ['127.0.0.1:9191', { host: '127.0.0.1', port: 9191 }],
    [':9191', { host: '127.0.0.1', port: 9191 }],
    ['[::1]:9191', { host: '::1', port: 9191 }],
    ['localhost:1717', { host: 'localhost', port: 1717 }],
    ['run/stats.sock', '/srv/app/config/run/stats.sock'],
    ['../run/stats.sock', '/srv/app/run/stats.sock'],
    ['/run/a:1', '/run/a:1'],
    ['', null],
  ];
  for (const [raw, value] of cases) assert.deepEqual(parseValue(spec, raw, '/srv/app/config'), { ok: true, value }, raw);
  for (const bad of ['127.0.0.1:0', '127.0.0.1:70000', 'host:']) {
    assert.equal(parseValue(spec, bad, '/srv').ok, false, bad);
  }
  assert.equal(formatValue(spec, { host: '::1', port: 9191 }), '[::1]:9191');
  assert.equal(formatValue(spec, '/run/stats.sock'), '/run/stats.sock');
});

test('the stats options resolve from a file relative to it, with uWSGI defaults', () => {
  const { config } = resolveConfig({ cwd: '/srv/app' });
  assert.deepEqual([config.stats, config.statsHttp, config.statsMinified, config.chmodStats, config.metrics], [null, false, false, 0o600, true]);
  const fromEnv = resolveConfig({ cwd: '/srv/app', env: { MLSERVE_STATS: 'run/stats.sock', MLSERVE_CHMOD_STATS: '660' } }).config;
  assert.deepEqual([fromEnv.stats, fromEnv.chmodStats], ['/srv/app/run/stats.sock', 0o660]);
  const fromCli = resolveConfig({ cwd: '/srv/app', argv: ['--stats', '127.0.0.1:1717', '--stats-http', '--no-metrics'] }).config;
  assert.deepEqual([fromCli.stats, fromCli.statsHttp, fromCli.metrics], [{ host: '127.0.0.1', port: 1717 }, true, false]);
});
