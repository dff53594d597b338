import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean, editDistance, suggest } from '../../src/config/suggest.js';

test('editDistance counts an adjacent transposition as one edit', () => {
  assert.equal(editDistance('socket', 'sokcet'), 1);
  assert.equal(editDistance('worker', 'workers'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('suggest: close names first, then shared prefixes, at most 3; nothing for far names', () => {
  const names = ['workers', 'max-batch', 'max-batch-size', 'max-body-size', 'uid', 'gid'];
  assert.deepEqual(suggest('worker', names), ['workers']);
  assert.deepEqual(suggest('max-bat', names), ['max-batch']);
  assert.deepEqual(suggest('MAX_BODY_SIZE', names), ['max-body-size']);
  assert.deepEqual(suggest('pid', names), ['uid', 'gid']);
  assert.deepEqual(suggest('zebra', names), []);
  assert.equal(didYouMean('pid', names), ' (did you mean "uid" or "gid"?)');
  assert.equal(didYouMean('zebra', names), '');
});
