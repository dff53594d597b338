/**
 * /readyz tells "degraded" from "ready": a Master in-process with the real model and fake threads
 * (slot 2's respawns fail to load) on a fake clock, read over its real socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMaster } from '../helpers/master.js';
import { httpRequest } from '../helpers/http.js';
import { fakeThreads } from '../fixtures/fakeThread.js';
import { FakeClock } from '../helpers/fakeClock.js';

type Ready = { status: string; reason?: string; workers: { ready: number; failed: number }; failed?: { id: number; lastError: string }[] };

test('a slot that keeps failing makes /readyz "degraded" (200) with its last error; /metrics counts it', async () => {
  const clock = new FakeClock();
  const threads = fakeThreads((n, spec) => (n >= 2 && spec.init.slot === 2 ? { start: 'fail' } : {}));
  const ml = await startMaster({ args: ['--workers', '2', '--cheaper', '0'], options: { threads: threads.factory, clock } });
  try {
    const ready = await httpRequest<Ready>({ socketPath: ml.socketPath, path: '/readyz' });
    assert.equal(ready.json!.status, 'ready');
    threads.made[1]!.crash(new Error('out of memory'));
    while (ml.master.supervisor.slots.get(2).status !== 'failed') await clock.advance(clock.nextIn() ?? 1000);
    const degraded = await httpRequest<Ready>({ socketPath: ml.socketPath, path: '/readyz' });
    assert.equal(degraded.status, 200);
    assert.equal(degraded.json!.status, 'degraded');
    assert.equal(degraded.json!.workers.failed, 1);
    assert.deepEqual(degraded.json!.failed?.map((f) => [f.id, f.lastError]), [[2, 'fake thread for slot 2: the model does not load']]);
    const metrics = await httpRequest({ socketPath: ml.socketPath, path: '/metrics' });
    assert.match(metrics.body, /mlserve_workers\{state="failed"\} 1/);
    assert.equal((await httpRequest({ socketPath: ml.socketPath, path: '/predict?text=oil' })).status, 200, 'slot 1 still serves');
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});
