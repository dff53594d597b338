/**
 * Run inside the booted container by a unit that has mlserve.service's [Service] sandbox with
 * this file as ExecStart (test/systemd/nspawn.test.ts): tries what the hardening must forbid
 * and writes what happened to /run/mlserve/probe.json (the one writable place).
 */
import { writeFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';

function tryWrite(path: string): string {
  try {
    writeFileSync(path, 'x');
    rmSync(path);
    return 'ok';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

function tryTcp(): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: 80 });
    s.once('connect', () => {
      s.destroy();
      resolve('ok');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

const writes = Object.fromEntries(
  ['/etc/mlserve/probe', '/var/lib/mlserve/models/probe', '/opt/mlserve/probe', '/root/probe', '/usr/local/bin/probe', '/tmp/probe', '/run/mlserve/probe'].map((p) => [p, tryWrite(p)]),
);
const result = { uid: process.getuid?.(), writes, tcp: await tryTcp() };
writeFileSync('/run/mlserve/probe.json', JSON.stringify(result));
