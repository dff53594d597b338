import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/config/resolve.js';
import { cwd, withFile } from './withFile.js';

test('defaults alone: every field, all from "default", relative paths against cwd', () => {
  const { config, sources, warnings } = resolveConfig({ cwd });
  assert.deepEqual(config, {
    socket: '/srv/app/run/mlserve.sock',
    httpSocket: null,
    uwsgiSocket: null,
    http: null,
    chmodSocket: 0o660,
    chownSocket: null,
    bufferSize: 4096,
    socketTimeout: 4,
    uid: null,
    gid: null,
    chdir: null,
    env: [],
    touchReload: [],
    touchChainReload: [],
    masterFifo: null,
    strict: false,
    vacuum: true,
    workers: 2,
    cheaper: 0,
    cheaperInitial: null,
    cheaperAlgo: 'spare',
    cheaperStep: 1,
    cheaperOverload: 3,
    cheaperIdle: 10,
    cheaperBusynessMax: 50,
    cheaperBusynessMin: 25,
    cheaperBusynessMultiplier: 10,
    cheaperBusynessPenalty: 2,
    cheaperBusynessBacklogAlert: 33,
    cheaperBusynessBacklogMultiplier: 3,
    cheaperBusynessBacklogStep: 1,
    cheaperBusynessBacklogNonzero: 60,
    cheaperRssLimitSoft: null,
    cheaperRssLimitHard: null,
    checkInterval: 1,
    harakiri: 0,
    maxRequests: 0,
    maxRequestsDelta: 0,
    minWorkerLifetime: 10,
    workerMaxHeap: null,
    reloadOnRss: null,
    model: '/srv/app/models/reuters',
    modelName: null,
    backend: 'auto',
    fastPath: true,
    maxBatch: 256,
    maxBatchSize: 32,
    batchTimeoutMicros: 0,
    batchLingerMicros: 500,
    maxEnqueuedBatches: 1000,
    listen: 1024,
    maxBodySize: 1048576,
    maxTextLength: 100000,
    shutdownTimeout: 30,
    shutdownDelay: 0,
    keepaliveTimeout: 65,
    stats: null,
    statsHttp: false,
    statsMinified: false,
    chmodStats: 0o600,
    metrics: true,
    pidfile: null,
    logLevel: 'info',
    logFormat: 'json',
  });
  assert.ok(Object.values(sources).every((s) => s === 'default'));
  assert.deepEqual(warnings, []);
  assert.ok(Object.isFrozen(config));
});

test('precedence: default < file < env < cli, per option, with sources', () => {
  const { config, sources } = withFile('[mlserve]\nworkers = 3\nlisten = 7\nmax-batch = 9\n', {
    env: { MLSERVE_LISTEN: '8', MLSERVE_MAX_BATCH: '10', PATH: '/bin' },
    argv: ['--max-batch', '11'],
  });
  assert.deepEqual(
    [config.maxTextLength, config.workers, config.listen, config.maxBatch],
    [100000, 3, 8, 11],
  );
  assert.deepEqual(
    [sources['max-text-length'], sources.workers, sources.listen, sources['max-batch']],
    ['default', 'file', 'env', 'cli'],
  );
});

test('CLI forms: --key value, --key=value, --bool, --no-bool, --bool=off; the last flag wins', () => {
  const { config } = resolveConfig({ cwd, argv: ['--workers', '3', '--workers=4', '--no-vacuum', '--http=:8000'] });
  assert.equal(config.workers, 4);
  assert.equal(config.vacuum, false);
  assert.deepEqual(config.http, { host: '127.0.0.1', port: 8000 });
  assert.equal(resolveConfig({ cwd, env: { MLSERVE_VACUUM: 'no' }, argv: ['--vacuum'] }).config.vacuum, true);
  assert.equal(resolveConfig({ cwd, argv: ['--vacuum=off'] }).config.vacuum, false);
});

