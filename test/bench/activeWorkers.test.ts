import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeWorkers } from '../../bench/activeWorkers.js';
import { parseStats } from '../../src/mltop/parseStats.js';
import { sharedDir } from '../helpers/paths.js';

test('idle and busy workers are active; cheap, pause and sig are not', () => {
  const doc = { workers: ['busy', 'idle', 'cheap', 'pause', 'sig9', 'idle'].map((status, i) => ({ id: i + 1, status })) };
  assert.equal(activeWorkers(doc), 3);
  assert.equal(activeWorkers({ workers: [] }), 0);
  assert.throws(() => activeWorkers({ version: 'x' }), /no workers array/);
  assert.throws(() => activeWorkers(null), TypeError);
});

test('real uWSGI 2.0 documents, as the peer\'s stats socket serves them', () => {
  const read = (name: string): unknown =>
    parseStats(readFileSync(join(sharedDir, 'fixtures', 'uwsgi-stats', `uwsgi-2.0.21-${name}.json`), 'utf8'));
  // busy: 2 busy + 2 idle of 8 slots; after-load: the rest are cheap.
  assert.equal(activeWorkers(read('busy')), 4);
  assert.equal(activeWorkers(read('after-load')), 2);
});
