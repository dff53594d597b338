/**
 * The shipped units under a real systemd (issue 16): a minimal Debian rootfs (deploy/rootfs,
 * cached) booted with systemd as PID 1 by systemd-nspawn, mlserve installed as docs/deploy.md
 * tells a user, then activation, readiness, status, reload, restart, watchdog, stop, hardening,
 * journal priorities and the migration from the classic uWSGI unit, each for real. One boot is
 * shared by the sub-tests, which run in order and build on each other's state.
 *
 * Node is the host's binary, bind-mounted read-only as /usr/bin/node (the path docs/deploy.md's
 * launcher names); the repository under test (already built by `npm test`) is bind-mounted
 * read-only as /opt/mlserve. Skipped, with the reason, where this cannot run: not root, no
 * systemd-nspawn or mmdebstrap, no Debian mirror, or a kernel/sandbox where nspawn cannot boot.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Machine } from './nspawn/machine.js';
import { installScript, sectionBlocks } from './nspawn/deployDoc.js';
import { startLoad as startLoadOn, type LoadResult } from './nspawn/load.js';
import { httpRequest } from '../helpers/http.js';
import { predictPath } from '../helpers/getText.js';
import { repoRoot, sharedDir } from '../helpers/paths.js';

const run = promisify(execFile);
// systemd, dbus and curl as the issue asks; nginx and jq because docs/deploy.md installs them.
// No procps: ExecReload must work without /bin/kill.
const PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'curl', 'nginx', 'jq'];
// A shorter watchdog for the SIGSTOP test (the shipped 30 s would make it slow), and an abort
// timeout so a stopped master that ignores SIGABRT is SIGKILLed soon after.
const TEST_DROP_IN = '[Service]\nWatchdogSec=8\nTimeoutAbortSec=5\n';

async function skipReason(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'needs root (systemd-nspawn)';
  for (const tool of ['systemd-nspawn', 'nsenter', 'mmdebstrap']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed`;
    }
  }
  if (!existsSync(join(repoRoot, 'dist', 'src', 'cli', 'mlserve.js'))) return 'dist/ is not built (npm test builds it)';
  return null;
}

let reason = await skipReason();
let rootfs = '';
if (!reason) {
  try {
    const { stdout } = await run(join(repoRoot, 'deploy', 'rootfs', 'build.sh'), ['--packages', PACKAGES.join(',')], { timeout: 300_000 });
    rootfs = stdout.trim().split('\n').pop()!;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    reason = `cannot build the rootfs: ${(e.stderr ?? '').split('\n').filter((l) => l.startsWith('deploy/rootfs:')).pop() ?? e.message}`;
  }
}
if (reason) process.stdout.write(`# skipping the real-systemd tests: ${reason}\n`);
const opts = { skip: reason ?? false, timeout: 120_000 };

/** A sub-test on the shared machine: skipped, with the reason, when the machine could not boot. */
function real(name: string, fn: (t: TestContext) => Promise<void>): void {
  test(name, opts, async (t) => {
    if (reason) {
      t.skip(reason);
      return;
    }
    await fn(t);
  });
}

let m: Machine;
let sock = '';
const deployMd = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8');

before(async () => {
  if (reason) return;
  try {
    m = await Machine.boot(rootfs, [`${process.execPath}:/usr/bin/node`, `${repoRoot}:/opt/mlserve`], 60_000);
  } catch (err) {
    // Where nspawn exists but cannot boot (no cgroups, nested sandbox): skip, saying why.
    reason = `systemd-nspawn cannot boot here: ${(err as Error).message.slice(0, 400)}`;
    process.stdout.write(`# skipping the real-systemd tests: ${reason}\n`);
    return;
  }
  sock = m.path('/run/mlserve/mlserve.sock');
});

/** Loads still running: a sub-test that failed midway leaves its load to after(). */
const loads = new Set<{ stop(): Promise<LoadResult> }>();

function startLoad(socketPath: string, concurrency: number): { stop(): Promise<LoadResult> } {
  const load = startLoadOn(socketPath, concurrency);
  const entry = {
    stop() {
      loads.delete(entry);
      return load.stop();
    },
  };
  loads.add(entry);
  return entry;
}

after(async () => {
  // Regression: a failed sub-test's load kept running against the powered-off machine, forever.
  await Promise.all([...loads].map((l) => l.stop()));
  await m?.poweroff();
});

