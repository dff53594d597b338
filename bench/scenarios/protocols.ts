import { basename } from 'node:path';
import { reutersTestSplit } from '../../src/train/dataset.js';
import { httpRequest } from '../../test/helpers/http.js';
import { GOAL_CONCURRENCY } from '../goals.js';
import { measureLoad } from '../measure.js';
import type { ProtocolPoint, ProtocolsResult } from '../results.js';
import { startMlserveTarget } from '../targets.js';
import { retryPolicy, type BenchContext } from './context.js';
import { assertServes } from './sweep.js';

/** Texts per body set: enough distinct requests that no cache could matter (there is none). */
const TEXTS = 200;
/** Texts are cut to this many characters, about a GET /predict text's size. */
const MAX_CHARS = 1500;

/** The POST routes of the client protocols, with one text a request as `/predict?text=` has. */
function protocolLoads(model: string, texts: readonly string[]): { route: string; path: string; bodies: string[] }[] {
  return [
    { route: 'TF Serving :predict', path: `/v1/models/${model}:predict`, bodies: texts.map((t) => JSON.stringify({ instances: [t] })) },
    {
      route: 'KServe V2 infer',
      path: `/v2/models/${model}/infer`,
      bodies: texts.map((t) => JSON.stringify({ inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [t] }] })),
    },
    { route: 'SageMaker /invocations', path: '/invocations', bodies: texts.map((t) => JSON.stringify({ instances: [t] })) },
  ];
}

/**
 * GET /predict, then TF Serving `:predict`, KServe V2 `/infer` and SageMaker `/invocations` at
 * c=64 through nginx, on the same mlserve in the same run: each protocol's req/s as a share of
 * /predict's (the goal: within 10%).
 */
export async function runProtocols(ctx: BenchContext): Promise<ProtocolsResult> {
  const { options } = ctx;
  const texts = reutersTestSplit().texts.slice(0, TEXTS).map((t) => t.slice(0, MAX_CHARS));
  const target = await startMlserveTarget({ modelBase: ctx.modelBase, args: ['--workers', String(options.workers)] });
  const points: ProtocolPoint[] = [];
  try {
    ctx.log(`protocols: ${target.name} at ${target.url}, c=${GOAL_CONCURRENCY}`);
    await assertServes(target, ctx.getPaths[0]!);
    const base = { threads: options.threads, connections: GOAL_CONCURRENCY };
    const predict = await measureLoad(target, { ...base, paths: ctx.getPaths }, options.durationS, options.warmupS, retryPolicy(ctx));
    points.push({ route: 'GET /predict', path: '/predict?text=...', ...predict, share: 1 });
    for (const load of protocolLoads(basename(ctx.modelBase), texts)) {
      // One request first: a route answering 404 or 400 would measure nothing.
      const res = await httpRequest({ port: target.port, method: 'POST', path: load.path, body: load.bodies[0]!, headers: { 'content-type': 'application/json' } });
      if (res.status !== 200) throw new Error(`POST ${load.path} answers ${res.status}: ${res.body.slice(0, 300)}`);
      const run = await measureLoad(target, { ...base, post: { path: load.path, bodies: load.bodies } }, options.durationS, options.warmupS, retryPolicy(ctx));
      const share = run.wrk.okRps / predict.wrk.okRps;
      points.push({ route: load.route, path: load.path, ...run, share });
      ctx.log(`protocols: ${load.route}: ${run.wrk.okRps.toFixed(0)} req/s = ${(share * 100).toFixed(1)}% of GET /predict, errors ${run.wrk.errorsTotal}`);
    }
    return { description: target.description, concurrency: GOAL_CONCURRENCY, durationS: options.durationS, warmupS: options.warmupS, texts: TEXTS, points };
  } finally {
    await target.stop();
  }
}
