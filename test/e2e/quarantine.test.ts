/**
 * The quarantine end to end (issue 15), with real worker threads and real HTTP: a poison request
 * in a batch of 8 costs one thread, its batch-mates are answered, it gets its own error, on time.
 *
 * Regression: v0.1 retried a failed batch one request at a time, so the culprit ran again on a
 * second worker and killed it too, and a spinner got a second full harakiri (504 after ~2x).
 *
 * Poison is made with the hookWorker fixture (test/fixtures/hookWorker.ts: "\0crash",
 * "\0crash:batch", "\0spin:MS"), because a real model cannot be made to crash or hang on demand.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startMaster, type InProcessMaster } from '../helpers/master.js';
import { HOOK_WORKER_URL } from '../fixtures/workers.js';
import { httpRequest, type HttpResponse } from '../helpers/http.js';

type Body = { error?: { code: string; message: string }; predictions?: unknown[]; label?: string };

function post(ml: InProcessMaster, texts: string[], reqId?: string): Promise<HttpResponse<Body>> {
  return httpRequest<Body>({ socketPath: ml.socketPath, method: 'POST', path: '/predict', body: { texts }, ...(reqId ? { headers: { 'x-request-id': reqId } } : {}) });
}
function get(ml: InProcessMaster, text: string): Promise<HttpResponse<Body>> {
  return httpRequest<Body>({ socketPath: ml.socketPath, path: '/predict?text=' + encodeURIComponent(text) });
}
async function metric(ml: InProcessMaster, series: string): Promise<number> {
  const text = (await httpRequest({ socketPath: ml.socketPath, path: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Polls /readyz (every 10 ms, 5 s at most) until `n` workers are busy. */
