import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';

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
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
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
