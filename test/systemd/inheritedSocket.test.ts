/**
 * Socket activation with systemd's own tool: `systemd-socket-activate -l PATH` binds PATH, waits
 * for the first connection, then execs the program (same pid) with the socket as fd 3 and
 * LISTEN_FDS=1, LISTEN_PID=<its pid>, LISTEN_FDNAMES from --fdname, as a .socket unit does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest } from '../helpers/http.js';
import { onProcessExit } from '../helpers/cleanup.js';
import { LineLog } from '../helpers/lines.js';
import { repoRoot } from '../helpers/paths.js';
import { missingTool } from './tools.js';

const skip = missingTool('systemd-socket-activate');
const fixture = join(repoRoot, 'dist', 'test', 'systemd', 'fixtures', 'reportListenFds.js');

interface Report {
  pid: number;
  seenBefore: { LISTEN_PID: string | null; LISTEN_FDS: string | null };
  fds: Array<{ fd: number; name: string }>;
  source: { inherited: boolean; fd?: number; name?: string; path: string };
  after: Record<string, string | null>;
  child: string;
}

test('an inherited socket: fd 3 named by --fdname, LISTEN_* unset for us and our children, and the socket file left alone', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-activate-'));
  const socketPath = join(dir, 'mlserve.sock');
  const child = spawn('systemd-socket-activate', ['-l', socketPath, '--fdname=mlserve', process.execPath, fixture, socketPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const unregister = onProcessExit(() => child.kill('SIGKILL'));
  t.after(() => {
    child.kill('SIGKILL');
    unregister();
    rmSync(dir, { recursive: true, force: true });
  });
  const stderr = new LineLog(child.stderr!, (line) => line);
  child.once('close', (code) => stderr.fail(new Error(`systemd-socket-activate exited with ${code}:\n${stderr.text()}`)));
  await stderr.waitFor((line) => line === `Listening on ${socketPath} as 3.`, { timeoutMs: 10_000, what: 'the "Listening on" line' });

  // This first connection is what makes systemd-socket-activate exec the program: it waits in
  // the kernel's queue until the program listens on the inherited fd.
  const res = await httpRequest<Report>({ socketPath, path: '/', timeoutMs: 20_000 });
  assert.equal(res.status, 200, res.body);
  const report = res.json!;
  assert.equal(report.pid, child.pid, 'exec without fork: LISTEN_PID is the pid we spawned');
  assert.deepEqual(report.seenBefore, { LISTEN_PID: String(child.pid), LISTEN_FDS: '1' });
  assert.deepEqual(report.fds, [{ fd: 3, name: 'mlserve' }]);
  assert.deepEqual(report.source, { inherited: true, fd: 3, name: 'mlserve', path: socketPath });
  assert.deepEqual(report.after, { LISTEN_PID: null, LISTEN_FDS: null, LISTEN_FDNAMES: null }, 'unset in our environment');
  assert.equal(report.child, 'unset unset unset', 'a child process does not inherit them');

  // More connections go to the same process: one server for all (not --accept's one per connection).
  const again = await httpRequest<Report>({ socketPath, path: '/' });
  assert.equal(again.json!.pid, child.pid);

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  assert.deepEqual(await exited, [0, null]);
  assert.ok(existsSync(socketPath) && statSync(socketPath).isSocket(), 'closing an inherited socket does not unlink it');
});
