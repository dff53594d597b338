import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import type { SlotSnapshot } from '../../src/stats/slotSnapshot.js';
import { WorkerMemoryPoller, type MemoryAnswer } from '../../src/stats/memoryPoller.js';
import { slot } from './sampleInput.js';

const log = createLogger({ level: 'silent' });
const answer = (heapUsed: number): MemoryAnswer => ({ heapUsed, heapTotal: 2 * heapUsed, external: 10, tfBytes: 5 });

test('asks live slots only, keeps one report per slot, drops replaced and cheaped threads', async () => {
  let slots: SlotSnapshot[] = [slot(1), slot(2, { status: 'busy' }), slot(3, { status: 'starting', threadId: 0 }), slot(4, { status: 'cheap', threadId: 0 })];
  const asked: number[] = [];
  const poller = new WorkerMemoryPoller({
    slots: () => slots,
    probe: (id) => {
      asked.push(id);
      return Promise.resolve(answer(id * 1000));
    },
    log,
    clock: () => 42,
  });
  await poller.poll();
  assert.deepEqual(asked, [1, 2]);
  assert.deepEqual(poller.reports().get(1), { threadId: 11, heapUsed: 1000, heapTotal: 2000, external: 10, tfBytes: 5, at: 42 });
  assert.equal(poller.reports().size, 2);

  // Slot 1's thread was replaced and is starting; slot 2 was cheaped.
  slots = [slot(1, { status: 'starting', threadId: 0 }), slot(2, { status: 'cheap', threadId: 0 })];
  await poller.poll();
  assert.equal(poller.reports().size, 0);
});

test('a slot is not asked again while its answer is pending; a failed probe removes the report', async () => {
  let release: (m: MemoryAnswer) => void = () => undefined;
  let calls = 0;
  let fail = false;
  const poller = new WorkerMemoryPoller({
    slots: () => [slot(1)],
    probe: () => {
      calls++;
      if (fail) return Promise.reject(new Error('thread exited'));
      return new Promise<MemoryAnswer>((resolve) => (release = resolve));
    },
    log,
  });
  const first = poller.poll();
  await poller.poll(); // the first answer has not come: not asked twice
  assert.equal(calls, 1);
  release(answer(7));
  await first;
  assert.equal(poller.reports().get(1)?.heapUsed, 7);
  fail = true;
  await poller.poll();
  assert.equal(poller.reports().has(1), false);
  // A slot whose thread is gone already (probe gives undefined) is skipped.
  const none = new WorkerMemoryPoller({ slots: () => [slot(1)], probe: () => undefined, log });
  await none.poll();
  assert.equal(none.reports().size, 0);
});

test('start polls at once and then on an unref\'d timer; stop ends it', async () => {
  let calls = 0;
  let resolveFirst: () => void = () => undefined;
  const firstCall = new Promise<void>((resolve) => (resolveFirst = resolve));
  const poller = new WorkerMemoryPoller({
    slots: () => [slot(1)],
    probe: () => {
      calls++;
      resolveFirst();
      return Promise.resolve(answer(1));
    },
    intervalMs: 60_000,
    log,
  });
  poller.start();
  poller.start(); // idempotent
  await firstCall;
  poller.stop();
  assert.equal(calls, 1);
});
