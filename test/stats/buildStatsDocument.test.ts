import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStatsDocument, threadRss } from '../../src/stats/buildStatsDocument.js';
import { sharedDir } from '../helpers/paths.js';
import { quietWindow, sampleInput, slot } from './sampleInput.js';

const fixtureDir = join(sharedDir, 'fixtures', 'uwsgi-stats');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(fixtureDir, `uwsgi-2.0.21-${name}.json`), 'utf8')) as Record<string, unknown>;

type Kind = 'number' | 'string' | 'array' | 'object';
const kindOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

// Every uWSGI 2.0 key uwsgitop (xrmx/uwsgitop 0.12) and the usual collectors read, with its type.
const topKeys: Record<string, Kind> = {
  version: 'string', listen_queue: 'number', listen_queue_errors: 'number', signal_queue: 'number', load: 'number',
  pid: 'number', uid: 'number', gid: 'number', cwd: 'string', locks: 'array', sockets: 'array', workers: 'array',
};
const socketKeys: Record<string, Kind> = {
  name: 'string', proto: 'string', queue: 'number', max_queue: 'number', shared: 'number', can_offload: 'number',
};
const workerKeys: Record<string, Kind> = {
  id: 'number', pid: 'number', accepting: 'number', requests: 'number', delta_requests: 'number', exceptions: 'number',
  harakiri_count: 'number', signals: 'number', signal_queue: 'number', status: 'string', rss: 'number', vsz: 'number',
  running_time: 'number', last_spawn: 'number', respawn_count: 'number', tx: 'number', avg_rt: 'number',
  apps: 'array', cores: 'array',
};
const appKeys: Record<string, Kind> = {
  id: 'number', modifier1: 'number', mountpoint: 'string', startup_time: 'number', requests: 'number', exceptions: 'number', chdir: 'string',
};
const coreKeys: Record<string, Kind> = {
  id: 'number', requests: 'number', static_requests: 'number', routed_requests: 'number', offloaded_requests: 'number',
  write_errors: 'number', read_errors: 'number', in_request: 'number', vars: 'array', req_info: 'object',
};
/** The keys uwsgitop's source reads: top level, then per worker, then per core. */
const uwsgitopReads = {
  top: ['version', 'listen_queue', 'cwd', 'uid', 'gid', 'pid', 'workers'],
  worker: ['id', 'requests', 'tx', 'running_time', 'last_spawn', 'signals', 'status', 'pid', 'exceptions', 'avg_rt', 'rss', 'vsz', 'respawn_count', 'harakiri_count', 'cores'],
  core: ['id', 'requests', 'in_request'],
};

function assertKeys(obj: unknown, spec: Record<string, Kind>, where: string): void {
  assert.equal(kindOf(obj), 'object', where);
  for (const [key, kind] of Object.entries(spec)) {
    assert.ok(Object.hasOwn(obj as object, key), `${where}.${key} is missing`);
    assert.equal(kindOf((obj as Record<string, unknown>)[key]), kind, `${where}.${key} should be a ${kind}`);
  }
}

