import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onProcessExit } from '../../helpers/cleanup.js';

const run = promisify(execFile);

/** The result of a command run inside the container. */
export interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A Debian rootfs booted with systemd as PID 1 by systemd-nspawn (a copy of the cached tree, so
 * the cache stays clean), driven from the host with `nsenter -t <its PID 1> -a`.
 */
export class Machine {
  readonly dir: string;
  readonly #nspawn: ChildProcess;
  readonly #output: string[];
  readonly pid1: number;
  readonly #dropExitHook: () => void;

  private constructor(dir: string, nspawn: ChildProcess, output: string[], pid1: number, dropExitHook: () => void) {
    this.dir = dir;
    this.#nspawn = nspawn;
    this.#output = output;
    this.pid1 = pid1;
    this.#dropExitHook = dropExitHook;
  }

  /**
   * Copies `rootfs`, boots it (`--boot --register=no --keep-unit --private-network`, with
   * `binds` as `--bind-ro=` arguments) and waits, at most `timeoutMs`, until
   * `systemctl is-system-running --wait` answers. Rejects with nspawn's output when it cannot.
   */
  static async boot(rootfs: string, binds: string[], timeoutMs: number): Promise<Machine> {
    const parent = mkdtempSync(join(tmpdir(), 'mlserve-nspawn-'));
    const dir = join(parent, `mlserve-${process.pid}`);
    await run('cp', ['-a', rootfs, dir], { timeout: 120_000 });
    const args = ['-D', dir, '--boot', '--register=no', '--keep-unit', '--private-network', '--quiet',
      ...binds.map((b) => `--bind-ro=${b}`)];
    const nspawn = spawn('systemd-nspawn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    nspawn.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    nspawn.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    const dropExitHook = onProcessExit(() => {
      nspawn.kill('SIGKILL');
      rmSync(parent, { recursive: true, force: true });
    });
    const deadline = Date.now() + timeoutMs;
    const fail = (why: string): never => {
      nspawn.kill('SIGKILL');
      throw new Error(`${why}; systemd-nspawn said: ${output.join('').slice(-2000)}`);
    };
    // PID 1 of the container is nspawn's only child (with --keep-unit, no scope in between).
    let pid1 = 0;
    while (!pid1) {
      if (nspawn.exitCode !== null) fail(`systemd-nspawn exited with ${nspawn.exitCode}`);
      if (Date.now() > deadline) fail('the container did not start in time');
      const children = readChildren(nspawn.pid!);
      if (children.length === 1 && readFileSync(`/proc/${children[0]}/comm`, 'utf8').trim() === 'systemd') pid1 = children[0]!;
      else await new Promise((r) => setTimeout(r, 50)); // polling /proc: there is no event for "PID 1 exec'd"
    }
    const machine = new Machine(dir, nspawn, output, pid1, dropExitHook);
    // Right after PID 1 exec'd, systemctl cannot reach it yet ("Failed to connect to bus", or "offline"):
    // ask again until it answers `running` (or a final state), polling as there is no event.
    let state = await machine.exec(['systemctl', 'is-system-running', '--wait'], Math.max(1000, deadline - Date.now()));
    while (!['running', 'degraded', 'maintenance', 'stopping'].includes(state.stdout.trim()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = await machine.exec(['systemctl', 'is-system-running', '--wait'], Math.max(1000, deadline - Date.now()));
    }
    if (state.stdout.trim() !== 'running') {
      const failed = await machine.exec(['systemctl', '--failed', '--no-legend']);
      await machine.poweroff();
      throw new Error(`the container's systemd is ${state.stdout.trim() || state.stderr.trim()}; failed units: ${failed.stdout}`);
    }
    return machine;
  }

  /** Runs `argv` in the container (all its namespaces), bounded by `timeoutMs`; never rejects. */
  async exec(argv: string[], timeoutMs = 30_000): Promise<Exec> {
    try {
      // A clean environment, as a root shell in the container would have: not the test runner's
      // (NODE_EXTRA_CA_CERTS and the like name host paths).
      const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
      const { stdout, stderr } = await run('nsenter', ['-t', String(this.pid1), '-a', ...argv], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 << 20, env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}${e.killed ? ' (timed out)' : ''}` };
    }
  }

  /** `sh -c script` in the container; rejects with its output when it fails. */
  async sh(script: string, timeoutMs = 60_000): Promise<string> {
    const r = await this.exec(['sh', '-c', script], timeoutMs);
    if (r.code !== 0) throw new Error(`in the container, exit ${r.code}: ${script.slice(0, 300)}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    return r.stdout;
  }

  /** The journal's current cursor: what {@link waitJournal} starts after. */
  async journalCursor(): Promise<string> {
    const out = await this.sh('journalctl -n 0 --show-cursor -q --no-pager');
    const cursor = /^-- cursor: (.+)$/m.exec(out)?.[1];
    if (!cursor) throw new Error(`journalctl printed no cursor: ${out}`);
    return cursor;
  }

  /**
   * Resolves with the first journal line (`journalctl -o cat` with `args`) after `cursor` that
   * matches `pattern`, as journald records it (`journalctl -f`: an event, no polling); rejects
   * after `timeoutMs`. The follower runs in its own process group, killed with it when done.
   */
  async waitJournal(cursor: string, args: string[], pattern: RegExp, timeoutMs: number): Promise<string> {
    const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
    // nsenter forks journalctl (it enters a PID namespace): killing nsenter alone would leave it running.
    const child = spawn('nsenter', ['-t', String(this.pid1), '-a', 'journalctl', '-f', '-o', 'cat', '--no-pager', `--after-cursor=${cursor}`, ...args],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    try {
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no journal line matching ${pattern} within ${timeoutMs} ms; seen:\n${text.slice(-2000)}`)), timeoutMs);
        child.stdout!.on('data', (d: Buffer) => {
          text += d.toString();
          const line = text.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            clearTimeout(timer);
            resolve(line);
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`journalctl -f exited (${code}) before a line matched ${pattern}`));
        });
      });
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** `systemctl show UNIT -p A,B` as an object. */
  async show(unit: string, props: string[]): Promise<Record<string, string>> {
    const out = await this.sh(`systemctl show ${unit} -p ${props.join(',')}`);
    return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }

  /** A path in the container's file system seen from the host (Unix sockets connect through it). */
  path(inside: string): string {
    return `/proc/${this.pid1}/root${inside}`;
  }

  /** Powers the container off (SIGKILL after 20 s) and removes its copy of the rootfs. */
  async poweroff(): Promise<void> {
    if (this.#nspawn.exitCode === null && this.#nspawn.signalCode === null) {
      const exited = once(this.#nspawn, 'exit');
      this.#nspawn.kill('SIGTERM'); // nspawn asks the container's systemd to power off
      const timer = setTimeout(() => this.#nspawn.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    this.#dropExitHook();
    rmSync(join(this.dir, '..'), { recursive: true, force: true });
  }

  /** nspawn's console output so far (for failure messages). */
  console(): string {
    return this.#output.join('');
  }
}

function readChildren(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}
