import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInput, inputRows, joinInputs, type InputSignature } from '../../src/model/modelInput.js';
import { MlserveError } from '../../src/errors.js';

const textModel: InputSignature = { text: true, inputSize: 3, model: 'm v1' };
const tensorModel: InputSignature = { text: false, inputSize: 3, model: 'm v2' };

test('inputRows counts texts or tensor rows', () => {
  assert.equal(inputRows({ kind: 'text', texts: ['a', 'b'] }), 2);
  assert.equal(inputRows({ kind: 'tensor', rows: 4, values: new Float32Array(12) }), 4);
});

test('checkInput: text on a model without preprocessing is a 400 naming the tensor API', () => {
  assert.doesNotThrow(() => checkInput({ kind: 'text', texts: ['a'] }, textModel));
  assert.throws(
    () => checkInput({ kind: 'text', texts: ['a'] }, tensorModel),
    (err: unknown) => err instanceof MlserveError && err.code === 'ERR_TEXT_UNSUPPORTED' && err.status === 400 && /m v2.*:predict/.test(err.message),
  );
});

test('checkInput: a tensor must be rows x inputSize', () => {
  assert.doesNotThrow(() => checkInput({ kind: 'tensor', rows: 2, values: new Float32Array(6) }, tensorModel));
  for (const [rows, n] of [[2, 5], [0, 0], [1.5, 3]] as const) {
    assert.throws(
      () => checkInput({ kind: 'tensor', rows, values: new Float32Array(n) }, tensorModel),
      (err: unknown) => err instanceof MlserveError && err.code === 'ERR_TENSOR_SHAPE' && err.status === 400,
      `rows ${rows}, ${n} values`,
    );
  }
});

test('joinInputs concatenates one kind, returns a single input as it is, refuses a mix', () => {
  const one = { kind: 'text' as const, texts: ['a'] };
  assert.equal(joinInputs([one]), one);
  assert.deepEqual(joinInputs([one, { kind: 'text', texts: ['b', 'c'] }]), { kind: 'text', texts: ['a', 'b', 'c'] });
  const t = joinInputs([
    { kind: 'tensor', rows: 1, values: Float32Array.of(1, 2) },
    { kind: 'tensor', rows: 2, values: Float32Array.of(3, 4, 5, 6) },
  ]);
  assert.deepEqual(t, { kind: 'tensor', rows: 3, values: Float32Array.of(1, 2, 3, 4, 5, 6) });
  assert.throws(() => joinInputs([one, { kind: 'tensor', rows: 1, values: new Float32Array(2) }]), TypeError);
});
