import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { readActiveWorkers } from '../activeWorkers.js';
import { cpuSnapshot, foreignCpu } from '../foreignCpu.js';
import { percentile } from '../percentile.js';
import { RampClient } from '../rampClient.js';
import { rampSchedule } from '../rampSchedule.js';
import type { RampResult, RampRun, RampSecond, SteadyResult } from '../results.js';
import { startMlserveTarget, startPeerTarget, type Target } from '../targets.js';
import type { BenchContext } from './context.js';
import { assertServes } from './sweep.js';

/** Seconds the steady part gives a server to scale to the load before counting changes. */
const SETTLE_S = 5;

/** The peer's scaling, from ../shared/peers/uwsgi-flask/uwsgi.ini.tmpl. */
const PEER_SCALING = 'uWSGI cheaper-algo spare, workers 8, cheaper 2, cheaper-initial 2, cheaper-step 2 (its ini)';

/**
 * Drives `target` through `schedule` (a concurrency per second) with a {@link RampClient} and
 * records each second: latency of the responses that completed in it and the active workers the
 * stats socket shows at its end.
 */
export async function driveRamp(
  target: Target,
  schedule: readonly number[],
  paths: string[],
): Promise<Omit<RampRun, 'name' | 'description' | 'scaling' | 'foreign'>> {
  const statsPath = target.statsPath;
  if (!statsPath) throw new Error(`${target.name} has no stats socket: the ramp needs one`);
  const client = new RampClient({ port: target.port, paths });
  const seconds: RampSecond[] = [];
  const all: number[] = [];
  let statsMisses = 0;
  try {
    const start = performance.now();
    client.setConcurrency(schedule[0] ?? 0);
    for (let i = 0; i < schedule.length; i++) {
      // The load generator's clock: each second is measured from the start, so reads don't drift it.
      await delay(Math.max(0, start + (i + 1) * 1000 - performance.now()));
      const tally = client.takeSecond();
      const next = schedule[i + 1];
      if (next !== undefined) client.setConcurrency(next);
      const active = await readActiveWorkers(statsPath).catch(() => null);
      if (active === null) statsMisses += 1;
      for (const ms of tally.latenciesMs) all.push(ms);
      seconds.push({
        t: i,
        concurrency: schedule[i]!,
        completed: tally.completed,
        errors: tally.errors,
        p50Ms: percentile(tally.latenciesMs, 50),
        p99Ms: percentile(tally.latenciesMs, 99),
        active,
      });
    }
  } finally {
    await client.close();
  }
  return {
    seconds,
    completed: seconds.reduce((sum, s) => sum + s.completed, 0),
    errors: seconds.reduce((sum, s) => sum + s.errors, 0),
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    statsMisses,
  };
}

/**
 * Each server with scaling on, started fresh (mlserve with `mlserveArgs`, the peer with its ini),
 * driven through `schedule`: one run each, logged under `part`.
 */
async function driveEachServer(ctx: BenchContext, part: string, mlserveArgs: string[], schedule: readonly number[]): Promise<RampRun[]> {
  const starters: Array<[string, () => Promise<Target>]> = [];
  if (ctx.options.servers.includes('mlserve')) {
    starters.push([`mlserve ${mlserveArgs.join(' ')}`, () => startMlserveTarget({ modelBase: ctx.modelBase, args: mlserveArgs, stats: true })]);
  }
  if (ctx.options.servers.includes('peer')) starters.push([PEER_SCALING, () => startPeerTarget({ modelDir: ctx.modelDir })]);
  const runs: RampRun[] = [];
  for (const [scaling, start] of starters) {
    const target = await start();
    try {
      ctx.log(`${part}: ${target.name}, ${schedule.length} s (${scaling})`);
      await assertServes(target, ctx.getPaths[0]!);
      const before = cpuSnapshot(target.daemonPids());
      const run = await driveRamp(target, schedule, ctx.getPaths);
      const foreign = foreignCpu(before, cpuSnapshot(target.daemonPids()));
      runs.push({ name: target.name, description: target.description, scaling, ...run, foreign });
      ctx.log(
        `${part}: ${target.name}: ${run.completed} requests, ${run.errors} errors, p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms, ` +
          `active workers ${Math.min(...run.seconds.map((s) => s.active ?? 0))}..${Math.max(...run.seconds.map((s) => s.active ?? 0))}`,
      );
    } finally {
      await target.stop();
    }
  }
  return runs;
}

/**
 * The autoscaling profile: load rising then falling, against mlserve with cheaper scaling on
 * (`--ramp-mlserve`) and against the peer (uWSGI spare 2..8), each started fresh.
 */
export async function runRamp(ctx: BenchContext): Promise<RampResult> {
  const { ramp } = ctx.options;
  const schedule = rampSchedule({ peak: ramp.peak, stepS: ramp.stepS, tailS: ramp.tailS });
  const runs = await driveEachServer(ctx, 'ramp', ramp.mlserveArgs, schedule);
  return { schedule, stepS: ramp.stepS, tailS: ramp.tailS, runs };
}

/**
 * How often the active worker count moved after the first `fromT` seconds: the seconds whose
 * count differs from the second before (an unread second counts as no change). A spawn and a
 * cheap in the same second would cancel out; at one check a second that takes two seconds.
 *
 * @example
 * countChanges([{ t: 0, active: 1 }, { t: 6, active: 2 }, { t: 7, active: 2 }], 5) // 1
 */
export function countChanges(seconds: readonly Pick<RampSecond, 't' | 'active'>[], fromT: number): number {
  let changes = 0;
  let last: number | null = null;
  for (const s of seconds) {
    if (s.active === null) continue;
    if (last !== null && s.t > fromT && s.active !== last) changes += 1;
    last = s.active;
  }
  return changes;
}

/**
 * Issue 15's steady load: one concurrency (64) for 30 s through nginx, scaling on (mlserve
 * `--workers 4 --cheaper 1 --cheaper-algo spare`, the peer with its own ini). A server whose
 * cheaper reads the load and not noise scales once in the first seconds and then holds.
 */
export async function runSteady(ctx: BenchContext): Promise<SteadyResult> {
  const { steady } = ctx.options;
  const schedule = Array.from({ length: steady.seconds }, () => steady.concurrency);
  const runs = await driveEachServer(ctx, 'steady', steady.mlserveArgs, schedule);
  for (const r of runs) ctx.log(`steady: ${r.name}: ${countChanges(r.seconds, SETTLE_S)} changes after the first ${SETTLE_S} s`);
  return {
    seconds: steady.seconds,
    concurrency: steady.concurrency,
    settleS: SETTLE_S,
    runs: runs.map((r) => ({ ...r, changesAfterSettle: countChanges(r.seconds, SETTLE_S) })),
  };
}
