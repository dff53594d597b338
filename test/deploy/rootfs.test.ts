/**
 * deploy/rootfs/build.sh without the network: its cache key, its errors, and its lock, with a fake
 * mmdebstrap on PATH (the real build is exercised by test/systemd/nspawn.test.ts, which boots it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { repoRoot } from '../helpers/paths.js';

const script = join(repoRoot, 'deploy', 'rootfs', 'build.sh');
// What build.sh runs besides mmdebstrap, for a PATH that lacks mmdebstrap.
const TOOLS = ['bash', 'sh', 'env', 'sha256sum', 'cut', 'sed', 'sort', 'paste', 'id', 'dirname', 'date', 'mkdir', 'flock', 'curl', 'awk', 'mktemp', 'rm', 'mv', 'cat', 'sleep', 'touch', 'printf'];

function build(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(script, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test('the cache key ignores package order and repeats, and changes with the packages or the suite', async () => {
  const key = async (...a: string[]) => (await build(['--print-key', ...a])).stdout.trim();
  const k = await key('--packages', 'curl,dbus');
  assert.match(k, /^[0-9a-f]{16}$/);
  assert.equal(await key('--packages', 'dbus curl', '--packages', 'curl'), k);
  assert.notEqual(await key('--packages', 'dbus'), k);
  assert.notEqual(await key('--packages', 'curl,dbus', '--suite', 'trixie'), k);
  assert.notEqual(await key('--packages', 'curl,dbus', '--format', 'tar'), k);
});

test('usage errors, a missing mmdebstrap and an unreachable mirror fail with one line that says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-rootfs-'));
  try {
    const bogus = await build(['--bogus']);
    assert.deepEqual([bogus.code, bogus.stderr.trim()], [2, "deploy/rootfs: unknown argument '--bogus' (see --help)"]);
    assert.equal((await build(['--format', 'zip'])).code, 2);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of TOOLS) {
      for (const d of ['/usr/bin', '/bin']) {
        try {
          symlinkSync(join(d, tool), join(bin, tool));
          break;
        } catch {
          // not there: try the next directory
        }
      }
    }
    const missing = await build(['--cache-dir', join(dir, 'cache')], { PATH: bin });
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /^deploy\/rootfs: mmdebstrap is not installed \(apt-get install mmdebstrap\)$/m);
    const unreachable = await build(['--cache-dir', join(dir, 'cache'), '--mirror', 'http://127.0.0.1:9/debian']);
    assert.equal(unreachable.code, 4, unreachable.stderr);
    assert.match(unreachable.stderr, /the Debian mirror http:\/\/127\.0\.0\.1:9\/debian is unreachable/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two concurrent builds of one key run mmdebstrap once and print the same path; a third returns it at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-rootfs-'));
  const mirror = createServer((_req, res) => res.end('Release\n')); // the reachability probe only
  mirror.listen(0, '127.0.0.1');
  await once(mirror, 'listening');
  try {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const calls = join(dir, 'calls');
    // The fake: records its call, takes a moment (the window in which a second caller must wait
    // on the lock), and makes the target directory as mmdebstrap would.
    writeFileSync(join(bin, 'mmdebstrap'), `#!/bin/sh\necho "$*" >> ${calls}\nsleep 1\nfor a; do t=$a; done\nfor a; do case $a in */root) t=$a;; esac; done\nmkdir -p "$t/etc"\n`);
    chmodSync(join(bin, 'mmdebstrap'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env['PATH']}` };
    const url = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/debian`;
    const args = ['--cache-dir', join(dir, 'cache'), '--packages', 'systemd', '--mirror', url];
    const [a, b] = await Promise.all([build(args, env), build(args, env)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const path = a.stdout.trim().split('\n').pop()!;
    assert.equal(b.stdout.trim().split('\n').pop(), path);
    assert.match(path, /\/cache\/[0-9a-f]{16}\/root$/);
    assert.equal(readFileSync(calls, 'utf8').trim().split('\n').length, 1, 'mmdebstrap ran once');
    assert.match(readFileSync(calls, 'utf8'), /--variant=minbase .*--include=systemd .*bookworm /);
    const again = await build(args, env);
    assert.equal(again.stdout.trim(), path);
    assert.equal(readFileSync(calls, 'utf8').trim().split('\n').length, 1, 'a cached build is not rebuilt');
  } finally {
    mirror.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
