// A uWSGI user's ops habits against a real mlserve: touch-reload and the master FIFO under
// load (zero failed requests), http-socket and uwsgi-socket, uid/gid dropped after binding
// (checked in /proc).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest } from '../helpers/http.js';
import { startMlserve, type LogLine } from '../helpers/mlserve.js';
import { mlserveBin, repoRoot, reutersModelBase } from '../helpers/paths.js';
import { nginxVars, sendRaw, uwsgiRequest } from '../helpers/uwsgi.js';
import { encodeUwsgiPacket } from '../../src/net/uwsgiPacket.js';

/** Requests GET /predict on `socketPath` from `concurrency` loops until `stop()`; counts answers by status. */
function load(socketPath: string, concurrency: number): { stop(): Promise<Map<number, number>> } {
  const counts = new Map<number, number>();
  let running = true;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const loops = Array.from({ length: concurrency }, async (_, i) => {
    for (let n = 0; running; n++) {
      // Half HTTP (kept alive), half uwsgi (a connection per request), as behind either nginx site.
      const status = i % 2 === 0
        ? (await httpRequest({ socketPath, path: `/predict?text=oil+${n}`, agent }).catch(() => ({ status: -1 }))).status
        : (await uwsgiRequest({ socketPath, vars: nginxVars('GET', `/predict?text=oil+${n}`) }).catch(() => ({ status: -1 }))).status;
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return counts;
    },
  };
}

const isMsg = (text: string) => (l: LogLine): boolean => typeof l.msg === 'string' && l.msg.startsWith(text);

describe('touch-reload and the master FIFO', () => {
  it('reload on a touch (touch-reload, touch-chain-reload), on c and r; + and -; s logs stats; q stops; no request fails under load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlserve-ops-'));
    const touchFile = join(dir, 'reload.touch');
    const chainFile = join(dir, 'chain.touch');
    const fifo = join(dir, 'master.fifo');
    writeFileSync(touchFile, '');
    writeFileSync(chainFile, '');
    const httpOnly = join(dir, 'http.sock');
    const uwsgiOnly = join(dir, 'uwsgi.sock');
    const ml = await startMlserve({
      args: ['--workers', '3', '--cheaper', '1', '--cheaper-initial', '2', '--cheaper-algo', 'manual', '--touch-reload', touchFile, '--touch-chain-reload', chainFile, '--master-fifo', fifo,
        '--http-socket', httpOnly, '--uwsgi-socket', uwsgiOnly, '--chmod-socket', '640'],
    });
    try {
      // http-socket speaks HTTP only, uwsgi-socket uwsgi only (a uwsgi packet on the HTTP one is a 400, and the reverse).
      assert.equal((await httpRequest({ socketPath: httpOnly, path: '/predict?text=oil' })).status, 200);
      assert.equal((await uwsgiRequest({ socketPath: httpOnly, vars: nginxVars('GET', '/predict?text=oil') })).status, 400);
      assert.equal((await uwsgiRequest({ socketPath: uwsgiOnly, vars: nginxVars('GET', '/predict?text=oil') })).status, 200);
      // A bare client (no HTTP_HOST, no nginx) reaches the hono routes too.
      const bare = await uwsgiRequest({ socketPath: uwsgiOnly, vars: [['REQUEST_METHOD', 'GET'], ['PATH_INFO', '/healthz']] });
      assert.equal(bare.status, 200, bare.raw);
      assert.notEqual((await sendRaw({ socketPath: uwsgiOnly, chunks: [Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')] })).status, 200);
      for (const file of [httpOnly, uwsgiOnly]) assert.equal(statSync(file).mode & 0o777, 0o640, file);

      assert.ok(statSync(fifo).isFIFO(), 'master-fifo is a FIFO');
      assert.equal(statSync(fifo).mode & 0o777, 0o600);
      const traffic = load(ml.socketPath, 8);
      const reloads = () => ml.lines.filter((l) => l.msg === 'reloaded').length;

      const future = new Date(Date.now() + 5000);
      utimesSync(touchFile, future, future);
      await ml.waitForLine(isMsg('touched: reloading'), 15_000);
      await ml.waitForLine(() => reloads() >= 1, 60_000);
      // touch-chain-reload too (every mlserve reload is a chain reload).
      utimesSync(chainFile, future, future);
      await ml.waitForLine(() => reloads() >= 2, 60_000);

      for (const [command, count] of [['c', 3], ['r', 4]] as const) {
        await writeFile(fifo, command);
        await ml.waitForLine(() => reloads() >= count, 60_000);
      }
      await writeFile(fifo, '+');
      await ml.waitForLine(isMsg('operator asked for +1'), 10_000);
      await writeFile(fifo, '-');
      await ml.waitForLine(isMsg('operator asked for -1'), 10_000);
      await writeFile(fifo, 's');
      const stats = await ml.waitForLine(isMsg('stats (master FIFO)'), 10_000);
      assert.equal(typeof stats['total'], 'number');
      await writeFile(fifo, 'x');
      await ml.waitForLine(isMsg('master FIFO: unknown command'), 10_000);

      const counts = await traffic.stop();
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      assert.deepEqual([...counts.keys()], [200], `every answer 200: ${JSON.stringify([...counts])}`);
      assert.ok(total > 20, `load ran (${total} requests)`);

      const exited = once(ml.child, 'exit');
      await writeFile(fifo, 'q');
      const [code] = await exited;
      assert.equal(code, 0);
      for (const file of [ml.socketPath, httpOnly, uwsgiOnly, fifo]) assert.equal(existsSync(file), false, `${file} removed on exit`);
    } finally {
      await ml.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The count and the sum of the mlserve_batch_size histogram (batches sent to workers, rows in them). */
async function batchTotals(socketPath: string): Promise<{ count: number; sum: number }> {
  const text = (await httpRequest({ socketPath, path: '/metrics' })).body;
  const value = (series: string): number => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1) ?? 0);
  return { count: value('mlserve_batch_size_count'), sum: value('mlserve_batch_size_sum') };
}

// Issue 13 item 1, "same batching": a uwsgi request is turned into the HTTP request it describes
// and queued with the others, so uwsgi and HTTP requests that wait together leave in one batch.
describe('the uwsgi path of a running mlserve: batching, buffer-size, socket-timeout', () => {
  it('uwsgi and HTTP requests waiting together leave as one batch; buffer-size and socket-timeout apply as set', async () => {
    // One worker, and a partial batch held 300 ms (batch-timeout-micros): the 12 requests below
    // arrive well within it, so they can only be answered by one batch, or by several if uwsgi
    // requests were dispatched apart from HTTP ones.
    const ml = await startMlserve({ args: ['--workers', '1', '--batch-timeout-micros', '300000', '--buffer-size', '8192', '--socket-timeout', '1'] });
    try {
      const before = await batchTotals(ml.socketPath);
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => i % 2 === 0
        ? uwsgiRequest({ socketPath: ml.socketPath, vars: nginxVars('GET', `/predict?text=oil+prices+${i}`) })
        : httpRequest({ socketPath: ml.socketPath, path: `/predict?text=wheat+exports+${i}` })));
      assert.deepEqual(answers.map((a) => a.status), Array(12).fill(200));
      const after = await batchTotals(ml.socketPath);
      assert.equal(after.sum - before.sum, 12, 'every request predicted once');
      assert.equal(after.count - before.count, 1, `12 requests in ${after.count - before.count} batches`);

      // buffer-size and socket-timeout as given: a 6 KB vars block passes under 8192, 9 KB does
      // not; a packet that stops short is answered 408 after about 1 s, not the default 4 s.
      const header = (n: number): Array<[string, string]> => [['HTTP_X_PAD', 'x'.repeat(n)]];
      const fits = await uwsgiRequest({ socketPath: ml.socketPath, vars: nginxVars('GET', '/predict?text=oil', header(6000)) });
      assert.equal(fits.status, 200, fits.raw.slice(0, 300));
      const tooLarge = await uwsgiRequest({ socketPath: ml.socketPath, vars: nginxVars('GET', '/predict?text=oil', header(9000)) });
      assert.equal(tooLarge.status, 431, tooLarge.raw.slice(0, 300));
      assert.match(tooLarge.body, /invalid request block size: \d+ \(max 8192\)/);
      const t0 = Date.now();
      const short = await sendRaw({ socketPath: ml.socketPath, chunks: [encodeUwsgiPacket(nginxVars('GET', '/predict?text=oil')).subarray(0, 20)], timeoutMs: 5000 });
      assert.equal(short.status, 408, short.raw);
      assert.ok(Date.now() - t0 >= 900 && Date.now() - t0 < 3000, `408 after ${Date.now() - t0} ms (socket-timeout 1 s)`);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });
});

function idsOf(status: string, field: 'Uid' | 'Gid' | 'Groups'): string {
  return (new RegExp(`^${field}:\\t?(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).join(' ');
}

describe('uid and gid', () => {
  const root = process.getuid?.() === 0;
  it('drop to nobody:nogroup after binding, for every thread, with the socket chowned', { skip: root ? false : 'needs root (CI runs as root)' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlserve-uid-'));
    chownSync(dir, 65534, 65534);
    const socketPath = join(dir, 'mlserve.sock');
    const ml = await startMlserve({ socketPath, args: ['--uid', 'nobody', '--gid', 'nogroup', '--chown-socket', 'nobody:nogroup', '--model', reutersModelBase] });
    try {
      const status = readFileSync(`/proc/${ml.pid}/status`, 'utf8');
      assert.equal(idsOf(status, 'Uid'), '65534 65534 65534 65534');
      assert.equal(idsOf(status, 'Gid'), '65534 65534 65534 65534');
      assert.equal(idsOf(status, 'Groups'), '65534');
      // Worker threads included: no thread of the process kept root.
      for (const task of readdirSync(`/proc/${ml.pid}/task`)) {
        assert.equal(idsOf(readFileSync(`/proc/${ml.pid}/task/${task}/status`, 'utf8'), 'Uid'), '65534 65534 65534 65534', `thread ${task}`);
      }
      // Dropped before any worker started, not merely applied to threads that already ran as root.
      const dropped = ml.lines.findIndex((l) => l.msg === 'privileges dropped (uid/gid)');
      const firstWorker = ml.lines.findIndex((l) => l.msg === 'worker ready');
      assert.ok(dropped >= 0 && firstWorker > dropped, `privileges dropped at line ${dropped}, first worker ready at ${firstWorker}`);
      const st = statSync(socketPath);
      assert.deepEqual([st.uid, st.gid], [65534, 65534]);
      const res = await httpRequest({ socketPath, path: '/predict?text=oil' });
      assert.equal(res.status, 200, res.body);
    } finally {
      assert.equal(await ml.stop(), 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // uWSGI refuses to go on when it cannot become uid/gid; so does mlserve, and it says why.
  it('asked for another user while not root: ERR_PRIVILEGES before any worker serves, the socket removed', { skip: root ? false : 'needs root (to start mlserve as nobody)' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlserve-uid-'));
    chownSync(dir, 65534, 65534);
    const socketPath = join(dir, 'mlserve.sock');
    try {
      const child = spawn(process.execPath, [mlserveBin, '--config', 'test/fixtures/mlserve-test.ini', '--socket', socketPath, '--workers', '1', '--uid', 'root'],
        { cwd: repoRoot, uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code] = await once(child, 'exit');
      assert.equal(code, 1);
      assert.match(stderr, /ERR_PRIVILEGES: uid = root, gid = \(unset\): changing user needs root, and mlserve runs as uid 65534/);
      assert.doesNotMatch(stdout, /"msg":"(worker ready|ready)"/);
      assert.equal(existsSync(socketPath), false, 'the socket it bound is removed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown user is an error naming the key, not a run as root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlserve-uid-'));
    try {
      const child = spawn(process.execPath, [mlserveBin, '--config', 'config/mlserve.ini', '--socket', join(dir, 's.sock'), '--uid', 'no-such-user-13'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code] = await once(child, 'exit');
      assert.equal(code, 1);
      assert.match(stderr, /ERR_PRIVILEGES: uid = no-such-user-13: no such user in \/etc\/passwd/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
