/**
 * Process-level behaviour of `mlserve`: graceful SIGTERM, the socket file's life (mode, vacuum,
 * stale vs live), fail-fast exits with one clear line, and `--check`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
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

/** A raw client on `path`: what it received, and a promise of the connection's close. */
function rawClient(path: string): { sock: Socket; answer: () => string; closed: Promise<void> } {
  const sock = connect(path);
  let text = '';
  sock.on('data', (d: Buffer) => (text += d.toString()));
  sock.on('error', () => undefined); // what arrived (or not) is what the tests assert
  return { sock, answer: () => text, closed: once(sock, 'close').then(() => undefined) };
}

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref())]);
}

test('SIGTERM drain, connection by connection: half-sent POST finished with a FIN answered; silent one served if it speaks within socket-timeout, else closed; idle keep-alive closed', async () => {
  const ml = await startMlserve({ args: ['--workers', '1', '--socket-timeout', '2'] });
  try {
    const body = JSON.stringify({ texts: ['oil prices rose', 'wheat exports fell'] });
    const head = `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    // Regression (issue 16): a client that half-closes once its request is sent (socat, nc -N)
    // was never answered: node aborted the request at the FIN. Without any shutdown, too.
    const plain = rawClient(ml.socketPath);
    plain.sock.end(head + body);
    await bounded(plain.closed, 10_000, 'the half-closed client was not answered and closed');
    assert.match(plain.answer(), /^HTTP\/1\.1 200[\s\S]*"predictions":\[\{"prediction":"\d+"/);

    // Set up before SIGTERM: a POST half sent; a connection that sent nothing (twice); an idle keep-alive one.
    const half = rawClient(ml.socketPath);
    half.sock.write(head + body.slice(0, 10));
    const late = rawClient(ml.socketPath);
    const mute = rawClient(ml.socketPath);
    const idle = rawClient(ml.socketPath);
    idle.sock.write('GET /predict?text=oil HTTP/1.1\r\nHost: x\r\n\r\n');
    await Promise.all([half, late, mute].map((c) => once(c.sock, 'connect')));
    for (let i = 0; !/"label"/.test(idle.answer()); i++) {
      assert.ok(i < 1000, 'the keep-alive request was not answered');
      await once(idle.sock, 'data');
    }
    // The half-sent POST is in flight (the gauge counts it from its headers on) before SIGTERM.
    const exited = once(ml.child, 'exit');
    const t0 = Date.now();
    ml.child.kill('SIGTERM');
    await ml.waitForLine((l) => l.msg === 'shutting down');
    // The rest of the body, with the FIN, as the previous nspawn check sent it.
    half.sock.end(body.slice(10));
    late.sock.write(`GET /predict?text=wheat HTTP/1.1\r\nHost: x\r\n\r\n`);
    await bounded(Promise.all([half.closed, late.closed, idle.closed, mute.closed]), 15_000, 'a connection stayed open');
    assert.match(half.answer(), /^HTTP\/1\.1 200[\s\S]*"predictions":\[\{"prediction":"\d+"/);
    assert.match(late.answer(), /^HTTP\/1\.1 200[\s\S]*connection: close[\s\S]*"label"/);
    assert.equal(mute.answer(), '', 'the silent connection is closed unanswered');
    assert.equal(idle.answer().match(/HTTP\/1\.1/g)?.length, 1, 'the idle keep-alive connection is closed, nothing more sent');
    const [code] = await bounded(exited, 15_000, 'mlserve did not exit');
    const took = Date.now() - t0;
    assert.equal(code, 0);
    // The silent connection held the stop for socket-timeout (2 s), not for shutdown-timeout (30 s).
    assert.ok(took >= 1900 && took < 10_000, `exit ${took} ms after SIGTERM`);
    assert.equal(ml.lines.find((l) => l.msg === 'stopped')?.['drained'], true);
  } finally {
    await ml.stop();
  }
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
