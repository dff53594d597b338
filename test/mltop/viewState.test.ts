import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortKeys } from '../../src/mltop/columns.js';
import { applyKey, initialViewState } from '../../src/mltop/viewState.js';

test('keys: q quits, f toggles fast refresh, s cycles the sort column, r reverses, h toggles help', () => {
  const s0 = initialViewState;
  assert.equal(applyKey(s0, 'q'), 'quit');
  assert.equal(applyKey(s0, 'C-c'), 'quit');
  assert.deepEqual(applyKey(s0, 'f'), { ...s0, fast: true });
  assert.deepEqual(applyKey({ ...s0, fast: true }, 'f'), s0);
  assert.deepEqual(applyKey(s0, 'r'), { ...s0, reverse: true });
  assert.deepEqual(applyKey(s0, 'h'), { ...s0, help: true });
  assert.deepEqual(applyKey({ ...s0, help: true }, 'escape'), s0);
  assert.equal(applyKey(s0, 'x'), s0);
  let state = s0;
  const seen: string[] = [];
  for (let i = 0; i < sortKeys.length; i++) {
    seen.push(state.sort);
    const next = applyKey(state, 's');
    assert.notEqual(next, 'quit');
    state = next as typeof state;
  }
  assert.deepEqual(seen, [...sortKeys]);
  assert.equal(state.sort, 'REQ', 'the cycle comes back to REQ');
});
