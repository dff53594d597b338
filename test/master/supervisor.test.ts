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
  const stuck = dispatcher.submit(['stuck']);
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
  const next = await dispatcher.submit(['after']);
  assert.equal(next.slot, 1);
});

test('requests that wait behind a slow batch leave together as one batch', async () => {
  const { supervisor, clock, made } = fakeSupervisor(1, () => ({ predict: 'manual' }));
  await supervisor.start(1);
  const dispatcher = new Dispatcher({ supervisor, maxBatchSize: 8, listen: 10, clock, log });
  const first = dispatcher.submit(['a']);
  await settle();
  const rest = ['b', 'c', 'd'].map((t) => dispatcher.submit([t]));
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
  await assert.rejects(dispatcher.submit(['x']), { code: 'ERR_WORKER_CRASHED', status: 502 });
  await settle();
  assert.equal((await dispatcher.submit(['y'])).slot, 1);
});
