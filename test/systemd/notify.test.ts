/**
 * The Notifier against the real `systemd-notify` binary and a NOTIFY_SOCKET receiver (what
 * systemd's manager does with the datagrams is systemd's business; what reaches it is ours).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../src/log.js';
import { Notifier } from '../../src/systemd/notify.js';
import { notifyFields, startNotifySocket, type NotifySocket } from '../helpers/notifySocket.js';
import { missingTool } from './tools.js';

const skip = missingTool('systemd-notify', 'python3');
// systemd-notify waits up to 5 s for the receiver to close the barrier fd; a delivered message
// must cost far less (the receiver closes it at once).
const QUICK_MS = 1000;

const savedEnv = { NOTIFY_SOCKET: process.env['NOTIFY_SOCKET'], PATH: process.env['PATH'] };
let receiver: NotifySocket;

before(async () => {
  if (!skip) receiver = await startNotifySocket();
});
after(async () => {
  await receiver?.close();
});

/** The Notifier reads process.env (its systemd-notify children inherit it): set it per test. */
function useEnv(t: { after(fn: () => void): void }, env: { NOTIFY_SOCKET?: string; PATH?: string }): void {
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  t.after(() => {
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}

function capture() {
  const lines: Array<{ level: string; msg: string; err?: string; notify?: string }> = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { log, lines };
}

async function timed(call: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await call();
  return performance.now() - t0;
}

test('READY=1, STATUS=, RELOADING=1, STOPPING=1 and WATCHDOG=1 reach NOTIFY_SOCKET, each well under the barrier timeout', { skip }, async (t) => {
  useEnv(t, { NOTIFY_SOCKET: receiver.path });
  const notifier = new Notifier({ log: capture().log });
  assert.equal(notifier.enabled, true);
  const cases: Array<{ call: () => Promise<void>; key: string; expect: Record<string, string | RegExp | undefined> }> = [
    { call: () => notifier.status('loading model reuters'), key: 'STATUS', expect: { STATUS: 'loading model reuters', MAINPID: String(process.pid) } },
    { call: () => notifier.ready(), key: 'READY', expect: { READY: '1', MAINPID: String(process.pid) } },
    { call: () => notifier.reloading(), key: 'RELOADING', expect: { RELOADING: '1', MONOTONIC_USEC: /^\d+$/, MAINPID: undefined } },
    { call: () => notifier.ready('0/2 workers busy'), key: 'READY', expect: { READY: '1', STATUS: '0/2 workers busy' } },
    { call: () => notifier.watchdog(), key: 'WATCHDOG', expect: { WATCHDOG: '1', MAINPID: undefined } },
    { call: () => notifier.stopping(), key: 'STOPPING', expect: { STOPPING: '1', MAINPID: undefined } },
  ];
  for (const { call, key, expect } of cases) {
    const from = receiver.datagrams.length;
    const ms = await timed(call);
    assert.ok(ms < QUICK_MS, `${key} took ${Math.round(ms)} ms`);
    const got = await receiver.waitFor((m) => key in notifyFields(m), 2000, from);
    const fields = notifyFields(got.data);
    for (const [name, want] of Object.entries(expect)) {
      if (want instanceof RegExp) assert.match(fields[name] ?? '', want, `${key}: ${name}`);
      else assert.equal(fields[name], want, `${key}: ${name} in ${JSON.stringify(got.data)}`);
    }
    if (key === 'RELOADING') {
      // Type=notify-reload compares MONOTONIC_USEC with CLOCK_MONOTONIC: it must be that clock.
      const sent = Number(fields['MONOTONIC_USEC']);
      assert.ok(sent <= got.monotonicUsec && sent > got.monotonicUsec - 5_000_000, `MONOTONIC_USEC=${sent}, receiver's clock ${got.monotonicUsec}`);
    }
  }
});

test('one systemd-notify at a time: a newer STATUS replaces a waiting one, WATCHDOG=1 is not queued twice, an unchanged STATUS is not resent', { skip }, async (t) => {
  useEnv(t, { NOTIFY_SOCKET: receiver.path });
  const notifier = new Notifier({ log: capture().log });
  const from = receiver.datagrams.length;
  const statuses = () => receiver.datagrams.filter((d) => d.seq >= from).map((d) => notifyFields(d.data)['STATUS']).filter((s) => s !== undefined);

  await Promise.all([notifier.status('a'), notifier.status('b'), notifier.status('c')]);
  await receiver.waitFor((m) => notifyFields(m)['STATUS'] === 'c', 2000, from);
  assert.deepEqual(statuses(), ['a', 'c'], '"a" was being sent, "c" replaced "b" while it waited');

  await notifier.status('c');
  await notifier.status('two\nlines');
  await receiver.waitFor((m) => notifyFields(m)['STATUS'] === 'two lines', 2000, from);
  assert.deepEqual(statuses(), ['a', 'c', 'two lines'], 'an unchanged status is not resent; newlines would break the protocol');

  const pingsFrom = receiver.datagrams.length;
  await Promise.all(Array.from({ length: 10 }, () => notifier.watchdog()));
  await receiver.waitFor((m) => m === 'WATCHDOG=1', 2000, pingsFrom);
  await notifier.stopping(); // a marker behind every ping in the queue
  await receiver.waitFor((m) => m === 'STOPPING=1', 2000, pingsFrom);
  const pings = receiver.datagrams.filter((d) => d.seq >= pingsFrom && d.data === 'WATCHDOG=1').length;
  assert.equal(pings, 2, 'one ping in flight and one waiting, not ten children');
});

test('without NOTIFY_SOCKET every call is a no-op: nothing is spawned', { skip }, async (t) => {
  // A systemd-notify first on PATH that records its calls: proof that nothing ran, and (the
  // control below) that it would have seen a call.
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-fake-notify-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const record = join(dir, 'calls');
  writeFileSync(join(dir, 'systemd-notify'), `#!/bin/sh\necho "$*" >> ${record}\n`);
  chmodSync(join(dir, 'systemd-notify'), 0o755);

  useEnv(t, { NOTIFY_SOCKET: undefined, PATH: `${dir}:${savedEnv.PATH ?? ''}` });
  const off = new Notifier({ log: capture().log });
  assert.equal(off.enabled, false);
  await Promise.all([off.status('x'), off.ready(), off.reloading(), off.stopping(), off.watchdog()]);
  assert.equal(existsSync(record), false, 'no systemd-notify ran');

  process.env['NOTIFY_SOCKET'] = receiver.path;
  await new Notifier({ log: capture().log }).ready();
  assert.match(readFileSync(record, 'utf8'), /^--ready --pid=\d+$/m, 'control: the fake binary records calls');
});

test('a failing systemd-notify is logged once as a warning, never thrown', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-notify-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  useEnv(t, { NOTIFY_SOCKET: join(dir, 'nobody-listens.sock') });
  const { log, lines } = capture();
  const notifier = new Notifier({ log });
  const ms = await timed(async () => {
    await notifier.ready();
    await notifier.status('x');
    await notifier.watchdog();
  });
  assert.ok(ms < 3 * QUICK_MS, `failures took ${Math.round(ms)} ms`);
  const failures = lines.filter((l) => /systemd notification failed/.test(l.msg));
  assert.equal(failures.length, 3);
  assert.equal(failures[0]!.level, 'warn');
  assert.match(failures[0]!.err ?? '', /No such file or directory/);
  assert.deepEqual(failures.slice(1).map((l) => l.level), ['debug', 'debug'], 'the same error again is not a new warning');

  // The binary itself missing (PATH without it): the spawn error is logged the same way.
  useEnv(t, { NOTIFY_SOCKET: receiver.path, PATH: dir });
  const lost = capture();
  await new Notifier({ log: lost.log }).stopping();
  assert.match(lost.lines.find((l) => l.level === 'warn')?.err ?? '', /ENOENT/);
});
