/**
 * The supervisor and the dispatcher in-process, on fake threads (test/fixtures/fakeThread.ts)
 * and a fake clock: crash, stall (harakiri), slow batches. Real threads are covered end to end
 * by test/e2e/supervision.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createLogger } from '../../src/log.js';
import { Dispatcher } from '../../src/master/dispatcher.js';
import { settle } from '../helpers/fakeClock.js';
import { fakeSupervisor } from './fakeSupervisor.js';

const log = createLogger({ level: 'silent' });

test('a thread that crashes is replaced in its slot; the exit is emitted with its cause', async () => {
  const { supervisor, made } = fakeSupervisor(2);
  await supervisor.start(2);
  assert.equal(supervisor.activeCount, 2);
  const exited = once(supervisor, 'exit');
  made[0]!.crash(new Error('boom'));
  const [slot, cause] = await exited;
  assert.equal(slot, 1);
  assert.equal((cause as Error).message, 'boom');
  await settle();
  assert.equal(made.length, 3, 'a new thread was made for slot 1');
  assert.equal(made[2]!.spec.init.slot, 1);
  assert.equal(supervisor.slots.get(1).status, 'idle');
  assert.equal(supervisor.slots.get(1).respawnCount, 1);
});

test('harakiri on the fake clock: a stalled batch gets ERR_HARAKIRI, its thread is destroyed and replaced', async () => {
  const { supervisor, clock, made } = fakeSupervisor(1, (n) => (n === 0 ? { predict: 'stall' } : {}));
  await supervisor.start(1);
  const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 8, listen: 10, harakiri: 2, clock, log });
  const stuck = dispatcher.submit({ kind: 'text', texts: ['stuck'] });
  await settle();
  await clock.advance(1999);
  assert.equal(made[0]!.state, 'ready', 'not killed before harakiri');
  const rejected = assert.rejects(stuck, { code: 'ERR_HARAKIRI', status: 504 });
  await clock.advance(1);
  await rejected;
  assert.equal(made[0]!.state, 'destroyed');
  await settle();
  assert.equal(supervisor.slots.get(1).harakiriCount, 1);
  assert.equal(supervisor.slots.get(1).status, 'idle', 'respawned');
  const next = await dispatcher.submit({ kind: 'text', texts: ['after'] });
  assert.equal(next.slot, 1);
});

test('requests that wait behind a slow batch leave together as one batch', async () => {
  const { supervisor, clock, made } = fakeSupervisor(1, () => ({ predict: 'manual' }));
  await supervisor.start(1);
  const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 8, listen: 10, clock, log });
  const first = dispatcher.submit({ kind: 'text', texts: ['a'] });
  await settle();
  const rest = ['b', 'c', 'd'].map((t) => dispatcher.submit({ kind: 'text', texts: [t] }));
  await settle();
  assert.deepEqual(made[0]!.batches, [['a']]);
  made[0]!.finish();
  await first;
  await settle();
  assert.deepEqual(made[0]!.batches, [['a'], ['b', 'c', 'd']]);
  made[0]!.finish();
  assert.equal((await Promise.all(rest)).length, 3);
});

test('a batch whose thread crashes fails with ERR_WORKER_CRASHED (502); the slot serves again', async () => {
  const { supervisor, clock } = fakeSupervisor(1, (n) => (n === 0 ? { predict: 'crash' } : {}));
  await supervisor.start(1);
  const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 8, listen: 10, clock, log });
  await assert.rejects(dispatcher.submit({ kind: 'text', texts: ['x'] }), { code: 'ERR_WORKER_CRASHED', status: 502 });
  await settle();
  assert.equal((await dispatcher.submit({ kind: 'text', texts: ['y'] })).slot, 1);
});

// Regression: with cheaper = 0, one failed respawn lost the worker for good (the slot stayed
// cheap, nothing retried it and nothing showed it).
test('a slot whose respawn keeps failing backs off, is marked failed with its error, and is retried until it comes back', async () => {
  // Thread 0 serves, then dies; threads 1..6 fail to load; thread 7 loads.
  const { supervisor, clock, made } = fakeSupervisor(1, (n) => (n >= 1 && n <= 6 ? { start: 'fail' } : {}));
  await supervisor.start(1);
  made[0]!.crash(new Error('segfault-ish'));
  await settle();
  assert.equal(made.length, 2, 'the first respawn is at once');
  const delays: (number | null)[] = [];
  while (made.length < 7) {
    delays.push(clock.nextIn());
    await clock.advance(clock.nextIn()!);
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 30_000]);
  const failed = supervisor.slots.get(1);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.lastError, 'fake thread for slot 1: the model does not load');
  assert.equal(failed.failures, 7, 'the crash, then six failed starts');
  assert.equal(supervisor.canServe(), false, 'requests get ERR_NOT_READY rather than waiting 30 s');
  assert.equal(clock.nextIn(), 30_000, 'retried at the ceiling, never dropped');
  await clock.advance(30_000);
  assert.equal(made.length, 8);
  assert.equal(supervisor.slots.get(1).status, 'idle', 'back once a thread loads');
});

test('a thread that dies after a stable run is respawned at once (the backoff resets)', async () => {
  const { supervisor, clock, made } = fakeSupervisor(1);
  await supervisor.start(1);
  for (let i = 0; i < 3; i++) {
    await clock.advance(60_000);
    made.at(-1)!.crash();
    await settle();
    assert.equal(clock.pending, 0, 'no backoff timer');
    assert.equal(supervisor.slots.get(1).status, 'idle');
  }
  assert.equal(made.length, 4);
});

test('a failed start at boot is fatal (rejects), not retried', async () => {
  const { supervisor, clock } = fakeSupervisor(1, () => ({ start: 'fail' }));
  await assert.rejects(supervisor.start(1), /does not load/);
  assert.equal(clock.pending, 0);
});

test('every slot change is an `active` event, a retire included', async () => {
  const { supervisor } = fakeSupervisor(2);
  const seen: number[] = [];
  supervisor.on('active', (n: number) => seen.push(n));
  await supervisor.start(2);
  await supervisor.retire(2);
  assert.equal(seen.at(-1), 1);
  assert.ok(seen.includes(2));
});