test('the document has every uWSGI 2.0 key with its type, and the mlserve extras', () => {
  const doc = JSON.parse(JSON.stringify(buildStatsDocument(sampleInput()))) as Record<string, unknown>;
  assertKeys(doc, topKeys, 'doc');
  const sockets = doc['sockets'] as unknown[];
  assert.equal(sockets.length, 1);
  assertKeys(sockets[0], socketKeys, 'sockets[0]');
  const workers = doc['workers'] as Record<string, unknown>[];
  assert.equal(workers.length, 4);
  for (const [i, w] of workers.entries()) {
    assertKeys(w, workerKeys, `workers[${i}]`);
    for (const [j, a] of (w['apps'] as unknown[]).entries()) assertKeys(a, appKeys, `workers[${i}].apps[${j}]`);
    assert.equal((w['cores'] as unknown[]).length, 1);
    assertKeys((w['cores'] as unknown[])[0], coreKeys, `workers[${i}].cores[0]`);
    for (const [key, value] of Object.entries(w)) {
      if (typeof value === 'number') assert.ok(Number.isInteger(value) && value >= 0, `workers[${i}].${key} = ${value}: uWSGI writes unsigned integers`);
    }
  }
  const m = doc['mlserve'] as Record<string, unknown>;
  assertKeys(m, {
    version: 'string', now: 'number', uptime: 'number', process: 'object', model: 'object', cheaper: 'object', queue: 'object',
    window_seconds: 'number', latency_ms: 'object', rps_history: 'array', active_history: 'array', batches: 'object', workers: 'array',
    routes: 'object',
  }, 'mlserve');
  assert.deepEqual(m['model'], { name: 'reuters', version: 1, backend: 'tensorflow', engine: 'tfjs-tensorflow', accuracy: 0.8767 });
  assert.deepEqual(m['queue'], { length: 3, max: 100, refused: 7, expired: 0 }, 'expired defaults to 0 when the input has none');
  assert.deepEqual(m['latency_ms'], { count: 1234, p50: 1.235, p90: 3.5, p99: 9.75 });
  assert.equal((m['rps_history'] as number[]).length, 60);
  assert.deepEqual(m['cheaper'], {
    algo: 'spare',
    state: { idle: 1, overloadCycles: 0 },
    last_decision: { at: 1_795_237_535, action: 'cheap', n: 1, reason: 'idle 2 > cheaper 1 for 10 cycles' },
  });
  assert.deepEqual(m['batches'], {
    count: 300, rows: 900, requests: 600, mean_size: 3, max_size: 32,
    window: { count: 30, rows: 75, requests: 60, mean_size: 2.5, max_size: 8 },
  });
  const mw = (m['workers'] as Record<string, unknown>[])[0]!;
  assert.deepEqual(
    [mw['id'], mw['state'], mw['thread_id'], mw['time_to_ready_ms'], mw['running_batch_ms']],
    [1, 'busy', 11, 650, 10],
  );
  assert.equal(doc['version'], 'mlserve-0.1.0');
  assert.equal(m['version'], '0.1.0');
  assert.equal(m['uptime'], 3600);
});

test('statuses: cheap slots show cheap with pid 0; starting and stopping do not accept', () => {
  const input = sampleInput();
  input.slots.push(slot(5, { status: 'stopping', busySince: 49_000 }), slot(6, { status: 'stopping' }), slot(7, { status: 'cheap', lastSpawn: 0, spawnMs: 0, readyAt: 0, threadId: 0, requests: 0 }));
  const workers = buildStatsDocument(input).workers;
  const view = workers.map((w) => [w.id, w.status, w.accepting, w.pid]);
  assert.deepEqual(view, [
    [1, 'busy', 1, 4242],
    [2, 'idle', 1, 4242],
    [3, 'idle', 0, 4242],
    [4, 'cheap', 0, 0],
    [5, 'busy', 0, 4242],
    [6, 'idle', 0, 4242],
    [7, 'cheap', 0, 0],
  ]);
  const cheap = workers[3]!;
  assert.deepEqual([cheap.rss, cheap.vsz, cheap.requests, cheap.last_spawn], [0, 0, 400, 1_795_237_531]);
  assert.equal(cheap.apps.length, 1, 'a cheaped slot that ran keeps its app counters');
  assert.deepEqual(workers[6]!.apps, [], 'a never-spawned slot has no app, as in uWSGI');
  assert.equal(workers[6]!.id, 7, 'mlserve keeps the slot id where uWSGI 2.0 writes 0');
});

test('the busy core carries in_request and request_start; units are uWSGI\'s', () => {
  const doc = buildStatsDocument(sampleInput());
  const busy = doc.workers[0]!;
  assert.deepEqual(busy.cores[0]!.in_request, 1);
  // The batch started 10 ms before `now` (perfNow 50000, busySince 49990).
  assert.deepEqual(busy.cores[0]!.req_info, { request_start: Math.floor((1_795_237_540_000 - 10) / 1000) });
  assert.deepEqual(doc.workers[1]!.cores[0]!.req_info, {});
  assert.equal(busy.running_time, 123_456, 'microseconds');
  assert.equal(busy.avg_rt, 820, 'microseconds');
  assert.equal(busy.last_spawn, 1_795_237_531, 'epoch seconds');
  assert.equal(busy.vsz, 1_200_000_000, 'the process vsz, bytes');
  assert.deepEqual([doc.listen_queue, doc.listen_queue_errors, doc.load], [3, 7, 3]);
  assert.deepEqual(doc.sockets[0], { name: '/run/mlserve/mlserve.sock', proto: 'http', queue: 3, max_queue: 100, shared: 0, can_offload: 0 });
});

