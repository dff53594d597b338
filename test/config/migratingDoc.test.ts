// docs/migrating-from-uwsgi.md must cover every key a user of the classic stack writes: every
// key of the seed's uwsgi.ini, every uWSGI key mlserve ignores, every uWSGI-named option; and
// its step 3 must switch the seed's own production_ml.service to a unit that works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ignoredUwsgiKeys } from '../../src/config/uwsgi-keys.js';
import { repoRoot, sharedDir } from '../helpers/paths.js';
import { missingTool } from '../systemd/tools.js';

const doc = readFileSync(join(repoRoot, 'docs', 'migrating-from-uwsgi.md'), 'utf8');
const seed = join(sharedDir, 'fixtures', 'seed');
const seedIni = readFileSync(join(seed, 'uwsgi.ini'), 'utf8');

test('every key of the seed uwsgi.ini is in docs/migrating-from-uwsgi.md', () => {
  const keys = [...seedIni.matchAll(/^([a-z_-]+)\s*=/gm)].map((m) => m[1]!);
  assert.ok(keys.length > 15);
  for (const key of new Set(keys)) assert.ok(doc.includes(`\`${key}\``), `${key} is not in the migration doc`);
});

test('every ignored uWSGI key and every uWSGI drop-in option is in docs/migrating-from-uwsgi.md', () => {
  const implemented = ['socket', 'http-socket', 'uwsgi-socket', 'chown-socket', 'buffer-size', 'socket-timeout', 'uid', 'gid', 'chdir', 'env', 'touch-reload', 'touch-chain-reload', 'master-fifo', 'strict'];
  for (const key of [...Object.keys(ignoredUwsgiKeys), ...implemented]) assert.ok(doc.includes(`\`${key}\``), `${key} is not in the migration doc`);
});

/** The ```ini blocks of the doc's "3. The systemd unit" step: the seed's unit, then its replacement. */
function unitBlocks(): [string, string] {
  const step = doc.slice(doc.indexOf('### 3. The systemd unit'), doc.indexOf('### 4.'));
  const blocks = [...step.matchAll(/^```ini\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  assert.equal(blocks.length, 2, 'step 3 shows the seed unit and its replacement');
  return [blocks[0]!, blocks[1]!];
}

/** `key=value` lines of a unit, comments and blanks skipped, as [section, key, value]. */
function unitLines(text: string): Array<[string, string, string]> {
  let section = '';
  const out: Array<[string, string, string]> = [];
  for (const line of text.split('\n')) {
    if (/^\[.*\]$/.test(line)) section = line;
    else if (/^\w+=/.test(line)) out.push([section, line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  }
  return out;
}

test("step 3 quotes the seed's production_ml.service as it is and keeps all of it but ExecStart and Description", () => {
  const [quoted, replacement] = unitBlocks();
  const classic = unitLines(readFileSync(join(seed, 'production_ml.service'), 'utf8'));
  assert.deepEqual(unitLines(quoted), classic, 'the quoted unit is the seed file');
  const next = unitLines(replacement);
  for (const [section, key, value] of classic) {
    if (key === 'ExecStart' || key === 'Description') continue;
    assert.ok(next.some((l) => l[0] === section && l[1] === key && l[2] === value), `${section} ${key}=${value} is kept`);
  }
  const get = (key: string): string[] => next.filter((l) => l[1] === key).map((l) => l[2]);
  assert.deepEqual(get('Type'), ['notify']);
  assert.deepEqual(get('NotifyAccess'), ['all'], 'mlserve notifies through a child process');
  // The same ini uWSGI read, with a value for every placeholder it uses, and a model.
  const [execStart] = get('ExecStart');
  const iniPath = / --ini (\S+)/.exec(classic.find((l) => l[1] === 'ExecStart')![2])![1]!;
  assert.match(execStart!, new RegExp(`^/usr/local/bin/mlserve --config ${iniPath} `));
  const used = new Set([...seedIni.matchAll(/%\(([a-z_]+)\)/g)].map((m) => m[1]!));
  assert.deepEqual([...used].sort(), ['my_app_folder', 'my_user']);
  for (const name of used) assert.match(execStart!, new RegExp(` --set-ph ${name}=\\S+`), name);
  assert.match(execStart!, / --model \S+/);
  // Regression (issue 16): `ExecReload=/bin/kill -HUP $MAINPID` needs procps (203/EXEC on a minimal
  // host); every command of the unit is mlserve itself, as docs/deploy.md installs it.
  assert.deepEqual(get('ExecReload'), ['/usr/local/bin/mlserve reload --pid $MAINPID']);
  for (const [, key, value] of next) if (key.startsWith('Exec')) assert.match(value, /^\/usr\/local\/bin\/mlserve /, `${key}=${value}`);
});

test("step 3's unit passes systemd-analyze verify without a warning", { skip: missingTool('systemd-analyze') }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // verify checks that each Exec*= binary exists: point the installed path at a stub.
  const stub = join(dir, 'mlserve');
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  const unit = join(dir, 'production_ml.service');
  writeFileSync(unit, unitBlocks()[1].replaceAll('/usr/local/bin/mlserve', stub));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'systemd-analyze verify printed warnings');
});
