import { MAX_GET_TEXT_BYTES } from '../../test/helpers/getText.js';
import { httpRequest } from '../../test/helpers/http.js';
import { measureLoad } from '../measure.js';
import type { ServerName } from '../options.js';
import type { SweepPoint, SweepResult } from '../results.js';
import { startHelloTarget, startMlserveTarget, startPeerTarget, type Target } from '../targets.js';
import { retryPolicy, type BenchContext } from './context.js';
import { GOAL_CONCURRENCY } from '../goals.js';

/** Starts the sweep's server `server` as the bench configures it. */
export function startSweepTarget(server: ServerName, ctx: BenchContext): Promise<Target> {
  switch (server) {
    case 'mlserve':
      return startMlserveTarget({ modelBase: ctx.modelBase, args: ['--workers', String(ctx.options.workers)] });
    case 'peer':
      return startPeerTarget({ modelDir: ctx.modelDir });
    case 'hello':
      return startHelloTarget();
    case 'uwsgi-pass':
      return startMlserveTarget({ modelBase: ctx.modelBase, args: ['--workers', String(ctx.options.workers)], site: 'uwsgi_pass', name: 'mlserve uwsgi_pass' });
  }
}

/** The concurrencies a server is swept at: all, but the uwsgi_pass path at the goal's c=64 only. */
export function sweepConcurrencies(server: ServerName, concurrencies: readonly number[]): number[] {
  return server === 'uwsgi-pass' ? [GOAL_CONCURRENCY] : [...concurrencies];
}

/** One GET through nginx before any load: a harness that measures 404s or 502s measures nothing. */
export async function assertServes(target: Target, path: string): Promise<void> {
  const res = await httpRequest({ port: target.port, path });
  if (res.status !== 200 || !/"label"/.test(res.body)) {
    throw new Error(`${target.name} answers GET ${path.slice(0, 60)}... with ${res.status}: ${res.body.slice(0, 300)}`);
  }
}

/**
 * GET /predict through nginx at each concurrency, one server after the other (never two at
 * once), each started fresh and stopped before the next; a warm-up before every point.
 */
export async function runSweep(ctx: BenchContext): Promise<SweepResult> {
  const { options } = ctx;
  const result: SweepResult = {
    servers: [],
    points: [],
    durationS: options.durationS,
    warmupS: options.warmupS,
    texts: ctx.getPaths.length,
    maxTextBytes: MAX_GET_TEXT_BYTES,
  };
  for (const server of options.servers) {
    const target = await startSweepTarget(server, ctx);
    try {
      ctx.log(`sweep: ${target.name} at ${target.url} (${target.description})`);
      result.servers.push({ server, name: target.name, description: target.description });
      await assertServes(target, ctx.getPaths[0]!);
      for (const concurrency of sweepConcurrencies(server, options.concurrencies)) {
        const load = { paths: ctx.getPaths, threads: options.threads, connections: concurrency };
        const run = await measureLoad(target, load, options.durationS, options.warmupS, retryPolicy(ctx));
        const point: SweepPoint = { server, concurrency, ...run };
        result.points.push(point);
        ctx.log(
          `sweep: ${target.name} c=${concurrency}: ${run.wrk.okRps.toFixed(0)} req/s, p50 ${run.wrk.latencyMs.p50.toFixed(2)} ms, ` +
            `p99 ${run.wrk.latencyMs.p99.toFixed(2)} ms, errors ${run.wrk.errorsTotal}, other CPU ${(run.foreign.share * 100).toFixed(0)}%`,
        );
      }
    } finally {
      await target.stop();
    }
  }
  return result;
}