test('rss is the thread\'s own memory; a report of a replaced thread is not used', () => {
  const input = sampleInput();
  const doc = buildStatsDocument(input);
  // tensorflow backend: heap used + external + native tensors.
  assert.equal(doc.workers[0]!.rss, 30_000_000 + 5_000_000 + 2_000_000);
  assert.equal(threadRss(input.memory!.get(1), 'wasm'), 35_000_000, 'wasm tensors are inside external memory already');
  assert.equal(doc.workers[2]!.rss, 0, 'starting, nothing reported yet');
  const replaced = sampleInput({ slots: [slot(1, { threadId: 99 })] });
  assert.equal(buildStatsDocument(replaced).workers[0]!.rss, 0);
  assert.equal(buildStatsDocument(replaced).mlserve.workers[0]!.memory, null);
  const noMemory = sampleInput({ memory: undefined, cheaper: null, window: quietWindow() });
  const d = buildStatsDocument(noMemory);
  assert.equal(d.workers[1]!.rss, 0);
  assert.equal(d.mlserve.cheaper, null);
  assert.deepEqual(d.mlserve.latency_ms, { count: 0, p50: null, p90: null, p99: null });
  assert.equal(d.mlserve.batches.mean_size, null);
});

test('strings with quotes, backslashes, newlines and control characters are escaped', () => {
  const nasty = 'a "quoted" \\ path\nwith\ttab \u0001\u001f and é ✓';
  const input = sampleInput({
    process: { ...sampleInput().process, cwd: nasty },
    sockets: [{ name: `/tmp/${nasty}.sock`, proto: 'http' }],
    model: { name: nasty, version: 'v"1', backend: 'wasm', accuracy: null },
  });
  for (const text of [JSON.stringify(buildStatsDocument(input)), JSON.stringify(buildStatsDocument(input), null, '\t')]) {
    assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f]/, 'no raw control character');
    assert.ok(text.includes('a \\"quoted\\" \\\\ path\\nwith\\ttab \\u0001\\u001f'), 'escaped as JSON requires');
    const back = JSON.parse(text) as { cwd: string; sockets: { name: string }[]; mlserve: { model: { name: string; version: string } } };
    assert.equal(back.cwd, nasty);
    assert.equal(back.sockets[0]!.name, `/tmp/${nasty}.sock`);
    assert.equal(back.mlserve.model.name, nasty);
    assert.equal(back.mlserve.model.version, 'v"1');
  }
});

for (const name of ['busy', 'after-load']) {
  test(`every key of the real uWSGI 2.0.21 document (${name}) is in ours, with the same type`, () => {
    const theirs = fixture(name);
    const ours = JSON.parse(JSON.stringify(buildStatsDocument(sampleInput()))) as Record<string, unknown>;
    compareKeys(theirs, ours, 'doc');
    // Spelled out for what uwsgitop reads, so a fixture change cannot hide a missing key.
    for (const key of uwsgitopReads.top) assert.ok(key in theirs && key in ours, key);
    const tw = (theirs['workers'] as Record<string, unknown>[])[0]!;
    for (const w of ours['workers'] as Record<string, unknown>[]) {
      for (const key of uwsgitopReads.worker) assert.ok(key in tw && key in w, `worker key ${key}`);
      const core = (w['cores'] as Record<string, unknown>[])[0]!;
      for (const key of uwsgitopReads.core) assert.ok(key in core, `core key ${key}`);
    }
  });
}

// Every key of `theirs` exists in `ours` with the same JSON type; arrays compare their first
// elements (uWSGI's locks are single-key objects with varying names: only the array is required).
function compareKeys(theirs: unknown, ours: unknown, where: string): void {
  assert.equal(kindOf(ours), kindOf(theirs), `${where}: type`);
  if (Array.isArray(theirs)) {
    const t = theirs.find((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length > 0);
    const o = (ours as unknown[])[0];
    if (t !== undefined && where !== 'doc.locks') {
      assert.ok(o !== undefined, `${where}: ours is empty where uWSGI's is not`);
      compareKeys(t, o, `${where}[0]`);
    }
    return;
  }
  if (kindOf(theirs) !== 'object') return;
  for (const key of Object.keys(theirs as object)) {
    assert.ok(Object.hasOwn(ours as object, key), `${where}.${key} is missing from ours`);
    // req_info and vars are empty or filled depending on the moment: type only.
    if (key === 'req_info' || key === 'vars') continue;
    compareKeys((theirs as Record<string, unknown>)[key], (ours as Record<string, unknown>)[key], `${where}.${key}`);
  }
}
