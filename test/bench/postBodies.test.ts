import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchBodies, batchBody, clientMaxBodySize, fitBatch } from '../../bench/postBodies.js';
import { repoRoot } from '../helpers/paths.js';

test('client_max_body_size is read as nginx reads it; nginx/mlserve.conf allows 1 MiB', () => {
  assert.equal(clientMaxBodySize('  client_max_body_size 1m;'), 1048576);
  assert.equal(clientMaxBodySize('client_max_body_size 512k;'), 524288);
  assert.equal(clientMaxBodySize('client_max_body_size 2000;'), 2000);
  assert.equal(clientMaxBodySize('# nothing here'), 1048576, "nginx's default");
  assert.equal(clientMaxBodySize(readFileSync(join(repoRoot, 'nginx', 'mlserve.conf'), 'utf8')), 1048576);
});

test('texts are cut, longest first and at a word boundary, until the body fits', () => {
  const texts = ['short one', 'a much longer text with many words in it that goes on and on', 'mid length text here'];
  assert.deepEqual(fitBatch(texts, 10_000), { texts, cut: 0 }, 'a body that fits is unchanged');
  const max = Buffer.byteLength(batchBody(texts)) - 20;
  const fitted = fitBatch(texts, max);
  assert.ok(Buffer.byteLength(batchBody(fitted.texts)) <= max);
  assert.equal(fitted.cut, 1);
  assert.equal(fitted.texts[0], 'short one');
  assert.ok(texts[1]!.startsWith(fitted.texts[1]!) && !fitted.texts[1]!.endsWith(' '));
  assert.throws(() => fitBatch(['a', 'b'], 5), /cannot fit/);
});

test('bodies take distinct consecutive non-empty texts and report their sizes', () => {
  const texts = ['t0', '', 't1', 't2', '  ', 't3', 't4', 't5'];
  const b = batchBodies(texts, { count: 2, size: 3, maxBytes: 1000 });
  assert.deepEqual(b.bodies.map((body) => JSON.parse(body) as unknown), [{ texts: ['t0', 't1', 't2'] }, { texts: ['t3', 't4', 't5'] }]);
  assert.equal(b.textsCut, 0);
  assert.equal(b.largestBytes, Buffer.byteLength(b.bodies[0]!));
  assert.throws(() => batchBodies(texts, { count: 3, size: 3, maxBytes: 1000 }), /need 9 texts, 6 given/);
});
