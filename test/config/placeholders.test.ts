// uWSGI's %(name) placeholders, --set-ph, custom [uwsgi] keys and strict mode (core/config.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIni } from '../../src/config/ini.js';
import { parseArgs } from '../../src/config/args.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { cwd, fileName } from './withFile.js';

function load(text: string, argv: string[] = []) {
  const args = parseArgs(argv);
  const ini = parseIni(text, { fileName, cwd, env: { HOME: '/home/ml' }, placeholders: args.placeholders });
  return resolveConfig({ fileEntries: ini.entries, fileName, cwd, argv, referenced: ini.referenced });
}

test('%(name) takes a custom [uwsgi] key, set before or after, and any option', () => {
  const { config, warnings } = load('[uwsgi]\nsocket = %(base)/app.sock\nbase = /srv/x\nstats = %(socket).stats\nchdir = %(base)');
  assert.equal(config.socket, '/srv/x/app.sock');
  assert.equal(config.stats, '/srv/x/app.sock.stats');
  assert.equal(config.chdir, '/srv/x');
  assert.deepEqual(warnings, []);
});

test('--set-ph and --set-placeholder win over the file, and are never expanded again', () => {
  const text = '[uwsgi]\nfolder = /home/harkous\nsocket = %(folder)/a.sock\npidfile = %(other)/p';
  const { config } = load(text, ['--set-ph', 'folder=/tmp/t', '--set-placeholder', 'other=%(folder)']);
  assert.equal(config.socket, '/tmp/t/a.sock');
  assert.equal(config.pidfile, '/srv/app/config/%(folder)/p');
});

test('with repeats, the last one set up to the line that uses it wins', () => {
  const { config } = load('[uwsgi]\nd = /a\nsocket = %(d)/s.sock\nd = /b\nstats = %(d)/t.sock');
  assert.deepEqual([config.socket, config.stats], ['/a/s.sock', '/b/t.sock']);
});

test('a custom key never used warns with the option it probably meant', () => {
  const { warnings } = load('[uwsgi]\nchmod-sokcet = 666');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^config\/mlserve\.ini:2: "chmod-sokcet" is not an option mlserve knows and no %\(chmod-sokcet\) uses it.*did you mean "chmod-socket"/);
});

test('strict = true (in the file or as --strict) makes custom keys errors again; [mlserve] is always strict', () => {
  assert.throws(() => load('[uwsgi]\nstrict = true\nbase = /x\nsocket = %(base)/s'), { code: 'ERR_CONFIG_KEY', message: /config\/mlserve\.ini:3: unknown key "base" in \[uwsgi\].*strict = true/ });
  assert.throws(() => load('[uwsgi]\nbase = /x', ['--strict']), { code: 'ERR_CONFIG_KEY' });
  assert.throws(() => load('[mlserve]\nbase = /x'), { code: 'ERR_CONFIG_KEY', message: /unknown key "base" in \[mlserve\]/ });
});

test('an unset placeholder, a cycle and uWSGI placeholder arithmetic are errors naming file:line', () => {
  assert.throws(() => load('[uwsgi]\nmy_app_folder = /x\nsocket = %(my_app_foldr)/s'), {
    code: 'ERR_CONFIG_SYNTAX',
    message: /^config\/mlserve\.ini:3: placeholder %\(my_app_foldr\) is not set \(did you mean "my_app_folder"\?\); .*--set-ph my_app_foldr=VALUE/,
  });
  assert.throws(() => load('[uwsgi]\na = %(b)\nb = %(a)'), { code: 'ERR_CONFIG_SYNTAX', message: /refers to itself/ });
  assert.throws(() => load('[uwsgi]\nworkers = %(processes + 1)'), { code: 'ERR_CONFIG_SYNTAX', message: /no uWSGI placeholder arithmetic/ });
});

test('%% still writes a literal %, so %%(x) is not a placeholder; $(ENV) and %d still expand', () => {
  const ini = parseIni('[uwsgi]\na = %%(x)\nb = $(HOME)/%(a)\nc = %d', { fileName, cwd, env: { HOME: '/home/ml' } });
  assert.deepEqual(ini.entries.map((e) => e.value), ['%(x)', '/home/ml/%(x)', '/srv/app/config/']);
});

test('--set-ph takes NAME=VALUE and refuses an option name, as uWSGI does', () => {
  assert.throws(() => parseArgs(['--set-ph', 'novalue']), { code: 'ERR_CLI_ARGS', message: /NAME=VALUE/ });
  assert.throws(() => parseArgs(['--set-ph', 'socket=/x']), { code: 'ERR_CLI_ARGS', message: /"socket" is an option, not a placeholder/ });
});

test('repeatable options (env, touch-reload) collect every value, file lines then flags, each with its origin', () => {
  const { config, report } = load('[uwsgi]\nenv = A=1\nenv = B=%(x)\nx = 2\ntouch-reload = reload.txt', ['--env', 'C=3', '--touch-reload', '/abs/t']);
  assert.deepEqual(config.env, ['A=1', 'B=2', 'C=3']);
  assert.deepEqual(report.origins.env, ['config/mlserve.ini:2', 'config/mlserve.ini:3', '--env']);
  assert.deepEqual(config.touchReload, ['/srv/app/config/reload.txt', '/abs/t']);
});

test('the seed ini: processes = 5 then workers = 50 is one option in uWSGI too (the last wins, with a warning)', () => {
  const { config, warnings } = load('[uwsgi]\nprocesses = 5\ncheaper = 5\ncheaper-initial = 5\nworkers = 50\ncheaper-step = 3');
  assert.deepEqual([config.workers, config.cheaper, config.cheaperInitial, config.cheaperStep], [50, 5, 5, 3]);
  assert.ok(warnings.some((w) => /processes = "5" is overridden by line 5/.test(w)));
});
