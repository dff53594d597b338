import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findAccount } from '../../src/master/accounts.js';
import { fifoAction } from '../../src/master/masterFifo.js';
import { applyEnvAndChdir, parseEnvEntry } from '../../src/master/processOptions.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { createLogger } from '../../src/log.js';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { touched } from '../../src/master/touchReload.js';

const passwd = 'root:x:0:0:root:/root:/bin/bash\n# comment\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

test('findAccount: names from the file, numbers as they are', () => {
  assert.deepEqual(findAccount(passwd, 'user', 'nobody'), { name: 'nobody', id: 65534, gid: 65534 });
  assert.deepEqual(findAccount(passwd, 'user', '0'), { name: 'root', id: 0, gid: 0 });
  assert.deepEqual(findAccount(passwd, 'user', '1234'), { name: null, id: 1234, gid: 1234 });
  assert.equal(findAccount(passwd, 'user', 'harkous'), null);
  assert.deepEqual(findAccount('nogroup:x:65534:\n', 'group', 'nogroup'), { name: 'nogroup', id: 65534, gid: 65534 });
});

test('env entries split at the first =, as uWSGI does; no = is an error', () => {
  assert.deepEqual(parseEnvEntry('PYTHONPATH=/a:$PYTHONPATH'), ['PYTHONPATH', '/a:$PYTHONPATH']);
  assert.deepEqual(parseEnvEntry('A=b=c'), ['A', 'b=c']);
  assert.deepEqual(parseEnvEntry('EMPTY='), ['EMPTY', '']);
  assert.throws(() => parseEnvEntry('NOVALUE'), { code: 'ERR_CONFIG_VALUE' });
  assert.throws(() => parseEnvEntry('=x'), { code: 'ERR_CONFIG_VALUE' });
});

test("master FIFO commands follow uWSGI's table; other bytes are none of ours", () => {
  const of = (c: string) => fifoAction(c.charCodeAt(0));
  assert.deepEqual(['r', 'c', 'q', '+', '-', 's'].map(of), ['reload', 'reload', 'stop', 'worker+', 'worker-', 'stats']);
  assert.equal(of('x'), null);
  assert.equal(of('Q'), null);
});

test('a touch is an mtime that moved, including a file that appears; a removed file is not', () => {
  assert.equal(touched({ mtimeMs: 2 }, { mtimeMs: 1 }), true);
  assert.equal(touched({ mtimeMs: 5 }, { mtimeMs: 0 }), true);
  assert.equal(touched({ mtimeMs: 1 }, { mtimeMs: 1 }), false);
  assert.equal(touched({ mtimeMs: 0 }, { mtimeMs: 3 }), false);
});

test('env and chdir are applied to this process (worker threads copy both when they start)', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mlserve-chdir-')));
  const before = process.cwd();
  const { config } = resolveConfig({ cwd: before, argv: ['--env', 'UWSGI_DROPIN_T13_A=1=2', '--env', 'UWSGI_DROPIN_T13_B=', '--chdir', dir] });
  try {
    applyEnvAndChdir(config, createLogger({ level: 'silent' }));
    assert.equal(process.env['UWSGI_DROPIN_T13_A'], '1=2');
    assert.equal(process.env['UWSGI_DROPIN_T13_B'], '');
    assert.equal(process.cwd(), dir);
  } finally {
    process.chdir(before);
    delete process.env['UWSGI_DROPIN_T13_A'];
    delete process.env['UWSGI_DROPIN_T13_B'];
    rmSync(dir, { recursive: true, force: true });
  }
  const missing = resolveConfig({ cwd: before, argv: ['--chdir', join(dir, 'gone')] }).config;
  assert.throws(() => applyEnvAndChdir(missing, createLogger({ level: 'silent' })), { code: 'ERR_CONFIG_VALUE', message: /^chdir = .*gone: / });
});
