import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '../../src/log.js';
import { buildStatsDocument } from '../../src/stats/buildStatsDocument.js';
import { startStatsServer } from '../../src/stats/statsServer.js';
import { repoRoot, sharedDir } from '../helpers/paths.js';
import { sampleInput } from '../stats/sampleInput.js';
import { serveText } from './serveText.js';

const run = promisify(execFile);
const mltopBin = join(repoRoot, 'dist', 'src', 'cli', 'mltop.js');
const log = createLogger({ level: 'silent' });
const fixtureText = (name: string): string => readFileSync(join(sharedDir, 'fixtures', 'uwsgi-stats', `uwsgi-2.0.21-${name}.json`), 'utf8');

/** Runs mltop to its exit; never rejects, so a test asserts on the code and the output. */
async function mltop(args: string[], cwd = repoRoot): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [mltopBin, ...args], { cwd, timeout: 20_000, env: { ...process.env, TZ: 'UTC' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('--json and --once against a real stats server (Unix socket)', async (t) => {
  const path = join(tempDir(t), 'stats.sock');
  const server = await startStatsServer({ address: path, build: () => buildStatsDocument(sampleInput()), log });
  t.after(() => server.close());

  const json = await mltop([path, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(buildStatsDocument(sampleInput()))));

  const once = await mltop([path, '--once']);
  assert.equal(once.code, 0, once.stderr);
  const lines = once.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^mlserve-0\.1\.0 - .* - req: 1000 - RPS: 3 - lq: 3 - tx: /);
  assert.match(lines[1]!, / - cwd: \/srv\/mlserve - uid: 1000 - gid: 1000 - masterpid: 4242$/);
  assert.ok(lines.includes('model: reuters v1 - backend: tensorflow - accuracy: 0.8767 - up 1h00m'), once.stdout);
  const header = lines.findIndex((l) => /^\s+WID/.test(l));
  assert.equal(lines.length - header - 1, 4, 'one row per slot, no key line');
  assert.doesNotMatch(once.stdout, /\x1b\[/, 'plain text, no escape sequences');
});

test('--once over stats-http (http://127.0.0.1:PORT/) and over TCP', async (t) => {
  const http = await startStatsServer({ address: { host: '127.0.0.1', port: 0 }, http: true, build: () => buildStatsDocument(sampleInput()), log });
  t.after(() => http.close());
  const port = (http.address as { port: number }).port;
  const viaHttp = await mltop([`http://127.0.0.1:${port}/`, '--once']);
  assert.equal(viaHttp.code, 0, viaHttp.stderr);
  assert.match(viaHttp.stdout, /^mlserve-0\.1\.0 /);
  assert.match(viaHttp.stdout, /node: 127\.0\.0\.1 - /);

  const tcp = await startStatsServer({ address: { host: '127.0.0.1', port: 0 }, minified: true, build: () => buildStatsDocument(sampleInput()), log });
  t.after(() => tcp.close());
  const viaTcp = await mltop([`127.0.0.1:${(tcp.address as { port: number }).port}`, '--json']);
  assert.equal(viaTcp.code, 0, viaTcp.stderr);
  assert.equal(viaTcp.stdout, `${JSON.stringify(buildStatsDocument(sampleInput()))}\n`);
});

test('both uWSGI 2.0.21 fixtures render; a document with unescaped strings is repaired for --json', async (t) => {
  const dir = tempDir(t);
  for (const name of ['busy', 'after-load']) {
    const path = join(dir, `${name}.sock`);
    const server = await serveText(path, () => fixtureText(name));
    t.after(() => server.close());
    const once = await mltop([path, '--once']);
    assert.equal(once.code, 0, once.stderr);
    assert.match(once.stdout, /^uwsgi-2\.0\.21-debian - .* - req: \d+ - RPS: - - lq: 0 - tx: /);
    assert.match(once.stdout, /latency: n\/a/);
    const lines = once.stdout.trimEnd().split('\n');
    assert.equal(lines.length - lines.findIndex((l) => /^\s+WID/.test(l)) - 1, 8);
  }
  const broken = fixtureText('busy').replace('"cwd":"/srv/app"', '"cwd":"/srv/my "app"\\dir"');
  assert.throws(() => JSON.parse(broken));
  const path = join(dir, 'broken.sock');
  const server = await serveText(path, () => broken);
  t.after(() => server.close());
  const json = await mltop([path, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { cwd: string }).cwd, '/srv/my "app"\\dir');
  assert.match((await mltop([path, '--once'])).stdout, /cwd: \/srv\/my "app"\\dir/);
});

test('the default ADDRESS is the stats option of --config; errors exit 1 with one line', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'run', 'stats.sock');
  const server = await startStatsServer({ address: path, build: () => buildStatsDocument(sampleInput()), log });
  t.after(() => server.close());
  writeFileSync(join(dir, 'mlserve.ini'), '[mlserve]\nstats = run/stats.sock\n');
  const ok = await mltop(['--json', '--config', join(dir, 'mlserve.ini')], tmpdir());
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { pid: number }).pid, 4242);

  // A config without stats: say so rather than guess.
  writeFileSync(join(dir, 'nostats.ini'), '[mlserve]\nworkers = 2\n');
  const none = await mltop(['--once', '--config', join(dir, 'nostats.ini')], tmpdir());
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^mltop: ERR_CLI_ARGS: no ADDRESS given and .*nostats.ini sets no "stats" option/);
  const refused = await mltop([join(dir, 'nothing.sock'), '--once']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^mltop: cannot read stats: ENOENT/);
  const bad = await mltop(['--frequency', '0', 'x.sock']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--frequency takes a positive number/);
  const help = await mltop(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: mltop \[ADDRESS\]/);
});
