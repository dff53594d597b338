/**
 * Process-level behaviour of `mlserve`: graceful SIGTERM, the socket file's life (mode, vacuum,
 * stale vs live), fail-fast exits with one clear line, and `--check`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { mlserveBin, repoRoot, reutersModelBase } from '../helpers/paths.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mlserve-life-'));
}

/** Runs mlserve to completion (for commands that must exit by themselves). */
function runMlserve(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [mlserveBin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('SIGTERM finishes an in-flight request, then removes the socket and exits 0', async () => {
  const ml = await startMlserve({ args: ['--workers', '1'] });
  assert.equal(statSync(ml.socketPath).mode & 0o777, 0o660, 'chmod-socket defaults to 660');
  // A request whose body is still arriving when SIGTERM comes: it must be answered, not cut.
  const sock = connect(ml.socketPath);
  await once(sock, 'connect');
  const body = JSON.stringify({ texts: ['oil prices rose', 'wheat exports fell'] });
  sock.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  sock.write(body.slice(0, 10));
  let answer = '';
  sock.on('data', (d) => (answer += d.toString()));
  const exited = once(ml.child, 'exit');
  ml.child.kill('SIGTERM');
  await ml.waitForLine((l) => l.msg === 'shutting down');
  sock.write(body.slice(10));
  await once(sock, 'end');
  assert.match(answer, /^HTTP\/1\.1 200/);
  assert.match(answer, /"predictions":\[\{"prediction":"\d+"/);
  const [code] = await exited;
  assert.equal(code, 0);
  assert.equal(existsSync(ml.socketPath), false, 'vacuum removed the socket');
  await ml.stop();
});

test('a stale socket file is replaced; a live one is refused with ERR_SOCKET_IN_USE', async () => {
  const dir = tempDir();
  try {
    const socketPath = join(dir, 'mlserve.sock');
    // A socket file nobody listens on, as a killed instance leaves it (python3 binds and exits without unlinking).
    const py = spawnSync('python3', ['-c', `import socket; s = socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(socketPath)})`]);
    assert.equal(py.status, 0, String(py.stderr));
    assert.ok(statSync(socketPath).isSocket());
    const ml = await startMlserve({ socketPath, args: ['--workers', '1'] });
    assert.equal((await httpRequest({ socketPath, path: '/healthz' })).status, 200);

    const second = runMlserve(['--config', 'test/fixtures/mlserve-test.ini', '--socket', socketPath, '--workers', '1']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^mlserve: ERR_SOCKET_IN_USE: .*another instance/m);
    assert.equal((await httpRequest({ socketPath, path: '/healthz' })).status, 200, 'the first instance still serves');
    assert.equal(await ml.stop(), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad config or model: exit 1 before any thread, with one line naming the problem', async () => {
  const dir = tempDir();
  try {
    const ini = join(dir, 'bad.ini');
    writeFileSync(ini, '[mlserve]\nworker = 2\n');
    const badKey = runMlserve(['--config', ini]);
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /ERR_CONFIG_KEY: .*bad\.ini:2.*did you mean "workers"/);
    assert.equal(badKey.stderr.trim().split('\n').length, 1, badKey.stderr);

    const noModel = runMlserve(['--model', join(dir, 'nothing-here'), '--socket', join(dir, 's.sock')]);
    assert.equal(noModel.code, 1);
    assert.match(noModel.stderr, /^mlserve: ERR_MODEL_NOT_FOUND: .*nothing-here/);

    // A copy of the real model whose labels.json lost a class: output width != labels.
    const broken = join(dir, 'broken');
    cpSync(join(reutersModelBase, '1'), join(broken, '1'), { recursive: true });
    writeFileSync(join(broken, '1', 'labels.json'), JSON.stringify(['only', 'two']));
    const invalid = runMlserve(['--model', broken, '--socket', join(dir, 's.sock')]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^mlserve: ERR_MODEL_INVALID: .*labels\.json/);
    assert.equal(existsSync(join(dir, 's.sock')), false, 'nothing was listening');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--check validates config and model deeply and exits 0; --help lists every option', () => {
  const ok = runMlserve(['--config', 'config/mlserve.ini', '--check']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /model reuters v1 ok \(1000 inputs, 46 classes\)/);
  const help = runMlserve(['--help']);
  assert.equal(help.code, 0);
  for (const key of ['socket', 'workers', 'max-batch-size', 'listen', 'shutdown-timeout']) assert.match(help.stdout, new RegExp(`--${key}\\b`));
});

test('SIGINT is a shutdown too, never a reload', async () => {
  const ml = await startMlserve({ args: ['--workers', '1'] });
  assert.equal(await ml.stop('SIGINT'), 0);
  assert.ok(ml.lines.some((l) => l.msg === 'stopped'));
});