/** Waits (polling systemctl show every 100 ms: systemd has no event we can wait on from here) until `ok`. */
async function waitShow(unit: string, props: string[], ok: (s: Record<string, string>) => boolean, timeoutMs: number, seen?: Set<string>): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await m.show(unit, props);
    seen?.add(`${s['ActiveState']}/${s['SubState']}`);
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`${unit} did not get there in ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The master's pid in the container. Never 0: `kill -STOP 0` would stop the caller's whole
 * process group, the test runner with it (regression: it did, when the unit had failed).
 */
async function mainPid(): Promise<string> {
  const pid = (await m.show('mlserve.service', ['MainPID']))['MainPID']!;
  assert.match(pid, /^[1-9]\d*$/, `mlserve.service has no main process (MainPID=${pid})`);
  return pid;
}

async function predict(): Promise<number> {
  return (await httpRequest({ socketPath: sock, path: predictPath('oil prices rose sharply'), timeoutMs: 60_000 })).status;
}

/** The journal entries of mlserve's own process (SyslogIdentifier=mlserve), oldest first. */
async function journal(extra: string[] = []): Promise<{ MESSAGE: string; PRIORITY: string }[]> {
  const out = await m.sh(`journalctl -t mlserve -o json --no-pager ${extra.join(' ')}`);
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { MESSAGE: string; PRIORITY: string });
}

/** Longest a start of the unit may take here (ExecStartPre's --check, then workers ready): a bound, not a goal. */
const START_BUDGET_MS = 20_000;

real('install as docs/deploy.md says: sysusers, tmpfiles, launcher, model, ini, --check, units, nginx', async () => {
  // The test's own drop-in goes in first, so `enable --now` starts the unit with it.
  await m.sh(`mkdir -p /etc/systemd/system/mlserve.service.d && printf '${TEST_DROP_IN}' > /etc/systemd/system/mlserve.service.d/zz-nspawn-test.conf`);
  const script = installScript(deployMd, (ini) => ini.replace(/^workers = 4$/m, 'workers = 2'));
  const out = await m.sh(script, 110_000);
  assert.match(out, /config \/etc\/mlserve\/mlserve\.ini ok; model reuters v1 ok/);
  // The page ends with curl through nginx: both answered.
  assert.match(out, /"label"/);
  // Every path a unit names exists after following the page (regression: /bin/kill, procps's).
  for (const unit of ['mlserve.service', 'mlserve.socket']) {
    const text = await m.sh(`systemctl cat ${unit}`);
    for (const [, path] of text.matchAll(/^Exec\w+=[-@:+!]*(\/\S+)/gm)) await m.sh(`test -x ${path}`);
    // Every other path it names, too: the files its commands read (--config ...), its
    // Documentation, ReadWritePaths, the socket's directory. A path after '-' may be missing.
    for (const line of text.split('\n').filter((l) => /^(Exec\w+|Documentation|ReadWritePaths|ReadOnlyPaths|ListenStream|WorkingDirectory|EnvironmentFile)=/.test(l))) {
      for (const [, optional, path] of line.replace(/^[^=]+=/, ' ').matchAll(/[\s=](-?)(?:file:\/\/)?(\/[^\s;]+)/g)) {
        if (optional === '-') continue;
        const target = line.startsWith('ListenStream=') ? path!.replace(/\/[^/]+$/, '') : path!;
        assert.equal((await m.exec(['test', '-e', target])).code, 0, `${unit} names ${target} (${line}), which does not exist after docs/deploy.md`);
      }
    }
  }
  assert.equal((await m.exec(['sh', '-c', 'command -v kill >/dev/null && test -e /bin/kill'])).code === 0, false, 'the rootfs has no procps');
});

real('socket activation: with the service stopped, the first connection starts it and is answered', async () => {
  await m.sh('systemctl stop mlserve.service');
  assert.equal((await m.show('mlserve.service', ['ActiveState']))['ActiveState'], 'inactive');
  assert.equal((await m.show('mlserve.socket', ['ActiveState']))['ActiveState'], 'active');
  assert.equal(await predict(), 200);
  // The answer may come a moment before systemd has processed READY=1 (sent by a child process).
  await waitShow('mlserve.service', ['ActiveState'], (s) => s['ActiveState'] === 'active', 10_000);
});

real('READY=1 only once workers answer: a request right after `systemctl restart` returns succeeds; STATUS= names workers, rate and model', async () => {
  await m.sh('systemctl restart mlserve.service', 110_000);
  assert.equal(await predict(), 200);
  const s = await m.show('mlserve.service', ['ActiveState', 'SubState', 'StatusText']);
  assert.equal(`${s['ActiveState']}/${s['SubState']}`, 'active/running');
  assert.match(s['StatusText']!, /^\d+\/2 workers busy, [\d,.]+ req\/s, model reuters v1 \(\w+\)$/);
});

real('connections made while the service restarts are queued by the socket, none refused', async (t) => {
  const load = startLoad(sock, 4);
  await m.sh('systemctl restart mlserve.service', 110_000);
  assert.equal(await predict(), 200);
  const r = await load.stop();
  t.diagnostic(`restart under load: ${r.ok} answered, ${r.failed} failed`);
  assert.deepEqual(r.errors, []);
  assert.ok(r.ok > 0);
});

/** One `systemctl show` sample during a reload, with the host's time (the container shares its clock). */
interface Sample {
  at: number;
  state: string;
  controlPid: string;
}

real('systemctl reload (ExecReload=mlserve reload --pid $MAINPID, no procps): mlserve\'s RELOADING=1 keeps the unit reloading after ExecReload exited, until its READY=1; chain reload under load, zero failed requests', async (t) => {
  // systemd shows `reloading` by itself while ExecReload= runs: to see mlserve's RELOADING=1, the
  // reload must outlast ExecReload's process. With fast-path = false every new worker loads tfjs
  // (about a second each here, against ~0.1 s on the fast path), so the chain reload of 2 workers
  // goes on for seconds after `mlserve reload --pid` has sent SIGHUP and exited.
  await m.sh("sed -i '/^fast-path/d' /etc/mlserve/mlserve.ini && echo 'fast-path = false' >> /etc/mlserve/mlserve.ini");
  const cursor = await m.journalCursor();
  // systemd's debug log names each notification, the control process's exit and every state change.
  await m.sh('systemd-analyze log-level debug');
  try {
    const pid = await mainPid();
    const load = startLoad(sock, 4);
    const samples: Sample[] = [];
    let returned = false;
    const reload = m.sh('systemctl reload mlserve.service', 60_000).finally(() => (returned = true));
    await waitShow('mlserve.service', ['ActiveState', 'SubState', 'ControlPID'], (s) => {
      samples.push({ at: Date.now(), state: `${s['ActiveState']}/${s['SubState']}`, controlPid: s['ControlPID']! });
      return returned && s['ActiveState'] === 'active' && samples.some((x) => x.state === 'reloading/reload');
    }, 60_000);
    await reload;
    const r = await load.stop();
    const states = samples.map((x) => `${x.state}${x.controlPid === '0' ? '' : `(ExecReload ${x.controlPid})`}`);
    t.diagnostic(`reload under load: ${r.ok} answered, ${r.failed} failed; states seen: ${[...new Set(states)].join(' ')}`);
    assert.deepEqual(r.errors, []);
    assert.ok(r.ok > 0);
    assert.equal((await m.show('mlserve.service', ['MainPID']))['MainPID'], pid, 'a reload keeps the master');
    const reloaded = await m.waitJournal(cursor, ['-t', 'mlserve'], /"msg":"reloaded"/, 60_000);
    // Seen from outside: reloading with no ExecReload process left, before mlserve had reloaded.
    const reloadedAt = Date.parse((JSON.parse(reloaded) as { time: string }).time);
    const held = samples.filter((x) => x.state === 'reloading/reload' && x.controlPid === '0' && x.at < reloadedAt);
    assert.ok(held.length > 0, `no sample reloading after ExecReload exited and before mlserve's READY=1: ${states.join(' ')}`);
    assert.equal(samples.at(-1)!.state, 'active/running');
    // Seen from systemd's side: the reload ends at mlserve's READY=1, not at ExecReload's exit.
    // (systemd 252 keeps a RELOADING=1 that came while ExecReload ran and re-enters `reload` when
    // it exits; one that comes after its exit enters `reload` from `running`: both wait for READY=1.)
    const sys = (await m.sh(`journalctl _PID=1 -o cat --no-pager --after-cursor='${cursor}' | grep '^mlserve.service: '`)).split('\n');
    const at = (re: RegExp, from = 0) => sys.findIndex((l, i) => i >= from && re.test(l));
    const reloading = at(/Got notification message from PID \d+ \(RELOADING=1, MONOTONIC_USEC=\d+\)/);
    const controlExit = at(/Control process exited, code=exited, status=0\/SUCCESS/);
    const ready = at(/Got notification message from PID \d+ \(.*\bREADY=1\b/, Math.max(reloading, controlExit));
    const running = at(/Changed reload -> running/, ready);
    const context = sys.filter((l) => !/WATCHDOG=1|Sent message|Got message/.test(l)).join('\n');
    assert.ok(reloading >= 0 && controlExit >= 0 && ready >= 0 && running >= 0, context);
    assert.equal(sys.slice(running + 1).filter((l) => /Changed /.test(l)).length, 0, context);
    assert.ok(!sys.slice(Math.max(reloading, controlExit), ready).some((l) => /Changed reload -> running/.test(l)), `running before READY=1:\n${context}`);
  } finally {
    await m.sh('systemd-analyze log-level info');
    // Back to the fast path, applied by a reload (the later sub-tests time requests and restarts).
    await m.sh("sed -i '/^fast-path/d' /etc/mlserve/mlserve.ini && systemctl reload mlserve.service", 60_000);
    await waitShow('mlserve.service', ['ActiveState'], (s) => s['ActiveState'] === 'active', 60_000);
  }
});

