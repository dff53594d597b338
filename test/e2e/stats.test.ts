/**
 * The stats socket, /metrics and mltop against a live mlserve: real threads, real sockets, a
 * real terminal (tmux). Counters move as requests are served, a cheap slot shows `cheap`, and
 * /metrics agrees with the stats document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { repoRoot } from '../helpers/paths.js';
import { startTmux, tmuxMissing } from '../helpers/tmux.js';

interface Doc {
  version: string;
  listen_queue: number;
  listen_queue_errors: number;
  workers: { id: number; pid: number; status: string; requests: number; delta_requests: number; tx: number; rss: number; avg_rt: number }[];
  mlserve: { model: { name: string; version: number }; cheaper: { algo: string } | null; latency: { p50: number } };
}

function readStats(path: string): Promise<Doc> {
  return new Promise((resolve, reject) => {
    let data = '';
    const sock = connect(path);
    sock.on('data', (d) => (data += d.toString()));
    sock.on('end', () => resolve(JSON.parse(data) as Doc));
    sock.on('error', reject);
  });
}

test('stats socket, /metrics and mltop on a live mlserve', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-stats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const statsPath = join(dir, 'stats.sock');
  const ml = await startMlserve({ args: ['--workers', '3', '--cheaper', '1', '--stats', statsPath] });
  t.after(() => ml.stop());
  assert.equal(statSync(statsPath).mode & 0o777, 0o600, 'chmod-stats defaults to 600');

  const before = await readStats(statsPath);
  assert.equal(before.version, 'mlserve-0.1.0');
  assert.deepEqual(before.workers.map((w) => w.status), ['idle', 'cheap', 'cheap']);
  assert.equal(before.workers[1]!.pid, 0, 'a cheap slot has no pid');
  assert.equal(before.mlserve.model.name, 'reuters');
  assert.equal(before.mlserve.cheaper?.algo, 'spare');

  for (let i = 0; i < 25; i++) assert.equal((await httpRequest({ socketPath: ml.socketPath, path: `/predict?text=cocoa+crop+${i}` })).status, 200);
  const after = await readStats(statsPath);
  assert.equal(after.workers[0]!.requests - before.workers[0]!.requests, 25);
  assert.ok(after.workers[0]!.tx > before.workers[0]!.tx);
  assert.ok(after.workers[0]!.avg_rt > 0);

  // /metrics counts what the stats document counts.
  const metrics = (await httpRequest({ socketPath: ml.socketPath, path: '/metrics' })).body;
  const served = Number(/^mlserve_http_requests_total\{route="\/predict",status="200"\} (\d+)$/m.exec(metrics)?.[1]);
  assert.equal(served, after.workers.reduce((a, w) => a + w.requests, 0));
  assert.match(metrics, /^mlserve_workers\{state="cheap"\} 2$/m);
  assert.match(metrics, /^mlserve_model_info\{name="reuters",version="1",backend="\w+"\} 1$/m);

  // mltop in a real terminal, on the live server: header, one row per slot, q exits 0.
  if (tmuxMissing()) return t.skip(String(tmuxMissing()));
  const tty = await startTmux({ command: [process.execPath, join(repoRoot, 'dist', 'src', 'cli', 'mltop.js'), statsPath], width: 160, height: 30 });
  t.after(() => tty.kill());
  const screen = await tty.waitForScreen((rows) => rows.some((r) => /^\s+3\s+0\.0\s+0\s/.test(r)), { what: 'three worker rows' });
  assert.match(screen[0]!, /^mlserve-0\.1\.0 - .* - req: 25 - /);
  assert.ok(screen.some((r) => /^model: reuters v1 - backend: fastpath \(wasm-simd\) - accuracy: 0\.8767/.test(r)), screen.join('\n'));
  assert.ok(screen.some((r) => /^\s+1\s+100\.0\s+\d+\s+25\s/.test(r)), 'worker 1 served all 25');
  await tty.sendKeys('q');
  assert.equal(await tty.waitForExit(), 0);
});
