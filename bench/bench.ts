/**
 * `npm run bench`: mlserve behind nginx vs the seed's uWSGI + Flask stack behind nginx, loaded
 * one after the other with wrk on this machine; prints a side-by-side table and writes
 * docs/benchmarks.md.
 *
 *   npm run bench -- [--duration 10] [--connections 64] [--threads 2] [--warmup 3]
 *                    [--workers 2] [--texts 500] [--only mlserve|peer] [--out docs/benchmarks.md]
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveModelVersion } from '../src/model/resolveModelVersion.js';
import { MAX_GET_TEXT_BYTES, predictPath } from '../test/helpers/getText.js';
import { nginxMissing } from '../test/helpers/nginx.js';
import { repoRoot, reutersModelBase as modelBase } from '../test/helpers/paths.js';
import { reutersGetTexts } from '../test/helpers/reuters.js';
import { collectMachine } from './machine.js';
import { peerMissing } from './peer.js';
import { treeMemory } from './procs.js';
import { renderMarkdown, renderTable, type RunResult, type RunSetup } from './report.js';
import { startMlserveTarget, startPeerTarget, type Target } from './targets.js';
import { runWrk } from './wrk.js';

interface BenchOptions {
  durationS: number;
  connections: number;
  threads: number;
  warmupS: number;
  workers: number;
  texts: number;
  only: 'mlserve' | 'peer' | undefined;
  out: string | undefined;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '64' },
      threads: { type: 'string', default: '2' },
      warmup: { type: 'string', default: '3' },
      workers: { type: 'string', default: '2' },
      texts: { type: 'string', default: '500' },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const positive = (name: string, value: string, max: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`--${name} must be an integer from 1 to ${max}, got ${value}`);
    return n;
  };
  if (values.only !== undefined && values.only !== 'mlserve' && values.only !== 'peer') {
    throw new RangeError(`--only must be mlserve or peer, got ${values.only}`);
  }
  return {
    durationS: positive('duration', values.duration, 600),
    connections: positive('connections', values.connections, 1000),
    threads: positive('threads', values.threads, 64),
    warmupS: Number(values.warmup) === 0 ? 0 : positive('warmup', values.warmup, 60),
    workers: positive('workers', values.workers, 64),
    texts: positive('texts', values.texts, 10_000),
    only: values.only,
    out: values.out,
  };
}

/** Loads one target: warm-up, then the measured run with memory sampled meanwhile. */
async function measure(target: Target, paths: string[], options: BenchOptions): Promise<RunResult> {
  const load = { url: target.url, paths, threads: options.threads, connections: options.connections };
  if (options.warmupS > 0) await runWrk({ ...load, durationS: options.warmupS });
  const memBefore = treeMemory(target.serverPid);
  let peakRssKiB = memBefore.rssKiB;
  const sampler = setInterval(() => {
    peakRssKiB = Math.max(peakRssKiB, treeMemory(target.serverPid).rssKiB);
  }, 250);
  try {
    const wrk = await runWrk({ ...load, durationS: options.durationS });
    const memAfter = treeMemory(target.serverPid);
    peakRssKiB = Math.max(peakRssKiB, memAfter.rssKiB);
    return { name: target.name, description: target.description, wrk, memBefore, memAfter, peakRssKiB };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const missing = nginxMissing() || (options.only !== 'mlserve' && peerMissing());
  if (missing) throw new Error(`cannot bench: ${missing}`);

  // Bounded in time whatever happens: exit hooks (test/helpers/cleanup.ts) stop every process.
  const runs = options.only ? 1 : 2;
  const budgetS = runs * (options.warmupS + options.durationS + 120) + 60;
  setTimeout(() => {
    console.error(`bench: still running after ${budgetS} s; giving up`);
    process.exit(1);
  }, budgetS * 1000).unref();

  const model = await resolveModelVersion(modelBase);
  const paths = reutersGetTexts(options.texts).map(predictPath);
  const machine = collectMachine();

  const starters: Array<() => Promise<Target>> = [];
  if (options.only !== 'peer') starters.push(() => startMlserveTarget({ workers: options.workers, modelBase }));
  if (options.only !== 'mlserve') starters.push(() => startPeerTarget({ modelDir: model.dir }));

  const results: RunResult[] = [];
  for (const start of starters) {
    const target = await start();
    try {
      console.error(`bench: ${target.name} at ${target.url} (${target.description})`);
      results.push(await measure(target, paths, options));
    } finally {
      await target.stop();
    }
  }

  console.log(renderTable(results));
  const out = options.out ?? (runs === 2 ? join(repoRoot, 'docs', 'benchmarks.md') : undefined);
  if (out) {
    const setup: RunSetup = {
      command: ['npm run bench --', ...process.argv.slice(2)].join(' ').replace(/ --$/, ''),
      threads: options.threads,
      connections: options.connections,
      durationS: options.durationS,
      warmupS: options.warmupS,
      texts: paths.length,
      maxTextBytes: MAX_GET_TEXT_BYTES,
      model: relative(repoRoot, model.dir),
    };
    writeFileSync(out, renderMarkdown(setup, machine, results));
    console.error(`bench: wrote ${relative(process.cwd(), out)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
