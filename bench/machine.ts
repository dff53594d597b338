import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';

/** Where a benchmark ran: what a reader needs to compare figures across runs. */
export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  /** 1-minute load average when the bench started: other work on the machine skews figures. */
  loadAverage: number;
  node: string;
  nginx: string;
  uwsgi: string;
  wrk: string;
  python: string;
}

/** Collects {@link Machine} from /proc, node:os and the tools' version flags. */
export function collectMachine(): Machine {
  const cpuinfo = readText('/proc/cpuinfo');
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    loadAverage: loadAverage1(),
    node: process.version,
    nginx: versionOf('nginx', ['-v'], /nginx\/(\S+)/),
    uwsgi: versionOf('uwsgi', ['--version'], /(\S+)/),
    wrk: versionOf('wrk', ['-v'], /wrk (\S+)/),
    python: versionOf('/usr/bin/python3', ['-c', 'import sys, numpy, flask; print(sys.version.split()[0], "numpy", numpy.__version__, "flask", flask.__version__)'], /(.+)/),
  };
}

function versionOf(command: string, args: string[], pattern: RegExp): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  // nginx -v prints on stderr, wrk -v exits 1: read both streams, ignore the status.
  return pattern.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`.trim())?.[1]?.trim() ?? 'not found';
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The 1-minute load average, rounded to hundredths. */
export function loadAverage1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** What {@link waitForQuiet} saw. */
export interface QuietWait {
  waitedS: number;
  loadBefore: number;
  loadAfter: number;
  /** The load dropped below the threshold (or was below it already). */
  quiet: boolean;
  threshold: number;
  /** The longest wait allowed (--wait-quiet); 0: not waited at all. */
  maxS: number;
}

/**
 * Waits until the 1-minute load average is below `threshold` or `maxS` seconds have passed,
 * checking every 5 s: other engineers' tests share this machine, and figures taken while they
 * run say little. The load average has no event to wait on, so this polls.
 */
export async function waitForQuiet(threshold: number, maxS: number, log: (line: string) => void): Promise<QuietWait> {
  const started = Date.now();
  const loadBefore = loadAverage1();
  let load = loadBefore;
  while (load >= threshold && Date.now() - started < maxS * 1000) {
    log(`bench: load average ${load} >= ${threshold}; waiting (${Math.round((Date.now() - started) / 1000)} of ${maxS} s)`);
    await delay(5000);
    load = loadAverage1();
  }
  return { waitedS: Math.round((Date.now() - started) / 1000), loadBefore, loadAfter: load, quiet: load < threshold, threshold, maxS };
}
