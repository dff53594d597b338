/**
 * The unit files in systemd/: `systemd-analyze verify` accepts them, `systemd-analyze security`
 * rates the service at most 2.5, the sysusers and tmpfiles snippets do what the units assume,
 * and the units agree with nginx/mlserve.conf and the config schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { options } from '../../src/config/schema.js';
import { repoRoot } from '../helpers/paths.js';
import { missingTool } from './tools.js';

const skip = missingTool('systemd-analyze');
const unitsDir = join(repoRoot, 'systemd');
const service = readFileSync(join(unitsDir, 'mlserve.service'), 'utf8');
const socket = readFileSync(join(unitsDir, 'mlserve.socket'), 'utf8');
/** Where docs/deploy.md installs mlserve; ExecStart= and ExecStartPre= run it. */
const INSTALLED_BIN = '/usr/local/bin/mlserve';
const MAX_EXPOSURE = 2.5;

/** Every value of `key=` in a unit file, comments skipped. */
function values(unit: string, key: string): string[] {
  return unit
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

function run(cmd: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/**
 * The units in a temp dir, with the installed binary's path pointed at an executable stub there:
 * verify checks that every Exec*= binary exists, and this machine has no installed mlserve.
 */
function stagedUnits(): { dir: string; service: string; socket: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-units-'));
  const stub = join(dir, 'mlserve');
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  writeFileSync(join(dir, 'mlserve.service'), service.replaceAll(INSTALLED_BIN, stub));
  copyFileSync(join(unitsDir, 'mlserve.socket'), join(dir, 'mlserve.socket'));
  return { dir, service: join(dir, 'mlserve.service'), socket: join(dir, 'mlserve.socket') };
}

test('systemd-analyze verify accepts mlserve.service and mlserve.socket without a single warning', { skip }, (t) => {
  assert.deepEqual(values(service, 'ExecStart'), [`${INSTALLED_BIN} --config /etc/mlserve/mlserve.ini`]);
  assert.deepEqual(values(service, 'ExecStartPre'), [`${INSTALLED_BIN} --check --config /etc/mlserve/mlserve.ini`]);
  const staged = stagedUnits();
  t.after(() => rmSync(staged.dir, { recursive: true, force: true }));
  // verify exits 0 even for unknown keys and bad values ("..., ignoring"): any output is a failure.
  const r = run('systemd-analyze', ['verify', '--man=no', staged.service, staged.socket]);
  assert.equal(r.code, 0, r.out);
  assert.equal(r.out, '', 'systemd-analyze verify printed warnings');
});

test(`systemd-analyze security rates mlserve.service at most ${MAX_EXPOSURE}`, { skip }, (t) => {
  const staged = stagedUnits();
  t.after(() => rmSync(staged.dir, { recursive: true, force: true }));
  const r = run('systemd-analyze', ['security', '--offline=yes', '--no-pager', staged.service]);
  assert.equal(r.code, 0, r.out);
  const score = /Overall exposure level for mlserve\.service: (\d+(?:\.\d+)?)/.exec(r.out);
  assert.ok(score, `no overall exposure level in:\n${r.out}`);
  const exposure = Number(score[1]);
  assert.ok(exposure <= MAX_EXPOSURE, `exposure ${exposure} > ${MAX_EXPOSURE}; the findings:\n${r.out.split('\n').filter((l) => l.startsWith('✗')).join('\n')}`);
  // The one hardening V8 cannot take: its JIT writes code into memory it then executes.
  assert.deepEqual(values(service, 'MemoryDenyWriteExecute'), []);
});

test('the service and the socket agree with each other, nginx/mlserve.conf and the config schema', () => {
  const [listen] = values(socket, 'ListenStream');
  assert.equal(listen, '/run/mlserve/mlserve.sock');
  const nginx = readFileSync(join(repoRoot, 'nginx', 'mlserve.conf'), 'utf8');
  assert.match(nginx, new RegExp(`^\\s*server unix:${listen};`, 'm'), 'nginx proxies to the socket systemd binds');
  assert.deepEqual([values(socket, 'SocketUser'), values(socket, 'SocketGroup'), values(socket, 'SocketMode')], [['mlserve'], ['www-data'], ['0660']]);
  assert.deepEqual(values(socket, 'FileDescriptorName'), ['mlserve'], 'socketSource() picks the socket by this name');

  assert.deepEqual(values(service, 'Requires'), ['mlserve.socket']);
  assert.match(values(service, 'After').join(' '), /\bmlserve\.socket\b/);
  assert.deepEqual(values(service, 'Type'), ['notify']);
  assert.deepEqual(values(service, 'NotifyAccess'), ['all'], 'systemd-notify, a child process, sends the notifications');
  // Regression (issue 16): `/bin/kill -HUP $MAINPID` needs procps, absent on minimal hosts (203/EXEC).
  assert.deepEqual(values(service, 'ExecReload'), ['/usr/local/bin/mlserve reload --pid $MAINPID']);
  // systemd must not SIGKILL mlserve while it still drains within shutdown-timeout.
  const stopSec = Number(values(service, 'TimeoutStopSec')[0]);
  const shutdownTimeout = Number(options['shutdown-timeout'].default);
  assert.ok(stopSec > shutdownTimeout + 5, `TimeoutStopSec=${stopSec} must exceed shutdown-timeout (${shutdownTimeout} s) with room to spare`);
  assert.ok(Number(values(service, 'WatchdogSec')[0]) >= 10);
  // RuntimeDirectory= would delete the socket's directory on every stop and chown the socket
  // away from www-data on every start (systemd issue #8635): the tmpfiles entry makes it instead.
  assert.deepEqual(values(service, 'RuntimeDirectory'), []);
  assert.deepEqual(values(service, 'ReadWritePaths'), ['/run/mlserve']);
});

test('the sysusers and tmpfiles snippets create the mlserve user and /run/mlserve (mlserve:www-data 0750)', { skip: missingTool('systemd-sysusers', 'systemd-tmpfiles') || (process.getuid?.() !== 0 && 'needs root (tmpfiles chowns)') }, (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mlserve-root-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'etc'));
  mkdirSync(join(root, 'usr/lib/sysusers.d'), { recursive: true });
  mkdirSync(join(root, 'usr/lib/tmpfiles.d'), { recursive: true });
  // A Debian host's www-data (nginx's user), and nothing else.
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nwww-data:x:33:\n');
  copyFileSync(join(unitsDir, 'mlserve.sysusers'), join(root, 'usr/lib/sysusers.d/mlserve.conf'));
  copyFileSync(join(unitsDir, 'mlserve.tmpfiles'), join(root, 'usr/lib/tmpfiles.d/mlserve.conf'));

  const users = run('systemd-sysusers', [`--root=${root}`, 'mlserve.conf']);
  assert.equal(users.code, 0, users.out);
  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
  const entry = /^mlserve:x:(\d+):(\d+):[^:]*:\/nonexistent:\/usr\/sbin\/nologin$/m.exec(passwd);
  assert.ok(entry, passwd);
  assert.ok(Number(entry[1]) < 1000, 'a system user');

  const dirs = run('systemd-tmpfiles', [`--root=${root}`, '--create', 'mlserve.conf']);
  assert.equal(dirs.code, 0, dirs.out);
  const st = statSync(join(root, 'run/mlserve'));
  assert.ok(st.isDirectory());
  assert.equal(st.mode & 0o7777, 0o750);
  assert.equal(st.uid, Number(entry[1]), 'owned by mlserve');
  assert.equal(st.gid, 33, 'group www-data: nginx may reach the socket inside');
});
