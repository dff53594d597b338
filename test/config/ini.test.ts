import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIni } from '../../src/config/ini.js';

const ctx = { fileName: 'config/app.ini', cwd: '/srv/mlserve', env: { HOME: '/home/ml' } };
const entries = (text: string, env: Record<string, string> = ctx.env) =>
  parseIni(text, { ...ctx, env }).entries.map(({ section, key, value, line }) => [section, key, value, line]);

test('reads [mlserve] and [uwsgi], skips other sections, comments and blank lines', () => {
  const text = [
    '# a comment',
    '; another',
    '',
    '[uwsgi]',
    'processes = 4',
    '[other]',
    'workers = 9',
    '[mlserve]',
    '  workers   =   2  ',
    'http =',
  ].join('\n');
  assert.deepEqual(entries(text), [
    ['uwsgi', 'processes', '4', 5],
    ['mlserve', 'workers', '2', 9],
    ['mlserve', 'http', '', 10],
  ]);
});

test('keeps repeated keys with their lines, for resolveConfig to pick the last', () => {
  assert.deepEqual(entries('[mlserve]\nworkers = 2\nworkers = 3\n'), [
    ['mlserve', 'workers', '2', 2],
    ['mlserve', 'workers', '3', 3],
  ]);
});

test('CRLF line endings and a BOM are fine', () => {
  assert.deepEqual(entries('\uFEFF[mlserve]\r\nworkers = 2\r\n'), [['mlserve', 'workers', '2', 2]]);
});

test('no inline comments, as in uWSGI', () => {
  assert.deepEqual(entries('[mlserve]\nworkers = 2 # two'), [['mlserve', 'workers', '2 # two', 2]]);
});

test('expands %d (with trailing slash), %n, %p, %% and $(NAME)', () => {
  const text = '[mlserve]\na = %drun/%n.sock\nb = %p\nc = 100%%\nd = $(HOME)/models\ne = %d../x';
  assert.deepEqual(entries(text).map((e) => e[2]), [
    '/srv/mlserve/config/run/app.sock',
    '/srv/mlserve/config/app.ini',
    '100%',
    '/home/ml/models',
    '/srv/mlserve/config/../x',
  ]);
});

test('text from $(NAME) is not expanded again', () => {
  assert.deepEqual(entries('[mlserve]\na = $(X)', { X: '%d$(Y)' }).map((e) => e[2]), ['%d$(Y)']);
});

test('malformed lines are ERR_CONFIG_SYNTAX naming file and line', () => {
  const cases: Array<[string, RegExp]> = [
    ['[mlserve]\nworkers 2', /^config\/app\.ini:2: expected "key = value" or "\[section\]", got "workers 2"$/],
    ['[mlserve\nworkers = 2', /^config\/app\.ini:1: malformed section header "\[mlserve"$/],
    ['[mlserve]\n= 2', /^config\/app\.ini:2: malformed key ""/],
    ['[mlserve]\nmax body = 2', /^config\/app\.ini:2: malformed key "max body"/],
    ['[mlserve]\nsocket = %k.sock', /^config\/app\.ini:2: unsupported magic variable "%k"/],
    ['[mlserve]\nsocket = 50%', /^config\/app\.ini:2: unsupported magic variable "%"/],
    ['[mlserve]\nmodel = $(NOPE)/m', /^config\/app\.ini:2: environment variable NOPE is not set/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseIni(text, ctx), { name: 'MlserveError', code: 'ERR_CONFIG_SYNTAX', message }, text);
  }
});

test('magic variables are not checked in sections mlserve does not read', () => {
  assert.deepEqual(entries('[other]\nsocket = %k.sock\n[mlserve]\nworkers = 2'), [['mlserve', 'workers', '2', 4]]);
});

test('warns about keys before any section and about a file without a section mlserve reads', () => {
  assert.deepEqual(parseIni('workers = 2\n[app]\nx = 1', ctx).warnings, [
    'config/app.ini:1: "workers" is outside any section and is ignored; put it under [mlserve]',
    'config/app.ini: no [mlserve] or [uwsgi] section (found [app]); nothing was read',
  ]);
  assert.deepEqual(parseIni('[mlserve]\nworkers = 2', ctx).warnings, []);
});
