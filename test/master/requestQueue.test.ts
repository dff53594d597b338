import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestQueue } from '../../src/master/requestQueue.js';

test('RequestQueue is FIFO, bounded, and compacts without losing items', () => {
  const q = new RequestQueue<{ rows: number; n: number }>(3000);
  for (let i = 0; i < 2500; i++) q.push({ rows: (i % 3) + 1, n: i });
  assert.equal(q.length, 2500);
  assert.equal(q.full, false);
  assert.deepEqual(q.peekRows(4), [1, 2, 3, 1]);
  let next = 0;
  while (q.length > 0) {
    for (const item of q.take(7)) assert.equal(item.n, next++);
  }
  assert.equal(next, 2500);
  assert.deepEqual(q.take(3), []);
  assert.equal(q.length, 0, 'taking more than is queued leaves no holes behind');
});

test('RequestQueue reports full at its limit (uWSGI listen)', () => {
  const q = new RequestQueue<{ rows: number }>(2);
  q.push({ rows: 1 });
  assert.equal(q.full, false);
  q.push({ rows: 1 });
  assert.equal(q.full, true);
  assert.equal(q.drain().length, 2);
  assert.equal(q.full, false);
});

test('peekRows with keep stops at the first request of another kind (a batch is of one input kind)', () => {
  const q = new RequestQueue<{ rows: number; kind: string }>(10);
  for (const [rows, kind] of [[1, 'text'], [2, 'text'], [3, 'tensor'], [4, 'text']] as const) q.push({ rows, kind });
  assert.deepEqual(q.peekRows(10, (p) => p.kind === 'text'), [1, 2]);
  assert.deepEqual(q.peekRows(1, (p) => p.kind === 'text'), [1]);
  assert.deepEqual(q.peekRows(10, (p) => p.kind === 'tensor'), []);
});

test('higher priority is served first, FIFO within a level; peekRows follows the same order', () => {
  const q = new RequestQueue<{ rows: number; priority?: number; n: string }>(10);
  q.push({ rows: 1, n: 'a' });
  q.push({ rows: 2, n: 'b', priority: 5 });
  q.push({ rows: 3, n: 'c', priority: -1 });
  q.push({ rows: 4, n: 'd', priority: 5 });
  q.push({ rows: 5, n: 'e' });
  assert.equal(q.peek()!.n, 'b');
  assert.deepEqual(q.peekRows(10), [2, 4, 1, 5, 3]);
  assert.deepEqual(q.take(3).map((i) => i.n), ['b', 'd', 'a']);
  assert.equal(q.rows, 8);
  assert.deepEqual(q.drain().map((i) => i.n), ['e', 'c']);
  assert.equal(q.length, 0);
});

test('remove takes a waiting request out (an expired deadline) and keeps the counts', () => {
  const q = new RequestQueue<{ rows: number; priority?: number }>(10);
  const a = { rows: 1 };
  const b = { rows: 2, priority: 1 };
  const c = { rows: 3 };
  for (const item of [a, b, c]) q.push(item);
  assert.equal(q.remove(a), true);
  assert.equal(q.remove(a), false, 'already gone');
  assert.equal(q.length, 2);
  assert.equal(q.rows, 5);
  assert.deepEqual(q.take(5), [b, c]);
});