test('aliases in file, env and CLI: processes is workers', () => {
  assert.equal(withFile('[uwsgi]\nprocesses = 5').config.workers, 5);
  assert.equal(resolveConfig({ cwd, env: { MLSERVE_PROCESSES: '6' } }).config.workers, 6);
  assert.equal(resolveConfig({ cwd, argv: ['--processes', '7'] }).config.workers, 7);
});

test('env: the option name beats an alias, with a warning', () => {
  const r = resolveConfig({ cwd, env: { MLSERVE_PROCESSES: '6', MLSERVE_WORKERS: '4' } });
  assert.equal(r.config.workers, 4);
  assert.deepEqual(r.warnings, ['MLSERVE_PROCESSES: ignored, MLSERVE_WORKERS is also set and wins']);
});

test('file: a repeated key keeps the last value, with a warning (also through an alias)', () => {
  const r = withFile('[mlserve]\nworkers = 2\nprocesses = 3\nworkers = 4');
  assert.equal(r.config.workers, 4);
  assert.deepEqual(r.warnings, [
    'config/mlserve.ini:2: workers = "2" is overridden by line 4 (the last one wins)',
    'config/mlserve.ini:3: processes = "3" is overridden by line 4 (the last one wins)',
  ]);
});

test('[uwsgi] is read; [mlserve] wins on conflict wherever it is, without a warning', () => {
  const r = withFile('[mlserve]\nworkers = 3\n[uwsgi]\nprocesses = 8\nlisten = 50\n');
  assert.equal(r.config.workers, 3);
  assert.equal(r.config.listen, 50);
  assert.deepEqual(r.warnings, []);
});

test('paths: from the file against its directory, from env/CLI/defaults against cwd', () => {
  const r = withFile('[mlserve]\nmodel = ../models/reuters\n', { env: { MLSERVE_SOCKET: 'tmp/s.sock' } });
  assert.equal(r.config.model, '/srv/app/models/reuters');
  assert.equal(r.config.socket, '/srv/app/tmp/s.sock');
  assert.equal(withFile('[mlserve]\nsocket = run/a.sock').config.socket, '/srv/app/config/run/a.sock');
  assert.equal(withFile('[mlserve]\nsocket = %drun/a.sock').config.socket, '/srv/app/config/run/a.sock');
  assert.equal(withFile('[mlserve]\nworkers = 2').config.model, '/srv/app/models/reuters');
  assert.equal(resolveConfig({ cwd, argv: ['--model', 'm'] }).config.model, '/srv/app/m');
});

test('an empty value switches http off, also over the file', () => {
  assert.equal(withFile('[mlserve]\nhttp = :8000', { env: { MLSERVE_HTTP: '' } }).config.http, null);
  assert.equal(withFile('[mlserve]\nhttp =').config.http, null);
});

test('unknown file key: ERR_CONFIG_KEY with file, line and did-you-mean', () => {
  const cases: Array<[string, string]> = [
    ['worker = 2', 'config/mlserve.ini:2: unknown key "worker" in [mlserve] (did you mean "workers"?)'],
    ['sokcet = a', 'config/mlserve.ini:2: unknown key "sokcet" in [mlserve] (did you mean "socket"?)'],
    ['keepalive = 3', 'config/mlserve.ini:2: unknown key "keepalive" in [mlserve] (did you mean "keepalive-timeout"?)'],
    ['max_body_size = 1', 'config/mlserve.ini:2: unknown key "max_body_size" in [mlserve] (did you mean "max-body-size"?)'],
    ['harakri = 3', 'config/mlserve.ini:2: unknown key "harakri" in [mlserve] (did you mean "harakiri"?)'],
    ['frobnicate = 1', 'config/mlserve.ini:2: unknown key "frobnicate" in [mlserve]'],
  ];
  for (const [line, message] of cases) {
    assert.throws(() => withFile(`[mlserve]\n${line}`), { code: 'ERR_CONFIG_KEY', message }, line);
  }
});

