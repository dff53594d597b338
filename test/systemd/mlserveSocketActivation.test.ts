/**
 * mlserve under socket activation, end to end (needs the master wired to src/systemd/:
 * takeListenFds() in the CLI, socketSource/listenOnFd in the listeners, no vacuum of an inherited
 * socket; until then mlserve binds --socket itself, finds it taken and
 * exits with ERR_SOCKET_IN_USE, and these tests fail).
 *
 * `systemd-socket-activate` binds the socket as mlserve.socket does; a restart test puts a
 * minimal service manager (fixtures/socketSupervisor.ts) between it and mlserve, because
 * systemd-socket-activate execs its program and so lets go of the socket when the program exits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { onProcessExit } from '../helpers/cleanup.js';
import { httpRequest } from '../helpers/http.js';
import { LineLog } from '../helpers/lines.js';
import { parseLogLine, type LogLine } from '../helpers/mlserve.js';
import { mlserveBin, repoRoot } from '../helpers/paths.js';
import { missingTool } from './tools.js';

const skip = missingTool('systemd-socket-activate');
const supervisorJs = join(repoRoot, 'dist', 'test', 'systemd', 'fixtures', 'socketSupervisor.js');

/** `systemd-socket-activate -l socketPath --fdname=mlserve ...program`, its stdout as pino lines. */
async function activate(t: { after(fn: () => void): void }, program: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-sa-'));
  const socketPath = join(dir, 'mlserve.sock');
  const child = spawn('systemd-socket-activate', ['-l', socketPath, '--fdname=mlserve', ...program.map((a) => a.replaceAll('{socket}', socketPath))], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const unregister = onProcessExit(() => child.kill('SIGKILL'));
  const stdout = new LineLog<LogLine>(child.stdout!, parseLogLine);
  const stderr = new LineLog<string>(child.stderr!, (line) => line);
  child.once('close', (code, signal) => {
    const err = new Error(`socket-activated process exited (code ${code}, signal ${signal})\n--- stdout\n${stdout.text()}\n--- stderr\n${stderr.text()}`);
    stdout.fail(err);
    stderr.fail(err);
  });
  t.after(async () => {
    // SIGTERM first: the supervisor passes it on to mlserve, so no orphan keeps our stderr pipe open.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    unregister();
    rmSync(dir, { recursive: true, force: true });
  });
  await stderr.waitFor((line) => line === `Listening on ${socketPath} as 3.`, { timeoutMs: 10_000, what: 'the "Listening on" line' });
  const output = () => `--- stdout\n${stdout.text()}\n--- stderr\n${stderr.text()}`;
  return { child, socketPath, stdout, stderr, output };
}

async function terminate(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  return exited;
}

test('mlserve serves on the socket systemd passes it, and leaves the socket file in place on exit', { skip }, async (t) => {
  const sa = await activate(t, [process.execPath, mlserveBin, '--config', 'test/fixtures/mlserve-test.ini', '--socket', '{socket}', '--workers', '1']);
  // The first connection makes systemd-socket-activate exec mlserve; it waits in the kernel's
  // queue meanwhile (model loading, workers), so no retry loop is needed.
  const ready = await httpRequest<{ ready: boolean }>({ socketPath: sa.socketPath, path: '/readyz', timeoutMs: 60_000 }).catch((err: Error) => {
    throw new Error(`no answer on the inherited socket (${err.message}); mlserve's output:\n${sa.output()}`);
  });
  assert.equal(ready.status, 200, ready.body);
  assert.equal(ready.json?.ready, true);
  const predict = await httpRequest<{ prediction: string }>({ socketPath: sa.socketPath, path: '/predict?text=oil%20prices%20rose' });
  assert.equal(predict.status, 200, predict.body);
  await sa.stdout.waitFor((l) => l.msg === 'ready', { timeoutMs: 5000, what: 'the "ready" line' });

  assert.deepEqual(await terminate(sa.child), [0, null], sa.stdout.text());
  // vacuum is on by default, but the socket is systemd's: unlinking it would leave the .socket
  // unit listening on a socket nobody can reach (nginx: "No such file or directory").
  assert.ok(existsSync(sa.socketPath) && statSync(sa.socketPath).isSocket(), 'mlserve must not unlink an inherited socket');
});

/** Every answer (or error) of the client loop, and waits on them: each one is an event. */
class Outcomes {
  readonly all: Array<{ startMs: number; atMs: number; status?: number; code?: string }> = [];
  readonly #waiters = new Set<() => void>();

  record(outcome: { startMs: number; status?: number; code?: string }): void {
    this.all.push({ atMs: performance.now(), ...outcome });
    for (const check of [...this.#waiters]) check();
  }

  /** Resolves once `count` requests were answered 200 after `sinceMs`. */
  answered(sinceMs: number, count: number, timeoutMs = 60_000): Promise<void> {
    const enough = () => this.all.filter((o) => o.atMs > sinceMs && o.status === 200).length >= count;
    if (enough()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`fewer than ${count} answers within ${timeoutMs} ms; last: ${JSON.stringify(this.all.slice(-5))}`));
      }, timeoutMs);
      const check = () => {
        if (!enough()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }
}

test('mlserve restarts behind a socket the service manager holds: no connection is refused', { skip }, async (t) => {
  const sa = await activate(t, [process.execPath, supervisorJs, process.execPath, mlserveBin, '--config', 'test/fixtures/mlserve-test.ini', '--socket', '{socket}', '--workers', '1']);
  /** Instance n's pid (the supervisor's "started" event), once that mlserve logged "ready". */
  const ready = async (n: number): Promise<number> => {
    const started = await sa.stdout.waitFor((l) => l['supervisor'] === 'started' && l['instance'] === n, { timeoutMs: 60_000, what: `instance ${n} started` });
    const pid = started['pid'] as number;
    const crashed = sa.stdout.waitFor((l) => l['supervisor'] === 'exited' && l['pid'] === pid, { timeoutMs: 60_000 }).then(() => {
      throw new Error(`mlserve instance ${n} exited before it was ready:\n${sa.output()}`);
    });
    crashed.catch(() => undefined); // settled by the race below or, later, by nobody
    await Promise.race([sa.stdout.waitFor((l) => l.msg === 'ready' && l['pid'] === pid, { timeoutMs: 60_000, what: `instance ${n} (pid ${pid}) ready` }), crashed]);
    return pid;
  };

  // A client that never stops sending, one new connection per request, as nginx's would.
  const outcomes = new Outcomes();
  let sending = true;
  const client = (async function sendForever() {
    while (sending) {
      const startMs = performance.now();
      try {
        const res = await httpRequest({ socketPath: sa.socketPath, path: '/predict?text=wheat%20exports', headers: { connection: 'close' }, timeoutMs: 30_000 });
        outcomes.record({ startMs, status: res.status });
      } catch (err) {
        outcomes.record({ startMs, code: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
      }
    }
  })();

  try {
    const first = await ready(1);
    await outcomes.answered(0, 5);

    // Graceful restart (systemctl restart, a deploy): SIGTERM drains, the next instance takes over.
    const termAt = performance.now();
    process.kill(first, 'SIGTERM');
    const second = await ready(2);
    await outcomes.answered(termAt, 5);
    const afterTerm = outcomes.all.filter((o) => o.atMs > termAt);
    assert.deepEqual(afterTerm.filter((o) => o.status !== 200), [], 'a graceful restart loses nothing');
    // Proof the client did connect while no mlserve ran: a request waited for the next one to
    // boot (model and a worker: hundreds of ms; an answer alone takes a few).
    const waited = Math.max(...afterTerm.map((o) => o.atMs - o.startMs));
    assert.ok(waited >= 100, `no request waited through the restart (longest ${Math.round(waited)} ms)`);

    // Crash (SIGKILL): only a request the dead instance had already accepted may fail.
    const killAt = performance.now();
    process.kill(second, 'SIGKILL');
    await ready(3);
    await outcomes.answered(killAt, 5);
  } catch (err) {
    // Stop the service manager: the socket closes, and the request waiting in its queue fails now.
    sending = false;
    sa.child.kill('SIGTERM');
    await client;
    throw err;
  }
  sending = false;
  await client;

  const refused = outcomes.all.filter((o) => o.code === 'ECONNREFUSED' || o.code === 'ENOENT' || o.code === 'EAGAIN');
  assert.deepEqual(refused, [], 'connections queue in the kernel while no mlserve runs');
  const failed = outcomes.all.filter((o) => o.status !== 200);
  assert.ok(failed.length <= 1, `only the request in flight at the SIGKILL may fail: ${JSON.stringify(failed)}`);
  assert.deepEqual(await terminate(sa.child), [0, null]);
});
