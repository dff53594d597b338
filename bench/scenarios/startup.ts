import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { httpRequest, type HttpRequestOptions } from '../../test/helpers/http.js';
import { startMlserve } from '../../test/helpers/mlserve.js';
import { findFreePort } from '../../test/helpers/ports.js';
import { median } from '../percentile.js';
import { startPeer } from '../peer.js';
import type { StartupResult, StartupRuns } from '../results.js';
import type { BenchContext } from './context.js';

const POLL_EVERY_MS = 5;
const GIVE_UP_MS = 60_000;

/**
 * Asks `where` for a prediction until one comes back 200, or `failed()` says the server died.
 * A socket that does not exist yet has no event to wait on from outside the process: polling
 * every 5 ms is how a client (nginx, a load balancer's health check) would find out too.
 */
async function pollUntil200(where: Omit<HttpRequestOptions, 'timeoutMs'>, failed: () => Error | null): Promise<void> {
  const deadline = performance.now() + GIVE_UP_MS;
  for (;;) {
    const err = failed();
    if (err) throw err;
    const status = await httpRequest({ ...where, timeoutMs: 5000 }).then(
      (res) => res.status,
      () => 0, // not listening yet: ENOENT, ECONNREFUSED; nginx up before uWSGI: 502
    );
    if (status === 200) return;
    if (performance.now() > deadline) throw new Error(`no 200 from ${JSON.stringify(where)} within ${GIVE_UP_MS} ms`);
    await delay(POLL_EVERY_MS);
  }
}

/** mlserve: spawn (test/fixtures/mlserve-test.ini, `--workers`) to the first 200 of GET /predict on its socket. */
async function mlserveOnce(ctx: BenchContext): Promise<{ ms: number; selfMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-startup-'));
  const socketPath = join(dir, 'mlserve.sock');
  try {
    let failure: Error | null = null;
    const t0 = performance.now();
    // startMlserve spawns synchronously, before its first await: t0 is the spawn.
    const starting = startMlserve({ socketPath, args: ['--model', ctx.modelBase, '--workers', String(ctx.options.workers)] });
    starting.catch((err: Error) => (failure = err));
    let ms: number;
    try {
      await pollUntil200({ socketPath, path: ctx.getPaths[0]! }, () => failure);
      ms = performance.now() - t0;
    } catch (err) {
      await (await starting.catch(() => null))?.stop('SIGKILL');
      throw err;
    }
    const ml = await starting;
    const code = await ml.stop();
    if (code !== 0) throw new Error(`mlserve exited with ${code} on SIGTERM after the startup run`);
    // performance.now() in mlserve's ready line counts from its process start.
    return { ms, selfMs: Number(ml.ready['startupMs']) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The peer: `run.sh start` (uWSGI, then its nginx) to the first 200 through its nginx. */
async function peerOnce(ctx: BenchContext): Promise<number> {
  const port = await findFreePort();
  let failure: Error | null = null;
  const t0 = performance.now();
  const starting = startPeer({ modelDir: ctx.modelDir, port });
  starting.catch((err: Error) => (failure = err));
  try {
    await pollUntil200({ port, path: ctx.getPaths[0]! }, () => failure);
    return performance.now() - t0;
  } finally {
    // stop() waits for the workers still loading the app (waitForPeerApps) before it stops them.
    await (await starting.catch(() => null))?.stop();
  }
}

/** Startup time, median of `startupRuns` runs: mlserve with `--workers`, then the peer. */
export async function runStartup(ctx: BenchContext): Promise<StartupResult> {
  const { options } = ctx;
  const servers: StartupRuns[] = [];
  if (options.servers.includes('mlserve')) {
    const runs: Array<{ ms: number; selfMs: number }> = [];
    for (let i = 0; i < options.startupRuns; i++) runs.push(await mlserveOnce(ctx));
    const runsMs = runs.map((r) => r.ms);
    servers.push({
      name: 'mlserve',
      description: `mlserve --config test/fixtures/mlserve-test.ini --workers ${options.workers}: spawn to the first 200 on its Unix socket`,
      runsMs,
      medianMs: median(runsMs),
      selfReportedMs: runs.map((r) => r.selfMs),
    });
    ctx.log(`startup: mlserve ${runsMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  }
  if (options.servers.includes('peer')) {
    const runsMs: number[] = [];
    for (let i = 0; i < options.startupRuns; i++) runsMs.push(await peerOnce(ctx));
    servers.push({
      name: 'uwsgi-flask',
      description: 'run.sh start (uWSGI lazy-apps, cheaper-initial 2, then nginx): spawn to the first 200 through its nginx',
      runsMs,
      medianMs: median(runsMs),
    });
    ctx.log(`startup: uwsgi-flask ${runsMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  }
  return { probe: `GET ${ctx.getPaths[0]!.slice(0, 40)}... every ${POLL_EVERY_MS} ms until a 200`, servers };
}
