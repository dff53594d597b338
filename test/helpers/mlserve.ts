import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './cleanup.js';
import { LineLog } from './lines.js';
import { mlserveBin, repoRoot } from './paths.js';

/** One pino line of mlserve's stdout; `{ raw }` for a line that is not JSON. */
export interface LogLine {
  msg?: string;
  level?: string | number;
  raw?: string;
  [key: string]: unknown;
}

/** Options of {@link startMlserve}. */
export interface MlserveOptions {
  /** Extra CLI arguments, after `--config` and `--socket`, e.g. ['--workers', '2']. */
  args?: string[];
  /** A subcommand before every flag, e.g. 'serve' (SageMaker's entrypoint). */
  subcommand?: string;
  /** Added to process.env for the child. */
  env?: NodeJS.ProcessEnv;
  /** Working directory; the repo root by default, where config/mlserve.ini is. */
  cwd?: string;
  /** The --config file; null for none. Default test/fixtures/mlserve-test.ini (the shipped config runs cheaper and a stats socket). */
  config?: string | null;
  /** Socket to serve on; `<new temp dir>/mlserve.sock` by default. */
  socketPath?: string;
  /** False: pass no --socket flag (the config's `socket` is used; give `socketPath` to say where it is). */
  socketFlag?: boolean;
  /** How long to wait for the "ready" line. */
  readyTimeoutMs?: number;
}

/** An mlserve child started by {@link startMlserve}, already ready. */
export interface RunningMlserve {
  child: ChildProcess;
  pid: number;
  socketPath: string;
  /** The `"msg":"ready"` line: socket, startupMs, workers, backend, model. */
  ready: LogLine;
  /** Every stdout line so far, parsed. */
  lines: LogLine[];
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the first stdout line (seen or to come) matching `predicate`. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal`, awaits the exit (SIGKILL after 20 s), resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns `node dist/src/cli/mlserve.js` on a temp Unix socket and resolves when it logs
 * `"msg":"ready"`; rejects with its output if it exits first or is not ready in time.
 *
 * @example
 * const ml = await startMlserve({ args: ['--workers', '2'] });
 * const res = await httpRequest({ socketPath: ml.socketPath, path: '/readyz' });
 * assert.equal(await ml.stop(), 0);
 */
export async function startMlserve(options: MlserveOptions = {}): Promise<RunningMlserve> {
  const { args = [], env, cwd = repoRoot, config = 'test/fixtures/mlserve-test.ini', readyTimeoutMs = 30_000 } = options;
  const dir = options.socketPath === undefined ? mkdtempSync(join(tmpdir(), 'mlserve-')) : undefined;
  const socketPath = options.socketPath ?? join(dir!, 'mlserve.sock');
  const argv = [mlserveBin, ...(options.subcommand ? [options.subcommand] : []), ...(config === null ? [] : ['--config', config]), ...(options.socketFlag === false ? [] : ['--socket', socketPath]), ...args];

  const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = onProcessExit(function killMlserve() {
    child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const stdout = new LineLog<LogLine>(child.stdout!, parseLogLine);
  const stderr = new LineLog<string>(child.stderr!, (line) => line);
  child.once('close', (code, signal) => {
    const err = new Error(
      `mlserve exited (code ${code}, signal ${signal})\n--- stdout\n${stdout.text()}\n--- stderr\n${stderr.text()}`,
    );
    stdout.fail(err);
    stderr.fail(err);
  });

  const stop = async function stopMlserve(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    try {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = once(child, 'close');
        child.kill(signal);
        let killed = false;
        const timer = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, 20_000);
        await closed;
        clearTimeout(timer);
        if (killed) throw new Error(`mlserve did not exit within 20 s of ${signal}:\n${stdout.text()}`);
      }
      return child.exitCode;
    } finally {
      unregister();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  };

  let ready: LogLine;
  try {
    ready = await stdout.waitFor((line) => line.msg === 'ready', { timeoutMs: readyTimeoutMs, what: 'mlserve "ready" line' });
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) await stop('SIGKILL').catch(() => undefined);
    else if (dir) rmSync(dir, { recursive: true, force: true });
    unregister();
    throw err;
  }
  return {
    child,
    pid: child.pid!,
    socketPath,
    ready,
    lines: stdout.lines,
    stderr: () => stderr.text(),
    waitForLine: (predicate, timeoutMs) => stdout.waitFor(predicate, { ...(timeoutMs ? { timeoutMs } : {}), what: 'matching mlserve line' }),
    stop,
  };
}

/** Parses one stdout line; keeps non-JSON lines (a crash trace) as `{ raw }`. */
export function parseLogLine(line: string): LogLine {
  try {
    const value: unknown = JSON.parse(line);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as LogLine;
  } catch {
    // not JSON: falls through
  }
  return { raw: line };
}

/** What a short-lived mlserve run (`--check`, `--help`) printed, and how it exited. */
export interface MlserveRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/src/cli/mlserve.js ARGS` to its exit (`--check`, `--print-config`), resolving
 * with its exit code and output; SIGKILLed after `timeoutMs` (then `signal` says so).
 *
 * @example
 * const run = await runMlserve(['--check', '--model', 'models/reuters']);
 * assert.equal(run.code, 0, run.stderr);
 */
export async function runMlserve(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<MlserveRun> {
  const child = spawn(process.execPath, [mlserveBin, ...args], { cwd: options.cwd ?? repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = onProcessExit(() => child.kill('SIGKILL'));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  unregister();
  return { code, signal, stdout, stderr };
}
