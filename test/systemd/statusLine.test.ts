/** The STATUS= line `systemctl status mlserve` shows, and the request rate it reports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRate, statusLine } from '../../src/systemd/statusLine.js';

const model = { name: 'reuters', version: 1 };

test('statusLine: workers busy, req/s with thousands separators, model and backend', () => {
  const cases: Array<[Parameters<typeof statusLine>[0], string]> = [
    [{ busy: 2, active: 8, total: 8, rps: 1234.4, model, backend: 'wasm' }, '2/8 workers busy, 1,234 req/s, model reuters v1 (wasm)'],
    [{ busy: 0, active: 2, total: 2, rps: 0, model, backend: 'tensorflow' }, '0/2 workers busy, 0 req/s, model reuters v1 (tensorflow)'],
    [{ busy: 1, active: 2, total: 2, rps: 3.46, model, backend: 'cpu' }, '1/2 workers busy, 3.5 req/s, model reuters v1 (cpu)'],
    [{ busy: 1, active: 2, total: 2, rps: 9.96, model, backend: 'cpu' }, '1/2 workers busy, 10 req/s, model reuters v1 (cpu)'],
    [{ busy: 1, active: 3, total: 8, rps: 12, model: { name: 'reuters', version: '2' }, backend: 'wasm' }, '1/3 workers busy (5 of 8 not ready), 12 req/s, model reuters v2 (wasm)'],
    [{ busy: 0, active: 2, total: 2, rps: Number.NaN, model, backend: 'wasm' }, '0/2 workers busy, 0 req/s, model reuters v1 (wasm)'],
  ];
  for (const [snapshot, expected] of cases) assert.equal(statusLine(snapshot), expected);
});

test('requestRate: requests per second between two counter readings', () => {
  assert.equal(requestRate({ requests: 100, atMs: 0 }, { requests: 600, atMs: 5000 }), 100);
  assert.equal(requestRate({ requests: 100, atMs: 1000 }, { requests: 100, atMs: 6000 }), 0);
  assert.equal(requestRate({ requests: 100, atMs: 1000 }, { requests: 200, atMs: 1000 }), 0, 'no time passed');
  assert.equal(requestRate({ requests: 100, atMs: 0 }, { requests: 10, atMs: 1000 }), 0, 'counter went backwards');
});
