import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rampLevels, rampSchedule } from '../../bench/rampSchedule.js';

test('levels double up to the peak and halve back down, the peak once', () => {
  assert.deepEqual(rampLevels(64), [1, 2, 4, 8, 16, 32, 64, 32, 16, 8, 4, 2, 1]);
  assert.deepEqual(rampLevels(1), [1]);
  assert.deepEqual(rampLevels(2), [1, 2, 1]);
  // A peak that is not a power of two is still reached, and only once.
  assert.deepEqual(rampLevels(48), [1, 2, 4, 8, 16, 32, 48, 32, 16, 8, 4, 2, 1]);
});

test('the schedule holds each level stepS seconds, then tailS seconds idle', () => {
  assert.deepEqual(rampSchedule({ peak: 4, stepS: 2, tailS: 1 }), [1, 1, 2, 2, 4, 4, 2, 2, 1, 1, 0]);
  assert.deepEqual(rampSchedule({ peak: 1, stepS: 3, tailS: 0 }), [1, 1, 1]);
});

test('the default ramp (peak 64, 9 s a level, 15 s tail) lasts a little over two minutes and is symmetric', () => {
  const schedule = rampSchedule({ peak: 64, stepS: 9, tailS: 15 });
  assert.equal(schedule.length, 13 * 9 + 15);
  const loaded = schedule.slice(0, 13 * 9);
  assert.deepEqual(loaded, [...loaded].reverse(), 'rising mirrors falling');
  assert.equal(Math.max(...schedule), 64);
  assert.equal(schedule.filter((c) => c === 64).length, 9);
  assert.ok(schedule.slice(13 * 9).every((c) => c === 0));
});

test('bad shapes are refused with the name of the field', () => {
  assert.throws(() => rampLevels(0), /peak must be an integer >= 1/);
  assert.throws(() => rampLevels(2.5), /peak/);
  assert.throws(() => rampSchedule({ peak: 8, stepS: 0, tailS: 0 }), /stepS/);
  assert.throws(() => rampSchedule({ peak: 8, stepS: 1, tailS: -1 }), /tailS/);
});
