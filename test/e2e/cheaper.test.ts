/**
 * The cheaper subsystem with real threads and real HTTP load over the socket: under load the
 * active worker count rises step by step to `workers`, and falls back to `cheaper` after it.
 *
 * The load is requests that keep a worker busy for 200 ms each, "\0spin:200" of the fixture
 * worker test/fixtures/hookWorker.ts (the master runs in this process): real predictions take
 * ~0.2 ms, too short to keep every worker busy at the instant the master samples, which is what
 * `spare` reacts to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../helpers/mlserve.js';
import { startMaster } from '../helpers/master.js';
import { HOOK_WORKER_URL } from '../fixtures/workers.js';
import { httpRequest } from '../helpers/http.js';

// max-batch-size 1: one request per batch, so 6 clients keep every worker busy (the clients run
// in the master's process, their requests land in the same I/O phase and would batch together).
test('spare: 1 -> 4 workers under load, one step at a time, then back to 1, oldest first', async () => {
  const ml = await startMaster({
    args: ['--workers', '4', '--cheaper', '1', '--cheaper-algo', 'spare', '--cheaper-overload', '1', '--check-interval', '1', '--max-batch-size', '1'],
    workerModule: HOOK_WORKER_URL,
  });
  try {
    assert.equal(ml.ready['workers'], 1, 'cheaper-initial defaults to cheaper');
    const spawned = (l: LogLine) => typeof l.msg === 'string' && l.msg.startsWith('spawned worker');
    const cheaped = (l: LogLine) => typeof l.msg === 'string' && l.msg.startsWith('cheaped worker');

    // Bounded load: 6 clients in a loop until all 4 workers are up (or 40 s pass).
    let loading = true;
    const deadline = Date.now() + 40_000;
    const client = async (): Promise<number> => {
      let failures = 0;
      while (loading && Date.now() < deadline) {
        const r = await httpRequest({ socketPath: ml.socketPath, method: 'POST', path: '/predict', body: { texts: ['\0spin:200'] } });
        if (r.status !== 200) failures++;
      }
      return failures;
    };
    const clients = Array.from({ length: 6 }, client);
    await ml.waitForLine((l) => l.msg === 'spawned worker 4 (spare: no idle worker for 2 cycles)' || (spawned(l) && l['worker'] === 4), 40_000);
    loading = false;
    assert.deepEqual(await Promise.all(clients), [0, 0, 0, 0, 0, 0], 'no request failed while scaling');

    const spawns = ml.lines.filter(spawned);
    assert.deepEqual(spawns.map((l) => l['worker']), [2, 3, 4], 'one step at a time into the lowest cheap slot');
    for (const l of spawns) assert.match(String(l.msg), /^spawned worker \d \(spare: /);

    // Load over: one worker cheaped per cycle (overload 1) down to cheaper = 1, oldest spawn first.
    await ml.waitForLine((l) => cheaped(l) && ml.lines.filter(cheaped).length >= 3, 30_000);
    const cheaps = ml.lines.filter(cheaped).map((l) => l['worker']);
    assert.deepEqual(cheaps.slice(0, 3), [1, 2, 3], 'the oldest workers go first');
    // The last cheaped thread is ending (it finishes its batch first): poll until its slot is cheap.
    let workers: { ready: number; cheap: number; stopping?: number } = { ready: -1, cheap: -1 };
    for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      workers = (await httpRequest<{ workers: typeof workers }>({ socketPath: ml.socketPath, path: '/readyz' })).json!.workers;
      if (workers.cheap === 3) break;
    }
    assert.deepEqual({ ready: workers.ready, cheap: workers.cheap }, { ready: 1, cheap: 3 });
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});
