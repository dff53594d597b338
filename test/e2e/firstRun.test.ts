/**
 * The first run shows the product: `npm start` (the shipped config/mlserve.ini) serves with the
 * stats socket and cheaper on, so `mltop --once` with no arguments prints the live table.
 * Regression: the shipped config had no stats socket and no cheaper, and `mltop` answered
 * 'config/mlserve.ini sets no "stats" option'.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { socketAccepts } from '../../src/net/listen.js';
import { startMlserve } from '../helpers/mlserve.js';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);

test('npm start, then mltop --once with no arguments: the table of 4 slots, 1 worker running (cheaper 1)', async (t) => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  assert.equal(pkg.scripts.start, 'node dist/src/cli/mlserve.js --config config/mlserve.ini', 'this test starts what npm start starts');
  const socketPath = join(repoRoot, 'run', 'mlserve.sock');
  if (await socketAccepts(socketPath)) {
    t.skip(`${socketPath} is in use (an \`npm start\` is running here): cannot start the shipped config beside it`);
    return;
  }
  // The shipped config as it is: its socket (the same path as config/mlserve.ini's), its stats socket.
  const ml = await startMlserve({ config: 'config/mlserve.ini', socketPath });
  try {
    assert.equal(ml.ready['workers'], 1, 'cheaper = 1: one worker at start');
    assert.equal(ml.ready['slots'], 4);
    const { stdout } = await run(process.execPath, [join(repoRoot, 'dist/src/cli/mltop.js'), '--once'], { cwd: repoRoot, timeout: 15_000 });
    const lines = stdout.split('\n');
    const header = lines.findIndex((l) => /^\s+WID\S*\s+%\s+PID/.test(l));
    assert.ok(header > 0, stdout);
    const rows = lines.slice(header + 1).filter((l) => /^\s+\d+\s/.test(l));
    assert.equal(rows.length, 4, stdout);
    assert.equal(rows.filter((l) => /\bidle\b/.test(l)).length, 1, stdout);
    assert.equal(rows.filter((l) => /\bcheap\b/.test(l)).length, 3, stdout);
    assert.match(stdout, /cheaper: spare/, stdout);
  } finally {
    assert.equal(await ml.stop(), 0);
  }
});
