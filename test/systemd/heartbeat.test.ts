/** The periodic STATUS= and WATCHDOG=1 of startHeartbeat, driven by mocked timers and a fake clock. */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { startHeartbeat, type HeartbeatSnapshot } from '../../src/systemd/heartbeat.js';

function harness(watchdogMs: number | null) {
  const sent: string[] = [];
  const logs: Array<{ level: string; msg: string }> = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(JSON.parse(line)) } });
  const notifier = {
    status: async (text: string) => void sent.push(`STATUS=${text}`),
    watchdog: async () => void sent.push('WATCHDOG=1'),
  };
  let clock = 0;
  const state: { -readonly [K in keyof HeartbeatSnapshot]: HeartbeatSnapshot[K] } = {
    busy: 0, active: 2, total: 2, requests: 0, model: { name: 'reuters', version: 1 }, backend: 'wasm',
  };
  mock.timers.enable({ apis: ['setInterval'] });
  const heartbeat = startHeartbeat({ notifier, log, watchdogMs, statusMs: 5000, snapshot: () => ({ ...state }), now: () => clock });
  const advance = (ms: number) => {
    clock += ms;
    mock.timers.tick(ms);
  };
  return { sent, logs, state, heartbeat, advance };
}

test('WATCHDOG=1 every watchdogMs while a worker is ready; none while no worker is, with one warning', (t) => {
  t.after(() => mock.timers.reset());
  const h = harness(1000);
  const pings = () => h.sent.filter((m) => m === 'WATCHDOG=1'); // STATUS= ticks too, every 5 s
  h.advance(999);
  assert.deepEqual(pings(), [], 'nothing before the first period');
  h.advance(1);
  h.advance(1000);
  assert.deepEqual(pings(), ['WATCHDOG=1', 'WATCHDOG=1']);

  h.state.active = 0; // every worker crashed or is respawning
  h.advance(3000);
  assert.deepEqual(pings(), ['WATCHDOG=1', 'WATCHDOG=1'], 'the watchdog is starved: systemd will restart mlserve');
  assert.equal(h.logs.filter((l) => l.level === 'warn' && /not feeding the systemd watchdog/.test(l.msg)).length, 1, 'warned once, not per tick');

  h.state.active = 1;
  h.advance(1000);
  assert.deepEqual(pings(), ['WATCHDOG=1', 'WATCHDOG=1', 'WATCHDOG=1']);
  assert.ok(h.logs.some((l) => l.level === 'info' && /feeding the systemd watchdog/.test(l.msg)));

  h.heartbeat.stop();
  h.advance(10_000);
  assert.equal(pings().length, 3, 'stop() ends the pings');
});

test('STATUS= every statusMs with the request rate over the interval; no watchdog without WATCHDOG_USEC', (t) => {
  t.after(() => mock.timers.reset());
  const h = harness(null);
  h.state.requests = 500;
  h.state.busy = 1;
  h.advance(5000);
  assert.deepEqual(h.sent, ['STATUS=1/2 workers busy, 100 req/s, model reuters v1 (wasm)']);
  h.state.requests = 510;
  h.state.busy = 0;
  h.advance(5000);
  assert.deepEqual(h.sent.at(-1), 'STATUS=0/2 workers busy, 2 req/s, model reuters v1 (wasm)');
  h.advance(60_000);
  assert.ok(h.sent.every((m) => m.startsWith('STATUS=')), 'watchdogMs null: no WATCHDOG=1');
  h.heartbeat.stop();
});
