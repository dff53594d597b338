import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshSingleFlight } from '../../src/stats/freshSingleFlight.js';

/** An `ask` whose calls the test answers by hand, in order. */
interface ManualAsk {
  ask: () => Promise<number>;
  calls: number;
  answer(value?: number): void;
  fail(message: string): void;
}

function manualAsk(): ManualAsk {
  const waiting: Array<{ resolve: (v: number) => void; reject: (e: Error) => void }> = [];
  const self: ManualAsk = {
    calls: 0,
    ask: () =>
      new Promise<number>((resolve, reject) => {
        self.calls++;
        waiting.push({ resolve, reject });
      }),
    answer(value = self.calls) {
      waiting.shift()!.resolve(value);
    },
    fail(message: string) {
      waiting.shift()!.reject(new Error(message));
    },
  };
  return self;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a lone caller gets its own call', async () => {
  const m = manualAsk();
  const get = freshSingleFlight(m.ask);
  const a = get();
  assert.equal(m.calls, 1);
  m.answer(7);
  assert.equal(await a, 7);
  const b = get();
  assert.equal(m.calls, 2, 'a caller after the answer gets a new call, never the old answer');
  m.answer(8);
  assert.equal(await b, 8);
});

test('callers arriving during a call share the next one, asked only after the first ended', async () => {
  const m = manualAsk();
  const get = freshSingleFlight(m.ask);
  const first = get();
  const late = [get(), get(), get()];
  assert.equal(m.calls, 1, 'no second call while one is in flight');
  m.answer(1);
  assert.equal(await first, 1);
  await tick();
  assert.equal(m.calls, 2, 'one call for all three late callers');
  const later = get(); // arrives while that second call is in flight: waits for a third
  m.answer(2);
  assert.deepEqual(await Promise.all(late), [2, 2, 2], 'none got the answer asked for before it called');
  await tick();
  assert.equal(m.calls, 3);
  m.answer(3);
  assert.equal(await later, 3);
});

test('a failed call rejects its callers only; the next callers get a new call', async () => {
  const m = manualAsk();
  const get = freshSingleFlight(m.ask);
  const first = get();
  const late = get();
  m.fail('main thread said no');
  await assert.rejects(first, /main thread said no/);
  await tick();
  assert.equal(m.calls, 2, 'the late caller is not failed by a call made before it arrived');
  m.answer(5);
  assert.equal(await late, 5);
});
