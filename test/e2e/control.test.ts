/**
 * `mlserve reload`, `mlserve workers +N` and `mlserve stop` reach a running master through its
 * pidfile, as an operator (or systemd's ExecReload) would use them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startMlserve } from '../helpers/mlserve.js';
import { mlserveBin, repoRoot } from '../helpers/paths.js';
import { parseControl } from '../../src/cli/control.js';

function mlserve(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [mlserveBin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('parseControl reads reload, stop and workers +N/-N, and nothing else', () => {
  assert.equal(parseControl(['--config', 'x.ini']), null);
  assert.equal(parseControl(['reload', '--config', 'x.ini'])?.signal, 'SIGHUP');
  assert.deepEqual(parseControl(['reload', '--config', 'x.ini'])?.rest, ['--config', 'x.ini']);
  assert.equal(parseControl(['stop'])?.signal, 'SIGTERM');
  const up = parseControl(['workers', '+2', '--pidfile', 'p']);
  assert.equal(up?.signal, 'SIGTTIN');
  assert.equal(up?.repeat, 2);
  assert.equal(parseControl(['workers', '-1'])?.signal, 'SIGTTOU');
  assert.throws(() => parseControl(['workers', '3']), /\+N or -N/);
  assert.throws(() => parseControl(['workers']), /\+N or -N/);
});

test('reload, workers +1 and stop through the pidfile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-ctl-'));
  try {
    const pidfile = join(dir, 'mlserve.pid');
    const ml = await startMlserve({ args: ['--pidfile', pidfile, '--workers', '3', '--cheaper', '1', '--cheaper-algo', 'manual'] });
    assert.equal(Number(readFileSync(pidfile, 'utf8')), ml.pid);

    const reload = mlserve(['reload', '--pidfile', pidfile]);
    assert.equal(reload.code, 0, reload.err);
    assert.match(reload.out, new RegExp(`asked the master to reload \\(SIGHUP\\), pid ${ml.pid}`));
    await ml.waitForLine((l) => l.msg === 'reloaded');

    const up = mlserve(['workers', '+1', '--pidfile', pidfile]);
    assert.equal(up.code, 0, up.err);
    await ml.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('spawned worker 2'), 10_000);

    const exited = once(ml.child, 'exit');
    const stop = mlserve(['stop', '--pidfile', pidfile]);
    assert.equal(stop.code, 0, stop.err);
    assert.deepEqual(await exited, [0, null]);
    assert.equal(existsSync(pidfile), false, 'the pidfile is removed on exit');

    const stale = mlserve(['reload', '--pidfile', pidfile]);
    assert.equal(stale.code, 1);
    assert.match(stale.err, /ERR_CLI_ARGS: cannot read the pidfile .*is mlserve running\?/);
    await ml.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseControl takes --pid PID out of the arguments and refuses a pid that is not one', () => {
  assert.deepEqual(parseControl(['reload', '--pid', '42'])?.pid, 42);
  assert.deepEqual(parseControl(['workers', '+1', '--pid=7', '--config', 'x.ini'])?.rest, ['--config', 'x.ini']);
  assert.equal(parseControl(['stop'])?.pid, null);
  assert.throws(() => parseControl(['reload', '--pid']), /--pid takes the master's process id/);
  assert.throws(() => parseControl(['reload', '--pid', '$MAINPID']), /got "\$MAINPID"/);
});

// ExecReload=/usr/local/bin/mlserve reload --pid $MAINPID: regression for `/bin/kill -HUP
// $MAINPID`, which fails with 203/EXEC on a minimal host without procps (issue 16).
test('reload --pid reaches the master with no config and no pidfile; a dead pid is a clear error', async () => {
  const ml = await startMlserve({ args: ['--workers', '1'] });
  try {
    const reload = mlserve(['reload', '--pid', String(ml.pid)]);
    assert.equal(reload.code, 0, reload.err);
    assert.match(reload.out, new RegExp(`asked the master to reload \\(SIGHUP\\), pid ${ml.pid}`));
    await ml.waitForLine((l) => l.msg === 'reloaded');
  } finally {
    await ml.stop();
  }
  const dead = mlserve(['reload', '--pid', String(ml.pid)]);
  assert.equal(dead.code, 1);
  assert.match(dead.err, new RegExp(`ERR_CLI_ARGS: cannot signal the master, pid ${ml.pid} \\(--pid\\): no such process`));
});
