/**
 * Supervision end to end, with real worker threads and real HTTP over the socket: a crashing
 * worker, a stuck one (harakiri), recycling (max-requests) and the bounded queue. The server
 * keeps serving after each.
 *
 * The master runs in this process (startMaster) with the fixture worker module
 * test/fixtures/hookWorker.ts: the real worker plus "\0crash" (an uncaught exception in the
 * thread) and "\0spin:MS" (synchronous code), because a real model cannot be made to crash or
 * hang on demand; everything else on the path (HTTP, queue, batching, Piscina, thread death,
 * respawn) is the real one, and production code has no such hook.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMaster, type InProcessMaster } from '../helpers/master.js';
import { httpRequest, type HttpResponse } from '../helpers/http.js';
import { HOOK_WORKER_URL } from '../fixtures/workers.js';

type RunningMlserve = InProcessMaster;
type Body = { error?: { code: string }; predictions?: unknown[]; workers?: { ready: number } };

function post(ml: RunningMlserve, texts: string[]): Promise<HttpResponse<Body>> {
  return httpRequest<Body>({ socketPath: ml.socketPath, method: 'POST', path: '/predict', body: { texts } });
}
function get(ml: RunningMlserve, text: string): Promise<HttpResponse<Body>> {
  return httpRequest<Body>({ socketPath: ml.socketPath, path: '/predict?text=' + encodeURIComponent(text) });
}
/** Polls /readyz (every 100 ms, 20 s at most) until `n` workers are ready again. */
async function allReady(ml: RunningMlserve, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await httpRequest<Body>({ socketPath: ml.socketPath, path: '/readyz' });
    if (r.json?.workers?.ready === n) return;
    if (Date.now() > deadline) assert.fail(`workers never came back to ${n}: ${r.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('supervision', () => {
  test('a crashing worker is replaced; only its request fails (502), the master keeps serving', async () => {
    const ml = await startMaster({ args: ['--workers', '2'], workerModule: HOOK_WORKER_URL });
    try {
      const normal = Array.from({ length: 30 }, (_, i) => get(ml, `oil prices rose ${i}`));
      const crash = post(ml, ['\0crash']);
      const more = Array.from({ length: 30 }, (_, i) => get(ml, `wheat exports ${i}`));
      const crashed = await crash;
      assert.equal(crashed.status, 502);
      assert.equal(crashed.json?.error?.code, 'ERR_WORKER_CRASHED');
      for (const r of await Promise.all([...normal, ...more])) assert.equal(r.status, 200, r.body);
      await ml.waitForLine((l) => l.msg === 'worker died, respawning');
      await allReady(ml, 2);
      assert.equal((await get(ml, 'after the crash')).status, 200);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });

  test('harakiri: a stuck request gets 504 ERR_HARAKIRI, its worker is killed and replaced, others are answered', async () => {
    const ml = await startMaster({ args: ['--workers', '2', '--harakiri', '1'], workerModule: HOOK_WORKER_URL });
    try {
      const started = Date.now();
      const stuck = post(ml, ['\0spin:30000']);
      // Requests that may land in the same batch as the stuck one, or wait behind it.
      const others = Array.from({ length: 20 }, (_, i) => get(ml, `gold mine output ${i}`));
      const r = await stuck;
      assert.equal(r.status, 504);
      assert.equal(r.json?.error?.code, 'ERR_HARAKIRI');
      assert.ok(Date.now() - started < 10_000, 'answered at harakiri, not after the 30 s spin');
      for (const o of await Promise.all(others)) assert.equal(o.status, 200, o.body);
      await ml.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('harakiri: worker'));
      await allReady(ml, 2);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });

  test('a batch killed by harakiri: only the stuck one fails, its batch-mates rerun (the quarantine)', async () => {
    const ml = await startMaster({ args: ['--workers', '1', '--harakiri', '1'], workerModule: HOOK_WORKER_URL });
    try {
      // Occupy the only worker so the next requests queue up and leave together as one batch.
      const first = post(ml, ['\0spin:300']);
      // No event tells that the first request reached the worker; 50 ms is ample on loopback.
      await new Promise((r) => setTimeout(r, 50));
      const batch = [get(ml, 'coffee prices'), post(ml, ['\0spin:30000']), get(ml, 'sugar crop'), get(ml, 'copper output')];
      const [a, stuck, b, c] = await Promise.all(batch);
      assert.equal((await first).status, 200);
      assert.equal(stuck!.status, 504);
      for (const ok of [a, b, c]) assert.equal(ok!.status, 200, ok!.body);
      assert.ok(ml.lines.some((l) => typeof l.msg === 'string' && l.msg.endsWith('3 batch-mates rerun')));
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });

  test('max-requests recycles a worker after its request; no request is lost', async () => {
    const ml = await startMaster({ args: ['--workers', '1', '--max-requests', '10', '--min-worker-lifetime', '0'] });
    try {
      for (let i = 0; i < 45; i++) {
        const r = await get(ml, `trade deficit ${i}`);
        assert.equal(r.status, 200, r.body);
      }
      const recycles = ml.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('recycling worker 1 (max-requests'));
      assert.ok(recycles.length >= 3, `recycled ${recycles.length} times`);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });

  test('worker-max-heap: a worker whose heap passes the cap dies (502), is respawned, and the rest keeps serving', async () => {
    const ml = await startMaster({ args: ['--workers', '1', '--worker-max-heap', '64M'], workerModule: HOOK_WORKER_URL });
    try {
      const leak = await post(ml, ['\0alloc:400']);
      assert.equal(leak.status, 502);
      assert.equal(leak.json?.error?.code, 'ERR_WORKER_CRASHED');
      const died = await ml.waitForLine((l) => l.msg === 'worker died, respawning');
      assert.match(String((died['err'] as { message?: string }).message), /memory/i, 'the cause is logged as an error object');
      await allReady(ml, 1);
      assert.equal((await get(ml, 'after the leak')).status, 200);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });

  test('beyond `listen` waiting requests: 503 ERR_QUEUE_FULL with Retry-After, then service resumes', async () => {
    const ml = await startMaster({ args: ['--workers', '1', '--listen', '5', '--max-batch-size', '1'], workerModule: HOOK_WORKER_URL });
    try {
      const busy = post(ml, ['\0spin:1500']);
      // No event tells that the request reached the worker; 100 ms is ample on loopback.
      await new Promise((r) => setTimeout(r, 100));
      const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => get(ml, `money supply ${i}`)));
      const full = flood.filter((r) => r.status === 503);
      const ok = flood.filter((r) => r.status === 200);
      assert.equal(full.length, 15);
      assert.equal(ok.length, 5);
      for (const r of full) {
        assert.equal(r.json?.error?.code, 'ERR_QUEUE_FULL');
        assert.equal(r.headers['retry-after'], '1');
      }
      assert.equal((await busy).status, 200);
      assert.equal((await get(ml, 'after the flood')).status, 200);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });
});
