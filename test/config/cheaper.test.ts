import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/config/resolve.js';
import { cwd, withFile } from './withFile.js';

test('a pasted uWSGI cheaper block is read, with uWSGI names and units', () => {
  const { config, warnings } = withFile([
    '[uwsgi]',
    'processes = 8',
    'cheaper = 2',
    'cheaper-initial = 4',
    'cheaper-algo = busyness',
    'cheaper-step = 2',
    'cheaper-overload = 5',
    'cheaper-busyness-max = 60',
    'cheaper-busyness-min = 20',
    'cheaper-busyness-multiplier = 20',
    'cheaper-busyness-penalty = 3',
    'cheaper-busyness-backlog-alert = 16',
    'cheaper-busyness-backlog-step = 2',
    'cheaper-busyness-verbose = true',
    'cheaper-rss-limit-soft = 201326592',
    'cheaper-rss-limit-hard = 234881024',
    'harakiri = 30',
    'max-requests = 1000',
    'max-requests-delta = 50',
    'min-worker-lifetime = 60',
    'reload-on-rss = 512M',
    'check-interval = 2',
  ].join('\n'));
  assert.deepEqual(
    [config.workers, config.cheaper, config.cheaperInitial, config.cheaperAlgo, config.cheaperStep, config.cheaperOverload],
    [8, 2, 4, 'busyness', 2, 5],
  );
  assert.deepEqual(
    [config.cheaperBusynessMax, config.cheaperBusynessMin, config.cheaperBusynessMultiplier, config.cheaperBusynessPenalty, config.cheaperBusynessBacklogAlert, config.cheaperBusynessBacklogStep],
    [60, 20, 20, 3, 16, 2],
  );
  assert.deepEqual([config.cheaperRssLimitSoft, config.cheaperRssLimitHard], [192 * 2 ** 20, 224 * 2 ** 20]);
  assert.deepEqual(
    [config.harakiri, config.maxRequests, config.maxRequestsDelta, config.minWorkerLifetime, config.reloadOnRss, config.checkInterval],
    [30, 1000, 50, 60, 512 * 2 ** 20, 2],
  );
  assert.deepEqual(warnings, [
    `config/mlserve.ini:14: uWSGI option "cheaper-busyness-verbose" ignored: the busyness algorithm's state (averages, multiplier, timers) is always in the stats socket`,
  ]);
});

test('cheaper options also come from the environment and flags', () => {
  const { config, sources } = resolveConfig({ cwd, env: { MLSERVE_CHEAPER: '1', MLSERVE_CHEAPER_ALGO: 'spare2' }, argv: ['--workers', '4', '--cheaper-step=2'] });
  assert.deepEqual([config.cheaper, config.cheaperAlgo, config.cheaperStep], [1, 'spare2', 2]);
  assert.deepEqual([sources.cheaper, sources['cheaper-step']], ['env', 'cli']);
});

test('cheaper must be lower than workers: ERR_CONFIG_VALUE naming both keys and where they were set', () => {
  const cases: Array<[() => unknown, string]> = [
    [() => withFile('[uwsgi]\nprocesses = 4\ncheaper = 4'), 'config/mlserve.ini:3: cheaper = "4": invalid cheaper value: must be lower than workers (config/mlserve.ini:2: processes = "4")'],
    [() => withFile('[mlserve]\ncheaper = 3'), 'config/mlserve.ini:2: cheaper = "3": invalid cheaper value: must be lower than workers (workers = 2 by default)'],
    [() => resolveConfig({ cwd, env: { MLSERVE_CHEAPER: '2' } }), 'MLSERVE_CHEAPER="2": invalid cheaper value: must be lower than workers (workers = 2 by default)'],
    [() => resolveConfig({ cwd, env: { MLSERVE_WORKERS: '3' }, argv: ['--cheaper', '5'] }), '--cheaper "5": invalid cheaper value: must be lower than workers (MLSERVE_WORKERS="3")'],
  ];
  for (const [fn, message] of cases) assert.throws(fn, { code: 'ERR_CONFIG_VALUE', message });
  assert.equal(resolveConfig({ cwd, argv: ['--workers', '3', '--cheaper', '2'] }).config.cheaper, 2);
});

