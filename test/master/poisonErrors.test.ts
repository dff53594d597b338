import { test } from 'node:test';
import assert from 'node:assert/strict';
import { killCause, poisonError } from '../../src/master/poisonErrors.js';

test('poisonError: the culprit gets its own error, a batch-mate out of time a 504 that says why', () => {
  const crash = poisonError({ cause: 'crash', culprit: true }, 2, 1, undefined);
  assert.deepEqual([crash.code, crash.status, crash.message], ['ERR_WORKER_CRASHED', 502, 'worker 2 died while predicting this request']);
  assert.equal(poisonError({ cause: 'oom', culprit: true }, 0, 1, undefined).message, 'the quarantine thread ran out of memory while predicting this request');
  const spin = poisonError({ cause: 'harakiri', culprit: true }, 1, 2, undefined);
  assert.deepEqual([spin.code, spin.status], ['ERR_HARAKIRI', 504]);
  const late = poisonError({ cause: 'crash', culprit: false }, 1, 2, undefined);
  assert.deepEqual([late.code, late.status], ['ERR_HARAKIRI', 504]);
  assert.match(late.message, /batch whose worker died \(crash\).*within harakiri \+ 1 s \(3 s\)/);
});

test('killCause: V8 heap limit is oom, anything else a crash', () => {
  assert.equal(killCause(Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' })), 'oom');
  assert.equal(killCause(new Error('crash requested by a test hook')), 'crash');
  assert.equal(killCause('weird'), 'crash');
});
