import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { Master, type MasterOptions } from '../../src/master/master.js';
import { workerThreads } from '../../src/master/workerThread.js';
import { onProcessExit } from './cleanup.js';
import { LineLog } from './lines.js';
import { parseLogLine, type LogLine } from './mlserve.js';
import { repoRoot, reutersModelBase } from './paths.js';

/** Options of {@link startMaster}. */
export interface StartMasterOptions {
  /** Command-line arguments after `--model` and `--socket`, e.g. ['--workers', '2']. */
  args?: string[];
  /** The worker task module (a fixture under test/fixtures/); the production worker by default. */
  workerModule?: string;
  /** Everything else of Master.start's options (threads, clock, ...). */
  options?: MasterOptions;
  /** The arguments a reload reads (after the same `--model` and `--socket`); `args` when not set. */
  reloadArgs?: () => string[];
}

/** A master running in this process, on a temp Unix socket, its log captured. */
export interface InProcessMaster {
  master: Master;
  socketPath: string;
  /** The `ready` log line. */
  ready: LogLine;
  /** Every log line so far. */
  lines: LogLine[];
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Stops the master (graceful), removes the temp dir, resolves with the exit code. */
  stop(): Promise<number>;
}

/**
 * Starts a Master in-process with real worker threads and a real socket, configured from the
 * command line as `mlserve` would be (no config file), with the log captured as parsed lines.
 * The in-process counterpart of startMlserve: the master's objects are reachable.
 *
 * @example
 * const ml = await startMaster({ args: ['--workers', '2'], workerModule: HOOK_WORKER_URL });
 * try { ... ml.master.supervisor ... } finally { assert.equal(await ml.stop(), 0); }
 */
export async function startMaster(opts: StartMasterOptions = {}): Promise<InProcessMaster> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-'));
  const socketPath = join(dir, 'mlserve.sock');
  const argv = ['--model', reutersModelBase, '--socket', socketPath, ...(opts.args ?? [])];
  const { config } = await loadConfig({ argv, env: {}, cwd: repoRoot });
  const out = new PassThrough();
  const log = createLogger({ level: config.logLevel, destination: out });
  const lines = new LineLog<LogLine>(out, parseLogLine);
  const unregister = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const threads = opts.workerModule ? workerThreads(opts.workerModule) : undefined;
  const base = argv.slice(0, 4);
  const reloadConfig = async () => (await loadConfig({ argv: [...base, ...(opts.reloadArgs?.() ?? opts.args ?? [])], env: {}, cwd: repoRoot })).config;
  let master: Master;
  try {
    master = await Master.start(config, log, { ...(threads ? { threads } : {}), reloadConfig, ...opts.options });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    unregister();
    throw err;
  }
  const ready = await lines.waitFor((l) => l.msg === 'ready', { what: 'the ready line' });
  return {
    master,
    socketPath,
    ready,
    lines: lines.lines,
    waitForLine: (predicate, timeoutMs) => lines.waitFor(predicate, { ...(timeoutMs ? { timeoutMs } : {}), what: 'a matching log line' }),
    async stop() {
      try {
        return await master.stop('test over');
      } finally {
        rmSync(dir, { recursive: true, force: true });
        unregister();
      }
    },
  };
}
