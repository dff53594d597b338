import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reutersTestSplit } from '../../src/train/dataset.js';
import { httpRequest } from '../../test/helpers/http.js';
import { repoRoot } from '../../test/helpers/paths.js';
import { measureLoad } from '../measure.js';
import { batchBodies, clientMaxBodySize } from '../postBodies.js';
import type { PostResult } from '../results.js';
import { startMlserveTarget } from '../targets.js';
import { retryPolicy, type BenchContext } from './context.js';

/**
 * POST /predict with `post.size` texts a request against mlserve through nginx: several
 * different bodies of consecutive Reuters test texts, each within nginx's client_max_body_size
 * (read from nginx/mlserve.conf). The peer has no batch route, so it is not run here.
 */
export async function runPost(ctx: BenchContext): Promise<PostResult> {
  const { options } = ctx;
  const maxBodyBytes = clientMaxBodySize(readFileSync(join(repoRoot, 'nginx', 'mlserve.conf'), 'utf8'));
  const batches = batchBodies(reutersTestSplit().texts, { count: options.post.bodies, size: options.post.size, maxBytes: maxBodyBytes });
  const target = await startMlserveTarget({ modelBase: ctx.modelBase, args: ['--workers', String(options.workers)] });
  try {
    ctx.log(`post: ${target.name} at ${target.url}, ${batches.bodies.length} bodies of ${options.post.size} texts (${batches.smallestBytes}..${batches.largestBytes} bytes)`);
    // One request first: every text must come back predicted, or the figures mean nothing.
    const res = await httpRequest<{ predictions?: unknown[] }>({
      port: target.port,
      method: 'POST',
      path: '/predict',
      body: batches.bodies[0]!,
      headers: { 'content-type': 'application/json' },
    });
    if (res.status !== 200 || res.json?.predictions?.length !== options.post.size) {
      throw new Error(`POST /predict with ${options.post.size} texts answers ${res.status}: ${res.body.slice(0, 300)}`);
    }
    const load = { post: { path: '/predict', bodies: batches.bodies }, threads: options.threads, connections: options.post.connections };
    const run = await measureLoad(target, load, options.durationS, options.warmupS, retryPolicy(ctx));
    const predictionsPerS = run.wrk.okRps * options.post.size;
    ctx.log(`post: ${run.wrk.okRps.toFixed(0)} req/s = ${predictionsPerS.toFixed(0)} predictions/s, p99 ${run.wrk.latencyMs.p99.toFixed(1)} ms, errors ${run.wrk.errorsTotal}`);
    return {
      ...run,
      description: target.description,
      connections: options.post.connections,
      durationS: options.durationS,
      warmupS: options.warmupS,
      size: options.post.size,
      bodies: batches.bodies.length,
      textsCut: batches.textsCut,
      largestBytes: batches.largestBytes,
      smallestBytes: batches.smallestBytes,
      maxBodyBytes,
      predictionsPerS,
    };
  } finally {
    await target.stop();
  }
}
