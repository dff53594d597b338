import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFrame, renderStyledFrame, type FrameOptions } from '../../src/mltop/renderFrame.js';
import { buildStatsDocument } from '../../src/stats/buildStatsDocument.js';
import { sharedDir } from '../helpers/paths.js';
import { sampleInput } from '../stats/sampleInput.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(sharedDir, 'fixtures', 'uwsgi-stats', `uwsgi-2.0.21-${name}.json`), 'utf8'));
const AT = 1_795_237_536_000;
const opts = (over: Partial<FrameOptions> = {}): FrameOptions => ({
  at: AT, host: 'web1', sort: 'REQ', reverse: false, fast: false, frequency: 1, help: false, utc: true, ...over,
});
const mlserveDoc = (): unknown => JSON.parse(JSON.stringify(buildStatsDocument(sampleInput())));
const isHeader = (line: string): boolean => /^\s+WID[↓↑]?\s+%\s+PID/.test(line);
/** The table rows of a frame: the lines after the column header, before the footer. */
const rows = (lines: string[]): string[] => lines.slice(lines.findIndex(isHeader) + 1, -1);
const wids = (lines: string[]): number[] => rows(lines).map((l) => Number(l.trim().split(/\s+/)[0]));

test('uWSGI fixture (busy): uwsgitop\'s header, node line, one row per worker sorted by requests', () => {
  const lines = renderFrame(null, fixture('busy'), opts(), 200, 50);
  assert.equal(lines[0], 'uwsgi-2.0.21-debian - Sat Nov 21 05:05:36 2026 - req: 16241 - RPS: - - lq: 0 - tx: 2.2M');
  assert.equal(lines[1], 'node: web1 - cwd: /srv/app - uid: 0 - gid: 0 - masterpid: 19417');
  assert.match(lines[2]!, /^queue: 0 - refused: 0 - latency: n\/a/, 'no mlserve extras: n/a, not invented');
  assert.doesNotMatch(lines.join('\n'), /model:|cheaper:|req\/s /);
  const header = lines.find(isHeader)!;
  assert.deepEqual(header.trim().split(/\s+/), ['WID', '%', 'PID', 'REQ↓', 'RPS', 'EXC', 'SIG', 'STATUS', 'AVG', 'RSS', 'VSZ', 'TX', 'ReSpwn', 'HC', 'RunT', 'LastSpwn']);
  assert.equal(rows(lines).length, 8);
  const first = rows(lines)[0]!.trim().split(/\s+/);
  assert.deepEqual(first, ['1', '51.9', '19423', '8426', '-', '0', '0', 'busy', '0.8ms', '46.2M', '103.3M', '1.1M', '1', '0', '3524', '05:05:31']);
  assert.deepEqual(wids(lines), [1, 2, 0, 0, 0, 0, 3, 4]);
});

test('uWSGI fixture (after-load): cheaped workers keep their id, never-spawned ones are id 0; colours by status', () => {
  const frame = renderStyledFrame(null, fixture('after-load'), opts(), 200, 50);
  const table = rows(frame.lines);
  assert.equal(table.length, 8);
  const styleOf = (wid: number) => frame.styles[frame.lines.indexOf(table[wids(frame.lines).indexOf(wid)]!)];
  assert.equal(styleOf(1), 'cheap');
  assert.equal(styleOf(3), 'plain');
  assert.equal(frame.styles[frame.lines.findIndex(isHeader)], 'table-header');
  assert.match(table[0]!, /^\s+1\s+42\.1\s+0\s+10058\s/);
});

test('RPS from two frames of the same master; a new master pid starts over', () => {
  const before = fixture('busy') as { workers: { requests: number }[] };
  const after = structuredClone(before);
  after.workers[0]!.requests += 50;
  after.workers[1]!.requests += 30;
  const lines = renderFrame({ doc: before, at: AT - 2000 }, after, opts(), 200, 50);
  assert.match(lines[0]!, / - RPS: 40 - /);
  const rpsOf = (wid: number) => rows(lines).map((l) => l.trim().split(/\s+/)).find((c) => Number(c[0]) === wid)![4];
  assert.deepEqual([rpsOf(1), rpsOf(2), rpsOf(3)], ['25', '15', '0']);
  const restarted = { ...structuredClone(after), pid: 1 };
  assert.match(renderFrame({ doc: before, at: AT - 2000 }, restarted, opts(), 200, 50)[0]!, / - RPS: - - /);
});

