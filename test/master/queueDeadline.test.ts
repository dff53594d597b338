/**
 * Deadline and priority in the dispatcher's queue, driven in-process: a fake supervisor with one
 * slot whose thread answers only when the test says so (no real thread: the order of dispatch is
 * the point, and a real one answers too fast to hold a queue). A request whose deadline passes
 * while it waits is answered 504 at once and never reaches the thread; higher priority leaves
 * the queue first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { Dispatcher } from '../../src/master/dispatcher.js';
import type { Supervisor } from '../../src/master/supervisor.js';
import { createLogger } from '../../src/log.js';
import { MlserveError } from '../../src/errors.js';
import type { ModelInput } from '../../src/model/modelInput.js';
import { queueOptions } from '../../src/http/queueOptions.js';

/** One slot; every predict call waits in `calls` until the test resolves it. */
function fakeSupervisor() {
  const calls: { texts: string[]; answer(): void }[] = [];
  const called = new EventEmitter();
  let busy = false;
  const sup = Object.assign(new EventEmitter(), {
    bundle: { tokenizerJson: '{}', labels: ['a', 'b'], inputWidth: 2, outputWidth: 2, metadata: {}, name: 'm', version: 1 },
    canServe: () => true,
    acquire() {
      if (busy) return null;
      busy = true;
      return {
        id: 1,
        generation: 1,
        thread: {
          labels: ['a', 'b'],
          decoding: { kind: 'softmax' },
          predict(input: ModelInput) {
            const texts = input.kind === 'text' ? input.texts : [];
            return new Promise((resolve) => {
              calls.push({ texts, answer: () => resolve({ op: 'predict', classes: new Int32Array(texts.length), probs: new Float32Array(texts.length).fill(0.5), ms: 0 }) });
              called.emit('call');
            });
          },
        },
      };
    },
    release() {
      busy = false;
      sup.emit('idle');
    },
    harakiri() {},
  });
  return { sup: sup as unknown as Supervisor, calls, called };
}

function dispatcher(sup: Supervisor) {
  return new Dispatcher({ supervisor: sup, maxBatchSize: 1, listen: 100, log: createLogger({ level: 'silent' }) });
}

const text = (t: string): ModelInput => ({ kind: 'text', texts: [t] });

test('higher priority is dispatched first; FIFO within a level', async () => {
  const { sup, calls, called } = fakeSupervisor();
  const d = dispatcher(sup);
  const order: string[] = [];
  const done = [
    d.submit(text('first')).then(() => order.push('first')),
    d.submit(text('low'), { priority: -1 }).then(() => order.push('low')),
    d.submit(text('normal')).then(() => order.push('normal')),
    d.submit(text('high'), { priority: 5 }).then(() => order.push('high')),
  ];
  // All four are queued in one turn; the slot takes one at a time, the highest level first.
  for (let i = 0; i < 4; i++) {
    if (calls.length <= i) await once(called, 'call');
    calls[i]!.answer();
  }
  await Promise.all(done);
  assert.deepEqual(calls.map((c) => c.texts[0]), ['high', 'first', 'normal', 'low']);
  assert.deepEqual(order, ['high', 'first', 'normal', 'low']);
});

test('a deadline passing in the queue answers 504 at once; the request never reaches the thread', async () => {
  const { sup, calls, called } = fakeSupervisor();
  const d = dispatcher(sup);
  const blocker = d.submit(text('blocker'));
  await once(called, 'call'); // the slot is busy until the test answers
  const t0 = performance.now();
  const late = d.submit(text('late'), { deadline: t0 + 20 });
  const patient = d.submit(text('patient'));
  await assert.rejects(late, (err: MlserveError) => err.code === 'ERR_DEADLINE_EXCEEDED' && err.status === 504 && /did not run/.test(err.message));
  assert.ok(performance.now() - t0 < 1000, 'answered when the deadline passed, not when a worker freed');
  assert.equal(d.queueLength, 1, 'only the patient request waits');
  assert.equal(d.expired, 1);
  calls[0]!.answer();
  await blocker;
  if (calls.length < 2) await once(called, 'call');
  calls[1]!.answer();
  await patient;
  assert.deepEqual(calls.map((c) => c.texts[0]), ['blocker', 'patient'], 'the expired request never ran');
});

test('a deadline already passed on arrival is refused without queueing', async () => {
  const { sup, calls } = fakeSupervisor();
  const d = dispatcher(sup);
  await assert.rejects(d.submit(text('x'), { deadline: performance.now() - 1 }), /deadline had passed/);
  assert.equal(d.queueLength, 0);
  assert.equal(calls.length, 0);
});

test('queueOptions: ms from headers, µs from KServe parameters, bad values name the parameter', () => {
  const ms = { timeoutName: 'X-Mlserve-Timeout-Ms', priorityName: 'X-Mlserve-Priority', msPerUnit: 1 };
  const us = { timeoutName: 'parameters.timeout', priorityName: 'parameters.priority', msPerUnit: 1e-3 };
  assert.deepEqual(queueOptions('250', '3', ms, 1000), { deadline: 1250, priority: 3 });
  assert.deepEqual(queueOptions(250_000, undefined, us, 1000), { deadline: 1250 });
  assert.deepEqual(queueOptions(undefined, undefined, ms, 0), {});
  assert.throws(() => queueOptions('0', undefined, ms, 0), /X-Mlserve-Timeout-Ms must be a positive number of milliseconds/);
  assert.throws(() => queueOptions(-5, undefined, us, 0), /parameters.timeout must be a positive number of microseconds/);
  assert.throws(() => queueOptions(undefined, '1.5', ms, 0), /X-Mlserve-Priority must be an integer/);
});
