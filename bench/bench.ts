/**
 * `npm run bench`: mlserve, the seed's uWSGI + Flask stack and a hello-world Node server, each
 * behind the real nginx, loaded one after the other on this machine. Parts: a GET concurrency
 * sweep, POST batches, startup time, a rising-and-falling ramp with scaling on, and mltop's
 * screen under load. Writes docs/benchmarks.md, its SVG charts under docs/bench/ and the screen
 * capture of docs/mltop.md. `npm run bench -- --help` lists the flags.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { resolveModelVersion } from '../src/model/resolveModelVersion.js';
import { predictPath } from '../test/helpers/getText.js';
import { nginxMissing } from '../test/helpers/nginx.js';
import { repoRoot, reutersModelBase as modelBase } from '../test/helpers/paths.js';
import { reutersGetTexts } from '../test/helpers/reuters.js';
import { tmuxMissing } from '../test/helpers/tmux.js';
import { benchCharts } from './charts.js';
import { collectMachine, waitForQuiet } from './machine.js';
import { replaceScreenCapture } from './mltopDoc.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { peerMissing } from './peer.js';
import { rampSchedule } from './rampSchedule.js';
import { renderReport } from './report.js';
import type { BenchResults } from './results.js';
import type { BenchContext } from './scenarios/context.js';
import { runMltopCapture } from './scenarios/mltopCapture.js';
import { runPost } from './scenarios/post.js';
import { runProtocols } from './scenarios/protocols.js';
import { runRamp, runSteady } from './scenarios/ramp.js';
import { runStartup } from './scenarios/startup.js';
import { runSweep } from './scenarios/sweep.js';
import { runFamilies } from './scenarios/families.js';

const defaultOut = join(repoRoot, 'docs', 'benchmarks.md');

/** Most seconds the whole run spends measuring disturbed points again (see --retries). */
const RETRY_BUDGET_S = 120;

/** Why this run cannot happen here, or false. */
function missingTool(options: BenchOptions): string | false {
  if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) return 'wrk is not installed (apt-get install wrk)';
  const nginx = nginxMissing();
  if (nginx) return nginx;
  const peerParts = options.parts.some((p) => p === 'sweep' || p === 'startup' || p === 'ramp' || p === 'steady');
  if (peerParts && options.servers.includes('peer')) {
    const peer = peerMissing();
    if (peer) return `${peer} (or leave the peer out: --servers mlserve,hello)`;
  }
  if (options.parts.includes('mltop')) {
    const tmux = tmuxMissing();
    if (tmux) return `${tmux} (or --no-mltop-capture)`;
  }
  return false;
}

/** Longest the run may take before it is considered hung: every part's own time, generously. */
function budgetS(o: BenchOptions): number {
  const point = o.warmupS + o.durationS + 35;
  const ramp = rampSchedule(o.ramp).length;
  return (
    o.waitQuietS +
    60 +
    (o.retries > 0 ? RETRY_BUDGET_S + 60 : 0) +
    (o.parts.includes('sweep') ? o.servers.length * (o.concurrencies.length * point + 60) : 0) +
    (o.parts.includes('post') ? point + 60 : 0) +
    (o.parts.includes('protocols') ? 4 * point + 60 : 0) +
    (o.parts.includes('startup') ? o.startupRuns * 2 * 45 : 0) +
    (o.parts.includes('ramp') ? 2 * (ramp + 90) : 0) +
    (o.parts.includes('steady') ? 2 * (o.steady.seconds + 90) : 0) +
    // six models x two engines x two cells of at most 3 s, and each thread's spawn and warm-up
    (o.parts.includes('families') ? 300 : 0) +
    (o.parts.includes('mltop') ? o.mltopLoadS + 90 : 0)
  );
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), defaultOut);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const missing = missingTool(options);
  if (missing) throw new Error(`cannot bench: ${missing}`);
  const started = Date.now();
  const log = (line: string): void => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

  // Bounded in time whatever happens: exit hooks (test/helpers/cleanup.ts) stop every process.
  const budget = budgetS(options);
  setTimeout(() => {
    console.error(`bench: still running after ${budget} s; giving up`);
    process.exit(1);
  }, budget * 1000).unref();

  const model = await resolveModelVersion(modelBase);
  const ctx: BenchContext = { options, modelBase, modelDir: model.dir, getPaths: reutersGetTexts(options.texts).map(predictPath), log, retryBudget: { leftS: RETRY_BUDGET_S } };
  const machine = collectMachine();
  log(`parts ${options.parts.join(',')}, servers ${options.servers.join(',')}; load average ${machine.loadAverage}`);
  const quiet = await waitForQuiet(options.quietLoad, options.waitQuietS, log);

  const results: BenchResults = {
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine,
    quiet,
    totalS: 0,
    model: relative(repoRoot, model.dir),
  };
  const failures: string[] = (results.failures = []);
  const run = async <T>(name: string, part: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await part();
    } catch (err) {
      // Each part stops its own servers; the others can still run and be reported.
      failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
      log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
      return undefined;
    }
  };
  for (const part of options.parts) {
    switch (part) {
      case 'sweep':
        results.sweep = await run(part, () => runSweep(ctx));
        break;
      case 'post':
        results.post = await run(part, () => runPost(ctx));
        break;
      case 'protocols':
        results.protocols = await run(part, () => runProtocols(ctx));
        break;
      case 'startup':
        results.startup = await run(part, () => runStartup(ctx));
        break;
      case 'ramp':
        results.ramp = await run(part, () => runRamp(ctx));
        break;
      case 'steady':
        results.steady = await run(part, () => runSteady(ctx));
        break;
      case 'families':
        results.families = await run(part, () => runFamilies(ctx));
        break;
      case 'mltop': {
        const captured = await run(part, () => runMltopCapture(ctx));
        if (captured) [results.mltop, results.mltopLoad] = [captured.capture, captured.wrk];
        break;
      }
    }
  }
  results.totalS = Math.round((Date.now() - started) / 1000);

  const charts = benchCharts(results);
  const report = renderReport(results, charts, 'bench');
  console.log(report);
  for (const failure of failures) console.error(`bench: FAILED ${failure}`);
  log(`done in ${(results.totalS / 60).toFixed(1)} min`);

  // A failed part leaves the docs as they were, unless --out asked for this report anyway.
  const out = options.out && (failures.length === 0 || options.outGiven) ? resolve(options.out) : undefined;
  if (out) {
    const chartsDir = join(dirname(out), 'bench');
    mkdirSync(chartsDir, { recursive: true });
    for (const chart of charts) writeFileSync(join(chartsDir, chart.file), chart.svg);
    writeFileSync(out, report);
    log(`wrote ${relative(process.cwd(), out)} and ${charts.length} charts in ${relative(process.cwd(), chartsDir)}`);
    if (results.mltop && out === defaultOut) {
      const doc = join(repoRoot, 'docs', 'mltop.md');
      writeFileSync(doc, replaceScreenCapture(readFileSync(doc, 'utf8'), results.mltop));
      log(`wrote the screen capture into ${relative(process.cwd(), doc)}`);
    }
  }
  if (options.json) writeFileSync(options.json, JSON.stringify(results, null, 2));
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