real('journal priorities: -p warning shows exactly mlserve\'s warnings and errors; every pino line is JSON in -o cat', async () => {
  // A refused reload: version 2 is not a model, so mlserve logs an error and keeps serving v1.
  try {
    await m.sh('mkdir /var/lib/mlserve/models/reuters/2 && echo "{" > /var/lib/mlserve/models/reuters/2/model.json && systemctl reload mlserve.service');
    await waitShow('mlserve.service', ['StatusText'], (s) => /reload failed/.test(s['StatusText']!), 30_000);
  } finally {
    // Whatever happened: a broken newest version would fail every later start's --check.
    await m.sh('rm -rf /var/lib/mlserve/models/reuters/2');
  }
  assert.equal(await predict(), 200);
  const all = await journal();
  const pino = all.filter((e) => e.MESSAGE.startsWith('{'));
  const others = all.filter((e) => !e.MESSAGE.startsWith('{'));
  // ExecStartPre's --check report and ExecReload's answer are JSON lines too when stdout is the
  // journal; the only other line mlserve may write is a fail-fast `mlserve: ERR_...` on stderr.
  // None carries a raw <N> (journald stripped every prefix).
  for (const e of others) assert.match(e.MESSAGE, /^mlserve: ERR_[A-Z_]+: /);
  assert.ok(pino.some((e) => (JSON.parse(e.MESSAGE) as { check?: unknown }).check), 'the --check report is in the journal as JSON');
  const expected: Record<string, string> = { trace: '7', debug: '7', info: '6', warn: '4', error: '3', fatal: '2' };
  for (const e of pino) {
    const { level } = JSON.parse(e.MESSAGE) as { level: string };
    assert.equal(e.PRIORITY, expected[level], e.MESSAGE);
  }
  const warnings = (await journal(['-p', 'warning'])).map((e) => e.MESSAGE);
  assert.deepEqual(warnings, pino.filter((e) => Number(e.PRIORITY) <= 4).map((e) => e.MESSAGE));
  assert.ok(warnings.some((l) => l.includes('reload failed')), warnings.join('\n'));
  const cat = await m.sh('journalctl -t mlserve -o cat --no-pager | grep -v "^mlserve: ERR_" | jq -c .level');
  assert.equal(cat.trim().split('\n').length, pino.length, 'jq parses every line');
});

