import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { buildStatsDocument } from '../../src/stats/buildStatsDocument.js';
import { startStatsServer, type StatsServer } from '../../src/stats/statsServer.js';
import { repoRoot } from '../helpers/paths.js';
import { startTmux, tmuxMissing } from '../helpers/tmux.js';
import { sampleInput } from '../stats/sampleInput.js';

const mltopBin = join(repoRoot, 'dist', 'src', 'cli', 'mltop.js');
const log = createLogger({ level: 'silent' });

const isHeader = (row: string): boolean => /^\s+WID[↓↑]?\s+%\s+PID/.test(row);
/** The WID column of the table rows on screen, top to bottom. */
function wids(rows: string[]): number[] {
  const start = rows.findIndex(isHeader);
  if (start < 0) return [];
  const out: number[] = [];
  for (const row of rows.slice(start + 1)) {
    const m = /^\s+(\d+)\s+\d+\.\d\s/.exec(row);
    if (!m) break;
    out.push(Number(m[1]));
  }
  return out;
}

test('mltop in a real terminal: header, one row per slot, s sorts, resize, restart, q exits 0', { skip: tmuxMissing() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltop-tty-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sock = join(dir, 'stats.sock');
  // A changing document: slot 2 serves 5 requests between two reads, so its RPS moves.
  let reads = 0;
  const build = () => {
    const input = sampleInput();
    input.slots[1]!.requests += 5 * reads++;
    return buildStatsDocument(input);
  };
  let server: StatsServer | null = await startStatsServer({ address: sock, build, log });
  t.after(() => server?.close());

  const tty = await startTmux({ command: [process.execPath, mltopBin, sock], width: 160, height: 40, env: { TZ: 'UTC' } });
  t.after(() => tty.kill());

  // uwsgitop's header and node line, the mlserve lines, and one row per slot, REQ order.
  let screen = await tty.waitForScreen((rows) => wids(rows).length === 4, { what: 'a table of 4 workers' });
  assert.match(screen[0]!, /^mlserve-0\.1\.0 - \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} - req: \d+ - RPS: \d+ - lq: 3 - tx: /);
  assert.match(screen[1]!, /^node: \S+ - cwd: \/srv\/mlserve - uid: 1000 - gid: 1000 - masterpid: 4242$/);
  assert.ok(screen.includes('model: reuters v1 - backend: tensorflow - accuracy: 0.8767 - up 1h00m'), screen.join('\n'));
  assert.ok(screen.some((r) => /^req\/s  [▁-█]{60} max 6 now 3$/.test(r)), 'the req/s sparkline');
  assert.deepEqual(wids(screen), [4, 3, 2, 1], 'most requests first, as uwsgitop');
  // The second frame gives RPS from the difference: slot 2 gains 5 requests a read.
  screen = await tty.waitForScreen((rows) => rows.some((r) => /^\s+2\s+\S+\s+4242\s+\d+\s+[1-9]\d*\s/.test(r)), { what: 'a non-zero RPS for worker 2' });

  await tty.sendKeys('s');
  screen = await tty.waitForScreen((rows) => rows.some((r) => /^\s+WID↓/.test(r)), { what: 'the table sorted by WID' });
  assert.deepEqual(wids(screen), [1, 2, 3, 4]);
  await tty.sendKeys('r');
  screen = await tty.waitForScreen((rows) => rows.some((r) => /^\s+WID↑/.test(r)), { what: 'the reversed order' });
  assert.deepEqual(wids(screen), [4, 3, 2, 1]);

  // A terminal smaller than the table: truncated, still alive, the key line at the bottom.
  await tty.resize(50, 8);
  screen = await tty.waitForScreen((rows) => rows.length === 8 && /^ q quit/.test(rows[7] ?? ''), { what: 'the 50x8 frame' });
  assert.ok(screen.every((r) => Array.from(r).length <= 50));
  await tty.resize(160, 40);
  await tty.waitForScreen((rows) => wids(rows).length === 4, { what: 'the full table after growing back' });

  // The server goes away: the last frame stays with the message; it comes back: recovered.
  await server.close();
  server = null;
  assert.equal(existsSync(sock), false);
  await tty.waitForScreen((rows) => rows.some((r) => r.includes('disconnected, retrying')), { what: '"disconnected, retrying"' });
  server = await startStatsServer({ address: sock, build, log });
  screen = await tty.waitForScreen((rows) => !rows.some((r) => r.includes('disconnected')) && rows.some((r) => /^ q quit/.test(r)), {
    what: 'the screen after the stats server came back',
  });
  assert.equal(wids(screen).length, 4);

  await tty.sendKeys('h');
  await tty.waitForScreen((rows) => rows.some((r) => r.includes('mltop keys')), { what: 'the help' });
  await tty.sendKeys('h', 'q');
  assert.equal(await tty.waitForExit(), 0);
});
