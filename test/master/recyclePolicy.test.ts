import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxRequestsFor, shouldRecycle } from '../../src/master/recyclePolicy.js';

const opts = { maxRequests: 100, maxRequestsDelta: 10, minLifetimeMs: 10_000 };

test('max-requests plus delta per slot spreads recycles over slots', () => {
  assert.equal(maxRequestsFor(1, opts), 100);
  assert.equal(maxRequestsFor(3, opts), 120);
  assert.equal(maxRequestsFor(3, { ...opts, maxRequests: 0 }), 0, 'max-requests 0 is off, whatever the delta');
});

test('shouldRecycle waits for the limit and for min-worker-lifetime', () => {
  const slot = { id: 2, deltaRequests: 110, lastSpawn: 0 };
  assert.equal(shouldRecycle(slot, 10_000, opts), true);
  assert.equal(shouldRecycle(slot, 9_999, opts), false, 'too young');
  assert.equal(shouldRecycle({ ...slot, deltaRequests: 109 }, 60_000, opts), false, 'below its limit');
  assert.equal(shouldRecycle(slot, 60_000, { ...opts, maxRequests: 0 }), false);
});