real('kill -9 of the master: restarted after RestartSec=1, the socket kept', async (t) => {
  const s0: Record<string, string> = { ...(await m.show('mlserve.service', ['NRestarts'])), MainPID: await mainPid() };
  const t0 = Date.now();
  await m.sh(`kill -9 ${s0['MainPID']}`); // dash's builtin kill: there is no /bin/kill here
  const s1 = await waitShow('mlserve.service', ['ActiveState', 'MainPID', 'NRestarts', 'ExecMainStartTimestampMonotonic', 'InactiveExitTimestampMonotonic'],
    (s) => s['ActiveState'] === 'active' && s['MainPID'] !== s0['MainPID'] && s['MainPID'] !== '0', 90_000);
  assert.equal(Number(s1['NRestarts']), Number(s0['NRestarts']) + 1);
  assert.ok(Date.now() - t0 >= 1000, 'not before RestartSec');
  // And soon after it: RestartSec, then the unit's own start (--check, workers ready).
  assert.ok(Date.now() - t0 <= 1000 + START_BUDGET_MS, `active again ${Date.now() - t0} ms after kill -9: more than RestartSec + ${START_BUDGET_MS} ms`);
  t.diagnostic(`kill -9 -> active again in ${Date.now() - t0} ms`);
  assert.equal(await predict(), 200);
  const sys = await m.sh('journalctl -u mlserve.service -o cat --no-pager | tail -n 30');
  assert.match(sys, /Main process exited, code=killed, status=9\/KILL/);
  assert.match(sys, /Scheduled restart job, restart counter is at/);
});

