import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText, textsFromBody } from '../../src/http/validateInput.js';
import { MlserveError } from '../../src/errors.js';

const limits = { maxTextLength: 10, maxBatch: 3 };

function code(fn: () => unknown): [string, number] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MlserveError);
    return [err.code, err.status];
  }
  assert.fail('expected an MlserveError');
}

test('checkText accepts a text within limits and names the field in errors', () => {
  assert.equal(checkText('oil', 'text', limits), 'oil');
  assert.deepEqual(code(() => checkText(undefined, 'text', limits)), ['ERR_TEXT_MISSING', 400]);
  assert.deepEqual(code(() => checkText('', 'text', limits)), ['ERR_TEXT_MISSING', 400]);
  assert.deepEqual(code(() => checkText(3, 'text', limits)), ['ERR_BODY_MALFORMED', 400]);
  assert.deepEqual(code(() => checkText('x'.repeat(11), 'text', limits)), ['ERR_TEXT_TOO_LONG', 413]);
  // Issue 15: a very long input (the realistic poison) is refused before it reaches a worker, and
  // the answer names the limit so the client knows what to change.
  assert.throws(() => checkText('x'.repeat(11), 'text', limits), /"text" has 11 characters, more than max-text-length \(10\)/);
  assert.throws(() => checkText(null, 'texts[2]', limits), /"texts\[2\]" is required/);
});

test('textsFromBody takes {"text"} or {"texts"} and rejects every other shape', () => {
  assert.deepEqual(textsFromBody({ text: 'a' }, limits), ['a']);
  assert.deepEqual(textsFromBody({ texts: ['a', 'b'] }, limits), ['a', 'b']);
  assert.deepEqual(code(() => textsFromBody([], limits)), ['ERR_BODY_MALFORMED', 400]);
  assert.deepEqual(code(() => textsFromBody(null, limits)), ['ERR_BODY_MALFORMED', 400]);
  assert.deepEqual(code(() => textsFromBody('a', limits)), ['ERR_BODY_MALFORMED', 400]);
  assert.deepEqual(code(() => textsFromBody({}, limits)), ['ERR_TEXT_MISSING', 400]);
  assert.deepEqual(code(() => textsFromBody({ text: 'a', texts: ['b'] }, limits)), ['ERR_BODY_MALFORMED', 400]);
  assert.deepEqual(code(() => textsFromBody({ texts: 'a' }, limits)), ['ERR_BODY_MALFORMED', 400]);
  assert.deepEqual(code(() => textsFromBody({ texts: [] }, limits)), ['ERR_TEXT_MISSING', 400]);
  assert.deepEqual(code(() => textsFromBody({ texts: ['a', 'b', 'c', 'd'] }, limits)), ['ERR_BATCH_TOO_LARGE', 413]);
  assert.deepEqual(code(() => textsFromBody({ texts: ['a', 2] }, limits)), ['ERR_BODY_MALFORMED', 400]);
  assert.throws(() => textsFromBody({ texts: ['a', ''] }, limits), /"texts\[1\]" is empty/);
});
