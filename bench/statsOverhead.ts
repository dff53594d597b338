/**
 * `npm run bench:stats`: what reading the stats socket costs the predict path. mlserve (2
 * workers, test/fixtures/mlserve-test.ini, `--stats`) behind the real nginx, `wrk` GET /predict over Reuters
 * texts for a minute or more per round, while a reader (bench/statsReader.ts: python3, like
 * uwsgitop) reads the stats socket `--rate` times a second during the odd seconds of the clock
 * and not at all during the even ones. Throughput per second comes from mlserve's own
 * `rps_history` (read once at the end of the round), so each second with reads is compared with
 * the seconds without around it: interleaving second by second cancels the drift of a shared
 * machine, which makes separate runs with and without a reader differ by ±10% on their own.
 * Writes the result into the "Cost of reading the stats socket" section of docs/stats.md
 * (between its bench markers) unless `--no-write`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readStatsText } from '../src/mltop/statsTarget.js';
import { predictPath } from '../test/helpers/getText.js';
import { repoRoot, reutersModelBase } from '../test/helpers/paths.js';
import { reutersGetTexts } from '../test/helpers/reuters.js';
import { collectMachine, waitForQuiet } from './machine.js';
import { mdTable, fmtInt } from './markdown.js';
import { cpuTicks } from './procs.js';
import { startStatsReader } from './statsReader.js';
import { compareInterleaved, replicateInterval } from './interleavedSeconds.js';
import { startStaticStatsServer, staticStatsServerMissing, type StaticStatsServer } from './staticStatsServer.js';
import { startMlserveTarget } from './targets.js';
import { runWrk } from './wrk.js';

interface Options {
  rounds: number;
  rate: number;
  connections: number;
  write: boolean;
  waitQuietS: number;
  /** nice(1) increment of the reader (0: as any client runs). */
  readerNice: number;
  /** Also measure the reader against bench/staticStatsServer.c (the floor). */
  baseline: boolean;
}

const USAGE = `npm run bench:stats -- [--rounds N (3)] [--rate R (100)] [--connections C (64)] [--wait-quiet S (300)] [--reader-nice N (0)] [--no-baseline] [--no-write]`;

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { rounds: 3, rate: 100, connections: 64, write: true, waitQuietS: 300, readerNice: 0, baseline: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${flag}: a number >= 0, got ${argv[i]}\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--rounds': o.rounds = Math.max(1, Math.round(num())); break;
      case '--rate': o.rate = Math.max(1, num()); break;
      case '--connections': o.connections = Math.max(1, Math.round(num())); break;
      case '--wait-quiet': o.waitQuietS = num(); break;
      case '--no-write': o.write = false; break;
      case '--no-baseline': o.baseline = false; break;
      case '--reader-nice': o.readerNice = Math.min(19, Math.round(num())); break;
      case '--help': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  return o;
}

/** One round: requests per second of each second of the window, and what the reader did. */
interface Round {
  /** What the reader read: mlserve's stats socket, or the static server (the floor). */
  source: 'mlserve' | 'static';
  /** [epoch second, requests finished in it], oldest first. */
  seconds: Array<[number, number]>;
  reads: number;
  /** Seconds in which the reader read. */
  readSeconds: number;
  readErrors: number;
  meanBytes: number;
  lastValid: boolean;
  readerCpuMs: number;
  /** CPU of mlserve's main thread and of the whole process in each second, ms (10 ms ticks). */
  cpu: Map<number, { mainMs: number; processMs: number }>;
  wrkErrors: number;
}

// The window of one round: mlserve's history holds the last 60 complete seconds.
const WINDOW_S = 60;
// Load before the window starts (ramp-up) and the read after it ends.
const LEAD_S = 3;
const BEGIN = '<!-- bench:stats begin -->';
const END = '<!-- bench:stats end -->';

const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;

/** The stats document at `path`, read the way any client does. */
async function readStats(path: string): Promise<{ mlserve: { now: number; rps_history: number[] } }> {
  return JSON.parse(await readStatsText({ kind: 'unix', path })) as { mlserve: { now: number; rps_history: number[] } };
}

/** Samples the CPU ticks of `pid` (main thread and whole process) at each second boundary of the epoch clock. */
function sampleCpuPerSecond(pid: number): { stop(): Map<number, { mainMs: number; processMs: number }> } {
  const seconds = new Map<number, { mainMs: number; processMs: number }>();
  let last = { sec: Math.floor(Date.now() / 1000), main: cpuTicks(pid, pid), proc: cpuTicks(pid) };
  let timer: NodeJS.Timeout;
  const tick = (): void => {
    const sec = Math.floor(Date.now() / 1000);
    const main = cpuTicks(pid, pid);
    const proc = cpuTicks(pid);
    // Only a sample taken in the very next second measures exactly one second.
    if (sec === last.sec + 1) seconds.set(last.sec, { mainMs: (main - last.main) * 10, processMs: (proc - last.proc) * 10 });
    last = { sec, main, proc };
    schedule();
  };
  const schedule = (): void => {
    timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 2);
  };
  schedule();
  return {
    stop() {
      clearTimeout(timer);
      return seconds;
    },
  };
}