real('SIGSTOP of the master: the watchdog (WatchdogSec=8 by drop-in) kills it and it is restarted', async (t) => {
  const s0: Record<string, string> = { ...(await m.show('mlserve.service', ['NRestarts', 'WatchdogUSec'])), MainPID: await mainPid() };
  assert.equal(s0['WatchdogUSec'], '8s');
  const t0 = Date.now();
  await m.sh(`kill -STOP ${s0['MainPID']}`);
  const s1 = await waitShow('mlserve.service', ['ActiveState', 'MainPID', 'NRestarts'],
    (s) => s['ActiveState'] === 'active' && s['MainPID'] !== s0['MainPID'] && s['MainPID'] !== '0', 100_000);
  assert.equal(Number(s1['NRestarts']), Number(s0['NRestarts']) + 1);
  assert.ok(Date.now() - t0 >= 8000 - 500, `killed after ${Date.now() - t0} ms, before WatchdogSec`);
  assert.ok(Date.now() - t0 <= 8000 + 1000 + START_BUDGET_MS, `active again ${Date.now() - t0} ms after SIGSTOP: more than WatchdogSec + RestartSec + ${START_BUDGET_MS} ms`);
  t.diagnostic(`SIGSTOP -> active again in ${Date.now() - t0} ms`);
  const sys = await m.sh('journalctl -u mlserve.service -o cat --no-pager | tail -n 30');
  assert.match(sys, /Watchdog timeout/);
  assert.equal(await predict(), 200);
});

real('systemctl stop drains: a POST half sent at SIGTERM is answered 200 through mlserve.sock, Result=success; under load no request fails; then the socket activates it again', async (t) => {
  const before = (await journal()).length;
  const oldPid = await mainPid();
  const cursor = await m.journalCursor();
  // A request in flight for certain: `Expect: 100-continue` makes the master answer `100
  // Continue` once it has the headers, so the running instance holds it (not the socket's queue,
  // whose connections the next instance would answer). Half the body before SIGTERM, the rest
  // after mlserve logged "shutting down", with the FIN: the shape an earlier version of this check
  // saw closed unanswered in some runs (node aborted a request whose client half-closed; fixed in
  // src/master/httpServers.ts). Here that race did not always lose the answer: the regression
  // test that fails without the fix, every time, is test/e2e/lifecycle.test.ts.
  const body = JSON.stringify({ text: 'oil prices rose sharply in opec talks' });
  const conn = connect(sock);
  let answer = '';
  conn.on('data', (d: Buffer) => (answer += d.toString()));
  conn.on('error', () => undefined); // the answer (or its absence) is what is asserted
  const closed = once(conn, 'close');
  await once(conn, 'connect');
  conn.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
  while (!answer.startsWith('HTTP/1.1 100')) await once(conn, 'data');
  conn.write(body.slice(0, 10));
  const load = startLoad(sock, 8);
  const stop = m.sh('systemctl stop mlserve.service', 60_000);
  await m.waitJournal(cursor, ['-t', 'mlserve'], /"msg":"shutting down"/, 30_000);
  conn.end(body.slice(10));
  await Promise.race([closed, stop.then(() => once(conn, 'close'))]);
  assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 [\s\S]*connection: close[\s\S]*"label"/);
  await stop;
  const r = await load.stop();
  assert.deepEqual(r.errors, []);
  // The stop was clean: the old master exited 0 within TimeoutStopSec, nothing killed.
  const s = await m.show('mlserve.service', ['Result']);
  assert.equal(s['Result'], 'success', JSON.stringify(s));
  const sys = await m.sh(`journalctl -u mlserve.service -o cat --no-pager --after-cursor='${cursor}'`);
  assert.match(sys, /mlserve\.service: Deactivated successfully\./);
  assert.doesNotMatch(sys, /timed out|Killing process|status=\d+\/(KILL|ABRT)|code=exited, status=[1-9]/);
  const lines = (await journal()).slice(before).map((e) => JSON.parse(e.MESSAGE.startsWith('{') ? e.MESSAGE : '{}') as Record<string, unknown>);
  const stopped = lines.find((l) => l['msg'] === 'stopped' && String(l['pid']) === oldPid);
  assert.equal(stopped?.['drained'], true, JSON.stringify(lines.slice(-5)));
  const shutting = lines.find((l) => l['msg'] === 'shutting down');
  assert.ok(shutting);
  t.diagnostic(`stop under load: the half-sent POST answered 200; ${r.ok} answered, ${r.failed} failed; at SIGTERM ${String(shutting['inFlight'])} in flight, ${String(shutting['queued'])} queued`);
  // The load's connections made during the stop waited in the socket's queue and started it again.
  await waitShow('mlserve.service', ['ActiveState'], (s) => s['ActiveState'] === 'active', 60_000);
  assert.equal(await predict(), 200);
});

