import type { Machine } from './machine.js';
import type { TreeMemory } from './procs.js';
import type { WrkResult } from './wrk.js';

/** One server's figures from one load run. */
export interface RunResult {
  name: string;
  description: string;
  wrk: WrkResult;
  /** Server process tree right before the measured run (after the warm-up). */
  memBefore: TreeMemory;
  /** Server process tree right after the measured run. */
  memAfter: TreeMemory;
  /** Highest tree RSS sampled during the measured run. */
  peakRssKiB: number;
}

/** How the runs were made: the flags, and what was sent. */
export interface RunSetup {
  command: string;
  threads: number;
  connections: number;
  durationS: number;
  warmupS: number;
  texts: number;
  maxTextBytes: number;
  /** The model version dir both servers load, relative to the repo. */
  model: string;
}

const COLUMNS = ['server', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'procs', 'RSS MiB', 'PSS MiB', 'peak RSS MiB'];

function row(r: RunResult): string[] {
  const mib = (kib: number): string => (kib / 1024).toFixed(0);
  const { latencyMs: l } = r.wrk;
  return [
    r.name,
    r.wrk.rps.toFixed(0),
    l.p50.toFixed(2),
    l.p90.toFixed(2),
    l.p99.toFixed(2),
    l.max.toFixed(1),
    errorsCell(r.wrk),
    String(r.memAfter.processes),
    mib(r.memAfter.rssKiB),
    mib(r.memAfter.pssKiB),
    mib(r.peakRssKiB),
  ];
}

function errorsCell(wrk: WrkResult): string {
  if (wrk.errorsTotal === 0) return '0';
  const parts = Object.entries(wrk.errors).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`);
  return `${wrk.errorsTotal} (${parts.join(', ')})`;
}

/** The side-by-side table, aligned for a terminal. */
export function renderTable(results: RunResult[]): string {
  const rows = [COLUMNS, ...results.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

function warmup(seconds: number): string {
  return seconds > 0 ? `after a ${seconds} s warm-up with the same settings` : 'with no warm-up';
}

/** docs/benchmarks.md: command, method, machine and figures of one run. */
export function renderMarkdown(setup: RunSetup, machine: Machine, results: RunResult[]): string {
  const table = [
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...results.map((r) => `| ${row(r).join(' | ')} |`),
  ].join('\n');
  return `# Benchmarks

Written by \`npm run bench\` (bench/bench.ts); rerun it to refresh these figures rather than
editing them.

## Command

    ${setup.command}

## Method

- One run on one machine; the servers are loaded one after the other, never at the same time.
  A single run: rerun to see the run-to-run spread before reading much into small differences.
- Both serve ${setup.model} and sit behind their own nginx (worker_processes 1) on a loopback port:
${results.map((r) => `  - **${r.name}**: ${r.description}`).join('\n')}
- Load: \`wrk -t${setup.threads} -c${setup.connections} -d${setup.durationS}s\`, ${warmup(setup.warmupS)},
  cycling \`GET /predict?text=...\` over ${setup.texts} real Reuters test texts
  (texts the model did not train on). Texts whose URL encoding exceeds ${setup.maxTextBytes} bytes are cut
  at a word boundary: the peer's uWSGI rejects larger query strings (buffer-size 4096).
- Errors: socket errors (connect, read, write, timeout after 5 s) plus responses outside 2xx.
- Memory: the server's process tree read from /proc, **nginx excluded for both**. mlserve: the
  node process (its workers are threads inside it). Peer: uWSGI master + workers. RSS counts
  pages shared between forked processes once per process; PSS splits them among their sharers.
  RSS and PSS are taken right after the measured run; peak RSS is sampled every 250 ms during it.
- wrk, nginx and the server share the machine's CPUs, so figures are for comparing the two
  servers on this machine, not absolute capacity.

## Machine

| | |
| --- | --- |
| date | ${machine.date} |
| CPUs (nproc) | ${machine.cpus} |
| CPU model | ${machine.cpuModel} |
| memory | ${machine.memoryGiB} GiB |
| kernel | ${machine.kernel} |
| load average (1 min) at start | ${machine.loadAverage} |
| node | ${machine.node} |
| nginx | ${machine.nginx} |
| uWSGI | ${machine.uwsgi} |
| python (peer) | ${machine.python} |
| wrk | ${machine.wrk} |

## Results

${table}
`;
}