test('mlserve document: model, cheaper, latency, queue and sparkline lines', () => {
  const lines = renderFrame(null, mlserveDoc(), opts(), 200, 50);
  assert.match(lines[0]!, /^mlserve-0\.1\.0 - .* - req: 1000 - RPS: 3 - lq: 3 - tx: /, 'RPS from the history before a second frame');
  assert.equal(lines[2], 'model: reuters v1 - backend: tensorflow - accuracy: 0.8767 - up 1h00m');
  assert.equal(lines[3], 'cheaper: spare - last: cheap 1 at 05:05:35 (idle 2 > cheaper 1 for 10 cycles)');
  assert.equal(lines[4], 'latency p50 1.2ms p90 3.5ms p99 9.8ms - queue: 3/100 - refused: 7 - batch mean 2.5 max 8');
  assert.match(lines[5]!, /^req\/s  [▁-█]{60} max 6 now 3$/);
  assert.match(lines[6]!, /^active [▁-█]{60} max 4 now 3$/);
  assert.deepEqual(wids(lines), [4, 3, 2, 1], 'most requests first');
  assert.ok(rows(lines)[3]!.includes('busy'));
});

test('sort column and reverse', () => {
  const doc = mlserveDoc();
  assert.deepEqual(wids(renderFrame(null, doc, opts({ sort: 'WID' }), 200, 50)), [1, 2, 3, 4]);
  assert.deepEqual(wids(renderFrame(null, doc, opts({ sort: 'WID', reverse: true }), 200, 50)), [4, 3, 2, 1]);
  assert.deepEqual(wids(renderFrame(null, doc, opts({ sort: 'STATUS' }), 200, 50)), [1, 2, 3, 4], 'busy, idle, idle, cheap');
  assert.match(renderFrame(null, doc, opts({ sort: 'WID', reverse: true }), 200, 50).join('\n'), /WID↑/);
});

test('small terminals truncate and never throw; the footer (messages) stays', () => {
  for (const doc of [fixture('busy'), fixture('after-load'), mlserveDoc(), null, {}, { workers: 'nope' }, []]) {
    for (const [w, h] of [[80, 10], [200, 10], [80, 40], [10, 3], [1, 1], [0, 0], [5, 2]] as const) {
      const lines = renderFrame(null, doc, opts({ message: 'disconnected, retrying (ECONNREFUSED)' }), w, h);
      assert.ok(lines.length <= h, `${lines.length} lines for height ${h}`);
      for (const line of lines) assert.ok(Array.from(line).length <= w, `line wider than ${w}: ${line}`);
      if (h > 0) assert.equal(lines.at(-1), ' disconnected, retrying (ECONNREFUSED)'.slice(0, w));
    }
  }
  const lines = renderFrame(null, fixture('busy'), opts(), 80, 10);
  assert.equal(lines.length, 10);
  assert.equal(lines[0], 'uwsgi-2.0.21-debian - Sat Nov 21 05:05:36 2026 - req: 16241 - RPS: - - lq: 0 - t');
  assert.match(lines[9]!, /^ q quit/);
});

test('help replaces the table; --once has no key line; before any document', () => {
  const help = renderFrame(null, mlserveDoc(), opts({ help: true }), 200, 50);
  assert.ok(help.some((l) => /s\s+sort by the next column/.test(l)));
  assert.ok(!help.some(isHeader));
  const once = renderFrame(null, mlserveDoc(), { ...opts(), keys: false }, Infinity, Infinity);
  assert.doesNotMatch(once.at(-1)!, /q quit/);
  assert.equal(rows([...once, '']).length, 4);
  assert.match(renderFrame(null, null, opts(), 100, 5)[0]!, /no stats yet/);
});

test('a failed slot: its row in the alert colour and a line with its last error', () => {
  const input = sampleInput();
  input.slots[3] = { ...input.slots[3]!, status: 'failed', failures: 6, lastError: 'model does not load' };
  const doc = JSON.parse(JSON.stringify(buildStatsDocument(input))) as unknown;
  const frame = renderStyledFrame(null, doc, opts(), 200, 50);
  const row = frame.lines.findIndex((l) => /^\s+4\s/.test(l) && l.includes('failed'));
  assert.ok(row > 0, frame.lines.join('\n'));
  assert.equal(frame.styles[row], 'alert');
  assert.ok(frame.lines.includes(' worker 4 failed 6 times in a row, retrying: model does not load'), frame.lines.join('\n'));
});