test('unknown CLI flag: ERR_CLI_ARGS with did-you-mean', () => {
  assert.throws(() => resolveConfig({ cwd, argv: ['--wrokers', '2'] }), {
    code: 'ERR_CLI_ARGS',
    message: 'unknown option --wrokers (did you mean "--workers"?)',
  });
  assert.throws(() => resolveConfig({ cwd, argv: ['--max-batch-siz=2'] }), {
    code: 'ERR_CLI_ARGS',
    message: 'unknown option --max-batch-siz (did you mean "--max-batch-size"?)',
  });
});

test('unknown MLSERVE_* variable: a warning with did-you-mean, not an error', () => {
  const r = resolveConfig({ cwd, env: { MLSERVE_WORKER: '3', MLSERVE_ZZZ: '1' } });
  assert.equal(r.config.workers, 2);
  assert.deepEqual(r.warnings, [
    'MLSERVE_WORKER: unknown mlserve variable, ignored (did you mean "MLSERVE_WORKERS"?)',
    'MLSERVE_ZZZ: unknown mlserve variable, ignored',
  ]);
});

test('uWSGI keys without meaning warn and are ignored; implemented ones are read', () => {
  const r = withFile('[uwsgi]\nmaster = true\nplugins = python3\nstats = 127.0.0.1:9191\npidfile = /tmp/x.pid\nprocesses = 4\n');
  assert.equal(r.config.workers, 4);
  // `stats` is implemented now (docs/stats.md): read, not warned about.
  assert.deepEqual(r.config.stats, { host: '127.0.0.1', port: 9191 });
  assert.deepEqual(r.warnings, [
    `config/mlserve.ini:2: uWSGI option "master" ignored: mlserve runs one master with worker threads; 'master' is always on`,
    'config/mlserve.ini:3: uWSGI option "plugins" ignored: mlserve has no plugins; Node.js and tfjs are built in',
  ]);
  assert.equal(r.config.pidfile, '/tmp/x.pid');
  assert.match(resolveConfig({ cwd, argv: ['--master', '--die-on-term'] }).warnings.join('\n'), /--master: .*\n--die-on-term: /);
});

test('bad values: ERR_CONFIG_VALUE naming the source, the value and what is expected', () => {
  const cases: Array<[() => unknown, string]> = [
    [() => withFile('[mlserve]\n\n\nworkers = two'), 'config/mlserve.ini:4: workers = "two": expected an integer from 1 to 256, or auto'],
    [() => withFile('[mlserve]\nprocesses = 0'), 'config/mlserve.ini:2: processes = "0": expected an integer from 1 to 256, or auto'],
    [() => resolveConfig({ cwd, env: { MLSERVE_MAX_BODY_SIZE: '1MB' } }), 'MLSERVE_MAX_BODY_SIZE="1MB": expected a size in bytes of at least 1, e.g. 1048576, 512k or 1M'],
    [() => resolveConfig({ cwd, argv: ['--backend', 'gpu'] }), '--backend "gpu": expected one of auto, tensorflow, wasm, cpu'],
    [() => resolveConfig({ cwd, argv: ['--vacuum=maybe'] }), '--vacuum "maybe": expected a boolean: true/false, yes/no, on/off or 1/0'],
    [() => withFile('[mlserve]\nworkers = 2 # two'), 'config/mlserve.ini:2: workers = "2 # two": expected an integer from 1 to 256, or auto (uWSGI ini has no inline comments: put the comment on its own line)'],
  ];
  for (const [fn, message] of cases) assert.throws(fn, { code: 'ERR_CONFIG_VALUE', message });
});

test('a bad value is an error even when a stronger source overrides it', () => {
  assert.throws(() => withFile('[mlserve]\nworkers = two', { argv: ['--workers', '4'] }), { code: 'ERR_CONFIG_VALUE' });
});