async function busyWorkers(ml: InProcessMaster, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await httpRequest<{ workers?: { busy: number } }>({ socketPath: ml.socketPath, path: '/readyz' });
    if ((r.json?.workers?.busy ?? 0) >= n) return;
    if (Date.now() > deadline) assert.fail(`${n} workers never got busy: ${r.body}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Occupies every worker with a 600 ms request, then sends `batch` so that it queues and leaves
 * as one batch on the first worker to free up. Resolves with the answers and when the batch
 * started (the first busy request's answer).
 */
async function oneBatch(ml: InProcessMaster, workers: number, batch: (() => Promise<HttpResponse<Body>>)[]): Promise<{ answers: HttpResponse<Body>[]; at: number[]; startedAt: number }> {
  // One at a time, each seen busy on /readyz: two sent in the same turn would leave as one batch.
  const busy: Promise<HttpResponse<Body>>[] = [];
  for (let i = 1; i <= workers; i++) {
    busy.push(post(ml, ['\0spin:600']));
    await busyWorkers(ml, i);
  }
  const at: number[] = [];
  const answers = batch.map((send, i) => send().then((r) => ((at[i] = performance.now()), r)));
  const startedAt = await busy[0]!.then(() => performance.now());
  await Promise.all(busy);
  return { answers: await Promise.all(answers), at, startedAt };
}

describe('quarantine', () => {
  test('a batch of 8 with one crasher: exactly one thread dies, 7 x 200, 1 x 502, the log names its request id', async () => {
    const ml = await startMaster({ args: ['--workers', '2'], workerModule: HOOK_WORKER_URL });
    try {
      const batch = Array.from({ length: 8 }, (_, i) => (i === 5 ? () => post(ml, ['\0crash'], 'poison-5') : () => get(ml, `oil prices rose ${i}`)));
      const { answers } = await oneBatch(ml, 2, batch);
      assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 200, 200, 502, 200, 200]);
      assert.equal(answers[5]!.json?.error?.code, 'ERR_WORKER_CRASHED');
      const line = await ml.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('poison request'));
      assert.equal(line['reqId'], 'poison-5');
      assert.equal(line['requests'], 8, 'the 8 left as one batch');
      assert.doesNotMatch(JSON.stringify(ml.lines), /\\u0000crash/, 'the log never carries the text');
      await ml.waitForLine((l) => l.msg === 'worker died, respawning');
      assert.equal(ml.lines.filter((l) => l.msg === 'worker died, respawning').length, 1);
      assert.equal(await metric(ml, 'mlserve_batch_kills_total{cause="crash"}'), 1);
      assert.equal(await metric(ml, 'mlserve_quarantined_requests_total'), 7);
      assert.equal(await metric(ml, 'mlserve_poison_requests_total'), 1);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });

  test('a batch of 8 with one spinner: one thread killed, the 504 within harakiri + 1 s of its first start, 7 x 200', async () => {
    const ml = await startMaster({ args: ['--workers', '2', '--harakiri', '1'], workerModule: HOOK_WORKER_URL });
    try {
      const batch = Array.from({ length: 8 }, (_, i) => (i === 2 ? () => post(ml, ['\0spin:30000']) : () => get(ml, `gold mine output ${i}`)));
      const { answers, at, startedAt } = await oneBatch(ml, 2, batch);
      assert.deepEqual(answers.map((r) => r.status), [200, 200, 504, 200, 200, 200, 200, 200]);
      assert.equal(answers[2]!.json?.error?.code, 'ERR_HARAKIRI');
      // The batch started when a busy request was answered; its 504 came at harakiri (1 s), not 2x.
      const late = at[2]! - startedAt;
      assert.ok(late < 2000, `the spinner was answered ${Math.round(late)} ms after its batch started (harakiri 1 s + 1 s)`);
      for (let i = 0; i < 8; i++) assert.ok(at[i]! - startedAt < 2000, `request ${i} answered within harakiri + 1 s`);
      assert.equal(ml.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('harakiri: worker')).length, 1);
      assert.equal(await metric(ml, 'mlserve_batch_kills_total{cause="harakiri"}'), 1);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });

  test('no row reported (a batch-wide step): the suspects run alone on the quarantine thread; one worker lost, the others answered', async () => {
    const ml = await startMaster({ args: ['--workers', '2', '--harakiri', '5'], workerModule: HOOK_WORKER_URL });
    try {
      const batch = Array.from({ length: 4 }, (_, i) => (i === 1 ? () => post(ml, ['\0crash:batch']) : () => get(ml, `sugar crop ${i}`)));
      const { answers } = await oneBatch(ml, 2, batch);
      assert.deepEqual(answers.map((r) => r.status), [200, 502, 200, 200]);
      assert.match(answers[1]!.json?.error?.message ?? '', /quarantine thread/);
      assert.equal(ml.lines.filter((l) => l.msg === 'worker died, respawning').length, 1, 'one worker lost; the quarantine thread is not a worker');
      assert.ok(ml.lines.some((l) => l.msg === 'starting the quarantine thread'));
      assert.equal(await metric(ml, 'mlserve_batch_kills_total{cause="crash"}'), 2, 'the worker and the quarantine thread');
      assert.equal(await metric(ml, 'mlserve_quarantined_requests_total'), 4);
      assert.equal((await get(ml, 'after the quarantine')).status, 200);
    } finally {
      const code = await ml.stop();
      assert.equal(code, 0, JSON.stringify(ml.lines.slice(-8)));
    }
  });

  test('a request that exhausts worker-max-heap is counted as an out-of-memory kill and says so', async () => {
    const ml = await startMaster({ args: ['--workers', '1', '--worker-max-heap', '64M'], workerModule: HOOK_WORKER_URL });
    try {
      const r = await post(ml, ['\0alloc:400']);
      assert.equal(r.status, 502);
      assert.match(r.json?.error?.message ?? '', /ran out of memory/);
      assert.equal(await metric(ml, 'mlserve_batch_kills_total{cause="oom"}'), 1);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });

  test('repeated poison requests: each costs one worker, respawns back off instead of storming', async () => {
    const ml = await startMaster({ args: ['--workers', '2'], workerModule: HOOK_WORKER_URL });
    try {
      for (let i = 0; i < 6; i++) assert.equal((await post(ml, ['\0crash'])).status, 502);
      assert.equal((await get(ml, 'still serving')).status, 200);
      assert.equal(ml.lines.filter((l) => l.msg === 'worker died, respawning').length, 6);
      await ml.waitForLine((l) => typeof l.msg === 'string' && /backing off/.test(l.msg));
      // Never more than `workers` + 1 spawns within one second (uWSGI's fork-bomb guard).
      const spawns = ml.lines.filter((l) => l.msg === 'worker ready').map((l) => Number(l['time']));
      for (const t of spawns) assert.ok(spawns.filter((u) => u >= t && u < t + 1000).length <= 3, `spawns at ${spawns.map((u) => u - spawns[0]!).join(',')}`);
    } finally {
      assert.equal(await ml.stop(), 0);
    }
  });
});