async function measureRound(
  target: { url: string; serverPid: number; statsPath?: string },
  readFrom: { source: Round['source']; path: string },
  paths: string[],
  o: Options,
): Promise<Round> {
  const pid = target.serverPid;
  const statsPath = target.statsPath!;
  const reader = await startStatsReader(readFrom.path, o.rate, true, o.readerNice);
  const cpu = sampleCpuPerSecond(pid);
  const loadStart = Date.now();
  const wrk = runWrk({ url: target.url, paths, threads: 2, connections: o.connections, durationS: LEAD_S + WINDOW_S + 3 });
  // Read the history in the middle of a second, once the window's 60 seconds are complete:
  // they are then the 60 before the current one, all under load.
  const firstSec = Math.ceil((loadStart + LEAD_S * 1000) / 1000);
  const readAt = (firstSec + WINDOW_S) * 1000 + 500;
  await delay(readAt - Date.now());
  const doc = await readStats(statsPath);
  // The second the document was built in, on the clock of its history (not this process's).
  const nowSec = Math.floor(doc.mlserve.now);
  const fraction = doc.mlserve.now - nowSec;
  if (fraction < 0.1 || fraction > 0.9) {
    // Near a second's edge, a late timer could shift every second by one and swap odd and even.
    throw new Error(`bench:stats: the history was read ${fraction.toFixed(3)} s into a second, too near its edge to align; run again`);
  }
  const done = await wrk;
  const r = await reader.stop();
  const history = doc.mlserve.rps_history;
  const seconds = history.map((n, i) => [nowSec - history.length + i, n] as [number, number]).filter(([sec]) => sec >= firstSec);
  return {
    source: readFrom.source,
    seconds,
    reads: r.reads,
    readSeconds: r.secondsWithReads,
    readErrors: r.errors,
    meanBytes: r.meanBytes,
    lastValid: r.lastValid,
    readerCpuMs: r.cpuMs,
    cpu: cpu.stop(),
    wrkErrors: done.errorsTotal,
  };
}