real('hardening is enforced: no writes outside ReadWritePaths, no TCP socket; systemd-analyze security online = offline', async () => {
  // The running master: mlserve's uid, no new privileges, seccomp filter, no capabilities.
  await waitShow('mlserve.service', ['ActiveState'], (s) => s['ActiveState'] === 'active', 60_000);
  const pid = await mainPid();
  const status = await m.sh(`cat /proc/${pid}/status`);
  assert.match(status, /^NoNewPrivs:\s+1$/m);
  assert.match(status, /^Seccomp:\s+2$/m);
  assert.match(status, /^CapEff:\s+0+$/m);
  // A process under the same [Service] sandbox tries what must fail.
  await m.sh(`sed -e '/^Exec/d' -e '/^Type=/d' -e '/^Restart/d' -e '/^Watchdog/d' -e '/^Requires=/d' -e '/^After=/d' -e '/^WantedBy=/d' /etc/systemd/system/mlserve.service > /etc/systemd/system/mlserve-probe.service
    sed -i 's|^\\[Service\\]|[Service]\\nType=oneshot\\nExecStart=/usr/bin/node /opt/mlserve/dist/test/systemd/nspawn/probe.js|' /etc/systemd/system/mlserve-probe.service
    systemctl daemon-reload && systemctl start mlserve-probe.service`);
  const probe = JSON.parse(await m.sh('cat /run/mlserve/probe.json')) as { writes: Record<string, string>; tcp: string; uid: number };
  assert.notEqual(probe.uid, 0);
  assert.deepEqual(probe.writes, {
    '/etc/mlserve/probe': 'EROFS', '/var/lib/mlserve/models/probe': 'EROFS', '/opt/mlserve/probe': 'EROFS',
    '/root/probe': 'EACCES', '/usr/local/bin/probe': 'EROFS', '/tmp/probe': 'ok', '/run/mlserve/probe': 'ok',
  });
  assert.equal(probe.tcp, 'EAFNOSUPPORT');
  const online = await m.sh('systemd-analyze security mlserve.service --no-pager');
  const offline = await m.sh('systemd-analyze security --offline=yes /etc/systemd/system/mlserve.service --no-pager');
  const score = (text: string) => /Overall exposure level for mlserve\.service: ([\d.]+) (\w+)/.exec(text)?.slice(1);
  assert.ok(score(online), online.slice(-300));
  assert.deepEqual(score(online), score(offline));
  assert.ok(Number(score(online)![0]) <= 2.5);
});

real('migration from the classic stack\'s unit (production_ml.service), as docs/deploy.md walks it', async () => {
  const classic = readFileSync(join(sharedDir, 'fixtures', 'seed', 'production_ml.service'), 'utf8');
  await m.sh(`cat > /etc/systemd/system/production_ml.service <<'UNIT'\n${classic}\nUNIT\nsystemctl daemon-reload && systemctl enable production_ml.service`);
  const before = await m.sh('systemd-analyze security production_ml.service --no-pager');
  const classicScore = Number(/Overall exposure level for production_ml\.service: ([\d.]+)/.exec(before)?.[1]);
  assert.ok(classicScore >= 9, before.slice(-200));
  const [steps] = sectionBlocks(deployMd, /^## 5\. Migrating/, 'sh');
  assert.ok(steps, 'docs/deploy.md has a "5. Migrating" section with a sh block');
  await m.sh(`set -e\n${steps}`, 110_000);
  assert.equal((await m.exec(['systemctl', 'cat', 'production_ml.service'])).code, 1, 'the classic unit is gone');
  const s = await m.show('mlserve.service', ['ActiveState', 'UnitFileState']);
  assert.deepEqual([s['ActiveState'], s['UnitFileState']], ['active', 'enabled']);
  assert.match(await m.sh('curl -s "localhost/predict?text=oil+prices"'), /"label"/);
});
