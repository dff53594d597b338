import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { formatConfigReport } from '../../src/config/printConfig.js';
import { parseIni } from '../../src/config/ini.js';

test('--print-config names each source (file:line, env, flag), ignored keys and placeholders, and reads back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-print-'));
  try {
    writeFileSync(join(dir, 'app.ini'), '[uwsgi]\nbase = /srv/x\nsocket = %(base)/a.sock\nmaster = true\nenv = A=1\nunused_key = 1\n');
    const loaded = await loadConfig({ argv: ['--config', 'app.ini', '--workers', '4', '--env', 'B=2'], env: { MLSERVE_HARAKIRI: '30' }, cwd: dir });
    const text = formatConfigReport(loaded);
    assert.match(text, /; socket from file app\.ini:3\nsocket = \/srv\/x\/a\.sock\n/);
    assert.match(text, /; workers from flag --workers\nworkers = 4\n/);
    assert.match(text, /; harakiri from env MLSERVE_HARAKIRI\nharakiri = 30\n/);
    assert.match(text, /; env from file app\.ini:5\nenv = A=1\n; env from flag --env\nenv = B=2\n/);
    assert.match(text, /;   app\.ini:4: master: ignored: mlserve runs one master/);
    assert.match(text, /;   app\.ini:2: base = \/srv\/x\n/);
    assert.match(text, /;   app\.ini:6: unused_key = 1  \(never used\)/);
    // What it prints is an ini mlserve reads: the same values come back.
    const again = parseIni(text, { fileName: 'printed.ini', cwd: dir, env: {} }).entries;
    assert.equal(again.find((e) => e.key === 'socket')?.value, '/srv/x/a.sock');
    assert.deepEqual(again.filter((e) => e.key === 'env').map((e) => e.value), ['A=1', 'B=2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Issue 13 item 3: the Python application's keys stay ignored, each with its reason, never an error.
test('file, wsgi-file, callable, module, lazy-apps, master and die-on-term are read, ignored and reported with a reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-print-'));
  try {
    const keys = ['file', 'wsgi-file', 'callable', 'module', 'lazy-apps', 'master', 'die-on-term'];
    writeFileSync(join(dir, 'app.ini'), `[uwsgi]\n${keys.map((k) => `${k} = x`).join('\n')}\n`);
    const loaded = await loadConfig({ argv: ['--config', 'app.ini', '--strict'], env: {}, cwd: dir });
    assert.deepEqual(loaded.report.ignored.map((i) => [i.key, i.where]), keys.map((k, n) => [k, `app.ini:${n + 2}`]));
    const text = formatConfigReport(loaded);
    for (const [n, key] of keys.entries()) assert.match(text, new RegExp(`;   app\\.ini:${n + 2}: ${key}: ignored: \\S.{10,}\n`), key);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