/** Main-thread CPU per request (µs) over the seconds with (odd) or without (even) reads. */
function cpuPerRequest(round: Round, withReads: boolean): number {
  let ms = 0;
  let requests = 0;
  for (const [sec, n] of round.seconds) {
    const cpu = round.cpu.get(sec);
    if (cpu === undefined || (sec % 2 !== 0) !== withReads) continue;
    ms += cpu.mainMs;
    requests += n;
  }
  return requests > 0 ? (ms * 1000) / requests : NaN;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string): void => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  setTimeout(() => {
    console.error('bench:stats: still running after its budget; giving up');
    process.exit(1);
  }, (o.waitQuietS + 120 + 2 * o.rounds * (LEAD_S + WINDOW_S + 20)) * 1000).unref();

  const machine = collectMachine();
  const quiet = await waitForQuiet(0.5, o.waitQuietS, log);
  const paths = reutersGetTexts(500).map(predictPath);
  const target = await startMlserveTarget({ modelBase: reutersModelBase, args: ['--workers', '2'], stats: true });
  const rounds: Round[] = [];
  let floor: StaticStatsServer | null = null;
  try {
    log('warm-up');
    await runWrk({ url: target.url, paths, threads: 2, connections: o.connections, durationS: 3 });
    const missing = o.baseline ? staticStatsServerMissing() : 'not asked for';
    if (missing) log(`no baseline: ${missing}`);
    // The static server serves a real document of this mlserve, so both readers read as much.
    else floor = await startStaticStatsServer(await readStatsText({ kind: 'unix', path: target.statsPath! }));
    // Rounds alternate between the two sources, so a drift of the machine favours neither.
    const sources: Array<{ source: Round['source']; path: string }> = [];
    for (let i = 0; i < o.rounds; i++) {
      sources.push({ source: 'mlserve', path: target.statsPath! });
      if (floor) sources.push({ source: 'static', path: floor.path });
    }
    for (const [i, readFrom] of sources.entries()) {
      const round = await measureRound(target, readFrom, paths, o);
      const c = compareInterleaved(round.seconds);
      log(`round ${i + 1} (${readFrom.source}): ${fmtInt(c.meanOff)} req/s in seconds without reads, ${fmtInt(c.meanOn)} with (${pct(c.change)}; paired ${pct(c.pairedChange)} ± ${(c.pairedTwoSe * 100).toFixed(1)}%), ${round.reads} reads`);
      rounds.push(round);
    }
  } finally {
    await floor?.stop();
    await target.stop();
  }

  const of = (source: Round['source']) => rounds.filter((r) => r.source === source);
  const all = compareInterleaved(of('mlserve').flatMap((r) => r.seconds));
  // Rounds are the replicates: the machine's state differs more between rounds than the seconds
  // of one round say.
  const mlserveRounds = of('mlserve').map((r) => compareInterleaved(r.seconds).pairedChange);
  const staticRounds = of('static').map((r) => compareInterleaved(r.seconds).pairedChange);
  const shares = staticRounds.map((s, i) => mlserveRounds[i]! - s);
  const interval = (values: number[]): string => {
    const r = replicateInterval(values);
    return Number.isNaN(r.halfWidth) ? pct(r.mean) : `${pct(r.mean)} ± ${(r.halfWidth * 100).toFixed(1)}%`;
  };
  const rows = rounds.map((r, i) => {
    const c = compareInterleaved(r.seconds);
    return [
      String(i + 1),
      r.source === 'mlserve' ? 'mlserve' : 'static (floor)',
      fmtInt(c.meanOff),
      fmtInt(c.meanOn),
      pct(c.change),
      `${pct(c.pairedChange)} ± ${(c.pairedTwoSe * 100).toFixed(1)}%`,
      `${cpuPerRequest(r, false).toFixed(1)} → ${cpuPerRequest(r, true).toFixed(1)}`,
      `${fmtInt(r.reads)} (${(r.reads / Math.max(1, r.readSeconds)).toFixed(0)} per odd second), ${r.readErrors} errors`,
      `${((r.readerCpuMs * 1000) / Math.max(1, r.reads)).toFixed(0)} µs`,
    ];
  });
  const errors = rounds.reduce((a, r) => a + r.wrkErrors + r.readErrors, 0);
  const valid = rounds.every((r) => r.lastValid);
  const bytes = rounds.reduce((a, r) => a + r.meanBytes, 0) / rounds.length;
  const summary = [
    `${BEGIN}`,
    `Measured by \`npm run bench:stats${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${machine.date.slice(0, 10)} (${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ` +
      `load average ${quiet.loadAfter} at start): mlserve \`--workers 2 --stats\` behind nginx/mlserve.conf, ` +
      `\`wrk -t2 -c${o.connections}\` GET /predict over 500 Reuters texts, ${o.rounds} rounds of ${WINDOW_S} s. In the odd seconds of the clock a ` +
      `python3 reader (bench/statsReader.ts${o.readerNice ? `, under \`nice -n ${o.readerNice}\`` : ''}) reads the stats socket ${o.rate} times a second, in the even seconds nothing does; ` +
      `throughput per second is mlserve's own \`rps_history\`. Documents of ${fmtInt(bytes)} bytes` +
      `${valid ? ' (the last of each round parsed and checked)' : ' (LAST DOCUMENT NOT VALID)'}; ${errors} failed requests or reads.`,
    '',
    mdTable(['round', 'stats socket read', 'req/s, seconds without reads', 'req/s, seconds with reads', 'change', 'each second vs its neighbours (± 2 SE)', 'main thread CPU µs/request, without → with', 'reads', 'reader CPU/read'], rows),
    '',
    `**Reading mlserve's stats socket: ${interval(mlserveRounds)}** over its ${mlserveRounds.length} rounds (each second with reads ` +
      `against its two neighbours, averaged per round; ± is a 95% t interval over the rounds; ${pct(all.change)} in plain means over ` +
      `all its seconds, ${fmtInt(all.meanOn)} against ${fmtInt(all.meanOff)} req/s).` +
      (shares.length > 0
        ? ` Reading the static server instead (bench/staticStatsServer.c: the same bytes written by a C loop — the cost of the reader, ` +
          `the kernel and the wake-ups with no server work): ${interval(staticRounds)}. ` +
          `**mlserve's own share: ${interval(shares)}** (each mlserve round minus the static round after it).`
        : ''),
    `${END}`,
  ].join('\n');
  console.log(summary);
  if (o.write) {
    const doc = join(repoRoot, 'docs', 'stats.md');
    const text = readFileSync(doc, 'utf8');
    const a = text.indexOf(BEGIN);
    const b = text.indexOf(END);
    if (a < 0 || b < a) throw new Error(`docs/stats.md: no ${BEGIN} ... ${END} block to replace`);
    writeFileSync(doc, text.slice(0, a) + summary + text.slice(b + END.length));
    log('wrote docs/stats.md');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