test('cheaper-initial outside [cheaper, workers] is clamped with a warning (uWSGI wording); ignored with cheaper 0', () => {
  const low = withFile('[mlserve]\nworkers = 8\ncheaper = 3\ncheaper-initial = 1');
  assert.equal(low.config.cheaperInitial, 3);
  assert.deepEqual(low.warnings, [
    'config/mlserve.ini:4: cheaper-initial = "1": invalid cheaper-initial value, must be equal or higher than cheaper (config/mlserve.ini:3: cheaper = "3"): using 3 as the initial number of workers',
  ]);
  const high = resolveConfig({ cwd, argv: ['--workers', '4', '--cheaper', '1', '--cheaper-initial', '6'] });
  assert.equal(high.config.cheaperInitial, 4);
  assert.deepEqual(high.warnings, [
    '--cheaper-initial "6": invalid cheaper-initial value, must be lower or equal than workers (--workers "4"): using 4 as the initial number of workers',
  ]);
  const off = resolveConfig({ cwd, env: { MLSERVE_CHEAPER_INITIAL: '1' } });
  assert.equal(off.config.cheaperInitial, 1);
  assert.deepEqual(off.warnings, ['MLSERVE_CHEAPER_INITIAL="1": ignored, cheaper is 0 (scaling off) so all 2 workers start']);
  const fine = resolveConfig({ cwd, argv: ['--workers', '4', '--cheaper', '1', '--cheaper-initial', '4'] });
  assert.deepEqual([fine.config.cheaperInitial, fine.warnings], [4, []]);
});

test('an unknown cheaper-algo is an error (uWSGI falls back to spare silently)', () => {
  assert.throws(() => withFile('[uwsgi]\ncheaper-algo = spare3'), {
    code: 'ERR_CONFIG_VALUE',
    message: 'config/mlserve.ini:2: cheaper-algo = "spare3": expected one of spare, spare2, backlog, busyness, manual',
  });
});

test('rss limits: hard must be higher than soft; either may be set alone', () => {
  assert.throws(() => withFile('[uwsgi]\ncheaper-rss-limit-soft = 512M\ncheaper-rss-limit-hard = 512M'), {
    code: 'ERR_CONFIG_VALUE',
    message: 'config/mlserve.ini:3: cheaper-rss-limit-hard = "512M": must be higher than cheaper-rss-limit-soft (config/mlserve.ini:2: cheaper-rss-limit-soft = "512M")',
  });
  assert.equal(withFile('[uwsgi]\ncheaper-rss-limit-hard = 1G').config.cheaperRssLimitHard, 2 ** 30);
  assert.equal(withFile('[uwsgi]\ncheaper-rss-limit-soft = 1G').config.cheaperRssLimitSoft, 2 ** 30);
});

test('single-option limits: a bare reload-on-rss (uWSGI megabytes) is refused, zero overload/step/interval too', () => {
  const cases: Array<[string, string]> = [
    ['reload-on-rss = 512', 'config/mlserve.ini:2: reload-on-rss = "512": expected a size in bytes of at least 1048576, e.g. 1048576, 512k or 1M'],
    ['cheaper-overload = 0', 'config/mlserve.ini:2: cheaper-overload = "0": expected an integer of at least 1'],
    ['cheaper-step = 0', 'config/mlserve.ini:2: cheaper-step = "0": expected an integer from 1 to 256'],
    ['check-interval = 0', 'config/mlserve.ini:2: check-interval = "0": expected an integer from 1 to 3600'],
    ['cheaper-busyness-max = 101', 'config/mlserve.ini:2: cheaper-busyness-max = "101": expected an integer from 0 to 100'],
  ];
  for (const [line, message] of cases) assert.throws(() => withFile(`[uwsgi]\n${line}`), { code: 'ERR_CONFIG_VALUE', message }, line);
});

test('cheaper-busyness-min above -max is refused', () => {
  assert.throws(() => resolveConfig({ cwd, argv: ['--cheaper-busyness-min', '60'] }), {
    code: 'ERR_CONFIG_VALUE',
    message: '--cheaper-busyness-min "60": must not be higher than cheaper-busyness-max (cheaper-busyness-max = 50 by default)',
  });
});

test('the cheaper-busyness-* and cheaper-rss-limit-* families are no longer ignored: a typo is an unknown key', () => {
  assert.throws(() => withFile('[mlserve]\ncheaper-busyness-maxx = 50'), {
    code: 'ERR_CONFIG_KEY',
    message: 'config/mlserve.ini:2: unknown key "cheaper-busyness-maxx" in [mlserve] (did you mean "cheaper-busyness-max"?)',
  });
  // In [uwsgi] it is a placeholder, as in uWSGI: unused, so a warning with the likely key.
  const { warnings } = withFile('[uwsgi]\ncheaper-busyness-maxx = 50');
  assert.ok(warnings.some((w) => w.includes('"cheaper-busyness-maxx" is not an option mlserve knows') && w.includes('did you mean "cheaper-busyness-max"?')), warnings.join('\n'));
});
